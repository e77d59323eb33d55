"""The HTTP client's call records are handed over and forgotten, so a long run keeps none."""

from __future__ import annotations

from connections.destinations.base import Destination
from connections.destinations.http import StaticHeaders, VendorHTTP
from connections.models import Connection
from sandbox.vendors.salesloft import DEMO_API_KEY


def _client(sandbox) -> VendorHTTP:
    return VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),
        auth=StaticHeaders({"Authorization": f"Bearer {DEMO_API_KEY}"}),
    )


def test_draining_returns_the_calls_since_the_last_drain_and_keeps_none(sandbox):
    client = _client(sandbox)
    for _ in range(3):
        client.request("GET", "/v2/cadences")

    first = client.drain_calls()
    client.request("GET", "/v2/me")
    second = client.drain_calls()

    assert [call.path for call in first] == ["v2/cadences"] * 3
    assert [call.path for call in second] == ["v2/me"]
    assert client.calls == [] and client.drain_calls() == []
    client.close()


def test_a_destination_drains_through_its_client_and_shared_lists_stay_shared(sandbox):
    shared: list = []
    reads = VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),
        auth=StaticHeaders({"Authorization": f"Bearer {DEMO_API_KEY}"}),
        calls=shared,
    )
    writes = VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),
        auth=StaticHeaders({"Authorization": f"Bearer {DEMO_API_KEY}"}),
        calls=shared,  # LinkedIn's streams share one list like this
    )

    class Tool(Destination):
        title = "Tool"

        @property
        def http(self) -> VendorHTTP:
            return reads

    destination = Tool(Connection(type="salesloft"))
    reads.request("GET", "/v2/me")
    writes.request("GET", "/v2/cadences")

    assert len(destination.drain_calls()) == 2
    writes.request("GET", "/v2/cadences")
    assert [call.path for call in destination.calls] == ["v2/cadences"]
    reads.close()
    writes.close()
