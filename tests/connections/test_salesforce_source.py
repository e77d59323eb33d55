"""Salesforce as a model source against the sandbox: SOQL previews, object names, deleted
records, streaming page by page, and the refusal of anything but a SELECT."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from connections.services import connection_create
from connections.sources.base import SourceError
from connections.sources.read_only import UnsafeQueryError
from connections.sources.registry import source_for
from connections.sources.salesforce import SalesforceSource
from models_app.services import sql_model_create, sql_model_preview
from sandbox.warehouse_data import salesforce_contact_records
from tests.sandbox.salesforce_support import connect

pytestmark = pytest.mark.django_db

SEEDED_CONTACTS = len(salesforce_contact_records())


@pytest.fixture
def session(vendors, sandbox, http):
    return connect(http, sandbox)


@pytest.fixture
def connection(organization, session):
    return connection_create(
        organization=organization,
        name="Salesforce",
        type="salesforce",
        values={
            "domain": "login.salesforce.com",
            "instance_url": session.token["instance_url"],
            "access_token": session.token["access_token"],
            "refresh_token": session.token["refresh_token"],
        },
    )


@pytest.fixture
def source(connection) -> SalesforceSource:
    found = source_for(connection)
    assert isinstance(found, SalesforceSource)
    return found


def counts(http, sandbox) -> dict[str, int]:
    return http.get(f"{sandbox.url}/_sandbox/requests").json()["counts"]


def test_a_soql_query_previews_typed_fields_and_rows(source):
    source.check()
    preview = source.preview(
        "SELECT Id, email, Account.Name, Subscription_Plan__c, Last_Activity_Date__c "
        "FROM Contact WHERE Account.Name = 'Acme Corporation' ORDER BY Email",
        limit=3,
    )
    assert [field.to_json() for field in preview.fields] == [
        {"name": "Id", "type": "string", "remote_type": "id"},
        {"name": "Email", "type": "string", "remote_type": "email"},  # as Salesforce spells it
        {"name": "Account.Name", "type": "string", "remote_type": "string"},
        {"name": "Subscription_Plan__c", "type": "string", "remote_type": "picklist"},
        {"name": "Last_Activity_Date__c", "type": "datetime", "remote_type": "date"},
    ]
    assert len(preview.rows) == 3
    emails = [row[1] for row in preview.rows]
    assert emails == sorted(emails, key=str.lower)
    assert {row[2] for row in preview.rows} == {"Acme Corporation"}  # from the nested record


def test_an_object_name_means_all_of_its_fields(source):
    preview = source.preview("Account", limit=10)
    names = [field.name for field in preview.fields]
    assert names[0] == "Id"
    assert {"Name", "Domain__c", "Employee_Band__c", "CreatedDate"} <= set(names)
    assert len(preview.rows) == 3
    domains = {row[names.index("Domain__c")] for row in preview.rows}
    assert domains == {"acme.example.com", "globex.example.org", "initech.example.net"}
    assert source.check_query(" Account ; ") == "Account"


def test_fields_expands_fields_functions_and_names_bad_fields(source):
    custom = [field.name for field in source.fields("SELECT FIELDS(CUSTOM) FROM Lead LIMIT 5")]
    assert custom == [
        "External_Id__c",
        "Product_Interest__c",
        "Lead_Score__c",
        "Score_Band__c",
    ]
    with pytest.raises(SourceError, match="Contact has no field named 'Shoe_Size__c'"):
        source.fields("SELECT Id, Shoe_Size__c FROM Contact")
    with pytest.raises(SourceError, match="no object named 'Spaceship__c'"):
        source.preview("Spaceship__c")


def test_include_deleted_reads_through_query_all(source, session, http, sandbox):
    doomed = salesforce_contact_records()[0]
    response = http.delete(
        f"{session.api}/sobjects/Contact/{doomed['Id']}", headers=session.headers
    )
    assert response.status_code == 204
    query = f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{doomed['Id']}'"
    assert source.preview(query).rows == []
    assert source.preview(query, include_deleted=True).rows == [(doomed["Id"], True)]
    assert counts(http, sandbox)["GET salesforce.query_all"] == 1


def test_the_connections_include_deleted_option_is_the_default(
    organization, session, http, sandbox
):
    connection = connection_create(
        organization=organization,
        name="Salesforce with the recycle bin",
        type="salesforce",
        values={
            "instance_url": session.token["instance_url"],
            "access_token": session.token["access_token"],
            "include_deleted": True,
        },
    )
    source_for(connection).preview("SELECT Id FROM Lead", limit=1)
    assert counts(http, sandbox)["GET salesforce.query_all"] == 1


def test_streaming_follows_next_records_url_page_by_page(source, http, sandbox):
    chunks = list(source.stream("SELECT Id, Email FROM Contact", chunk_rows=200))
    assert [len(chunk) for chunk in chunks] == [200, 200, SEEDED_CONTACTS - 400]
    assert len({row[0] for chunk in chunks for row in chunk}) == SEEDED_CONTACTS
    calls = counts(http, sandbox)
    assert calls["GET salesforce.query"] == 1
    assert calls["GET salesforce.query_more"] == 2  # one page of 200 at a time


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("DELETE FROM Contact", "DELETE is neither .Syncline only reads"),
        ("UPDATE Contact SET LastName = 'x'", "UPDATE is neither"),
        ("FIND {Acme} IN ALL FIELDS", "SOSL searches"),
        ("SELECT Id FROM Contact FOR UPDATE", "locks records"),
        ("SELECT Id FROM Contact; SELECT Id FROM Lead", "more than one statement"),
        ("SELECT Id, (SELECT Id FROM Contacts) FROM Account", "Subqueries"),
        ("SELECT Id", "needs FROM"),
        ("SELECT Id FROM Contact WHERE Name = 'open", "never closed"),
        ("", "The query is empty"),
    ],
)
def test_anything_but_a_select_is_refused_with_a_reason(source, query, reason):
    with pytest.raises(UnsafeQueryError, match=reason):
        source.check_query(query)


def test_models_check_soql_with_the_sources_own_rules(organization, connection):
    with pytest.raises(ValidationError, match="locks records"):
        sql_model_preview(source=connection, query="SELECT Id FROM Lead FOR UPDATE")
    preview = sql_model_preview(
        source=connection, query="SELECT Id, Email FROM Lead WHERE Email != null", limit=2
    )
    assert len(preview.rows) == 2
    model = sql_model_create(
        organization=organization,
        name="Salesforce leads",
        source=connection,
        query="SELECT Id, Email, Company FROM Lead;",
    )
    assert model.query == "SELECT Id, Email, Company FROM Lead"
    assert [field["name"] for field in model.fields] == ["Id", "Email", "Company"]
    assert model.identifier == "Email"
