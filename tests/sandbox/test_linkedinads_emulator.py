"""The LinkedIn Ads emulator's REST API: headers, ad accounts, DMP segments, streaming, limits."""

from __future__ import annotations

import hashlib
import time

import pytest

from sandbox.oauth import DEMO_CLIENT
from sandbox.vendors.linkedinads import (
    ACME_ADS_ACCOUNT_ID,
    ACME_ORGANIZATION_URN,
    COMPANY_SEGMENT_ID,
    LATEST_VERSION,
    MAX_BATCH_ELEMENTS,
    MEMBER_URN,
    PARTNER_ACCOUNT_ID,
    PARTNER_SEGMENT_ID,
    TEST_ACCOUNT_ID,
    USER_SEGMENT_ID,
)
from tests.sandbox.helpers import REDIRECT_URI, consent

ACME = f"urn:li:sponsoredAccount:{ACME_ADS_ACCOUNT_ID}"
PARTNER = f"urn:li:sponsoredAccount:{PARTNER_ACCOUNT_ID}"
BATCH = {"X-RestLi-Method": "BATCH_CREATE"}


def _hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _user(email: str, action: str = "ADD", **fields: str) -> dict:
    return {
        "action": action,
        "userIds": [{"idType": "SHA256_EMAIL", "idValue": _hash(email)}],
        **fields,
    }


@pytest.fixture
def base(sandbox) -> str:
    return sandbox.vendor_url("linkedinads")


@pytest.fixture
def headers(sandbox, http, base) -> dict[str, str]:
    """A member's token from the real consent dance, plus the headers LinkedIn wants."""
    code = consent(http, f"{base}/oauth/v2/authorization")["code"]
    tokens = http.post(
        f"{base}/oauth/v2/accessToken",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": DEMO_CLIENT.client_id,
            "client_secret": DEMO_CLIENT.client_secret,
        },
    ).json()
    return {
        "Authorization": f"Bearer {tokens['access_token']}",
        "LinkedIn-Version": LATEST_VERSION,
        "X-Restli-Protocol-Version": "2.0.0",
    }


def _create(http, base: str, headers: dict, **values) -> int:
    body = {
        "name": "Syncline audience",
        "account": ACME,
        "type": "USER",
        "sourcePlatform": "SYNCLINE",
        "accessPolicy": "PRIVATE",
        "destinations": [{"destination": "LINKEDIN"}],
        **values,
    }
    created = http.post(f"{base}/rest/dmpSegments", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["x-restli-id"] == created.headers["x-linkedin-id"]
    return int(created.headers["x-linkedin-id"])


def test_the_version_header_is_required_well_formed_and_still_active(http, base, headers):
    without = {k: v for k, v in headers.items() if k != "LinkedIn-Version"}
    missing = http.get(f"{base}/rest/me", headers=without)
    assert missing.status_code == 400
    assert missing.json()["code"] == "VERSION_MISSING"
    malformed = http.get(f"{base}/rest/me", headers={**headers, "LinkedIn-Version": "2026-11"})
    assert malformed.status_code == 400
    assert malformed.json()["status"] == 400
    sunset = http.get(f"{base}/rest/me", headers={**headers, "LinkedIn-Version": "202401"})
    assert sunset.status_code == 426
    assert sunset.json() == {
        "status": 426,
        "code": "NONEXISTENT_VERSION",
        "message": "Requested version 20240101 is not active",
    }
    # The eleven months before the latest are active too.
    older = http.get(f"{base}/rest/me", headers={**headers, "LinkedIn-Version": "202512"})
    assert older.status_code == 200
    assert older.json()["id"] == MEMBER_URN.rsplit(":", 1)[1]


def test_dmp_endpoints_need_restli_protocol_2(http, base, headers):
    rest_li_1 = {k: v for k, v in headers.items() if k != "X-Restli-Protocol-Version"}
    refused = http.get(
        f"{base}/rest/dmpSegments", params={"q": "account", "account": ACME}, headers=rest_li_1
    )
    assert refused.status_code == 400
    assert "X-Restli-Protocol-Version" in refused.json()["message"]
    assert http.get(f"{base}/rest/adAccountUsers?q=authenticatedUser", headers=rest_li_1).is_success


def test_ad_account_users_list_the_members_roles_including_a_viewer(http, base, headers):
    answer = http.get(
        f"{base}/rest/adAccountUsers", params={"q": "authenticatedUser"}, headers=headers
    )
    assert answer.status_code == 200
    roles = {e["account"]: e["role"] for e in answer.json()["elements"]}
    assert roles[ACME] == "ACCOUNT_BILLING_ADMIN"
    assert roles[PARTNER] == "VIEWER"
    assert {e["user"] for e in answer.json()["elements"]} == {MEMBER_URN}
    one = http.get(
        f"{base}/rest/adAccountUsers/account={PARTNER}&user={MEMBER_URN}", headers=headers
    )
    assert one.json()["role"] == "VIEWER"
    nobody = http.get(
        f"{base}/rest/adAccountUsers/account={PARTNER}&user=urn:li:person:someone", headers=headers
    )
    assert nobody.status_code == 404


def test_ad_account_search_filters_projects_and_gets_one_account(http, base, headers):
    answer = http.get(
        f"{base}/rest/adAccounts",
        params={
            "q": "search",
            "search": "(status:(values:List(ACTIVE)),test:false)",
            "fields": "id,name,test",
            "pageSize": "10",
        },
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    elements = answer.json()["elements"]
    assert {"id": ACME_ADS_ACCOUNT_ID, "name": "Acme Ads", "test": False} in elements
    assert TEST_ACCOUNT_ID not in {e["id"] for e in elements}
    assert len(elements) == 3
    assert "nextPageToken" not in answer.json()["metadata"]  # everything fit on one page
    one = http.get(f"{base}/rest/adAccounts/{ACME_ADS_ACCOUNT_ID}", headers=headers).json()
    assert one["reference"] == ACME_ORGANIZATION_URN
    assert one["status"] == "ACTIVE"
    missing = http.get(f"{base}/rest/adAccounts/1", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "NOT_FOUND"


def test_the_segment_finder_returns_one_page_or_pages_with_start_and_count(http, base, headers):
    url = f"{base}/rest/dmpSegments"
    everything = http.get(url, params={"q": "account", "account": ACME}, headers=headers).json()
    names = {s["name"]: s for s in everything["elements"]}
    assert everything["paging"]["total"] == len(everything["elements"]) == 3
    company = names["Polytomic-Created Company List"]
    assert company["id"] == COMPANY_SEGMENT_ID
    assert company["type"] == "COMPANY"
    destination = company["destinations"][0]
    assert destination["status"] == "READY"
    assert destination["matchedCount"] == company["inputCount"] == 3
    assert destination["destinationSegmentId"].startswith("urn:li:adSegment:")

    page = http.get(
        url, params={"q": "account", "account": ACME, "start": 1, "count": 1}, headers=headers
    ).json()
    assert [s["id"] for s in page["elements"]] == [USER_SEGMENT_ID]
    assert page["paging"] == {"start": 1, "count": 1, "total": 3, "links": page["paging"]["links"]}
    assert page["paging"]["links"][0]["rel"] == "next"

    segment_id = _create(http, base, headers, sourceSegmentId="model-42")
    found = http.get(
        url,
        params={
            "q": "account",
            "account": ACME,
            "sourceSegmentId": "model-42",
            "sourcePlatform": "SYNCLINE",
        },
        headers=headers,
    ).json()
    assert [s["id"] for s in found["elements"]] == [segment_id]


def test_a_created_segment_is_building_until_processed_then_ready(sandbox, http, base, headers):
    emulator = sandbox.app.emulators["linkedinads"]
    emulator.processing_seconds = 3600
    segment_id = _create(http, base, headers, name="Trialists", description="From Snowflake")
    segment = http.get(f"{base}/rest/dmpSegments/{segment_id}", headers=headers).json()
    assert segment["name"] == "Trialists"
    assert segment["account"] == ACME
    assert segment["inputCount"] == 0
    assert segment["destinations"][0]["status"] == "BUILDING"
    batch = {"elements": [_user("ada@example.com"), _user("grace@example.com")]}
    streamed = http.post(
        f"{base}/rest/dmpSegments/{segment_id}/users", json=batch, headers={**headers, **BATCH}
    )
    assert streamed.json() == {"elements": [{"status": 201}, {"status": 201}]}
    building = http.get(f"{base}/rest/dmpSegments/{segment_id}", headers=headers).json()
    assert building["inputCount"] == 2
    assert building["destinations"][0]["status"] == "BUILDING"
    emulator.processing_seconds = 0
    ready = http.get(f"{base}/rest/dmpSegments/{segment_id}", headers=headers).json()
    assert ready["destinations"][0]["status"] == "READY"
    assert ready["destinations"][0]["matchedCount"] == 2
    assert http.get(f"{base}/rest/dmpSegments/999", headers=headers).status_code == 404


def test_segment_creation_is_validated_and_refused_on_viewer_accounts(http, base, headers):
    url = f"{base}/rest/dmpSegments"
    incomplete = http.post(url, json={"name": "x", "type": "PEOPLE", "color": 1}, headers=headers)
    assert incomplete.status_code == 422
    message = incomplete.json()["message"]
    assert "/account :: field is required" in message
    assert '/type :: "PEOPLE" is not an enum symbol' in message
    assert "/color :: unrecognized field" in message
    malformed = http.post(url, content=b"{not json", headers=headers)
    assert malformed.status_code == 400
    viewer = http.post(
        url,
        json={
            "name": "x",
            "account": PARTNER,
            "type": "USER",
            "sourcePlatform": "SYNCLINE",
            "destinations": [{"destination": "LINKEDIN"}],
        },
        headers=headers,
    )
    assert viewer.status_code == 403
    assert viewer.json()["code"] == "ACCESS_DENIED"
    _create(http, base, headers, sourceSegmentId="dup")
    again = http.post(
        url,
        json={
            "name": "again",
            "account": ACME,
            "type": "USER",
            "sourcePlatform": "SYNCLINE",
            "sourceSegmentId": "dup",
            "destinations": [{"destination": "LINKEDIN"}],
        },
        headers=headers,
    )
    assert again.status_code == 409


def test_streamed_users_are_stored_and_removing_takes_them_out(sandbox, http, base, headers):
    users = f"{base}/rest/dmpSegments/{USER_SEGMENT_ID}/users"
    before = http.get(f"{base}/rest/dmpSegments/{USER_SEGMENT_ID}", headers=headers).json()
    added = http.post(
        users,
        json={
            "elements": [
                _user("Ada@Example.com ", firstName="Ada", lastName="Lovelace", title="CTO"),
                _user("grace@example.com", country="US", company="Navy"),
            ]
        },
        headers={**headers, **BATCH},
    )
    assert added.status_code == 200
    assert [e["status"] for e in added.json()["elements"]] == [201, 201]
    records = http.get(f"{sandbox.url}/_sandbox/records/linkedinads/segment_users").json()["data"]
    ada = next(r for r in records if r["userIds"][0]["idValue"] == _hash("ada@example.com"))
    assert ada["segment"] == USER_SEGMENT_ID
    assert ada["firstName"] == "Ada"
    after = http.get(f"{base}/rest/dmpSegments/{USER_SEGMENT_ID}", headers=headers).json()
    assert after["inputCount"] == before["inputCount"] + 2

    removed = http.post(
        users,
        json={
            "elements": [_user("ada@example.com", "REMOVE"), _user("never@example.com", "REMOVE")]
        },
        headers={**headers, **BATCH},
    )
    assert [e["status"] for e in removed.json()["elements"]] == [201, 201]
    records = http.get(f"{sandbox.url}/_sandbox/records/linkedinads/segment_users").json()["data"]
    values = {r["userIds"][0]["idValue"] for r in records if r["segment"] == USER_SEGMENT_ID}
    assert _hash("ada@example.com") not in values
    assert _hash("grace@example.com") in values
    final = http.get(f"{base}/rest/dmpSegments/{USER_SEGMENT_ID}", headers=headers).json()
    assert final["inputCount"] == before["inputCount"] + 1


def test_each_bad_user_element_gets_its_own_400_status(sandbox, http, base, headers):
    def ids(id_type: str, value: str) -> dict:
        return {"action": "ADD", "userIds": [{"idType": id_type, "idValue": value}]}

    elements = [
        _user("ok@example.com"),
        ids("SHA256_EMAIL", "ab" * 31),  # 62 characters
        ids("SHA256_EMAIL", "zz" * 32),  # not hexadecimal
        ids("PHONE_NUMBER", "ab" * 32),
        ids("SHA256_EMAIL", "ada@example.com"),
        _user("long@example.com", firstName="A" * 36),
        _user("title@example.com", title="T" * 51),
        _user("verb@example.com", action="UPSERT"),
        ids("SHA512_EMAIL", hashlib.sha512(b"ada@example.com").hexdigest()),
    ]
    answer = http.post(
        f"{base}/rest/dmpSegments/{USER_SEGMENT_ID}/users",
        json={"elements": elements},
        headers={**headers, **BATCH},
    )
    assert answer.status_code == 200
    results = answer.json()["elements"]
    assert [r["status"] for r in results] == [201, 400, 400, 400, 400, 400, 400, 400, 201]
    messages = [r.get("message", "") for r in results]
    assert "64 hexadecimal" in messages[1] and "64 hexadecimal" in messages[2]
    assert '"PHONE_NUMBER" is not an enum symbol' in messages[3]
    assert "plain-text email" in messages[4]
    assert "/firstName" in messages[5] and "35" in messages[5]
    assert "/title" in messages[6] and "50" in messages[6]
    assert "/action" in messages[7]
    records = http.get(f"{sandbox.url}/_sandbox/records/linkedinads/segment_users").json()["data"]
    assert _hash("long@example.com") not in {r["userIds"][0]["idValue"] for r in records}


def test_streaming_needs_batch_create_a_managing_role_and_a_bounded_batch(http, base, headers):
    users = f"{base}/rest/dmpSegments/{USER_SEGMENT_ID}/users"
    batch = {"elements": [_user("ada@example.com")]}
    no_method = http.post(users, json=batch, headers=headers)
    assert no_method.status_code == 400
    assert "BATCH_CREATE" in no_method.json()["message"]
    viewer = http.post(
        f"{base}/rest/dmpSegments/{PARTNER_SEGMENT_ID}/users",
        json=batch,
        headers={**headers, **BATCH},
    )
    assert viewer.status_code == 403
    assert viewer.json()["code"] == "ACCESS_DENIED"
    too_many = {"elements": [_user("ada@example.com")] * (MAX_BATCH_ELEMENTS + 1)}
    refused = http.post(users, json=too_many, headers={**headers, **BATCH})
    assert refused.status_code == 400
    assert str(MAX_BATCH_ELEMENTS) in refused.json()["message"]
    full = {"elements": [_user(f"u{n}@example.com") for n in range(MAX_BATCH_ELEMENTS)]}
    assert http.post(users, json=full, headers={**headers, **BATCH}).status_code == 200


def test_user_and_company_segments_refuse_the_other_kind_of_member(http, base, headers):
    into_company = http.post(
        f"{base}/rest/dmpSegments/{COMPANY_SEGMENT_ID}/users",
        json={"elements": [_user("ada@example.com")]},
        headers={**headers, **BATCH},
    )
    assert into_company.status_code == 400
    assert "COMPANY segment" in into_company.json()["message"]
    into_users = http.post(
        f"{base}/rest/dmpSegments/{USER_SEGMENT_ID}/companies",
        json={"elements": [{"action": "ADD", "companyName": "Initech"}]},
        headers={**headers, **BATCH},
    )
    assert into_users.status_code == 400
    assert "USER segment" in into_users.json()["message"]


def test_companies_need_an_identifier_respect_limits_and_are_stored(sandbox, http, base, headers):
    companies = f"{base}/rest/dmpSegments/{COMPANY_SEGMENT_ID}/companies"
    elements = [
        {
            "action": "ADD",
            "companyName": "Hooli",
            "companyDomain": "hooli.example",
            "organizationUrn": "urn:li:organization:777",
            "industries": ["Software"],
            "country": "US",
        },
        {"action": "ADD", "city": "Springfield", "country": "US"},
        {"action": "ADD", "companyPageUrl": "https://www.linkedin.com/company/" + "x" * 80},
        {"action": "ADD", "companyName": "Too broad", "industries": ["a", "b", "c", "d"]},
        {"action": "ADD", "companyWebsiteDomain": "https://vandelay.example/"},
        {"action": "REMOVE", "companyWebsiteDomain": "initech.example"},
    ]
    answer = http.post(companies, json={"elements": elements}, headers={**headers, **BATCH})
    assert answer.status_code == 200
    results = answer.json()["elements"]
    assert [r["status"] for r in results] == [201, 400, 400, 400, 400, 201]
    assert "identifier" in results[1]["message"]
    assert "/companyPageUrl" in results[2]["message"] and "100" in results[2]["message"]
    assert "/industries" in results[3]["message"]
    assert "bare domain" in results[4]["message"]
    records = http.get(f"{sandbox.url}/_sandbox/records/linkedinads/segment_companies").json()
    stored = [r for r in records["data"] if r["segment"] == COMPANY_SEGMENT_ID]
    domains = {r.get("companyWebsiteDomain") for r in stored}
    assert "hooli.example" in domains
    assert "initech.example" not in domains
    segment = http.get(f"{base}/rest/dmpSegments/{COMPANY_SEGMENT_ID}", headers=headers).json()
    assert segment["inputCount"] == len(stored) == 3


def test_users_and_companies_have_separate_per_member_budgets(sandbox, http, base, headers):
    sandbox.app.faults.update({"budgets": {"linkedinads_users": "3/1"}})
    users = f"{base}/rest/dmpSegments/{USER_SEGMENT_ID}/users"
    batch = {"elements": [_user("ada@example.com")]}
    statuses = []
    for _ in range(12):
        statuses.append(http.post(users, json=batch, headers={**headers, **BATCH}).status_code)
        if statuses[-1] == 429:
            break
    assert statuses[-1] == 429, statuses
    throttled = http.post(users, json=batch, headers={**headers, **BATCH})
    assert throttled.json()["code"] == "TOO_MANY_REQUESTS"
    companies = http.post(
        f"{base}/rest/dmpSegments/{COMPANY_SEGMENT_ID}/companies",
        json={"elements": [{"action": "ADD", "companyName": "Initrode"}]},
        headers={**headers, **BATCH},
    )
    assert companies.status_code == 200
    time.sleep(1.05)  # the 1-second window is over
    assert http.post(users, json=batch, headers={**headers, **BATCH}).status_code == 200


def test_a_new_segment_can_refuse_streaming_for_a_while(sandbox, http, base, headers):
    emulator = sandbox.app.emulators["linkedinads"]
    emulator.new_segment_stream_delay = 60
    segment_id = _create(http, base, headers)
    url = f"{base}/rest/dmpSegments/{segment_id}/users"
    batch = {"elements": [_user("ada@example.com")]}
    early = http.post(url, json=batch, headers={**headers, **BATCH})
    assert early.status_code == 404
    emulator.new_segment_stream_delay = 0
    assert http.post(url, json=batch, headers={**headers, **BATCH}).status_code == 200


def test_unknown_resources_get_linkedins_404(http, base, headers):
    answer = http.get(f"{base}/rest/audiences", headers=headers)
    assert answer.status_code == 404
    assert answer.json()["message"] == "No virtual resource found"
