"""updateOrCreate by Id: sObject Collections upsert takes external-id fields only ("Only external
ids are supported. Don't use record ids."), so through REST an Id is an update by Id; Bulk API
2.0 upserts on Id itself."""

from __future__ import annotations

import pytest

from connections.destinations.salesforce.destination import SalesforceDestination
from sandbox.warehouse_data import salesforce_contact_records
from tests.connections.destinations.salesforce_support import (
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


def test_an_id_identity_in_update_or_create_goes_through_update(salesforce, http, sandbox):
    first, second = salesforce_contact_records()[:2]
    clear_log(http, sandbox)
    batch = salesforce.write(
        "Contact",
        "updateOrCreate",
        [
            {"Id": first["Id"], "Title": "By Id"},
            {"Id": second["Id"], "Department": "Also by Id"},
            {"Id": None, "LastName": "No Id yet"},  # never sent by the engine; still no crash
        ],
        identity_field="Id",
        options={"ingestion_api": "rest"},
    )
    assert [(r.outcome, r.operation, r.destination_id) for r in batch.results] == [
        ("accepted", "update", first["Id"]),
        ("accepted", "update", second["Id"]),
        ("accepted", "insert", batch.results[2].destination_id),
    ]
    assert counts(http, sandbox) == {
        "PATCH salesforce.collections": 1,  # update by Id, never PATCH .../Contact/Id
        "POST salesforce.collections": 1,
    }
    contacts = {r["Id"]: r for r in stored(http, sandbox, "Contact")}
    assert contacts[first["Id"]]["Title"] == "By Id"
    assert contacts[second["Id"]]["Department"] == "Also by Id"
    assert contacts[batch.results[2].destination_id]["LastName"] == "No Id yet"


def test_an_id_identity_upserts_on_id_through_bulk(salesforce, http, sandbox):
    first = salesforce_contact_records()[0]
    batch = salesforce.write(
        "Contact",
        "updateOrCreate",
        [{"Id": first["Id"], "Title": "Bulk by Id"}],
        identity_field="Id",
        options={"ingestion_api": "bulk"},
    )
    assert [(r.outcome, r.operation, r.destination_id) for r in batch.results] == [
        ("accepted", "update", first["Id"])
    ]
    (job,) = stored(http, sandbox, "bulk_jobs")
    assert (job["operation"], job["externalIdFieldName"]) == ("upsert", "Id")
    contacts = {r["Id"]: r for r in stored(http, sandbox, "Contact")}
    assert contacts[first["Id"]]["Title"] == "Bulk by Id"
