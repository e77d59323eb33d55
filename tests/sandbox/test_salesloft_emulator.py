from __future__ import annotations

import pytest

from sandbox.oauth import DEMO_CLIENT
from sandbox.vendors.salesloft import DEMO_API_KEY
from tests.sandbox.helpers import REDIRECT_URI, consent


def _key() -> dict[str, str]:
    return {"Authorization": f"Bearer {DEMO_API_KEY}"}


def _tokens(http, base: str, **params: str):
    return http.post(
        f"{base}/oauth/token",
        data={
            "client_id": DEMO_CLIENT.client_id,
            "client_secret": DEMO_CLIENT.client_secret,
            **params,
        },
    )


def _authorize(http, base: str) -> dict:
    query = consent(http, f"{base}/oauth/authorize")
    assert query["state"] == "xyz"
    assert query["context"] == "/teams/1"
    response = _tokens(
        http, base, grant_type="authorization_code", code=query["code"], redirect_uri=REDIRECT_URI
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_oauth_gives_a_token_that_calls_the_api_and_refreshing_rotates_it(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    tokens = _authorize(http, base)
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 7200
    me = http.get(f"{base}/v2/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200
    assert me.json()["data"]["team"]["id"] == 1

    refreshed = _tokens(
        http, base, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    ok = http.get(f"{base}/v2/me", headers={"Authorization": f"Bearer {new['access_token']}"})
    assert ok.status_code == 200
    # Salesloft revokes every older refresh token on refresh.
    again = _tokens(http, base, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_denying_consent_sends_the_person_back_with_access_denied(sandbox, http):
    query = consent(http, f"{sandbox.vendor_url('salesloft')}/oauth/authorize", decision="deny")
    assert query["error"] == "access_denied"
    assert "code" not in query


def test_a_code_works_once_and_only_with_its_redirect_uri_and_the_right_secret(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    code = consent(http, f"{base}/oauth/authorize")["code"]
    wrong_uri = _tokens(
        http,
        base,
        grant_type="authorization_code",
        code=code,
        redirect_uri="http://127.0.0.1:9/elsewhere",
    )
    assert wrong_uri.json()["error"] == "invalid_grant"
    bad_secret = http.post(
        f"{base}/oauth/token",
        data={
            "client_id": DEMO_CLIENT.client_id,
            "client_secret": "wrong",
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT_URI,
        },
    )
    assert bad_secret.status_code == 401
    assert bad_secret.json()["error"] == "invalid_client"
    first = _tokens(
        http, base, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI
    )
    assert first.status_code == 200
    replay = _tokens(
        http, base, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI
    )
    assert replay.json()["error"] == "invalid_grant"
    # A replayed code revokes what it issued.
    revoked = http.get(
        f"{base}/v2/me", headers={"Authorization": f"Bearer {first.json()['access_token']}"}
    )
    assert revoked.status_code == 401


def test_an_unknown_client_sees_an_error_page_instead_of_a_redirect(sandbox, http):
    page = http.get(
        f"{sandbox.vendor_url('salesloft')}/oauth/authorize",
        params={"client_id": "nobody", "redirect_uri": REDIRECT_URI, "response_type": "code"},
    )
    assert page.status_code == 400
    assert "Unknown client_id" in page.text


def test_requests_without_or_with_an_expired_token_get_salesloft_401s(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    missing = http.get(f"{base}/v2/people")
    assert missing.status_code == 401
    assert missing.json()["error"].startswith("No Bearer Token attached to request")
    token = _authorize(http, base)["access_token"]
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})
    expired = http.get(f"{base}/v2/people", headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401
    assert "expired" in expired.json()["error"]


def test_person_upsert_creates_then_updates_by_email(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    body = {
        "upsert_key": "email_address",
        "email_address": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "custom_fields": {"Plan": "gold"},
    }
    created = http.post(f"{base}/v2/person_upserts", json=body, headers=_key())
    assert created.status_code == 200
    assert created.json()["data"]["upsert_type"] == "create"
    person = created.json()["data"]["person"]
    assert person["custom_fields"] == {"Plan": "gold"}
    updated = http.post(
        f"{base}/v2/person_upserts.json",
        headers=_key(),
        json={**body, "email_address": "ADA@example.com", "last_name": "King"},
    )
    assert updated.json()["data"]["upsert_type"] == "update"
    assert updated.json()["data"]["person"]["id"] == person["id"]
    stored = http.get(f"{sandbox.url}/_sandbox/records/salesloft/people").json()["data"]
    assert [p["last_name"] for p in stored if p["email_address"].lower() == "ada@example.com"] == [
        "King"
    ]


def test_an_invalid_email_is_refused_in_salesloft_422_shape(sandbox, http):
    response = http.post(
        f"{sandbox.vendor_url('salesloft')}/v2/people",
        headers=_key(),
        json={"email_address": "carol@@example.com", "first_name": "Carol"},
    )
    assert response.status_code == 422
    assert response.json() == {"errors": {"email_address": ["is invalid"]}}


def test_a_duplicate_email_and_a_missing_identity_are_refused(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    taken = http.post(
        f"{base}/v2/people", headers=_key(), json={"email_address": "peter@initech.example"}
    )
    assert taken.json()["errors"]["email_address"] == ["is already taken"]
    nothing = http.post(f"{base}/v2/people", headers=_key(), json={"first_name": "Nobody"})
    assert "base" in nothing.json()["errors"]


def test_people_list_pages_and_filters_by_email(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    for n in range(3):
        http.post(f"{base}/v2/people", headers=_key(), json={"email_address": f"p{n}@x.example"})
    page = http.get(
        f"{base}/v2/people", headers=_key(), params={"per_page": 2, "include_paging_counts": "true"}
    ).json()
    assert page["metadata"]["paging"] == {
        "per_page": 2,
        "current_page": 1,
        "next_page": 2,
        "prev_page": None,
        "total_pages": 3,
        "total_count": 5,
    }
    last = http.get(f"{base}/v2/people", headers=_key(), params={"per_page": 2, "page": 9})
    assert last.json()["data"] == []
    found = http.get(
        f"{base}/v2/people", headers=_key(), params=[("email_addresses[]", "P1@x.example")]
    ).json()["data"]
    assert [p["email_address"] for p in found] == ["p1@x.example"]
    bad_sort = http.get(f"{base}/v2/people", headers=_key(), params={"sort_by": "shoe_size"})
    assert bad_sort.status_code == 422


def test_account_upsert_by_domain_and_bad_domains(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    created = http.post(
        f"{base}/v2/account_upserts",
        headers=_key(),
        json={"upsert_key": "domain", "domain": "globex.example", "name": "Globex"},
    )
    assert created.json()["data"]["upsert_type"] == "create"
    updated = http.post(
        f"{base}/v2/account_upserts",
        headers=_key(),
        json={"upsert_key": "domain", "domain": "globex.example", "name": "Globex Corp"},
    )
    assert updated.json()["data"]["upsert_type"] == "update"
    url = http.post(
        f"{base}/v2/accounts",
        headers=_key(),
        json={"domain": "https://hooli.example/", "name": "Hooli"},
    )
    assert url.status_code == 422
    assert "domain" in url.json()["errors"]


def test_adding_a_person_to_a_cadence_makes_one_membership(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    cadences = http.get(
        f"{base}/v2/cadences", headers=_key(), params={"sort_by": "name", "sort_direction": "ASC"}
    )
    assert cadences.json()["data"][0]["name"] == "Active Users Onboarding"
    person = http.post(
        f"{base}/v2/people", headers=_key(), json={"email_address": "grace@example.com"}
    ).json()["data"]
    # The spec documents query parameters; JSON bodies are accepted too.
    added = http.post(
        f"{base}/v2/cadence_memberships",
        headers=_key(),
        params={"person_id": person["id"], "cadence_id": 1001},
    )
    assert added.status_code == 200
    membership = added.json()["data"]
    assert membership["cadence"]["id"] == 1001
    assert membership["currently_on_cadence"] is True
    again = http.post(
        f"{base}/v2/cadence_memberships",
        headers=_key(),
        json={"person_id": person["id"], "cadence_id": 1001},
    )
    assert again.status_code == 422
    unknown = http.post(
        f"{base}/v2/cadence_memberships",
        headers=_key(),
        json={"person_id": person["id"], "cadence_id": 4242},
    )
    assert unknown.json()["errors"]["cadence_id"] == ["does not exist"]
    on = http.get(f"{base}/v2/people", headers=_key(), params={"cadence_id[]": 1001}).json()
    assert [p["email_address"] for p in on["data"]] == ["grace@example.com"]


def test_the_team_budget_answers_429_then_serves_again_once_a_window_has_passed(
    sandbox, http, monkeypatch
):
    # The sandbox's own clock, moved by hand: budgets never read the client's.
    now = [5000.0]
    monkeypatch.setattr("sandbox.ratelimit.monotonic", lambda: now[0])
    base = sandbox.vendor_url("salesloft")
    sandbox.app.faults.update({"budgets": {"salesloft": "3/1"}})
    remaining = [
        http.get(f"{base}/v2/cadences", headers=_key()).headers["x-ratelimit-remaining-minute"]
        for _ in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    limited = http.get(f"{base}/v2/cadences", headers=_key())
    assert limited.status_code == 429
    assert limited.headers["x-ratelimit-remaining-minute"] == "0"
    now[0] += 0.9  # rolling: the three calls are still within the last second
    assert http.get(f"{base}/v2/cadences", headers=_key()).status_code == 429
    now[0] += 0.2
    assert http.get(f"{base}/v2/cadences", headers=_key()).status_code == 200


def test_deep_pages_cost_more(sandbox, http):
    response = http.get(
        f"{sandbox.vendor_url('salesloft')}/v2/people", headers=_key(), params={"page": 120}
    )
    assert response.headers["x-ratelimit-endpoint-cost"] == "3"


@pytest.mark.parametrize(("setting", "status"), [("error_rate", 500), ("rate_limit_rate", 429)])
def test_injected_faults_use_salesloft_error_shapes(sandbox, http, setting, status):
    sandbox.app.faults.update({setting: 1.0})
    response = http.get(f"{sandbox.vendor_url('salesloft')}/v2/people", headers=_key())
    assert response.status_code == status
    assert "error" in response.json()
