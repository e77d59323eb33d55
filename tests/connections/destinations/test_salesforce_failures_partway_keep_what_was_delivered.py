"""A write that fails partway keeps what Salesforce already answered: the "Lead or Contact"
target runs a Bulk job per object, and one object's job failing must not discard the other's
results (its records were created; forgetting them would create them again)."""

from __future__ import annotations

import pytest

from connections.destinations.salesforce.destination import SalesforceDestination
from connections.destinations.salesforce.options import LEAD_OR_CONTACT
from tests.connections.destinations.salesforce_support import (
    FakeClock,
    by_email,
    connection_for,
    destination,
    emulator,
    oauth_tokens,
)

pytestmark = pytest.mark.django_db

ACME = "0015g0000000001AAA"
RECORDS = [
    {"Email": "contact.one@example.com", "LastName": "One", "AccountId": ACME},
    {"Email": "lead.one@example.com", "LastName": "Lead One", "Company": "Umbrella"},
    {"Email": "contact.two@example.com", "LastName": "Two", "AccountId": ACME},
    {"Email": "lead.two@example.com", "LastName": "Lead Two", "Company": "Umbrella"},
]
OPTIONS = {"ingestion_api": "bulk", "create_records_as": "ContactIfAccountId"}


@pytest.fixture
def salesforce(organization, vendors, sandbox, http) -> SalesforceDestination:
    found = destination(connection_for(organization, oauth_tokens(http, sandbox)))
    clock = FakeClock()
    found.http.sleep, found.clock = clock.sleep, clock.now
    return found


def test_a_failed_lead_job_keeps_the_contacts_the_contact_job_created(salesforce, http, sandbox):
    emulator(sandbox).bulk_in_progress_polls = {"Lead": 100_000}  # Contacts first, then Leads
    batch = salesforce.write(
        LEAD_OR_CONTACT, "create", RECORDS, identity_field="Email", options=OPTIONS
    )
    contacts = by_email(http, sandbox)
    assert [(r.outcome, r.destination_id) for r in batch.results] == [
        ("accepted", contacts["contact.one@example.com"]["Id"]),
        ("in_doubt", ""),
        ("accepted", contacts["contact.two@example.com"]["Id"]),
        ("in_doubt", ""),
    ]
    assert batch.failure is not None and "Bulk insert of Lead" in batch.failure.message


def test_records_of_a_job_never_started_after_the_failure_are_not_sent(salesforce, http, sandbox):
    emulator(sandbox).bulk_in_progress_polls = {"Contact": 100_000}
    batch = salesforce.write(
        LEAD_OR_CONTACT, "create", RECORDS, identity_field="Email", options=OPTIONS
    )
    assert [r.outcome for r in batch.results] == ["in_doubt", "not_sent"] * 2
    assert not {"lead.one@example.com", "lead.two@example.com"} & set(
        by_email(http, sandbox, "Lead")
    )
