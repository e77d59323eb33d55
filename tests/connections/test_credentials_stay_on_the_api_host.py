"""Credentials go only to the connection's own API host, never to an absolute URL elsewhere."""

from __future__ import annotations

import pytest

from connections.destinations.http import StaticHeaders, VendorHTTP
from connections.models import Connection
from connections.services import connection_create
from sandbox.vendors.salesloft import DEMO_API_KEY

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_link_to_another_host_is_fetched_without_the_authorization_header(sandbox, organization):
    connection = connection_create(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": DEMO_API_KEY},
    )
    client = VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),  # http://127.0.0.1:<port>/salesloft
        auth=StaticHeaders({"Authorization": f"Bearer {DEMO_API_KEY}"}),
        connection=connection,
    )
    elsewhere = sandbox.vendor_url("salesloft").replace("127.0.0.1", "localhost")

    # A "next" link on the API host itself carries the credentials...
    assert client.request("GET", f"{sandbox.vendor_url('salesloft')}/v2/me").status_code == 200
    # ...one on any other host (here: the same server under another name) does not.
    foreign = client.request("GET", f"{elsewhere}/v2/me")

    assert foreign.status_code == 401
    assert "No Bearer Token" in foreign.json()["error"]
    # The refusal came from a host Syncline sent nothing to: it says nothing about the key.
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.HEALTHY
    client.close()
