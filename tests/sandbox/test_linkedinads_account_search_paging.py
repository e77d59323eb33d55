"""The emulator pages ad-account search by cursor, as LinkedIn has since version 202401."""

from __future__ import annotations

import pytest

from sandbox.oauth import DEMO_CLIENT
from sandbox.vendors.linkedinads import LATEST_VERSION
from tests.sandbox.helpers import REDIRECT_URI, consent

SEARCH = "(status:(values:List(ACTIVE)))"


@pytest.fixture
def base(sandbox) -> str:
    return sandbox.vendor_url("linkedinads")


@pytest.fixture
def headers(http, base) -> dict[str, str]:
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
    return {"Authorization": f"Bearer {tokens['access_token']}", "LinkedIn-Version": LATEST_VERSION}


@pytest.fixture
def many_accounts(sandbox) -> set[int]:
    """The demo member gets 250 more ad accounts, so search needs several pages."""
    emulator = sandbox.app.emulators["linkedinads"]
    for n in range(250):
        emulator.add_ad_account(700_000_000 + n, f"Region {n}", role="CAMPAIGN_MANAGER")
    return {int(key) for key in emulator.table("ad_accounts")}


def test_search_pages_follow_next_page_tokens_until_there_is_none(
    http, base, headers, many_accounts
):
    params = {"q": "search", "search": SEARCH, "fields": "id,name", "pageSize": "100"}
    seen: list[int] = []
    sizes: list[int] = []
    while True:
        answer = http.get(f"{base}/rest/adAccounts", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        sizes.append(len(body["elements"]))
        seen += [element["id"] for element in body["elements"]]
        token = body["metadata"].get("nextPageToken")
        if token is None:
            break
        params["pageToken"] = token
    assert sizes == [100, 100, 54]
    assert len(seen) == len(set(seen)) and set(seen) == many_accounts


def test_without_a_page_size_a_page_holds_linkedins_default_of_100(
    http, base, headers, many_accounts
):
    answer = http.get(f"{base}/rest/adAccounts", params={"q": "search"}, headers=headers).json()
    assert len(answer["elements"]) == 100
    assert answer["metadata"]["nextPageToken"]


def test_index_paging_and_foreign_tokens_are_refused(http, base, headers, many_accounts):
    url = f"{base}/rest/adAccounts"
    old = http.get(url, params={"q": "search", "start": 0, "count": 10}, headers=headers)
    assert old.status_code == 400
    assert "pageToken" in old.json()["message"]
    first = http.get(url, params={"q": "search", "pageSize": 10}, headers=headers).json()
    token = first["metadata"]["nextPageToken"]
    other_query = http.get(
        url,
        params={"q": "search", "search": SEARCH, "pageSize": 10, "pageToken": token},
        headers=headers,
    )
    assert other_query.status_code == 400
    garbage = http.get(url, params={"q": "search", "pageToken": "not-a-token"}, headers=headers)
    assert garbage.status_code == 400
    too_big = http.get(url, params={"q": "search", "pageSize": 5000}, headers=headers)
    assert too_big.status_code == 400
