"""The sync's target options reach Salesforce writes as `options` (the seed's names and values),
and batch_size_for tells the engine the batch size they imply: sObject Collections take 200 at
most, Bulk API 2.0 whole jobs."""

from __future__ import annotations

import pytest

from connections.destinations.salesforce.destination import SalesforceDestination
from connections.destinations.salesforce.options import LEAD_OR_CONTACT
from tests.connections.destinations.salesforce_support import (
    clear_log,
    connection_for,
    counts,
    destination,
    oauth_tokens,
)

pytestmark = pytest.mark.django_db

# The examples of reference/seeds/salesforce-connection-config.txt, as a client sends them.
OTHER_TARGETS = {
    "bulk_batch_size": 100,
    "concurrency_mode": "Parallel",
    "ingestion_api": "bulk",
    "insert_null_values": False,
    "invalid_relationships": "",
    "only_sync_different": False,
    "rest_batch_size": 200,
    "sort_batches_by": "AccountId",
}
LEADS = {**OTHER_TARGETS, "ignore_invalid_references": False, "skip_converted": False}
LEAD_OR_CONTACT_EXAMPLE = {
    "bulk_batch_size": 100,
    "concurrency_mode": "Parallel",
    "create_records_as": "",
    "ingestion_api": "bulk",
    "rest_batch_size": 200,
}


@pytest.fixture
def salesforce(organization, vendors, sandbox, http) -> SalesforceDestination:
    return destination(connection_for(organization, oauth_tokens(http, sandbox)))


def test_the_seeds_target_options_come_with_the_write_as_options(salesforce, http, sandbox):
    records = [{"LastName": f"Seeded {n}", "AccountId": None} for n in range(150)]
    clear_log(http, sandbox)
    batch = salesforce.write(
        "Contact", "create", records, identity_field="Email", options=OTHER_TARGETS
    )
    assert len(batch.accepted) == 150
    calls = counts(http, sandbox)
    assert calls["POST salesforce.ingest_jobs"] == 2  # Bulk, in jobs of bulk_batch_size = 100
    assert "POST salesforce.collections" not in calls


def test_batch_size_for_is_the_size_the_options_imply(salesforce):
    assert salesforce.batch_size_for("Contact", options=OTHER_TARGETS) == 100
    assert salesforce.batch_size_for("Lead", options=LEADS) == 100
    assert salesforce.batch_size_for(LEAD_OR_CONTACT, options=LEAD_OR_CONTACT_EXAMPLE) == 100
    rest = {**OTHER_TARGETS, "ingestion_api": "rest"}
    assert salesforce.batch_size_for("Contact", options=rest) == 200
    assert salesforce.batch_size_for("Contact", options={**rest, "rest_batch_size": 50}) == 50
    # automatic: whole Bulk jobs, which go through Bulk above bulk_threshold records.
    assert salesforce.batch_size_for("Contact", options={}) == 10_000
    assert salesforce.batch_size_for("Contact") == 10_000
    assert salesforce.batch_size_for("Contact", options={"bulk_batch_size": 5000}) == 5000
