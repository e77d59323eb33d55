"""The Salesforce emulator's OAuth web-server flow, over plain HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from sandbox.oauth import DEMO_CLIENT
from sandbox.vendors.salesforce import ORG_ID, USER_ID, USERNAME
from tests.sandbox.helpers import consent
from tests.sandbox.salesforce_support import Session, connect, exchange, login_url


@pytest.fixture
def authorize(sandbox):
    return f"{login_url(sandbox)}/authorize"


def refresh(http, sandbox, refresh_token, secret=DEMO_CLIENT.client_secret):
    return http.post(
        f"{login_url(sandbox)}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": DEMO_CLIENT.client_id,
            "client_secret": secret,
        },
    )


def test_allowing_access_yields_a_token_whose_instance_url_serves_the_rest_api(
    sandbox, http, authorize
):
    answer = consent(http, authorize, state="abc")
    assert answer["state"] == "abc"
    response = exchange(http, sandbox, answer["code"])
    assert response.status_code == 200
    token = response.json()
    assert "expires_in" not in token
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "api refresh_token"
    assert token["instance_url"] == f"{sandbox.vendor_url('salesforce')}/instance"
    assert token["id"].endswith(f"/id/{ORG_ID}/{USER_ID}")
    assert token["issued_at"].isdigit() and len(token["issued_at"]) == 13
    expected = hmac.new(
        DEMO_CLIENT.client_secret.encode(),
        (token["id"] + token["issued_at"]).encode(),
        hashlib.sha256,
    ).digest()
    assert token["signature"] == base64.b64encode(expected).decode()

    session = Session(token)
    limits = http.get(f"{session.api}/limits/", headers=session.headers)
    assert limits.status_code == 200
    assert limits.json()["DailyApiRequests"]["Max"] == 15000


def test_a_refreshed_token_works_and_the_refresh_token_is_not_rotated(sandbox, http):
    session = connect(http, sandbox)
    response = refresh(http, sandbox, session.token["refresh_token"])
    assert response.status_code == 200
    renewed = response.json()
    assert "refresh_token" not in renewed
    assert set(renewed) >= {"access_token", "instance_url", "id", "issued_at", "signature"}
    assert renewed["access_token"] != session.token["access_token"]
    fresh = Session({**session.token, **renewed})
    assert http.get(f"{fresh.api}/sobjects/", headers=fresh.headers).status_code == 200
    # Not rotated: the same refresh token keeps working.
    assert refresh(http, sandbox, session.token["refresh_token"]).status_code == 200


def test_denying_access_redirects_with_access_denied(http, authorize):
    answer = consent(http, authorize, decision="deny", state="s1")
    assert answer["error"] == "access_denied"
    assert answer["state"] == "s1"
    assert "code" not in answer


def test_a_wrong_client_secret_is_refused_as_invalid_client(sandbox, http, authorize):
    code = consent(http, authorize)["code"]
    response = exchange(http, sandbox, code, client_secret="not-the-secret")
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "invalid client credentials",
    }


def test_an_unknown_client_id_is_refused(sandbox, http, authorize):
    code = consent(http, authorize)["code"]
    response = exchange(http, sandbox, code, client_id="someone-else")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_id"


def test_a_code_works_once(sandbox, http, authorize):
    code = consent(http, authorize)["code"]
    assert exchange(http, sandbox, code).status_code == 200
    again = exchange(http, sandbox, code)
    assert again.status_code == 400
    assert again.json() == {
        "error": "invalid_grant",
        "error_description": "expired access/refresh token",
    }


def test_a_redirect_uri_other_than_the_authorized_one_is_refused(sandbox, http, authorize):
    code = consent(http, authorize)["code"]
    response = exchange(http, sandbox, code, redirect_uri="http://127.0.0.1:9999/elsewhere/")
    assert response.status_code == 400
    assert response.json()["error"] == "redirect_uri_mismatch"


def test_an_unregistered_redirect_uri_never_reaches_the_consent_page(http, authorize):
    page = http.get(
        authorize,
        params={
            "client_id": DEMO_CLIENT.client_id,
            "redirect_uri": "https://attacker.example.com/cb",
            "response_type": "code",
        },
    )
    assert page.status_code == 400
    assert "Allow" not in page.text


def test_revoking_the_refresh_token_ends_the_session_and_refresh_is_refused(sandbox, http):
    session = connect(http, sandbox)
    revoked = http.post(
        f"{login_url(sandbox)}/revoke", data={"token": session.token["refresh_token"]}
    )
    assert revoked.status_code == 200
    response = refresh(http, sandbox, session.token["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    api = http.get(f"{session.api}/sobjects/", headers=session.headers)
    assert api.status_code == 401
    unknown = http.post(f"{login_url(sandbox)}/revoke", data={"token": "nonsense"})
    assert unknown.status_code == 400


def test_an_expired_session_answers_401_invalid_session_id(sandbox, http):
    session = connect(http, sandbox)
    expired = http.post(
        f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={"vendor": "salesforce"}
    )
    assert expired.json()["expired"] >= 1
    response = http.get(f"{session.api}/limits/", headers=session.headers)
    assert response.status_code == 401
    assert response.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    # Refreshing is how a client recovers.
    renewed = refresh(http, sandbox, session.token["refresh_token"]).json()
    fresh = Session({**session.token, **renewed})
    assert http.get(f"{fresh.api}/limits/", headers=fresh.headers).status_code == 200


def test_a_request_without_a_token_answers_401_invalid_session_id(sandbox, http):
    session = connect(http, sandbox)
    response = http.get(f"{session.api}/sobjects/")
    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_the_identity_url_and_userinfo_describe_the_connected_user(sandbox, http):
    session = connect(http, sandbox)
    # social-core reads the identity URL with ?access_token=...
    identity = http.get(session.token["id"], params={"access_token": session.token["access_token"]})
    assert identity.status_code == 200
    assert identity.json()["username"] == USERNAME
    assert identity.json()["organization_id"] == ORG_ID
    userinfo = http.get(f"{login_url(sandbox)}/userinfo", headers=session.headers)
    assert userinfo.json()["preferred_username"] == USERNAME
    assert userinfo.json()["sub"] == session.token["id"]
    refused = http.get(session.token["id"], params={"access_token": "bogus"})
    assert refused.status_code == 403
    assert refused.text == "Bad_OAuth_Token"
