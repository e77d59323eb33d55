"""Bulk API 2.0 ingest jobs in the Salesforce emulator, end to end over HTTP."""

from __future__ import annotations

import csv
import io

import pytest

from sandbox.warehouse_data import salesforce_contact_records
from tests.sandbox.salesforce_support import connect, query


@pytest.fixture
def sf(sandbox, http):
    return connect(http, sandbox)


def create_job(http, sf, **spec):
    response = http.post(f"{sf.api}/jobs/ingest", json=spec, headers=sf.headers)
    assert response.status_code == 200, response.text
    return response.json()


def upload(http, sf, job, text):
    return http.put(
        f"{sf.api}/jobs/ingest/{job['id']}/batches",
        content=text.encode(),
        headers={**sf.headers, "Content-Type": "text/csv"},
    )


def close(http, sf, job, state="UploadComplete"):
    return http.patch(
        f"{sf.api}/jobs/ingest/{job['id']}", json={"state": state}, headers=sf.headers
    )


def poll(http, sf, job):
    for _ in range(10):
        info = http.get(f"{sf.api}/jobs/ingest/{job['id']}", headers=sf.headers).json()
        if info["state"] in {"JobComplete", "Failed", "Aborted"}:
            return info
    raise AssertionError(f"job {job['id']} never finished: {info}")


def results(http, sf, job, kind):
    response = http.get(f"{sf.api}/jobs/ingest/{job['id']}/{kind}/", headers=sf.headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_an_upsert_job_runs_end_to_end_with_successful_and_failed_results(http, sf):
    existing = salesforce_contact_records()[0]
    job = create_job(
        http,
        sf,
        object="Contact",
        operation="upsert",
        externalIdFieldName="Email",
        contentType="CSV",
        lineEnding="LF",
        columnDelimiter="COMMA",
    )
    assert job["state"] == "Open"
    assert job["id"].startswith("750")
    assert job["contentUrl"].endswith(f"/jobs/ingest/{job['id']}/batches")
    data = (
        "Email,LastName,Subscription_Plan__c,Account.Domain__c\n"
        f"{existing['Email']},,gold,acme.example.com\n"
        "new.person@example.com,Person,silver,#N/A\n"
        "broken@,Broken,gold,\n"
        "no.name@example.com,,bronze,\n"
        '"quoted, person@example.com",Quoted,gold,\n'
        "twice@example.com,First,gold,\n"
        "TWICE@example.com,Second,gold,\n"
    )
    assert upload(http, sf, job, data).status_code == 201
    closed = close(http, sf, job)
    assert closed.status_code == 200
    assert closed.json()["state"] == "UploadComplete"

    info = poll(http, sf, job)
    assert info["state"] == "JobComplete"
    assert info["numberRecordsProcessed"] == 7
    assert info["numberRecordsFailed"] == 5

    successes = results(http, sf, job, "successfulResults")
    assert [row["sf__Created"] for row in successes] == ["false", "true"]
    assert successes[0]["sf__Id"] == existing["Id"]
    assert successes[1]["Email"] == "new.person@example.com"
    failures = results(http, sf, job, "failedResults")
    assert list(failures[0])[:2] == ["sf__Id", "sf__Error"]
    errors = [row["sf__Error"] for row in failures]
    assert errors[0].startswith("INVALID_EMAIL_ADDRESS:")
    assert errors[1] == (
        "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"
    )
    assert errors[2].startswith("INVALID_EMAIL_ADDRESS:")
    assert errors[3] == errors[4].replace("TWICE", "twice")
    assert errors[3].startswith("DUPLICATE_VALUE:Duplicate external id specified: twice@")
    assert results(http, sf, job, "unprocessedrecords") == []

    soql = (
        "SELECT LastName, Subscription_Plan__c, Account.Name FROM Contact "
        f"WHERE Id = '{existing['Id']}'"
    )
    row = query(http, sf, soql).json()["records"][0]
    assert row["LastName"] == existing["LastName"]  # an empty cell leaves the field alone
    assert row["Subscription_Plan__c"] == "gold"
    assert row["Account"]["Name"] == "Acme Corporation"


def test_a_bulk_insert_beyond_2000_records_pages_the_default_query(http, sf):
    job = create_job(http, sf, object="Lead", operation="insert", lineEnding="CRLF")
    rows = "".join(f"Lead {n},Company {n},lead{n}@example.com\r\n" for n in range(2100))
    assert upload(http, sf, job, "LastName,Company,Email\r\n" + rows).status_code == 201
    close(http, sf, job)
    assert poll(http, sf, job)["numberRecordsFailed"] == 0

    page = query(http, sf, "SELECT Id, Email FROM Lead").json()
    assert page["totalSize"] == 2104 and len(page["records"]) == 2000
    rest = http.get(sf.token["instance_url"] + page["nextRecordsUrl"], headers=sf.headers).json()
    assert rest["done"] and len(rest["records"]) == 104


def test_a_csv_whose_line_endings_disagree_with_the_job_fails_the_job(http, sf):
    job = create_job(http, sf, object="Contact", operation="insert", lineEnding="LF")
    upload(http, sf, job, "LastName\r\nWindows\r\n")
    close(http, sf, job)
    info = poll(http, sf, job)
    assert info["state"] == "Failed"
    assert "LineEnding is invalid" in info["errorMessage"]


def test_an_unknown_column_fails_the_job(http, sf):
    job = create_job(http, sf, object="Contact", operation="insert")
    upload(http, sf, job, "LastName,Shoe_Size__c\nBig,46\n")
    close(http, sf, job)
    info = poll(http, sf, job)
    assert info["state"] == "Failed"
    assert info["errorMessage"] == "InvalidBatch : Field name not found : Shoe_Size__c"


def test_job_specs_are_validated(http, sf):
    def refused(**spec):
        response = http.post(f"{sf.api}/jobs/ingest", json=spec, headers=sf.headers)
        assert response.status_code == 400
        return response.json()[0]["errorCode"]

    assert refused(object="Contact", operation="merge") == "INVALIDJOB"
    assert refused(object="Widget__c", operation="insert") == "INVALIDENTITY"
    assert refused(object="Contact", operation="upsert") == "INVALIDJOB"
    assert (
        refused(object="Contact", operation="upsert", externalIdFieldName="Title") == "INVALIDJOB"
    )


def test_an_aborted_job_reports_its_records_as_unprocessed_and_can_be_deleted(http, sf):
    job = create_job(http, sf, object="Contact", operation="insert")
    upload(http, sf, job, "LastName\nNever\n")
    second = upload(http, sf, job, "LastName\nTwice\n")
    assert second.status_code == 400  # one upload per job
    assert close(http, sf, job, state="Aborted").json()["state"] == "Aborted"
    assert results(http, sf, job, "unprocessedrecords") == [{"LastName": "Never"}]
    listed = http.get(f"{sf.api}/jobs/ingest", headers=sf.headers).json()
    assert [j["id"] for j in listed["records"]] == [job["id"]]
    deleted = http.delete(f"{sf.api}/jobs/ingest/{job['id']}", headers=sf.headers)
    assert deleted.status_code == 204
    assert http.get(f"{sf.api}/jobs/ingest/{job['id']}", headers=sf.headers).status_code == 404


def test_update_and_delete_jobs_address_records_by_id(http, sf):
    first, second = (c["Id"] for c in salesforce_contact_records()[:2])
    update = create_job(http, sf, object="Contact", operation="update")
    upload(http, sf, update, f"Id,Title\n{first},Chief Data Officer\n0035g00000ZZZZZAAA,Ghost\n")
    close(http, sf, update)
    assert poll(http, sf, update)["numberRecordsFailed"] == 1
    delete = create_job(http, sf, object="Contact", operation="delete")
    upload(http, sf, delete, f"Id\n{second}\n")
    close(http, sf, delete)
    assert poll(http, sf, delete)["numberRecordsFailed"] == 0
    titles = query(http, sf, f"SELECT Title FROM Contact WHERE Id IN ('{first}', '{second}')")
    assert [r["Title"] for r in titles.json()["records"]] == ["Chief Data Officer"]


def test_a_busy_org_keeps_a_closed_job_in_progress_for_the_polls_it_is_held(http, sf, sandbox):
    sandbox.app.emulators["salesforce"].bulk_in_progress_polls = {"Contact": 2}
    job = create_job(http, sf, object="Contact", operation="insert")
    assert upload(http, sf, job, "LastName\nHeld\n").status_code == 201
    assert close(http, sf, job).json()["state"] == "UploadComplete"
    states = [
        http.get(f"{sf.api}/jobs/ingest/{job['id']}", headers=sf.headers).json()["state"]
        for _ in range(3)
    ]
    assert states == ["InProgress", "InProgress", "JobComplete"]
    other = create_job(http, sf, object="Lead", operation="insert")  # not held
    upload(http, sf, other, "LastName,Company\nFree,Acme\n")
    close(http, sf, other)
    assert poll(http, sf, other)["state"] == "JobComplete"
