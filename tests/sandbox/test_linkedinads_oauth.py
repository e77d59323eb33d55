"""The LinkedIn Ads emulator's OAuth, token errors and injected faults, over plain HTTP."""

from __future__ import annotations

from sandbox.oauth import DEMO_CLIENT
from sandbox.vendors.linkedinads import LATEST_VERSION
from tests.sandbox.helpers import REDIRECT_URI, consent

SECRET = {"client_id": DEMO_CLIENT.client_id, "client_secret": DEMO_CLIENT.client_secret}


def _token_call(http, base: str, **params: str):
    return http.post(f"{base}/oauth/v2/accessToken", data={**SECRET, **params})


def _exchange(http, base: str, code: str, redirect_uri: str = REDIRECT_URI):
    return _token_call(
        http, base, grant_type="authorization_code", code=code, redirect_uri=redirect_uri
    )


def _connect(http, base: str, **extra: str) -> dict:
    query = consent(http, f"{base}/oauth/v2/authorization", **extra)
    assert query["state"] == "xyz"
    response = _exchange(http, base, query["code"])
    assert response.status_code == 200, response.text
    return response.json()


def _api(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "LinkedIn-Version": LATEST_VERSION,
        "X-Restli-Protocol-Version": "2.0.0",
    }


def test_consent_gives_tokens_that_call_the_api_and_refresh_keeps_the_same_refresh_token(
    sandbox, http
):
    base = sandbox.vendor_url("linkedinads")
    tokens = _connect(http, base)
    assert tokens["expires_in"] == 5_184_000
    assert 31_535_000 < tokens["refresh_token_expires_in"] <= 31_536_000
    assert set(tokens["scope"].split(",")) == {"r_ads", "rw_dmp_segments", "r_basicprofile"}
    me = http.get(f"{base}/rest/me", headers=_api(tokens["access_token"]))
    assert me.status_code == 200, me.text

    refreshed = _token_call(
        http, base, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 200, refreshed.text
    first = refreshed.json()
    assert first["access_token"] != tokens["access_token"]
    assert first["refresh_token"] == tokens["refresh_token"]
    assert first["expires_in"] == 5_184_000
    assert http.get(f"{base}/rest/me", headers=_api(first["access_token"])).status_code == 200

    # Not rotated: the same refresh token works again, and its lifetime never grows back.
    again = _token_call(
        http, base, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert again.status_code == 200
    assert again.json()["refresh_token"] == tokens["refresh_token"]
    assert again.json()["refresh_token_expires_in"] <= first["refresh_token_expires_in"]
    assert first["refresh_token_expires_in"] <= tokens["refresh_token_expires_in"]


def test_denying_consent_sends_the_member_back_with_access_denied(sandbox, http):
    authorize = f"{sandbox.vendor_url('linkedinads')}/oauth/v2/authorization"
    query = consent(http, authorize, decision="deny")
    assert query["error"] == "access_denied"
    assert query["state"] == "xyz"
    assert "code" not in query


def test_a_wrong_client_secret_is_refused_with_invalid_client(sandbox, http):
    base = sandbox.vendor_url("linkedinads")
    code = consent(http, f"{base}/oauth/v2/authorization")["code"]
    refused = http.post(
        f"{base}/oauth/v2/accessToken",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": DEMO_CLIENT.client_id,
            "client_secret": "not-the-secret",
        },
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"


def test_a_reused_code_is_refused_and_revokes_what_it_issued(sandbox, http):
    base = sandbox.vendor_url("linkedinads")
    code = consent(http, f"{base}/oauth/v2/authorization")["code"]
    first = _exchange(http, base, code)
    assert first.status_code == 200
    replay = _exchange(http, base, code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_request"
    assert replay.json()["error_description"].startswith("Unable to retrieve access token")
    revoked = http.get(f"{base}/rest/me", headers=_api(first.json()["access_token"]))
    assert revoked.status_code == 401
    assert revoked.json()["code"] == "REVOKED_ACCESS_TOKEN"


def test_a_code_is_refused_for_another_redirect_uri(sandbox, http):
    base = sandbox.vendor_url("linkedinads")
    code = consent(http, f"{base}/oauth/v2/authorization")["code"]
    wrong = _exchange(http, base, code, redirect_uri="http://127.0.0.1:9/elsewhere/")
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_redirect_uri"


def test_the_token_endpoint_wants_form_parameters_not_json(sandbox, http):
    base = sandbox.vendor_url("linkedinads")
    answer = http.post(
        f"{base}/oauth/v2/accessToken", json={"grant_type": "refresh_token", **SECRET}
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_request",
        "error_description": 'A required parameter "grant_type" is missing',
    }


def test_a_revoked_refresh_token_gets_invalid_grant(sandbox, http):
    base = sandbox.vendor_url("linkedinads")
    tokens = _connect(http, base)
    revoked = http.post(
        f"{sandbox.url}/_sandbox/oauth/revoke-refresh-tokens", json={"vendor": "linkedinads"}
    )
    assert revoked.json()["revoked"] == 1
    refused = _token_call(
        http, base, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    unknown = _token_call(http, base, grant_type="refresh_token", refresh_token="made-up")
    assert unknown.json()["error"] == "invalid_grant"


def test_missing_invalid_and_expired_tokens_get_linkedins_401_bodies(sandbox, http):
    base = sandbox.vendor_url("linkedinads")
    headers = {"LinkedIn-Version": LATEST_VERSION}
    missing = http.get(f"{base}/rest/me", headers=headers)
    assert missing.status_code == 401
    assert missing.json()["message"] == "Empty oauth2_access_token"
    invalid = http.get(f"{base}/rest/me", headers={**headers, "Authorization": "Bearer nope"})
    assert invalid.json() == {
        "status": 401,
        "serviceErrorCode": 65600,
        "code": "INVALID_ACCESS_TOKEN",
        "message": "Invalid access token",
    }
    token = _connect(http, base)["access_token"]
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})
    expired = http.get(f"{base}/rest/me", headers=_api(token))
    assert expired.status_code == 401
    body = expired.json()
    assert body["status"] == 401
    assert body["code"] == "EXPIRED_ACCESS_TOKEN"
    assert isinstance(body["serviceErrorCode"], int)
    assert "expired" in body["message"]
    assert expired.headers["X-RestLi-Error-Response"] == "true"


def test_a_token_without_rw_dmp_segments_cannot_touch_segments(sandbox, http):
    base = sandbox.vendor_url("linkedinads")
    tokens = _connect(http, base, scope="r_ads r_basicprofile")
    assert "rw_dmp_segments" not in tokens["scope"]
    headers = _api(tokens["access_token"])
    assert http.get(f"{base}/rest/me", headers=headers).status_code == 200
    refused = http.get(
        f"{base}/rest/dmpSegments",
        params={"q": "account", "account": "urn:li:sponsoredAccount:512630692"},
        headers=headers,
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "ACCESS_DENIED"
    assert refused.json()["message"].startswith("Not enough permissions to access: dmpSegments")


def test_injected_server_errors_come_in_linkedins_shape(sandbox, http):
    base = sandbox.vendor_url("linkedinads")
    headers = _api(_connect(http, base)["access_token"])
    sandbox.app.faults.update({"error_rate": 1.0})
    answer = http.get(f"{base}/rest/me", headers=headers)
    assert answer.status_code == 500
    assert answer.json() == {
        "status": 500,
        "code": "INTERNAL_SERVER_ERROR",
        "message": "Internal Server Error",
    }
    token = _token_call(http, base, grant_type="refresh_token", refresh_token="x")
    assert token.status_code == 500
    assert token.json()["error"] == "server_error"
    # The consent page a person sees is never faulted.
    assert consent(http, f"{base}/oauth/v2/authorization")["code"]


def test_injected_throttling_comes_in_linkedins_shape_without_rate_headers(sandbox, http):
    base = sandbox.vendor_url("linkedinads")
    headers = _api(_connect(http, base)["access_token"])
    sandbox.app.faults.update({"rate_limit_rate": 1.0})
    answer = http.get(f"{base}/rest/me", headers=headers)
    assert answer.status_code == 429
    assert answer.json() == {
        "status": 429,
        "serviceErrorCode": 101,
        "code": "TOO_MANY_REQUESTS",
        "message": "Resource level throttle limit for calls to this resource is reached.",
    }
    assert "Retry-After" not in answer.headers
    log = http.get(f"{sandbox.url}/_sandbox/requests", params={"vendor": "linkedinads"}).json()
    assert log["requests"][-1]["fault"] == "rate_limited"
