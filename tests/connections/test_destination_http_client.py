"""The shared destination HTTP client against the sandbox: refresh, retries, limits, records."""

from __future__ import annotations

import time

import httpx
import pytest

from connections.destinations.errors import DestinationError, NeedsReauthorization
from connections.destinations.http import OAuthBearer, StaticHeaders, VendorHTTP
from connections.destinations.ratelimit import DatabaseCounter, RateLimit, WindowLimiter
from connections.destinations.tokens import ConnectionTokens, token_refresher
from connections.models import Connection
from connections.services import connection_create
from sandbox.oauth import DEMO_CLIENT
from sandbox.vendors.gong import DEMO_ACCESS_KEY, DEMO_ACCESS_KEY_SECRET
from sandbox.vendors.salesloft import DEMO_API_KEY
from tests.sandbox.helpers import REDIRECT_URI, consent

pytestmark = pytest.mark.django_db(transaction=True)


def _salesloft_tokens(http, sandbox) -> dict:
    base = sandbox.vendor_url("salesloft")
    code = consent(http, f"{base}/oauth/authorize")["code"]
    return http.post(
        f"{base}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": DEMO_CLIENT.client_id,
            "client_secret": DEMO_CLIENT.client_secret,
        },
    ).json()


@pytest.fixture
def salesloft(sandbox, http, organization):
    tokens = _salesloft_tokens(http, sandbox)
    connection = connection_create(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        values={"access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"]},
    )
    refresher = token_refresher(
        token_url=f"{sandbox.vendor_url('salesloft')}/oauth/token",
        client_id=DEMO_CLIENT.client_id,
        client_secret=DEMO_CLIENT.client_secret,
    )
    client = VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),
        auth=OAuthBearer(ConnectionTokens(connection, refresher)),
        backoff_base=0.01,
    )
    yield connection, client, tokens
    client.close()


def test_a_401_mid_session_triggers_one_refresh_and_the_call_succeeds(sandbox, http, salesloft):
    connection, client, tokens = salesloft
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})
    response = client.request("GET", "/v2/me")
    assert response.status_code == 200
    stored = Connection.objects.get(pk=connection.pk)
    # Salesloft rotated the refresh token; the new one was saved, the old one is dead.
    assert stored.secrets["refresh_token"] != tokens["refresh_token"]
    assert stored.secrets["access_token"] != tokens["access_token"]
    counts = http.get(f"{sandbox.url}/_sandbox/requests").json()["counts"]
    assert counts["POST salesloft.oauth_token"] == 2  # the code exchange, then one refresh
    assert counts["GET salesloft.me"] == 2  # the 401, then the success
    assert client.calls[-1].status == 200


def test_a_revoked_refresh_token_turns_the_connection_needs_auth(sandbox, http, salesloft):
    connection, client, _ = salesloft
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})
    http.post(f"{sandbox.url}/_sandbox/oauth/revoke-refresh-tokens", json={})
    with pytest.raises(NeedsReauthorization, match="Reconnect Salesloft"):
        client.request("GET", "/v2/me")
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.status == "needs_auth"
    assert "Reconnect" in stored.status_error


def test_an_access_token_about_to_expire_is_refreshed_before_the_call(sandbox, http, salesloft):
    _, client, _ = salesloft
    client.auth.tokens.secrets["expires_at"] = time.time() + 5  # inside the 60 s margin
    assert client.request("GET", "/v2/me").status_code == 200
    counts = http.get(f"{sandbox.url}/_sandbox/requests").json()["counts"]
    assert counts["GET salesloft.me"] == 1  # no 401 was needed


def test_server_errors_are_retried_then_reported_in_plain_words(sandbox):
    sandbox.app.faults.update({"error_rate": 1.0})
    client = VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),
        auth=StaticHeaders({"Authorization": f"Bearer {DEMO_API_KEY}"}),
        max_attempts=3,
        backoff_base=0.01,
    )
    with pytest.raises(DestinationError, match="Salesloft answered 500; gave up after 3") as error:
        client.request("GET", "/v2/people")
    assert error.value.permanent is False
    assert client.calls[-1].retries == 2


def test_a_fraction_of_server_errors_does_not_fail_the_calls(sandbox):
    sandbox.app.faults.update({"error_rate": 0.3, "seed": 3})
    client = VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),
        auth=StaticHeaders({"Authorization": f"Bearer {DEMO_API_KEY}"}),
        backoff_base=0.01,
    )
    statuses = [client.request("GET", "/v2/cadences").status_code for _ in range(20)]
    assert statuses == [200] * 20
    assert sum(call.retries for call in client.calls) > 0


def test_a_429_with_retry_after_is_waited_out(sandbox, http):
    sandbox.app.faults.update({"budgets": {"gong": "2/1"}})
    client = VendorHTTP(
        vendor="Gong",
        base_url=f"{sandbox.vendor_url('gong')}/api",
        auth=StaticHeaders(
            dict(
                httpx.BasicAuth(DEMO_ACCESS_KEY, DEMO_ACCESS_KEY_SECRET)
                .auth_flow(httpx.Request("GET", "http://x"))
                .__next__()
                .headers
            )
        ),
    )
    for _ in range(5):
        assert client.request("GET", "/v2/users").status_code == 200
    statuses = http.get(f"{sandbox.url}/_sandbox/requests").json()["statuses"]
    assert statuses.get("429", 0) >= 1
    assert any(call.waited_ms > 0 for call in client.calls)


def test_a_timeout_is_retried_and_then_explained(sandbox):
    sandbox.app.faults.update({"timeout_rate": 1.0, "timeout_seconds": 1.0})
    client = VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),
        auth=StaticHeaders({"Authorization": f"Bearer {DEMO_API_KEY}"}),
        timeout=0.2,
        max_attempts=2,
        backoff_base=0.01,
    )
    with pytest.raises(DestinationError, match="did not answer within 0.2 s"):
        client.request("GET", "/v2/people")


def test_a_create_that_may_have_been_applied_is_not_sent_twice(sandbox, http):
    sandbox.app.faults.update({"error_rate": 1.0})
    client = VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),
        auth=StaticHeaders({"Authorization": f"Bearer {DEMO_API_KEY}"}),
        backoff_base=0.01,
    )
    with pytest.raises(DestinationError, match="may already have been applied"):
        client.request("POST", "/v2/people", json={"email_address": "once@example.com"})
    counts = http.get(f"{sandbox.url}/_sandbox/requests").json()["counts"]
    assert counts["POST salesloft.people"] == 1
    # An upsert is safe to repeat, so the caller may say so and get the retries.
    with pytest.raises(DestinationError, match="gave up after"):
        client.request(
            "POST",
            "/v2/person_upserts",
            idempotent=True,
            json={"email_address": "once@example.com", "upsert_key": "email_address"},
        )


def test_an_unreadable_retry_after_is_treated_as_absent():
    from connections.destinations.http import retry_after_seconds

    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "7"})) == 7
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "9999"})) == 120


def test_impossible_rate_limits_are_refused_instead_of_waiting_forever():
    for text in ("0/60", "5/0", "-1/1"):
        with pytest.raises(ValueError, match="at least 1 call"):
            RateLimit.parse(text)
    with pytest.raises(ValueError, match="can never fit"):
        WindowLimiter(DatabaseCounter()).acquire("bucket-y", RateLimit(2, 1), cost=3)
