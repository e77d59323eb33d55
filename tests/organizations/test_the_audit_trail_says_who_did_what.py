"""The audit trail: services record what changed, the request says who did it (a person in the
console or the admin, an API key, or Syncline itself), secrets show only that they changed,
entries can't be edited or deleted, and only admins of the organization see them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connections.services import connection_create, connection_delete, connection_update
from organizations.audit import Actor, actor_for_api_key, api_actor_set, audit_record
from organizations.models import AuditEntry, Membership
from organizations.services import api_key_create, api_key_revoke
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "marker-password-5f1c"


def _warehouse(organization):
    return connection_create(
        organization=organization,
        name="Analytics",
        type="postgresql",
        values={"host": "db.example.com", "database": "analytics", "password": SECRET},
    )


def test_a_connections_life_is_recorded_without_its_secrets(organization):
    connection = _warehouse(organization)
    connection_update(connection=connection, name="Warehouse", values={"password": "new-" + SECRET})
    connection_delete(connection=connection)

    entries = list(AuditEntry.objects.filter(organization=organization).order_by("created_at"))
    assert [(e.action, e.object_type) for e in entries] == [
        ("created", "connection"),
        ("changed", "connection"),
        ("deleted", "connection"),
    ]
    assert entries[1].changes["name"] == ["Analytics", "Warehouse"]
    assert entries[1].changes["password"] == "changed"
    assert "password changed" in entries[1].details()
    assert all(SECRET not in str(e.changes) for e in entries)
    assert {e.actor_label for e in entries} == {"Syncline"}  # no request: Syncline's own doing


def test_an_api_key_acting_is_named_as_the_actor(organization):
    creator = UserFactory()
    api_key, _ = api_key_create(organization=organization, name="CI", created_by=creator)
    api_actor_set(actor_for_api_key(api_key))
    try:
        _warehouse(organization)
    finally:
        api_actor_set(None)
    entry = AuditEntry.objects.get(object_type="connection")
    assert entry.actor_label == f"API key “CI” ({api_key.prefix}…)"
    assert entry.actor == creator


def test_a_person_in_the_admin_is_the_actor_of_what_they_do(client, superuser, organization):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:organizations_apikey_add"), {"organization": organization.pk, "name": "Ops"}
    )
    assert response.status_code == 200  # the page that shows the new key once
    entry = AuditEntry.objects.get(object_type="API key", action="created")
    assert entry.actor == superuser and entry.actor_label == superuser.get_username()


def test_revoking_a_key_twice_is_recorded_once(organization):
    api_key, _ = api_key_create(organization=organization, name="Old", created_by=None)
    api_key_revoke(api_key=api_key)
    api_key_revoke(api_key=api_key)
    assert AuditEntry.objects.filter(action="revoked").count() == 1


def test_entries_cannot_be_changed_or_deleted(organization):
    entry = audit_record(
        organization=organization,
        action="created",
        object_type="sync",
        object_id="1",
        object_name="x",
        actor=Actor(label="someone"),
    )
    entry.action = "nothing happened"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "created"


def test_only_admins_of_the_organization_see_its_trail(client, organization):
    _warehouse(organization)
    _warehouse(OrganizationFactory())  # another organization's "Analytics"
    admin = MembershipFactory(organization=organization, role=Membership.Role.ADMIN).user
    member = MembershipFactory(organization=organization).user

    client.force_login(member)
    refused = client.get(reverse("console:audit"))
    assert refused.status_code == 403
    assert (
        f"Only admins of {organization.name} can read the audit trail:" in refused.content.decode()
    )
    assert admin.get_username() in refused.content.decode()

    client.force_login(admin)
    page = client.get(reverse("console:audit")).content.decode()
    assert page.count("the connection “Analytics”") == 1


def test_a_setting_named_like_a_secret_is_kept_encrypted_and_out_of_the_trail(organization):
    connection = _warehouse(organization)
    connection_update(connection=connection, values={"sso_token": "marker-sso-77"})
    connection.refresh_from_db()
    assert "sso_token" not in connection.configuration
    assert connection.secrets["sso_token"] == "marker-sso-77"
    entry = AuditEntry.objects.get(action="changed")
    assert entry.changes == {"sso_token": "changed"}
