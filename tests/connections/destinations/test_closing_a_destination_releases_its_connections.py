"""A worker builds one destination per run and closes it after: every tool's HTTP connections
are released then, not left open until the process ends."""

from __future__ import annotations

import pytest

from connections.destinations.registry import DESTINATIONS, destination_for
from tests.connections.http_helpers import saved_tool_connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("type_key", sorted(DESTINATIONS))
def test_closing_a_destination_closes_its_http_client(
    type_key, sandbox, http, vendors, organization
):
    destination = destination_for(
        saved_tool_connection(type_key, sandbox, http, vendors, organization)
    )
    client = destination.http.client
    assert not client.is_closed

    destination.close()

    assert client.is_closed
