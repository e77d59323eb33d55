"""Identities keyed as Salesforce matches them: e-mails without case (SOQL compares text without
case), external ids and Ids as given. Empty identities are the engine's to refuse; one that
reaches Salesforce anyway fails alone, without crashing the write."""

from __future__ import annotations

import pytest

from connections.destinations.salesforce.destination import SalesforceDestination
from connections.destinations.salesforce.options import LEAD_OR_CONTACT
from sandbox.warehouse_data import salesforce_contact_records
from tests.connections.destinations.salesforce_support import (
    clear_log,
    connection_for,
    counts,
    destination,
    oauth_tokens,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def salesforce(organization, vendors, sandbox, http) -> SalesforceDestination:
    return destination(connection_for(organization, oauth_tokens(http, sandbox)))


def test_email_identities_are_keyed_without_case(salesforce):
    for target in ("Contact", "Lead", LEAD_OR_CONTACT):
        assert salesforce.normalize_identity(target, "Email", " Ada@Example.COM ") == (
            "ada@example.com"
        )
    assert salesforce.normalize_identity("Contact", "email", "Ada@Example.COM") == (
        "ada@example.com"
    )


def test_external_ids_and_ids_are_keyed_as_given(salesforce):
    assert salesforce.normalize_identity("Contact", "External_Id__c", "AbC-1") == "AbC-1"
    assert salesforce.normalize_identity("Contact", "Id", "0035g0000000001AAA") == (
        "0035g0000000001AAA"
    )
    assert salesforce.normalize_identity("Contact", "External_Id__c", 42.0) == "42"


def test_an_empty_identity_fails_alone_without_being_looked_up(salesforce, http, sandbox):
    first = salesforce_contact_records()[0]
    clear_log(http, sandbox)
    batch = salesforce.write(
        "Contact",
        "update",
        [{"Email": None, "Title": "Nobody"}, {"Email": first["Email"], "Title": "Somebody"}],
        identity_field="Email",
    )
    assert [(r.outcome, r.code) for r in batch.results] == [
        ("rejected", "NOT_FOUND"),
        ("accepted", ""),
    ]
    assert counts(http, sandbox)["GET salesforce.query"] == 1
