"""Defence in depth: the services that change connections refuse a person who is not an admin
of the organization — the person the request is for, or the one named — so a page that forgot
its check still changes nothing. An API key (admin rights), a task or a command passes."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from connections.models import Connection
from connections.services import (
    connection_accounts_set,
    connection_api_key_save,
    connection_authorize,
    connection_create,
    connection_delete,
    connection_update,
)
from organizations.audit import AuditActorMiddleware, actor_for_api_key, api_actor_set
from organizations.roles import AdminsOnly
from organizations.services import api_key_create
from tests.connections.wizard_helpers import begin, come_back, consent, console_client
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db

VALUES = {"host": "db.example.com", "database": "analytics", "password": "pw-marker"}


def as_person(user, action):
    """Run `action` as the service sees it while serving a request signed in as `user`."""
    request = RequestFactory().post("/")
    request.user = user
    outcome = {}

    def view(_request):
        outcome["value"] = action()
        return None

    AuditActorMiddleware(view)(request)
    return outcome["value"]


def _changes(organization):
    connection = ConnectionFactory(organization=organization, name="Analytics")
    linkedin = ConnectionFactory(
        organization=organization, name="LinkedIn", type="linkedinads", secrets={}
    )
    return [
        lambda: connection_create(
            organization=organization, name="New", type="postgresql", values=VALUES
        ),
        lambda: connection_update(connection=connection, name="Renamed"),
        lambda: connection_delete(connection=connection),
        lambda: connection_accounts_set(connection=linkedin, accounts=["1"]),
        lambda: connection_api_key_save(
            organization=organization, type="salesloft", name="Key", api_key="k"
        ),
    ]


@pytest.mark.parametrize("index", range(5))
def test_a_member_signed_in_is_refused_by_each_service(organization, member, admin, index):
    change = _changes(organization)[index]
    before = sorted(Connection.objects.values_list("name", "configuration"))
    with pytest.raises(AdminsOnly) as refused:
        as_person(member, change)
    assert refused.value.message == (
        f"Only admins of {organization.name} can change connections: {admin.username}."
    )
    assert sorted(Connection.objects.values_list("name", "configuration")) == before


def test_a_member_named_as_the_creator_is_refused(organization, member):
    with pytest.raises(AdminsOnly):
        connection_create(
            organization=organization,
            name="New",
            type="postgresql",
            values=VALUES,
            created_by=member,
        )
    with pytest.raises(AdminsOnly):
        connection_authorize(
            organization=organization,
            type="gong",
            name="Gong",
            token_response={"access_token": "a", "refresh_token": "r"},
            created_by=member,
        )
    assert not Connection.objects.exists()


def test_an_admin_a_task_and_an_api_key_pass(organization, admin, member):
    as_person(
        admin,
        lambda: connection_create(
            organization=organization, name="By admin", type="postgresql", values=VALUES
        ),
    )
    connection_create(organization=organization, name="By a task", type="postgresql", values=VALUES)
    api_key, _ = api_key_create(organization=organization, name="CI", created_by=member)
    api_actor_set(actor_for_api_key(api_key))
    try:
        connection_create(
            organization=organization, name="By a key", type="postgresql", values=VALUES
        )
    finally:
        api_actor_set(None)
    assert Connection.objects.count() == 3


def test_an_admin_demoted_during_the_consent_connects_nothing(
    organization, admin, vendors, http, sandbox
):
    client = console_client(admin)
    authorize = begin(client, "gong")
    admin.membership.role = "member"
    admin.membership.save()
    response = come_back(client, consent(http, authorize))
    assert response.status_code == 403
    assert f"Only admins of {organization.name} can change connections" in (
        response.content.decode()
    )
    assert not Connection.objects.exists()
    assert not client.session.get("syncline_oauth_pending")
