"""Ids earlier runs got from Salesforce (`known_ids`, identity → Id) spare the SOQL lookup of an
update or remove; an id that no longer names a live record is looked up by identity again."""

from __future__ import annotations

import pytest

from connections.destinations.salesforce.destination import SalesforceDestination
from connections.destinations.salesforce.options import LEAD_OR_CONTACT
from sandbox.vendors.salesforce import LEAD_IDS
from sandbox.warehouse_data import salesforce_contact_records
from tests.connections.destinations.salesforce_support import (
    by_email,
    clear_log,
    connection_for,
    counts,
    destination,
    oauth_tokens,
    stored,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def salesforce(organization, vendors, sandbox, http) -> SalesforceDestination:
    return destination(connection_for(organization, oauth_tokens(http, sandbox)))


def test_known_ids_spare_the_lookup_of_an_update(salesforce, http, sandbox):
    first, second = salesforce_contact_records()[:2]
    known = {first["Email"].lower(): first["Id"], second["Email"].lower(): second["Id"]}
    clear_log(http, sandbox)
    batch = salesforce.write(
        "Contact",
        "update",
        [{"Email": email, "Title": "Known"} for email in known],
        identity_field="Email",
        known_ids=known,
    )
    assert [(r.outcome, r.destination_id) for r in batch.results] == [
        ("accepted", first["Id"]),
        ("accepted", second["Id"]),
    ]
    assert counts(http, sandbox) == {"PATCH salesforce.collections": 1}  # no SOQL query
    assert by_email(http, sandbox)[first["Email"].lower()]["Title"] == "Known"


def test_known_ids_spare_the_lookup_of_a_remove(salesforce, http, sandbox):
    first = salesforce_contact_records()[0]
    clear_log(http, sandbox)
    batch = salesforce.write(
        "Contact",
        "remove",
        [{"Email": first["Email"].lower()}],
        identity_field="Email",
        known_ids={first["Email"].lower(): first["Id"]},
    )
    assert [(r.outcome, r.operation) for r in batch.results] == [("accepted", "delete")]
    assert counts(http, sandbox) == {"DELETE salesforce.collections": 1}
    deleted = next(r for r in stored(http, sandbox, "Contact") if r["Id"] == first["Id"])
    assert deleted["IsDeleted"] is True


def test_a_known_id_in_lead_or_contact_names_its_object(salesforce, http, sandbox):
    clear_log(http, sandbox)
    batch = salesforce.write(
        LEAD_OR_CONTACT,
        "update",
        [{"Email": "morgan.diaz@example.org", "Title": "Known lead"}],
        identity_field="Email",
        known_ids={"morgan.diaz@example.org": LEAD_IDS[2]},  # 00Q…: a Lead
    )
    assert [(r.outcome, r.destination_id) for r in batch.results] == [("accepted", LEAD_IDS[2])]
    assert "GET salesforce.query" not in counts(http, sandbox)
    assert by_email(http, sandbox, "Lead")["morgan.diaz@example.org"]["Title"] == "Known lead"


def test_a_known_id_of_a_deleted_record_is_looked_up_again(salesforce, http, sandbox):
    email = "again@example.com"
    (old,) = salesforce.write(
        "Contact", "create", [{"Email": email, "LastName": "Old"}], identity_field="Email"
    ).results
    salesforce.write("Contact", "remove", [{"Email": email}], identity_field="Email", known_ids={})
    (new,) = salesforce.write(
        "Contact", "create", [{"Email": email, "LastName": "New"}], identity_field="Email"
    ).results
    clear_log(http, sandbox)
    batch = salesforce.write(
        "Contact",
        "update",
        [{"Email": email, "Title": "Found again"}],
        identity_field="Email",
        known_ids={email: old.destination_id},  # deleted since
    )
    assert [(r.outcome, r.destination_id) for r in batch.results] == [
        ("accepted", new.destination_id)
    ]
    assert by_email(http, sandbox)[email]["Title"] == "Found again"
    # The stale id's ENTITY_IS_DELETED, then one lookup by e-mail and the update.
    assert counts(http, sandbox) == {
        "PATCH salesforce.collections": 2,
        "GET salesforce.query": 1,
    }
