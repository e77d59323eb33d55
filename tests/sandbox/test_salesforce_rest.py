"""The Salesforce emulator's REST API: describe, SOQL, single records, limits and faults."""

from __future__ import annotations

import time

import pytest

from sandbox.vendors.salesforce import ACCOUNT_IDS, LEAD_IDS
from sandbox.warehouse_data import salesforce_contact_records, stale_contact_ids
from tests.sandbox.salesforce_support import connect, query


@pytest.fixture
def sf(sandbox, http):
    return connect(http, sandbox)


# -- describe -----------------------------------------------------------------------------
def test_describe_global_lists_the_writable_objects_and_some_read_only_ones(http, sf):
    response = http.get(f"{sf.api}/sobjects/", headers=sf.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["maxBatchSize"] == 200
    objects = {item["name"]: item for item in body["sobjects"]}
    for name in ("Account", "Contact", "Lead"):
        assert objects[name]["createable"] and objects[name]["queryable"]
    assert not objects["User"]["createable"]
    assert not objects["AggregateResult"]["queryable"]
    assert objects["Contact"]["keyPrefix"] == "003"


def test_describing_contact_shows_keys_required_fields_formulas_and_picklists(http, sf):
    response = http.get(f"{sf.api}/sobjects/Contact/describe/", headers=sf.headers)
    assert response.status_code == 200
    fields = {item["name"]: item for item in response.json()["fields"]}
    assert fields["Id"]["idLookup"] and fields["Id"]["type"] == "id"
    assert fields["Email"]["type"] == "email" and fields["Email"]["idLookup"]
    external = fields["External_Id__c"]
    assert external["externalId"] and external["unique"] and external["custom"]
    assert not fields["LastName"]["nillable"] and not fields["LastName"]["defaultedOnCreate"]
    assert fields["Is_Gold__c"]["calculated"] and not fields["Is_Gold__c"]["createable"]
    assert not fields["Name"]["createable"]
    assert fields["AccountId"]["referenceTo"] == ["Account"]
    assert fields["AccountId"]["relationshipName"] == "Account"
    plan = fields["Subscription_Plan__c"]
    assert plan["restrictedPicklist"]
    assert [v["value"] for v in plan["picklistValues"]] == ["gold", "silver", "bronze"]


def test_lead_requires_company_and_account_requires_name(http, sf):
    lead = http.get(f"{sf.api}/sobjects/Lead/describe", headers=sf.headers).json()
    account = http.get(f"{sf.api}/sobjects/Account/describe", headers=sf.headers).json()
    required = {f["name"] for f in lead["fields"] if not f["nillable"] and f["createable"]}
    assert {"LastName", "Company"} <= required
    assert "Name" in {f["name"] for f in account["fields"] if not f["nillable"]}


def test_an_unknown_object_or_version_answers_not_found(http, sf):
    response = http.get(f"{sf.api}/sobjects/Widget__c/describe/", headers=sf.headers)
    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"
    old = http.get(sf.api.replace("v59.0", "v30.0") + "/sobjects/", headers=sf.headers)
    assert old.status_code == 404
    newest = http.get(sf.api.replace("v59.0", "v66.0") + "/sobjects/", headers=sf.headers)
    assert newest.status_code == 200


def test_a_wrong_method_answers_salesforce_405(http, sf):
    response = http.put(f"{sf.api}/limits/", headers=sf.headers)
    assert response.status_code == 405
    assert response.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"


# -- SOQL -------------------------------------------------------------------------------------
def test_the_seeded_contacts_are_the_warehouse_contacts(http, sf):
    response = query(http, sf, "SELECT Id, Email FROM Contact ORDER BY Id")
    body = response.json()
    expected = sorted(salesforce_contact_records(), key=lambda c: c["Id"])
    assert body["totalSize"] == len(expected) and body["done"]
    assert [r["Id"] for r in body["records"]] == [c["Id"] for c in expected]
    assert not set(stale_contact_ids()) & {r["Id"] for r in body["records"]}
    first = body["records"][0]
    assert first["attributes"] == {
        "type": "Contact",
        "url": f"/services/data/v59.0/sobjects/Contact/{first['Id']}",
    }


def test_where_order_by_and_limit_filter_and_sort(http, sf):
    soql = (
        "SELECT Name, Email, Account.Name FROM Contact "
        "WHERE Email LIKE '%@ACME.example.com' AND (LastName = 'Smith' OR LastName != 'Smith') "
        "ORDER BY LastName DESC, FirstName LIMIT 5"
    )
    body = query(http, sf, soql).json()
    assert body["totalSize"] == 5
    names = [r["Name"].split(" ", 1)[1] for r in body["records"]]
    assert names == sorted(names, key=str.casefold, reverse=True)
    assert all(r["Account"]["Name"] == "Acme Corporation" for r in body["records"])
    assert all(r["Email"].endswith("@acme.example.com") for r in body["records"])


def test_count_and_in_filters(http, sf):
    body = query(http, sf, f"SELECT COUNT() FROM Lead WHERE Id IN ('{LEAD_IDS[0]}', 'x')").json()
    assert body == {"totalSize": 1, "done": True, "records": []}
    body = query(http, sf, "SELECT Id FROM Lead WHERE Email = 'JORDAN.LEE@example.com'").json()
    assert body["totalSize"] == 2  # text comparisons ignore case


def test_results_page_through_next_records_url(http, sf):
    first = query(http, sf, "SELECT Id FROM Contact", **{"Sforce-Query-Options": "batchSize=200"})
    body = first.json()
    total, seen = body["totalSize"], [r["Id"] for r in body["records"]]
    assert len(seen) == 200 and not body["done"]
    while not body["done"]:
        instance = sf.token["instance_url"]
        body = http.get(instance + body["nextRecordsUrl"], headers=sf.headers).json()
        seen += [r["Id"] for r in body["records"]]
    assert len(seen) == total == len(set(seen))
    assert "nextRecordsUrl" not in body


def test_query_all_includes_deleted_records(http, sf):
    lead = LEAD_IDS[3]
    assert http.delete(f"{sf.api}/sobjects/Lead/{lead}", headers=sf.headers).status_code == 204
    soql = f"SELECT Id, IsDeleted FROM Lead WHERE Id = '{lead}'"
    assert query(http, sf, soql).json()["totalSize"] == 0
    everything = http.get(f"{sf.api}/queryAll/", params={"q": soql}, headers=sf.headers).json()
    assert everything["records"][0]["IsDeleted"] is True


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id, Nope__c FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Widget__c", "INVALID_TYPE"),
        ("SELECT Id FROM Contact WHERE", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Contact WHERE Email = 'a' AND LastName = 'b' OR Id = 'c'",
            "MALFORMED_QUERY",
        ),
        ("SELECT Id FROM Contact WHERE LastName = 5", "INVALID_FIELD"),
        ("SELECT Id FROM Contact GROUP BY Email", "MALFORMED_QUERY"),
        ("", "MALFORMED_QUERY"),
    ],
)
def test_bad_soql_answers_salesforce_errors(http, sf, soql, code):
    response = query(http, sf, soql)
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == code


# -- single records -----------------------------------------------------------------------
def test_single_record_upsert_creates_then_updates_and_reports_multiple_matches(http, sf):
    url = f"{sf.api}/sobjects/Contact/External_Id__c/user-42"
    created = http.patch(
        url, json={"LastName": "Okafor", "Email": "u42@example.com"}, headers=sf.headers
    )
    assert created.status_code == 201
    assert created.json()["created"] is True
    updated = http.patch(url, json={"Title": "CTO"}, headers=sf.headers)
    assert updated.status_code == 200
    assert updated.json() == {
        "id": created.json()["id"],
        "success": True,
        "errors": [],
        "created": False,
    }
    record = http.get(
        f"{sf.api}/sobjects/Contact/{created.json()['id']}", headers=sf.headers
    ).json()
    assert record["Title"] == "CTO" and record["External_Id__c"] == "user-42"
    old_api = url.replace("v59.0", "v45.0")
    assert http.patch(old_api, json={"Title": "CEO"}, headers=sf.headers).status_code == 204

    multiple = http.patch(
        f"{sf.api}/sobjects/Lead/Email/jordan.lee@example.com",
        json={"Title": "VP"},
        headers=sf.headers,
    )
    assert multiple.status_code == 300
    assert len(multiple.json()) == 2


def test_single_record_errors_are_a_json_array(http, sf):
    response = http.post(f"{sf.api}/sobjects/Lead/", json={"LastName": "Solo"}, headers=sf.headers)
    assert response.status_code == 400
    assert response.json() == [
        {
            "message": "Required fields are missing: [Company]",
            "errorCode": "REQUIRED_FIELD_MISSING",
            "fields": ["Company"],
        }
    ]
    not_key = http.patch(f"{sf.api}/sobjects/Contact/LastName/x", json={}, headers=sf.headers)
    assert not_key.status_code == 404


def test_created_records_are_visible_to_the_sandbox_inspector(sandbox, http, sf):
    created = http.post(
        f"{sf.api}/sobjects/Account/",
        json={"Name": "Hooli", "Domain__c": "hooli.example.com", "NumberOfEmployees": 5000},
        headers=sf.headers,
    )
    assert created.status_code == 201
    stored = http.get(f"{sandbox.url}/_sandbox/records/salesforce/Account").json()
    hooli = next(r for r in stored["data"] if r["Id"] == created.json()["id"])
    assert hooli["Domain__c"] == "hooli.example.com"
    assert stored["count"] == len(ACCOUNT_IDS) + 1
    record = http.get(f"{sf.api}/sobjects/Account/{hooli['Id']}", headers=sf.headers).json()
    assert record["Employee_Band__c"] == "Enterprise"  # a formula, evaluated on read


# -- limits, the daily cap and faults -----------------------------------------------------
def test_every_rest_response_carries_the_api_usage_header(http, sf):
    first = http.get(f"{sf.api}/limits/", headers=sf.headers)
    second = http.get(f"{sf.api}/sobjects/", headers=sf.headers)
    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/15000"
    assert second.headers["Sforce-Limit-Info"] == "api-usage=2/15000"
    assert first.json()["DailyApiRequests"] == {"Max": 15000, "Remaining": 14999}
    assert {"DailyBulkApiBatches", "DataStorageMB"} <= set(first.json())


def test_the_daily_api_cap_answers_403_request_limit_exceeded_until_the_window_resets(
    sandbox, http, sf
):
    sandbox.app.faults.update({"budgets": {"salesforce": "3/1"}})
    statuses = []
    refused = None
    for _ in range(8):  # eight quick calls put at least four into one one-second window
        response = http.get(f"{sf.api}/limits/", headers=sf.headers)
        statuses.append(response.status_code)
        if response.status_code == 403:
            refused = response
            break
    assert refused is not None, statuses
    assert refused.json() == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert refused.headers["Sforce-Limit-Info"] == "api-usage=3/3"
    time.sleep(1.1)
    assert http.get(f"{sf.api}/limits/", headers=sf.headers).status_code == 200


def test_injected_server_errors_use_salesforce_shapes(sandbox, http, sf):
    sandbox.app.faults.update({"error_rate": 1.0, "vendors": ["salesforce"]})
    response = http.get(f"{sf.api}/sobjects/", headers=sf.headers)
    assert response.status_code == 500
    assert response.json()[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    token = http.post(f"{sandbox.vendor_url('salesforce')}/services/oauth2/token", data={})
    assert token.status_code == 500
    assert token.json()["error"] == "unknown_error"


def test_injected_throttling_is_403_request_limit_exceeded_not_429(sandbox, http, sf):
    sandbox.app.faults.update({"rate_limit_rate": 1.0, "vendors": ["salesforce"]})
    response = http.get(f"{sf.api}/sobjects/", headers=sf.headers)
    assert response.status_code == 403
    assert response.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert response.headers["Sforce-Limit-Info"].startswith("api-usage=")
