"""Which fields an upsert may key on, as Salesforce says: sObject Collections take external-id
fields only ("Only external ids are supported. Don't use record ids."), Bulk API 2.0 upserts
"based on an ID, or the value of a specified external ID field"."""

from __future__ import annotations

import csv
import io

import pytest

from sandbox.warehouse_data import salesforce_contact_records
from tests.sandbox.salesforce_support import connect, query


@pytest.fixture
def sf(sandbox, http):
    return connect(http, sandbox)


def test_a_collections_upsert_on_id_is_refused_as_a_whole(http, sf):
    existing = salesforce_contact_records()[0]
    response = http.patch(
        f"{sf.api}/composite/sobjects/Contact/Id",
        json={
            "allOrNone": False,
            "records": [{"attributes": {"type": "Contact"}, "Id": existing["Id"], "Title": "X"}],
        },
        headers=sf.headers,
    )
    assert response.status_code == 400
    (error,) = response.json()  # Salesforce's error array, not per-record results
    assert error["errorCode"] == "INVALID_FIELD" and error["fields"] == ["Id"]
    assert "external ids only" in error["message"]
    row = query(http, sf, f"SELECT Title FROM Contact WHERE Id = '{existing['Id']}'").json()
    assert row["records"][0]["Title"] != "X"


def test_a_bulk_upsert_on_id_updates_by_id_and_creates_rows_without_one(http, sf):
    existing = salesforce_contact_records()[0]
    job = http.post(
        f"{sf.api}/jobs/ingest",
        json={"object": "Contact", "operation": "upsert", "externalIdFieldName": "Id"},
        headers=sf.headers,
    ).json()
    assert job["externalIdFieldName"] == "Id"
    upload = http.put(
        f"{sf.api}/jobs/ingest/{job['id']}/batches",
        content=f"Id,LastName,Title\n{existing['Id']},,Bulk by Id\n,Brand New,Fresh\n".encode(),
        headers={**sf.headers, "Content-Type": "text/csv"},
    )
    assert upload.status_code == 201
    http.patch(
        f"{sf.api}/jobs/ingest/{job['id']}", json={"state": "UploadComplete"}, headers=sf.headers
    )
    info = http.get(f"{sf.api}/jobs/ingest/{job['id']}", headers=sf.headers).json()
    assert (info["state"], info["numberRecordsFailed"]) == ("JobComplete", 0)
    text = http.get(f"{sf.api}/jobs/ingest/{job['id']}/successfulResults/", headers=sf.headers).text
    created = {row["Title"]: row["sf__Created"] for row in csv.DictReader(io.StringIO(text))}
    assert created == {"Bulk by Id": "false", "Fresh": "true"}
    row = query(http, sf, f"SELECT Title FROM Contact WHERE Id = '{existing['Id']}'").json()
    assert row["records"][0]["Title"] == "Bulk by Id"
