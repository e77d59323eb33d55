"""The Gong emulator's OAuth app flow, API credentials, rate limits and faults, over real HTTP."""

from __future__ import annotations

import time

import pytest

from sandbox.oauth import DEMO_CLIENT
from sandbox.vendors.gong import (
    DEFAULT_SCOPE,
    DEMO_ACCESS_KEY,
    DEMO_ACCESS_KEY_SECRET,
    DEMO_OWNER_EMAIL,
)
from tests.sandbox.helpers import REDIRECT_URI, consent

CLIENT = (DEMO_CLIENT.client_id, DEMO_CLIENT.client_secret)
KEY = (DEMO_ACCESS_KEY, DEMO_ACCESS_KEY_SECRET)


@pytest.fixture(autouse=True)
def roomy_budget(sandbox):
    """Gong allows 3 calls a second; these tests make more, except where they test the limit."""
    sandbox.app.faults.update({"budgets": {"gong": "1000/1"}})


def _token_url(sandbox) -> str:
    return f"{sandbox.vendor_url('gong')}/oauth2/generate-customer-token"


def _code(sandbox, http) -> str:
    query = consent(http, f"{sandbox.vendor_url('gong')}/oauth2/authorize", scope=DEFAULT_SCOPE)
    assert query["state"] == "xyz"
    return query["code"]


def _exchange(sandbox, http, code: str, redirect_uri: str = REDIRECT_URI, auth=CLIENT):
    # As Gong's examples do: the parameters in the query string, client auth in Basic.
    return http.post(
        _token_url(sandbox),
        params={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": DEMO_CLIENT.client_id,
            "redirect_uri": redirect_uri,
        },
        auth=auth,
    )


def _refresh(sandbox, http, refresh_token: str):
    # The same endpoint also takes its parameters as a form body.
    return http.post(
        _token_url(sandbox),
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=CLIENT,
    )


def _users(http, api_base: str, access_token: str):
    return http.get(f"{api_base}/v2/users", headers={"Authorization": f"Bearer {access_token}"})


def _assert_gong_error(response, status: int) -> list[str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"requestId", "errors"}
    assert body["requestId"].isalnum()
    assert body["errors"]
    assert all(isinstance(message, str) for message in body["errors"])
    return body["errors"]


def test_a_consented_code_gives_tokens_for_the_customer_api_base_and_refresh_tokens_work_once(
    sandbox, http
):
    answer = _exchange(sandbox, http, _code(sandbox, http))
    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 86400
    assert tokens["scope"] == DEFAULT_SCOPE
    api_base = tokens["api_base_url_for_customer"]
    assert api_base == f"{sandbox.vendor_url('gong')}/api"
    users = _users(http, api_base, tokens["access_token"])
    assert users.status_code == 200
    assert DEMO_OWNER_EMAIL in {user["emailAddress"] for user in users.json()["users"]}

    refreshed = _refresh(sandbox, http, tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    new = refreshed.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    assert new["api_base_url_for_customer"] == api_base
    assert _users(http, api_base, new["access_token"]).status_code == 200
    # Single-use: the spent refresh token is refused with a 400 (re-authorization needed).
    again = _refresh(sandbox, http, tokens["refresh_token"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert _refresh(sandbox, http, new["refresh_token"]).status_code == 200


def test_the_token_endpoint_takes_its_parameters_in_the_form_body_too(sandbox, http):
    answer = http.post(
        _token_url(sandbox),
        data={
            "grant_type": "authorization_code",
            "code": _code(sandbox, http),
            "client_id": DEMO_CLIENT.client_id,
            "redirect_uri": REDIRECT_URI,
        },
        auth=CLIENT,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["access_token"]


def test_denying_consent_sends_the_person_back_with_access_denied(sandbox, http):
    query = consent(http, f"{sandbox.vendor_url('gong')}/oauth2/authorize", decision="deny")
    assert query["error"] == "access_denied"
    assert query["state"] == "xyz"
    assert "code" not in query


def test_the_token_endpoint_wants_basic_client_auth_with_the_right_secret(sandbox, http):
    code = _code(sandbox, http)
    wrong_secret = _exchange(sandbox, http, code, auth=(DEMO_CLIENT.client_id, "nope"))
    assert wrong_secret.status_code == 401
    assert wrong_secret.json()["error"] == "invalid_client"
    in_the_body = http.post(
        _token_url(sandbox),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": DEMO_CLIENT.client_id,
            "client_secret": DEMO_CLIENT.client_secret,
            "redirect_uri": REDIRECT_URI,
        },
    )
    assert in_the_body.status_code == 401
    assert in_the_body.json()["error"] == "invalid_client"
    # Neither attempt spent the code.
    assert _exchange(sandbox, http, code).status_code == 200


def test_a_code_works_once_and_only_with_its_redirect_uri(sandbox, http):
    code = _code(sandbox, http)
    elsewhere = _exchange(sandbox, http, code, redirect_uri="http://127.0.0.1:9/elsewhere")
    assert elsewhere.status_code == 400
    assert elsewhere.json()["error"] == "invalid_grant"
    first = _exchange(sandbox, http, code)
    assert first.status_code == 200
    reused = _exchange(sandbox, http, code)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    # A replayed code revokes what it issued (RFC 6749 §4.1.2).
    tokens = first.json()
    _assert_gong_error(
        _users(http, tokens["api_base_url_for_customer"], tokens["access_token"]), 401
    )


def test_an_expired_access_token_gets_gongs_401(sandbox, http):
    tokens = _exchange(sandbox, http, _code(sandbox, http)).json()
    api_base = tokens["api_base_url_for_customer"]
    assert _users(http, api_base, tokens["access_token"]).status_code == 200
    expired = http.post(
        f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={"vendor": "gong"}
    )
    assert expired.json()["expired"] == 1
    errors = _assert_gong_error(_users(http, api_base, tokens["access_token"]), 401)
    assert "expired" in errors[0]
    # The refresh token still gets a working access token.
    new = _refresh(sandbox, http, tokens["refresh_token"]).json()
    assert _users(http, api_base, new["access_token"]).status_code == 200


def test_an_access_key_pair_works_over_basic_auth_and_anything_else_is_a_401(sandbox, http):
    api = f"{sandbox.vendor_url('gong')}/api"
    assert http.get(f"{api}/v2/users", auth=KEY).status_code == 200
    _assert_gong_error(http.get(f"{api}/v2/users", auth=(DEMO_ACCESS_KEY, "wrong")), 401)
    _assert_gong_error(http.get(f"{api}/v2/users", auth=CLIENT), 401)
    _assert_gong_error(http.get(f"{api}/v2/users"), 401)
    _assert_gong_error(
        http.get(f"{api}/v2/users", headers={"Authorization": "Bearer not-a-token"}), 401
    )


def test_over_three_calls_a_second_is_a_429_with_retry_after_then_calls_are_served_again(
    sandbox, http
):
    sandbox.app.faults.update({"budgets": {"gong": "3/1"}})
    api = f"{sandbox.vendor_url('gong')}/api"
    statuses = []
    limited = None
    # Windows are aligned to the clock, so 3 calls may straddle two: call until refused.
    for _ in range(12):
        response = http.get(f"{api}/v2/users", auth=KEY)
        statuses.append(response.status_code)
        if response.status_code == 429:
            limited = response
            break
    assert limited is not None, statuses
    assert statuses.count(200) >= 3
    assert limited.headers["Retry-After"] == "1"
    assert _assert_gong_error(limited, 429)
    time.sleep(1.1)
    assert http.get(f"{api}/v2/users", auth=KEY).status_code == 200


def test_the_daily_budget_refuses_calls_until_the_next_day(sandbox, http):
    sandbox.app.faults.update({"budgets": {"gong": "1000/1", "gong_daily": "2/86400"}})
    api = f"{sandbox.vendor_url('gong')}/api"
    assert [http.get(f"{api}/v2/users", auth=KEY).status_code for _ in range(2)] == [200, 200]
    refused = http.get(f"{api}/v2/users", auth=KEY)
    _assert_gong_error(refused, 429)
    # Seconds until the day's window (UTC midnight) resets.
    assert 1 <= int(refused.headers["Retry-After"]) <= 86400


def test_injected_server_errors_and_rate_limits_have_gongs_shapes(sandbox, http):
    api = f"{sandbox.vendor_url('gong')}/api"
    sandbox.app.faults.update({"error_rate": 1.0})
    _assert_gong_error(http.get(f"{api}/v2/users", auth=KEY), 500)
    sandbox.app.faults.update({"error_rate": 0.0, "rate_limit_rate": 1.0})
    limited = http.get(f"{api}/v2/users", auth=KEY)
    _assert_gong_error(limited, 429)
    assert limited.headers["Retry-After"] == "1"
    # The consent page a person sees is never faulted.
    page = http.get(
        f"{sandbox.vendor_url('gong')}/oauth2/authorize",
        params={"client_id": DEMO_CLIENT.client_id, "redirect_uri": REDIRECT_URI},
    )
    assert page.status_code == 200
    sandbox.app.faults.update({"rate_limit_rate": 0.0})
    assert http.get(f"{api}/v2/users", auth=KEY).status_code == 200
