"""A call takes its place in the shared rate limit as it leaves, not before a token refresh: a
slot taken, then a refresh, then the call would reach the vendor later than the limiter counted
it, and the calls after it, counted from the earlier time, would crowd the vendor's window.

Found by the soak (tests/integration/soak.py): three workers on one Gong company, access tokens
refreshed every few seconds, and once in a while the sandbox refused a call for Gong's 3 a
second though the limiter had kept to 3 in every 1.1 s of its log."""

from __future__ import annotations

import time

import pytest

from connections.destinations.gong.client import RATE_LIMIT, gong_http
from connections.destinations.ratelimit import DatabaseCounter, WindowLimiter
from tests.connections.destinations.gong_support import gong_connection, gong_tokens
from tests.integration.runs import after_calls, request_log

pytestmark = pytest.mark.django_db(transaction=True)

REFRESH_SECONDS = 0.6  # a slow token server: longer than the limiter's margin (0.1 s of 1 s)


def test_calls_after_a_slow_refresh_stay_within_gongs_three_a_second(
    organization, vendors, http, sandbox
):
    connection = gong_connection(organization, gong_tokens(vendors, http))
    # The saved access token is about to expire: the first call refreshes it first.
    connection.secrets = {**connection.secrets, "expires_at": time.time() + 1}
    connection.save()
    client = gong_http(connection, rate=RATE_LIMIT)
    client.limiter = WindowLimiter(DatabaseCounter())
    http.delete(f"{sandbox.url}/_sandbox/requests")
    with after_calls(
        sandbox,
        method="POST",
        path_contains="/oauth2/generate-customer-token",
        then=lambda _: time.sleep(REFRESH_SECONDS),
    ):
        for _ in range(5):
            client.request("GET", "/v2/users")
    client.close()
    log = request_log(http, sandbox, "gong")
    assert [e["endpoint"] for e in log].count("POST gong.oauth_token") == 1  # it did refresh
    calls = [e for e in log if e["endpoint"] != "POST gong.oauth_token"]
    assert [e["status"] for e in calls] == [200] * 5  # none refused for the company's rate
