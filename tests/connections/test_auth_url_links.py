"""A connection's auth_url: opened once, without a console login, through the vendor's real
consent page (the sandbox), landing on a plain page or on redirect_url; a reused, expired,
tampered or orphaned link gets a page in words and changes nothing."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from connections.models import Connection, OAuthLink
from connections.oauth.links import SALT, auth_url_for
from tests.connections.wizard_helpers import HOST, come_back, consent, console_client
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

CONFIGURATIONS = {
    "salesloft": {"auth_method": "oauth"},
    "gong": {"auth_method": "oauth"},
    "linkedinads": {"accounts": []},
    "salesforce": {"domain": "acme.my.salesforce.com", "connect_mode": "browser"},
}


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.SYNCLINE_PUBLIC_URL = f"http://{HOST}"


def _waiting(organization, type_key: str = "salesloft") -> Connection:
    """An OAuth connection as the API creates it: saved, waiting for the consent."""
    return Connection.objects.create(
        organization=organization,
        name=f"API {type_key}",
        type=type_key,
        configuration=dict(CONFIGURATIONS[type_key]),
        status=Connection.Status.NEEDS_AUTH,
        status_error="Open the auth_url to finish connecting.",
    )


def _open(client: Client, url: str):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == f"http://{HOST}"
    return client.get(parts.path)


def _state(connection: Connection) -> tuple:
    connection.refresh_from_db()
    return connection.status, connection.secrets, connection.configuration


@pytest.mark.parametrize("type_key", sorted(CONFIGURATIONS))
def test_an_auth_url_connects_its_connection_in_a_browser_nobody_is_logged_in_to(
    organization, vendors, sandbox, http, type_key
):
    connection = _waiting(organization, type_key)
    browser = Client(HTTP_HOST=HOST)  # no login: the person holding the link isn't a user

    to_vendor = _open(browser, auth_url_for(connection, None))
    assert to_vendor.status_code == 302
    assert to_vendor["Location"].startswith(sandbox.url)
    landed = come_back(browser, consent(http, to_vendor["Location"]))

    link = OAuthLink.objects.get()
    assert landed.status_code == 302
    assert landed["Location"] == reverse("social:link_done", args=[link.pk])
    page = browser.get(landed["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{connection.name} is ready" in html
    assert "You can close this window" in html
    connection.refresh_from_db()
    assert connection.status == Connection.Status.HEALTHY, connection.status_error
    assert connection.secrets["access_token"]
    assert connection.secrets["access_token"] not in html
    assert Connection.objects.count() == 1  # the API's connection got the tokens, no new one
    assert link.used_at is not None


def test_the_consent_lands_on_redirect_url_when_one_was_given(organization, vendors, http):
    connection = _waiting(organization)
    browser = Client(HTTP_HOST=HOST)
    url = auth_url_for(connection, "https://example.com/connected?step=2")
    landed = come_back(browser, consent(http, _open(browser, url)["Location"]))
    assert landed.status_code == 302
    assert landed["Location"] == "https://example.com/connected?step=2"
    connection.refresh_from_db()
    assert connection.status == Connection.Status.HEALTHY


@pytest.mark.parametrize(
    "redirect_url",
    [
        "javascript:alert(1)",
        "ftp://example.com/x",
        "/relative/path",
        "https://",
        "data:text/html,x",
    ],
)
def test_a_redirect_url_that_is_not_http_is_refused_and_no_link_is_made(organization, redirect_url):
    connection = _waiting(organization)
    with pytest.raises(ValidationError) as refused:
        auth_url_for(connection, redirect_url)
    assert "http:// or https://" in refused.value.message_dict["redirect_url"][0]
    assert not OAuthLink.objects.exists()


def test_a_used_link_opened_again_says_so_and_changes_nothing(organization, vendors, http):
    connection = _waiting(organization)
    browser = Client(HTTP_HOST=HOST)
    url = auth_url_for(connection, None)
    come_back(browser, consent(http, _open(browser, url)["Location"]))
    before = _state(connection)

    for someone in (browser, Client(HTTP_HOST=HOST)):
        again = _open(someone, url)
        assert again.status_code == 410
        assert "already used" in again.content.decode()
    assert _state(connection) == before


def test_a_link_opened_twice_before_the_consent_finishes_works_only_the_first_time(
    organization, vendors
):
    connection = _waiting(organization)
    url = auth_url_for(connection, None)
    assert _open(Client(HTTP_HOST=HOST), url).status_code == 302
    second = _open(Client(HTTP_HOST=HOST), url)
    assert second.status_code == 410
    assert "already used" in second.content.decode()


def test_an_expired_link_says_so_and_changes_nothing(organization, vendors):
    connection = _waiting(organization)
    url = auth_url_for(connection, None)
    OAuthLink.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    before = _state(connection)
    page = _open(Client(HTTP_HOST=HOST), url)
    assert page.status_code == 410
    assert "expired" in page.content.decode()
    assert OAuthLink.objects.get().used_at is None
    assert _state(connection) == before


def test_a_link_past_its_signatures_age_is_expired_too(
    organization, vendors, settings, monkeypatch
):
    connection = _waiting(organization)
    url = auth_url_for(connection, None)
    later = time.time() + settings.SYNCLINE_AUTH_LINK_SECONDS + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    page = _open(Client(HTTP_HOST=HOST), url)
    assert page.status_code == 410
    assert "expired" in page.content.decode()
    assert OAuthLink.objects.get().used_at is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        lambda token: token[:20],
        lambda token: signing.dumps("00000000-0000-0000-0000-000000000000", salt="other"),
        lambda token: signing.dumps("not-a-uuid", salt=SALT),
    ],
    ids=["signature-changed", "cut-off", "other-salt", "not-a-link-id"],
)
def test_a_tampered_link_is_refused_in_words_and_changes_nothing(organization, vendors, tamper):
    connection = _waiting(organization)
    url = auth_url_for(connection, None)
    token = urlsplit(url).path.rsplit("/", 1)[1]
    before = _state(connection)
    page = Client(HTTP_HOST=HOST).get(reverse("social:link", args=[tamper(token)]))
    assert page.status_code == 410
    assert "not valid" in page.content.decode()
    assert OAuthLink.objects.get().used_at is None
    assert _state(connection) == before


def test_a_link_to_a_deleted_connection_says_there_is_nothing_to_connect(organization, vendors):
    connection = _waiting(organization)
    url = auth_url_for(connection, None)
    connection.delete()
    page = _open(Client(HTTP_HOST=HOST), url)
    assert page.status_code == 410
    assert "no longer exists" in page.content.decode()


def test_a_denied_consent_says_so_spends_the_link_and_saves_nothing(organization, vendors, http):
    connection = _waiting(organization, "gong")
    browser = Client(HTTP_HOST=HOST)
    url = auth_url_for(connection, "https://example.com/connected")
    before = _state(connection)
    answer = come_back(browser, consent(http, _open(browser, url)["Location"], decision="deny"))
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "You chose not to allow access in Gong" in html
    assert "ask whoever sent it to you for a new one" in html
    assert _state(connection) == before
    assert _open(browser, url).status_code == 410


def test_the_done_page_shows_nothing_to_another_browser(organization, vendors, http):
    connection = _waiting(organization)
    browser = Client(HTTP_HOST=HOST)
    url = auth_url_for(connection, None)
    landed = come_back(browser, consent(http, _open(browser, url)["Location"]))
    stranger = Client(HTTP_HOST=HOST).get(landed["Location"])
    assert stranger.status_code == 404
    assert connection.name not in stranger.content.decode()


def test_a_link_opened_where_someone_of_another_organization_is_logged_in_connects_its_own(
    organization, vendors, http
):
    connection = _waiting(organization)
    other = MembershipFactory(organization=OrganizationFactory()).user
    browser = console_client(other)
    url = auth_url_for(connection, None)
    come_back(browser, consent(http, _open(browser, url)["Location"]))
    connection.refresh_from_db()
    assert connection.status == Connection.Status.HEALTHY
    assert Connection.objects.count() == 1
    assert Connection.objects.get().organization == organization


def test_links_a_week_past_their_expiry_are_pruned_and_newer_ones_kept(organization):
    from django.utils import timezone

    from connections.oauth.links import oauth_links_prune
    from connections.tasks import prune_oauth_links

    connection = _waiting(organization)
    now = timezone.now()
    old = OAuthLink.objects.create(connection=connection, expires_at=now - dt.timedelta(days=8))
    recent = OAuthLink.objects.create(connection=connection, expires_at=now - dt.timedelta(days=6))
    live = OAuthLink.objects.create(connection=connection, expires_at=now + dt.timedelta(hours=1))
    prune_oauth_links()  # the beat's task, run in this process
    assert not OAuthLink.objects.filter(pk=old.pk).exists()
    assert set(OAuthLink.objects.values_list("pk", flat=True)) >= {recent.pk, live.pk}
    assert oauth_links_prune() == 0
