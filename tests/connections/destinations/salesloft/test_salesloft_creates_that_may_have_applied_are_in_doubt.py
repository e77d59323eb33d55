"""A plain Salesloft create (POST /v2/people, /v2/accounts) has no idempotency key: when it times
out or gets a 500/502/504 Salesloft may have created the record, so it is in doubt — never
"rejected, sent on the next run", which would create it twice."""

from __future__ import annotations

import httpx
import pytest

from connections.destinations.base import Outcome
from tests.connections.destinations.salesloft.support import (
    request_counts,
    settled_log,
    stored,
)

pytestmark = pytest.mark.django_db


def test_a_person_create_that_times_out_is_in_doubt_and_not_sent_again(sandbox, http, destination):
    sandbox.app.faults.update({"timeout_rate": 1.0, "timeout_seconds": 1.0})
    destination.http.client.timeout = httpx.Timeout(0.3)
    http.delete(f"{sandbox.url}/_sandbox/requests")

    batch = destination.write(
        "people",
        "create",
        [{"email_address": "slow@example.com"}, {"email_address": "next@example.com"}],
        identity_field="email_address",
    )

    first, second = batch.results
    assert (first.outcome, first.operation) == (Outcome.IN_DOUBT, "insert")
    assert "may already have been applied" in first.message
    assert (second.outcome, second.operation) == (Outcome.NOT_SENT, "insert")
    assert batch.failure is not None and batch.failure.in_doubt
    sandbox.app.faults.update({"timeout_rate": 0.0})
    # Sent once, never retried, and the next record was held back.
    assert settled_log(http, sandbox, 1) == {"POST salesloft.people": 1}


def test_an_account_create_answered_with_a_500_is_in_doubt(sandbox, http, destination):
    sandbox.app.faults.update({"error_rate": 1.0})

    batch = destination.write(
        "accounts",
        "create",
        [{"domain": "hooli.example", "name": "Hooli"}],
        identity_field="domain",
    )

    assert [result.outcome for result in batch.results] == [Outcome.IN_DOUBT]
    assert batch.failure is not None and batch.failure.status == 500
    sandbox.app.faults.update({"error_rate": 0.0})
    assert request_counts(http, sandbox)["POST salesloft.accounts"] == 1
    assert "hooli.example" not in {a["domain"] for a in stored(http, sandbox, "accounts")}
