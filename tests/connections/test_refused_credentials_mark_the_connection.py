"""Credentials a vendor refuses for good mark the connection needs_auth, whatever the vendor."""

from __future__ import annotations

import pytest

from connections.destinations.errors import NeedsReauthorization
from connections.destinations.http import StaticHeaders, VendorHTTP
from connections.destinations.registry import DESTINATIONS, destination_for
from connections.models import Connection
from connections.services import connection_create
from tests.connections.http_helpers import (
    oauth_client,
    salesloft_oauth_connection,
    saved_tool_connection,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _key_client(sandbox, connection: Connection) -> VendorHTTP:
    return VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),
        auth=StaticHeaders({"Authorization": f"Bearer {connection.secrets['api_key']}"}),
        connection=connection,
    )


def test_a_401_that_survives_a_refresh_asks_for_a_reconnect(sandbox, http, organization):
    connection = salesloft_oauth_connection(sandbox, http, organization)
    client = oauth_client(sandbox, connection, connection=connection)
    # Every token the vendor issues from now on is refused at once: a refresh can't help.
    sandbox.app.faults.update({"token_ttl": 0})
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})

    with pytest.raises(NeedsReauthorization, match="Reconnect Team Salesloft") as raised:
        client.request("GET", "/v2/me")

    stored = Connection.objects.get(pk=connection.pk)
    assert stored.status == Connection.Status.NEEDS_AUTH
    assert stored.status_error == raised.value.message
    assert "even after Syncline renewed its token" in stored.status_error
    client.close()


def test_a_revoked_api_key_asks_for_a_new_one(sandbox, organization):
    connection = connection_create(
        organization=organization,
        name="Old key",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": "ak" + "0" * 64},
    )
    client = _key_client(sandbox, connection)

    with pytest.raises(NeedsReauthorization, match="Paste a new API key into Old key"):
        client.request("GET", "/v2/me")

    stored = Connection.objects.get(pk=connection.pk)
    assert stored.status == Connection.Status.NEEDS_AUTH
    assert "Salesloft refused Old key's credentials" in stored.status_error
    client.close()


def test_settings_tried_before_they_are_saved_mark_nothing(sandbox, organization):
    saved = connection_create(
        organization=organization,
        name="Working key",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": "ak" + "1" * 64},
    )
    # A new key typed into the form, tried against the saved connection before saving it.
    trial = Connection(
        pk=saved.pk,
        organization=organization,
        name=saved.name,
        type="salesloft",
        secrets={"api_key": "ak" + "0" * 64},
    )
    client = _key_client(sandbox, trial)

    with pytest.raises(NeedsReauthorization):
        client.request("GET", "/v2/me")

    assert Connection.objects.get(pk=saved.pk).status == Connection.Status.HEALTHY
    client.close()


@pytest.mark.parametrize("type_key", sorted(DESTINATIONS))
def test_every_tools_client_knows_whose_credentials_it_sends(
    type_key, sandbox, http, vendors, organization
):
    # The 401 handling above marks the connection VendorHTTP is given: a tool whose client
    # leaves it out would keep failing runs without ever asking a person to reconnect.
    connection = saved_tool_connection(type_key, sandbox, http, vendors, organization)
    destination = destination_for(connection)
    try:
        assert destination.http.connection is not None
        assert destination.http.connection.pk == connection.pk
    finally:
        destination.close()
