"""sObject Collections in the Salesforce emulator: create, update, upsert, delete, allOrNone."""

from __future__ import annotations

import pytest

from sandbox.vendors.salesforce import ACCOUNT_IDS
from sandbox.warehouse_data import salesforce_contact_records
from tests.sandbox.salesforce_support import connect, query


@pytest.fixture
def sf(sandbox, http):
    return connect(http, sandbox)


def contact(**values):
    return {"attributes": {"type": "Contact"}, **values}


def codes(result):
    return [error["statusCode"] for error in result["errors"]]


def test_create_answers_per_record_results_in_request_order(http, sf):
    records = [
        contact(LastName="Ng", Email="ng@example.com", AccountId=ACCOUNT_IDS[0]),
        contact(FirstName="No", Email="nolast@example.com"),
        contact(LastName="Bad", Email="bad@@example.com"),
        contact(LastName="Tier", Subscription_Plan__c="platinum"),
        contact(LastName="Formula", Is_Gold__c=True),
        {"attributes": {"type": "Lead"}, "LastName": "Lee", "Company": "Umbrella"},
    ]
    response = http.post(
        f"{sf.api}/composite/sobjects", json={"records": records}, headers=sf.headers
    )
    assert response.status_code == 200
    results = response.json()
    assert len(results) == len(records)
    assert results[0]["success"] and results[0]["id"].startswith("003")
    assert "created" not in results[0]
    assert codes(results[1]) == ["REQUIRED_FIELD_MISSING"]
    assert results[1]["errors"][0]["fields"] == ["LastName"]
    assert results[1]["id"] is None and results[1]["success"] is False
    assert codes(results[2]) == ["INVALID_EMAIL_ADDRESS"]
    assert codes(results[3]) == ["INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"]
    assert codes(results[4]) == ["INVALID_FIELD_FOR_INSERT_UPDATE"]
    assert results[5]["success"] and results[5]["id"].startswith("00Q")


def test_all_or_none_rolls_back_every_record_when_one_fails(http, sf):
    records = [contact(LastName="Kept?", Email="kept@example.com"), contact(Email="x@example.com")]
    response = http.post(
        f"{sf.api}/composite/sobjects",
        json={"allOrNone": True, "records": records},
        headers=sf.headers,
    )
    results = response.json()
    assert codes(results[0]) == ["ALL_OR_NONE_OPERATION_ROLLED_BACK"]
    assert codes(results[1]) == ["REQUIRED_FIELD_MISSING"]
    assert (
        query(http, sf, "SELECT Id FROM Contact WHERE Email = 'kept@example.com'").json()[
            "totalSize"
        ]
        == 0
    )


def test_an_unknown_field_refuses_the_whole_request(http, sf):
    records = [contact(LastName="Fine"), contact(LastName="Odd", Favourite_Colour__c="teal")]
    response = http.post(
        f"{sf.api}/composite/sobjects", json={"records": records}, headers=sf.headers
    )
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_FIELD"
    assert (
        query(http, sf, "SELECT Id FROM Contact WHERE LastName = 'Fine'").json()["totalSize"] == 0
    )


def test_more_than_200_records_is_refused(http, sf):
    records = [contact(LastName=f"N{i}") for i in range(201)]
    response = http.post(
        f"{sf.api}/composite/sobjects", json={"records": records}, headers=sf.headers
    )
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    deletes = http.delete(
        f"{sf.api}/composite/sobjects",
        params={"ids": ",".join(["003"] * 201)},
        headers=sf.headers,
    )
    assert deletes.status_code == 400


def test_update_changes_records_by_id_and_reports_bad_ones(http, sf):
    seeded = salesforce_contact_records()[0]["Id"]
    records = [
        contact(id=seeded, Title="Head of Data", Subscription_Plan__c="gold"),
        contact(Title="No id"),
        contact(id=seeded, LastName=None),
        contact(id=ACCOUNT_IDS[0], Title="Wrong object"),
    ]
    response = http.patch(
        f"{sf.api}/composite/sobjects", json={"records": records}, headers=sf.headers
    )
    results = response.json()
    assert results[0] == {"id": seeded, "success": True, "errors": []}
    assert codes(results[1]) == ["MISSING_ARGUMENT"]
    assert codes(results[2]) == ["REQUIRED_FIELD_MISSING"]
    assert codes(results[3]) == ["MALFORMED_ID"]
    row = query(http, sf, f"SELECT Title, Is_Gold__c FROM Contact WHERE Id = '{seeded}'").json()
    assert row["records"][0]["Title"] == "Head of Data"
    assert row["records"][0]["Is_Gold__c"] is True


def test_upsert_by_external_id_creates_updates_and_flags_duplicates(http, sf):
    url = f"{sf.api}/composite/sobjects/Contact/External_Id__c"
    first = http.patch(
        url,
        json={"records": [contact(External_Id__c="u-1", LastName="One", Email="one@example.com")]},
        headers=sf.headers,
    ).json()
    assert first[0]["success"] and first[0]["created"] is True
    records = [
        contact(External_Id__c="u-1", Title="Updated"),
        contact(External_Id__c="u-2", LastName="Two"),
        contact(External_Id__c="u-3", LastName="Three"),
        contact(External_Id__c="u-3", LastName="Three again"),
        contact(External_Id__c="u-4"),
        contact(LastName="No key"),
        contact(External_Id__c="u-5", LastName="Five", Account={"Domain__c": "globex.example.org"}),
    ]
    results = http.patch(url, json={"records": records}, headers=sf.headers).json()
    assert results[0] == {"id": first[0]["id"], "success": True, "errors": [], "created": False}
    assert results[1]["created"] is True
    assert codes(results[2]) == codes(results[3]) == ["DUPLICATE_VALUE"]
    assert codes(results[4]) == ["REQUIRED_FIELD_MISSING"]
    assert codes(results[5]) == ["MISSING_ARGUMENT"]
    assert results[6]["success"]
    row = query(http, sf, "SELECT AccountId FROM Contact WHERE External_Id__c = 'u-5'").json()
    assert row["records"][0]["AccountId"] == ACCOUNT_IDS[1]


def test_upsert_by_a_non_unique_lookup_field_reports_duplicate_external_id(http, sf):
    records = [{"attributes": {"type": "Lead"}, "Email": "jordan.lee@example.com", "Title": "VP"}]
    response = http.patch(
        f"{sf.api}/composite/sobjects/Lead/Email", json={"records": records}, headers=sf.headers
    )
    assert codes(response.json()[0]) == ["DUPLICATE_EXTERNAL_ID"]


def test_delete_soft_deletes_and_reports_unknown_ids(http, sf):
    victim = salesforce_contact_records()[1]["Id"]
    response = http.delete(
        f"{sf.api}/composite/sobjects",
        params={"ids": f"{victim},0035g00000ZZZZZAAA,garbage"},
        headers=sf.headers,
    )
    results = response.json()
    assert results[0] == {"id": victim, "success": True, "errors": []}
    assert not results[1]["success"] and not results[2]["success"]
    again = http.delete(
        f"{sf.api}/composite/sobjects", params={"ids": victim}, headers=sf.headers
    ).json()
    assert codes(again[0]) == ["ENTITY_IS_DELETED"]
    assert query(http, sf, f"SELECT Id FROM Contact WHERE Id = '{victim}'").json()["totalSize"] == 0
