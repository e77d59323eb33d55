"""A create Salesforce may have applied is in doubt, never "rejected, sent next run" (which would
create it twice): a collections insert that timed out or got a 500, a Bulk insert still running
when Syncline stopped waiting for it."""

from __future__ import annotations

import time

import httpx
import pytest

from connections.destinations.salesforce.destination import SalesforceDestination
from tests.connections.destinations.salesforce_support import (
    FakeClock,
    by_email,
    clear_log,
    connection_for,
    counts,
    destination,
    emulator,
    oauth_tokens,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def salesforce(organization, vendors, sandbox, http) -> SalesforceDestination:
    return destination(connection_for(organization, oauth_tokens(http, sandbox)))


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"timeout_rate": 1.0, "timeout_seconds": 1.0}, id="timed-out"),
        pytest.param({"error_rate": 1.0}, id="answered-500"),
    ],
)
def test_a_collections_create_that_may_have_been_applied_is_in_doubt(
    salesforce, http, sandbox, fault
):
    salesforce.http.client.timeout = httpx.Timeout(0.3)
    http.put(f"{sandbox.url}/_sandbox/faults", json={"vendors": ["salesforce"], **fault})
    clear_log(http, sandbox)
    batch = salesforce.write(
        "Contact",
        "create",
        [{"Email": "maybe@example.com", "LastName": "Maybe"}, {"LastName": "Perhaps"}],
        identity_field="Email",
    )
    assert [(r.outcome, r.operation) for r in batch.results] == [("in_doubt", "insert")] * 2
    assert not batch.rejected  # "sent again next run" would create them twice
    assert batch.failure is not None and batch.failure.in_doubt
    assert "may already have been applied" in batch.results[0].message
    assert calls_once_answered(http, sandbox) == {"POST salesforce.collections": 1}  # not twice


def calls_once_answered(http, sandbox) -> dict[str, int]:
    """The request log, once the sandbox has finished the call the client gave up on."""
    deadline = time.monotonic() + 5
    while not (seen := counts(http, sandbox)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return seen


def test_a_bulk_create_whose_job_is_still_running_when_polling_stops_is_in_doubt(
    salesforce, http, sandbox
):
    emulator(sandbox).bulk_in_progress_polls = {"*": 100_000}  # a busy org
    clock = FakeClock()
    salesforce.http.sleep, salesforce.clock = clock.sleep, clock.now
    records = [{"Email": f"slow{n}@example.com", "LastName": f"Slow {n}"} for n in range(3)]
    batch = salesforce.write(
        "Contact", "create", records, identity_field="Email", options={"ingestion_api": "bulk"}
    )
    assert [(r.outcome, r.operation) for r in batch.results] == [("in_doubt", "insert")] * 3
    assert batch.failure is not None and batch.failure.in_doubt
    assert "still InProgress after 30 minutes" in batch.failure.message
    assert clock.now() > 30 * 60
    # The job did run: marking its records rejected would have created them again next run.
    assert {f"slow{n}@example.com" for n in range(3)} <= set(by_email(http, sandbox))
