"""Every tool's access token is renewed by the refresher its provider description gives the
vendor's client (Gong: Basic client auth and its API host; Salesforce: its login host and
instance; Salesloft and LinkedIn: the shared grant), and what the consent saved stays."""

from __future__ import annotations

import pytest

from connections.models import Connection
from connections.services import connection_check
from tests.connections.wizard_helpers import connect, console_client

pytestmark = pytest.mark.django_db

# What each vendor's token response left on the connection, which a refresh must keep.
KEPT = {
    "salesloft": ("auth_method",),
    "gong": ("api_base_url",),
    "linkedinads": ("refresh_token_expires_at",),
    "salesforce": ("instance_url",),
}


@pytest.mark.parametrize("type_key", list(KEPT))
def test_an_expired_access_token_is_refreshed_and_the_connection_stays_healthy(
    admin, vendors, http, sandbox, type_key
):
    connect(console_client(admin), http, type_key, name="Tool")
    connection = Connection.objects.get()
    assert connection.status == Connection.Status.HEALTHY, connection.status_error
    old_access = connection.secrets["access_token"]
    kept = {key: connection.configuration[key] for key in KEPT[type_key]}
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={"vendor": type_key})

    connection_check(connection=connection)

    connection.refresh_from_db()
    assert connection.status == Connection.Status.HEALTHY, connection.status_error
    assert connection.secrets["access_token"] != old_access
    assert {key: connection.configuration[key] for key in KEPT[type_key]} == kept
