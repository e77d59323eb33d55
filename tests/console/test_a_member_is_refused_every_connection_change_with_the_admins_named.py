"""Only admins change connections. A member who opens (or posts to) any page that creates,
edits, deletes, checks, reconnects or chooses accounts for a connection gets a 403 page naming
the organization's admins, and nothing changes; the list and a connection's own page stay
readable, with a sentence instead of buttons. Every URL of connections/urls.py has a case here,
so a new one can't slip in unguarded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connections import urls as connection_urls
from connections.models import Connection
from organizations.models import AuditEntry
from tests.factories import ConnectionFactory, MembershipFactory

pytestmark = pytest.mark.django_db

READ = {"list", "detail"}
# (url name, method, which connection the URL is about, data posted)
CHANGES = [
    ("new", "get", None, {}),
    ("create", "get", "postgresql", {}),
    ("create", "post", "postgresql", {"name": "Mine", "host": "db.example", "action": "save"}),
    ("create", "get", "salesloft", {}),
    ("create", "post", "salesloft", {"name": "Mine", "action": "oauth"}),
    ("create", "post", "salesloft", {"name": "Key", "api_key": "k", "action": "api_key"}),
    ("detail", "post", "warehouse", {"name": "Renamed", "action": "save"}),
    ("detail", "post", "tool", {"name": "Renamed", "api_key": "k"}),
    ("delete", "get", "warehouse", {}),
    ("delete", "post", "warehouse", {}),
    ("check", "post", "warehouse", {}),
    ("reconnect", "post", "tool", {}),
    ("accounts", "get", "linkedin", {}),
    ("accounts", "post", "linkedin", {"accounts": ["1"]}),
    ("done", "get", "tool", {}),
]


@pytest.fixture
def made(organization):
    return {
        "warehouse": ConnectionFactory(
            organization=organization, name="Analytics", secrets={"password": "marker-pw-4c"}
        ),
        "tool": ConnectionFactory(
            organization=organization,
            name="Salesloft",
            type="salesloft",
            configuration={"auth_method": "oauth"},
            secrets={"access_token": "marker-access-1f", "refresh_token": "marker-refresh-2e"},
        ),
        "linkedin": ConnectionFactory(
            organization=organization,
            name="LinkedIn",
            type="linkedinads",
            configuration={"accounts": ["9"]},
            secrets={"access_token": "marker-access-3d"},
        ),
    }


def _url(name: str, about: str | None, made: dict) -> str:
    if about is None:
        return reverse(f"connections:{name}")
    if about in made:
        return reverse(f"connections:{name}", args=[made[about].pk])
    return reverse(f"connections:{name}", args=[about])


def _snapshot() -> list:
    return [
        sorted(Connection.objects.values_list("name", "type", "configuration", "status")),
        AuditEntry.objects.count(),
    ]


@pytest.mark.parametrize(
    ("name", "method", "about", "data"),
    CHANGES,
    ids=[f"{method} {name} {about or ''}".strip() for name, method, about, data in CHANGES],
)
def test_a_member_gets_a_page_naming_the_admins_and_nothing_changes(
    client, member, admin, organization, made, name, method, about, data
):
    second = MembershipFactory(organization=organization, role="admin").user
    before = _snapshot()
    client.force_login(member)
    response = getattr(client, method)(_url(name, about, made), data)
    html = response.content.decode()
    assert response.status_code == 403
    names = ", ".join(sorted([admin.get_username(), second.get_username()]))
    assert f"Only admins of {organization.name} can change connections: {names}." in html
    assert _snapshot() == before
    assert not client.session.get("syncline_oauth_pending")


def test_every_connection_url_has_a_case_here():
    """A new URL in connections/urls.py must be added above (or to READ, if members may open
    it), so that it can't be left open to members by mistake."""
    names = {pattern.name for pattern in connection_urls.urlpatterns}
    assert names == READ | {name for name, *_ in CHANGES}


def test_an_admin_opens_the_same_pages(client, admin, made):
    client.force_login(admin)
    assert client.get(reverse("connections:new")).status_code == 200
    assert client.get(_url("create", "postgresql", made)).status_code == 200
    assert client.get(_url("delete", "warehouse", made)).status_code == 200
    assert client.get(_url("done", "tool", made)).status_code == 200


def test_a_member_reads_the_list_without_buttons_and_is_told_who_can_change_it(
    client, member, admin, organization, made
):
    made["tool"].status = Connection.Status.NEEDS_AUTH
    made["tool"].save()
    client.force_login(member)
    response = client.get(reverse("connections:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Analytics" in html and "Salesloft" in html
    assert f"Only admins of {organization.name} can change connections: {admin.username}." in html
    assert reverse("connections:new") not in html
    assert reverse("connections:reconnect", args=[made["tool"].pk]) not in html


@pytest.mark.parametrize("which", ["warehouse", "tool", "linkedin"])
def test_a_member_reads_a_connection_without_its_buttons_or_secrets(
    client, member, admin, organization, made, which
):
    connection = made[which]
    client.force_login(member)
    response = client.get(reverse("connections:detail", args=[connection.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert connection.name in html
    assert f"Only admins of {organization.name} can change connections: {admin.username}." in html
    for action in ("delete", "check", "reconnect"):
        assert reverse(f"connections:{action}", args=[connection.pk]) not in html
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    for secret in connection.secrets.values():
        assert secret not in html


def test_a_member_sees_a_warehouses_settings_by_their_labels(client, member, made):
    client.force_login(member)
    html = client.get(reverse("connections:detail", args=[made["warehouse"].pk])).content.decode()
    assert "127.0.0.1" in html and "analytics" in html
    assert "Saved (encrypted)" in html and "marker-pw-4c" not in html


def test_a_member_still_cannot_see_another_organizations_connection(client, member):
    theirs = ConnectionFactory()
    client.force_login(member)
    assert client.get(reverse("connections:detail", args=[theirs.pk])).status_code == 404
