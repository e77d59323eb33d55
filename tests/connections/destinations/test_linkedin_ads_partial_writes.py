"""A LinkedIn write split into several member batches keeps what the earlier batches delivered
when a later one fails, and says which records never reached LinkedIn."""

from __future__ import annotations

import pytest

from connections.destinations.errors import DestinationError
from connections.destinations.linkedin_ads.destination import LinkedInAdsDestination
from tests.connections.destinations.linkedin_support import (
    USER_AUDIENCE,
    emulator,
    linkedin_connection,
    linkedin_tokens,
    request_log,
)

pytestmark = pytest.mark.django_db(transaction=True)


class RoleTakenAwayAfterTheFirstBatch(LinkedInAdsDestination):
    """Someone makes the member a VIEWER on Acme Ads while the write is under way."""

    batch_size = 2
    sandbox = None

    def _send(self, audience, elements):
        statuses = super()._send(audience, elements)
        emulator(self.sandbox).table("ad_account_users")["512630692"]["role"] = "VIEWER"
        return statuses


def test_a_later_batch_that_fails_keeps_the_earlier_batches_results(
    sandbox, http, organization, vendors
):
    connection = linkedin_connection(organization, linkedin_tokens(http, vendors))
    destination = RoleTakenAwayAfterTheFirstBatch(connection)
    destination.sandbox = sandbox
    http.delete(f"{sandbox.url}/_sandbox/requests")
    emails = ["a@example.com", "b@example.com", "not-an-email", "c@example.com", "d@example.com"]
    emails += ["e@example.com"]
    batch = destination.write(
        USER_AUDIENCE, "create", [{"Email": e} for e in emails], identity_field="Email"
    )
    destination.close()

    assert [(r.identity, r.outcome, r.operation) for r in batch.results] == [
        ("a@example.com", "accepted", "insert"),  # first call: delivered
        ("b@example.com", "accepted", "insert"),
        ("not-an-email", "rejected", "insert"),  # refused before anything was sent
        ("c@example.com", "not_sent", "insert"),  # second call: refused by LinkedIn (403)
        ("d@example.com", "not_sent", "insert"),
        ("e@example.com", "not_sent", "insert"),  # third call: never made
    ]
    assert isinstance(batch.failure, DestinationError)
    assert batch.failure.status == 403
    assert "can't manage audiences" in batch.failure.message
    assert "can't manage audiences" in batch.results[3].message
    assert "earlier call in this batch failed" in batch.results[5].message
    counts = request_log(sandbox, http)["counts"]
    assert counts["POST linkedinads.segment_users"] == 2


def test_a_first_batch_that_is_refused_raises_since_nothing_was_delivered(
    sandbox, http, organization, vendors
):
    connection = linkedin_connection(organization, linkedin_tokens(http, vendors))
    emulator(sandbox).table("ad_account_users")["512630692"]["role"] = "VIEWER"
    destination = LinkedInAdsDestination(connection)
    with pytest.raises(DestinationError) as raised:
        destination.write(
            USER_AUDIENCE, "create", [{"Email": "a@example.com"}], identity_field="Email"
        )
    destination.close()
    assert raised.value.status == 403
