"""A member with more ad accounts than fit one search page sees all of them: the destination
follows LinkedIn's cursor (pageSize / pageToken) through every page."""

from __future__ import annotations

import pytest

from connections.destinations.linkedin_ads.destination import LinkedInAdsDestination
from tests.connections.destinations.linkedin_support import (
    emulator,
    linkedin_connection,
    linkedin_tokens,
    request_log,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_search_page_of_ad_accounts_is_read(sandbox, http, organization, vendors):
    for n in range(150):
        emulator(sandbox).add_ad_account(700_000_000 + n, f"Region {n}", role="ACCOUNT_MANAGER")
    destination = LinkedInAdsDestination(
        linkedin_connection(organization, linkedin_tokens(http, vendors))
    )
    http.delete(f"{sandbox.url}/_sandbox/requests")
    values = destination.parameter_values()["accounts"]
    destination.close()

    ids = [value["value"] for value in values]
    assert len(ids) == len(set(ids)) == 153  # 150 regions + the 3 seeded usable accounts
    assert {"700000000", "700000149", "512630692"} <= set(ids)
    log = request_log(sandbox, http)
    # ⌈154 / 100⌉ pages: the search also returns the VIEWER account, left out of the choices.
    assert log["counts"]["GET linkedinads.ad_accounts"] == 2
    assert all(r["status"] == 200 for r in log["requests"])
