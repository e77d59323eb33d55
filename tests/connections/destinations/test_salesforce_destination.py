"""The Salesforce destination against the sandbox over real HTTP: target discovery, each mode,
per-record errors, collections of 200, Bulk API 2.0, the daily API cap, token refresh."""

from __future__ import annotations

import pytest

from connections.destinations.errors import DestinationError, NeedsReauthorization
from connections.destinations.salesforce.destination import SalesforceDestination
from connections.destinations.salesforce.options import LEAD_OR_CONTACT, OptionsError
from connections.models import Connection
from connections.services import connection_create
from sandbox.oauth import DEMO_CLIENT
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
def oauth(vendors, sandbox, http):
    return oauth_tokens(http, sandbox)


@pytest.fixture
def salesforce(organization, oauth) -> SalesforceDestination:
    return destination(connection_for(organization, oauth))


# -- discovery ------------------------------------------------------------------------------
def test_target_objects_are_the_createable_objects_with_their_modes(salesforce):
    targets = {target.id: target for target in salesforce.target_objects()}
    assert {"Account", "Contact", "Lead", LEAD_OR_CONTACT} <= set(targets)
    assert "User" not in targets and "Organization" not in targets  # read-only here
    contact = targets["Contact"].to_json()
    assert contact["name"] == "Contact"
    assert {mode["id"]: mode["requires_identity"] for mode in contact["modes"]} == {
        "create": False,
        "update": True,
        "updateOrCreate": True,
        "remove": True,
    }
    assert targets[LEAD_OR_CONTACT].name == "Lead or Contact"


def test_target_fields_are_the_settable_ones_and_identity_keys_are_offered(salesforce):
    fields = {field.id: field for field in salesforce.target_fields("Contact")}
    assert fields["LastName"].required and fields["LastName"].createable
    assert not fields["FirstName"].required
    assert not fields["HasOptedOutOfEmail"].required  # not nillable, but defaulted on create
    # Formula and system fields cannot be written, so they are not offered.
    assert "Is_Gold__c" not in fields and "Name" not in fields and "CreatedDate" not in fields
    identities = {key for key, field in fields.items() if field.supports_identity}
    assert identities == {"Id", "Email", "External_Id__c"}  # idLookup and externalId fields
    assert fields["Id"].to_json()["identity_functions"][0]["id"] == "Equality"
    assert not fields["Id"].createable and not fields["Id"].updateable
    assert fields["Birthdate"].to_json()["type"] == "datetime"
    assert fields["Birthdate"].to_json()["source_type"] == "date"
    # A lookup can be set through the parent's external id.
    assert fields["Account.Domain__c"].association
    assert fields["AccountId"].association


def test_lead_or_contact_offers_both_objects_fields(salesforce):
    fields = {field.id: field for field in salesforce.target_fields(LEAD_OR_CONTACT)}
    assert fields["Email"].supports_identity
    assert fields["LastName"].required
    assert not fields["Company"].required  # Leads need it; Contacts have none
    assert "AccountId" in fields and "Company" in fields


def test_check_answers_for_a_working_connection(salesforce, http, sandbox):
    salesforce.check()
    assert counts(http, sandbox)["GET salesforce.limits"] == 1


# -- writing in each mode -------------------------------------------------------------------
def test_create_inserts_records_and_reports_each_id(salesforce, http, sandbox):
    batch = salesforce.write(
        "Contact",
        "create",
        [
            {"Email": "ada@example.com", "FirstName": "Ada", "LastName": "Lovelace"},
            {"Email": "grace@example.com", "LastName": "Hopper", "Subscription_Plan__c": "gold"},
        ],
        identity_field="Email",
    )
    assert [(r.identity, r.ok, r.operation) for r in batch.results] == [
        ("ada@example.com", True, "insert"),
        ("grace@example.com", True, "insert"),
    ]
    contacts = by_email(http, sandbox)
    assert contacts["ada@example.com"]["Id"] == batch.results[0].destination_id
    assert contacts["grace@example.com"]["Subscription_Plan__c"] == "gold"


def test_per_record_errors_carry_salesforces_code_and_message(salesforce, http, sandbox):
    existing = salesforce_contact_records()[0]
    batch = salesforce.write(
        "Contact",
        "create",
        [
            {"Email": "no.last.name@example.com", "FirstName": "Nameless"},
            {"Email": "broken@", "LastName": "Broken"},
            {"Email": "fine@example.com", "LastName": "Fine"},
            {"External_Id__c": "dup-1", "LastName": "First"},
            {"External_Id__c": "dup-1", "LastName": "Second"},
        ],
        identity_field="Email",
    )
    results = batch.results
    # Salesforce's words inside a sentence, its code after them and in `code`.
    assert results[0].message.startswith("Salesforce refused this record: Required fields are")
    assert results[0].message.endswith("(REQUIRED_FIELD_MISSING)")
    assert results[0].outcome == "rejected" and results[0].code == "REQUIRED_FIELD_MISSING"
    assert not results[0].retryable  # the same record fails the same way next time
    assert "LastName" in results[0].message
    assert results[1].code == "INVALID_EMAIL_ADDRESS"
    assert results[2].ok
    assert results[3].ok and not results[4].ok  # the second one duplicates a unique field
    assert results[4].code == "DUPLICATE_VALUE"
    assert existing["Email"].lower() in by_email(http, sandbox)
    assert "fine@example.com" in by_email(http, sandbox)
    assert "broken@" not in by_email(http, sandbox)


def test_update_by_email_finds_the_ids_first_then_updates(salesforce, http, sandbox):
    first, second = salesforce_contact_records()[:2]
    clear_log(http, sandbox)
    batch = salesforce.write(
        "Contact",
        "update",
        [
            {"Email": first["Email"].upper(), "Title": "CTO"},  # SOQL matches without case
            {"Email": second["Email"], "Title": "CFO"},
            {"Email": "nobody@example.com", "Title": "Ghost"},
        ],
        identity_field="Email",
    )
    assert [r.ok for r in batch.results] == [True, True, False]
    assert batch.results[0].destination_id == first["Id"]
    assert batch.results[2].message == (
        "No Contact in Salesforce has Email = nobody@example.com, and update mode never "
        "creates one."
    )
    assert batch.results[2].code == "NOT_FOUND"
    contacts = by_email(http, sandbox)
    assert contacts[first["Email"].lower()]["Title"] == "CTO"
    assert contacts[second["Email"].lower()]["Title"] == "CFO"
    calls = counts(http, sandbox)
    assert calls["GET salesforce.query"] == 1  # one SOQL IN (...) lookup
    assert calls["PATCH salesforce.collections"] == 1


def test_update_by_id_needs_no_lookup(salesforce, http, sandbox):
    first = salesforce_contact_records()[0]
    clear_log(http, sandbox)
    batch = salesforce.write(
        "Contact", "update", [{"Id": first["Id"], "Department": "R&D"}], identity_field="Id"
    )
    assert batch.results[0].ok
    assert by_email(http, sandbox)[first["Email"].lower()]["Department"] == "R&D"
    assert "GET salesforce.query" not in counts(http, sandbox)


def test_update_or_create_upserts_by_external_id(salesforce, http, sandbox):
    salesforce.write(
        "Contact", "create", [{"External_Id__c": "ext-1", "LastName": "Old"}], identity_field="Id"
    )
    clear_log(http, sandbox)
    batch = salesforce.write(
        "Contact",
        "updateOrCreate",
        [
            {"External_Id__c": "ext-1", "LastName": "Renamed"},
            {"External_Id__c": "ext-2", "LastName": "Brand New", "Email": "new@example.com"},
        ],
        identity_field="External_Id__c",
    )
    assert [(r.ok, r.operation) for r in batch.results] == [(True, "update"), (True, "insert")]
    contacts = {r["External_Id__c"]: r for r in stored(http, sandbox, "Contact")}
    assert contacts["ext-1"]["LastName"] == "Renamed"
    assert contacts["ext-2"]["Id"] == batch.results[1].destination_id
    assert counts(http, sandbox) == {"PATCH salesforce.collections_upsert": 1}


def test_the_same_external_id_twice_in_a_batch_fails_both_records(salesforce):
    batch = salesforce.write(
        "Contact",
        "updateOrCreate",
        [
            {"External_Id__c": "twice", "LastName": "One"},
            {"External_Id__c": "TWICE", "LastName": "Two"},
        ],
        identity_field="External_Id__c",
    )
    assert [r.ok for r in batch.results] == [False, False]
    assert all(r.code == "DUPLICATE_VALUE" for r in batch.results)


def test_upserting_leads_by_a_duplicated_email_is_refused_unless_skip_converted(
    salesforce, http, sandbox
):
    record = {"Email": "jordan.lee@example.com", "LastName": "Lee", "Title": "VP"}
    refused = salesforce.write("Lead", "updateOrCreate", [record], identity_field="Email")
    assert refused.results[0].code == "DUPLICATE_EXTERNAL_ID"
    assert "more than one record found" in refused.results[0].message
    # skip_converted: converted Leads never match, and the newest of duplicates wins.
    batch = salesforce.write(
        "Lead",
        "updateOrCreate",
        [record],
        identity_field="Email",
        options={"skip_converted": True},
    )
    assert batch.results[0].ok and batch.results[0].operation == "update"
    leads = [r for r in stored(http, sandbox, "Lead") if r["Email"] == "jordan.lee@example.com"]
    assert sorted(r["Title"] or "" for r in leads) == ["", "VP"]


def test_remove_deletes_what_the_identity_names(salesforce, http, sandbox):
    first = salesforce_contact_records()[0]
    batch = salesforce.write(
        "Contact",
        "remove",
        [{"Email": first["Email"]}, {"Email": "never.there@example.com"}],
        identity_field="Email",
    )
    assert [(r.ok, r.operation) for r in batch.results] == [(True, "delete"), (True, "delete")]
    assert "nothing to delete" in batch.results[1].message
    assert [r.changed for r in batch.results] == [True, False]
    deleted = next(r for r in stored(http, sandbox, "Contact") if r["Id"] == first["Id"])
    assert deleted["IsDeleted"] is True


def test_lead_or_contact_updates_whichever_matches_and_creates_the_rest(salesforce, http, sandbox):
    contact = salesforce_contact_records()[0]
    batch = salesforce.write(
        LEAD_OR_CONTACT,
        "updateOrCreate",
        [
            {"Email": contact["Email"], "Title": "Contact title", "Company": "Ignored"},
            {"Email": "morgan.diaz@example.org", "Title": "Lead title"},
            {"Email": "new.lead@example.com", "LastName": "Lead", "Company": "Umbrella"},
            {
                "Email": "new.contact@example.com",
                "LastName": "Contact",
                "AccountId": "0015g0000000001AAA",
            },
        ],
        identity_field="Email",
        options={"create_records_as": "ContactIfAccountId"},
    )
    assert [(r.ok, r.operation, r.destination_id[:3]) for r in batch.results] == [
        (True, "update", "003"),
        (True, "update", "00Q"),
        (True, "insert", "00Q"),
        (True, "insert", "003"),
    ], batch.results
    assert by_email(http, sandbox)[contact["Email"].lower()]["Title"] == "Contact title"
    assert by_email(http, sandbox, "Lead")["morgan.diaz@example.org"]["Title"] == "Lead title"
    assert by_email(http, sandbox, "Lead")["new.lead@example.com"]["Company"] == "Umbrella"
    assert "new.contact@example.com" in by_email(http, sandbox)


# -- per-target options ---------------------------------------------------------------------
def test_nulls_are_left_out_unless_insert_null_values(salesforce, http, sandbox):
    first = salesforce_contact_records()[0]
    email = first["Email"].lower()
    salesforce.write(
        "Contact", "update", [{"Email": email, "Title": "Keep"}], identity_field="Email"
    )
    salesforce.write("Contact", "update", [{"Email": email, "Title": None}], identity_field="Email")
    assert by_email(http, sandbox)[email]["Title"] == "Keep"
    salesforce.write(
        "Contact",
        "update",
        [{"Email": email, "Title": None}],
        identity_field="Email",
        options={"insert_null_values": True},
    )
    assert by_email(http, sandbox)[email]["Title"] is None


def test_only_sync_different_sends_nothing_salesforce_already_holds(salesforce, http, sandbox):
    first, second = salesforce_contact_records()[:2]
    options = {"only_sync_different": True}
    records = [
        {"Email": first["Email"], "LastName": first["LastName"]},  # as Salesforce has it
        {"Email": second["Email"], "LastName": "Changed"},
    ]
    clear_log(http, sandbox)
    batch = salesforce.write("Contact", "update", records, identity_field="Email", options=options)
    # Already as wanted: accepted, nothing changed (there is no "unchanged" operation).
    assert [(r.ok, r.operation, r.changed) for r in batch.results] == [
        (True, "update", False),
        (True, "update", True),
    ]
    assert batch.results[0].destination_id == first["Id"]
    assert counts(http, sandbox)["PATCH salesforce.collections"] == 1
    clear_log(http, sandbox)
    again = salesforce.write(
        "Contact", "updateOrCreate", records, identity_field="Email", options=options
    )
    assert [(r.operation, r.changed) for r in again.results] == [("update", False)] * 2
    assert "PATCH salesforce.collections_upsert" not in counts(http, sandbox)


def test_lookups_by_the_parents_external_id_set_the_relationship(salesforce, http, sandbox):
    batch = salesforce.write(
        "Contact",
        "create",
        [
            {
                "Email": "linked@example.com",
                "LastName": "Linked",
                "Account.Domain__c": "globex.example.org",
            }
        ],
        identity_field="Email",
    )
    assert batch.results[0].ok
    assert by_email(http, sandbox)["linked@example.com"]["AccountId"] == "0015g0000000002AAA"


def test_invalid_relationships_error_or_omit_values(salesforce, http, sandbox):
    record = {
        "Email": "orphan@example.com",
        "LastName": "Orphan",
        "AccountId": "0015g0000000999AAA",
    }
    refused = salesforce.write("Contact", "create", [record], identity_field="Email")
    assert refused.results[0].code == "INVALID_CROSS_REFERENCE_KEY"
    omitted = salesforce.write(
        "Contact",
        "create",
        [
            record,
            {
                **record,
                "Email": "bad.domain@example.com",
                "AccountId": None,
                "Account.Domain__c": "nope.example",
            },
        ],
        identity_field="Email",
        options={"invalid_relationships": "omit_values", "insert_null_values": False},
    )
    assert [r.ok for r in omitted.results] == [True, True], omitted.results
    assert "sent without AccountId" in omitted.results[0].message
    assert by_email(http, sandbox)["orphan@example.com"]["AccountId"] is None
    left_out = salesforce.write(
        "Contact",
        "create",
        [{**record, "Email": "left.out@example.com"}],
        identity_field="Email",
        options={"invalid_relationships": "omit_records"},
    )
    assert not left_out.results[0].ok
    assert "omit_records" in left_out.results[0].message


def test_sort_batches_by_keeps_results_in_the_callers_order(salesforce):
    records = [
        {"Email": f"sorted{n}@example.com", "LastName": f"S{n}", "Department": department}
        for n, department in enumerate(["b", "a", None, "c", "a"])
    ]
    batch = salesforce.write(
        "Contact",
        "create",
        records,
        identity_field="Email",
        options={"sort_batches_by": "Department", "rest_batch_size": 2},
    )
    assert [r.identity for r in batch.results] == [r["Email"] for r in records]
    assert all(r.ok for r in batch.results)


def test_target_options_are_checked_with_every_problem_named(salesforce):
    with pytest.raises(OptionsError) as error:
        salesforce.target_options(
            "Contact",
            {
                "ingestion_api": "soap",
                "rest_batch_size": 500,
                "skip_converted": True,
                "create_records_as": "Lead",
                "colour": "blue",
            },
        )
    problems = " | ".join(error.value.problems)
    for expected in (
        "ingestion_api must be one of automatic, bulk, rest",
        "rest_batch_size must be from 1 to 200",
        "skip_converted applies only to the Lead target",
        "create_records_as applies only to the Lead or Contact target",
        "unknown target option(s) colour",
    ):
        assert expected in problems
    # Polytomic's own example: empty strings mean the defaults.
    options = salesforce.target_options(
        LEAD_OR_CONTACT,
        {"create_records_as": "", "invalid_relationships": "", "ingestion_api": "bulk"},
    )
    assert options.create_records_as == "Contact" and options.invalid_relationships == "error"
    assert salesforce.batch_size_for("Contact", {"ingestion_api": "rest"}) == 200
    assert salesforce.batch_size_for("Contact", {"bulk_batch_size": 5000}) == 5000


# -- batching and Bulk API 2.0 ---------------------------------------------------------------
def test_collections_carry_at_most_200_records_a_call(salesforce, http, sandbox):
    records = [{"LastName": f"Person {n}", "External_Id__c": f"c-{n}"} for n in range(450)]
    clear_log(http, sandbox)
    batch = salesforce.write("Contact", "updateOrCreate", records, identity_field="External_Id__c")
    assert len(batch.accepted) == 450
    assert counts(http, sandbox) == {"PATCH salesforce.collections_upsert": 3}  # 200+200+50
    smaller = salesforce.write(
        "Contact",
        "create",
        [{"LastName": f"Small {n}"} for n in range(5)],
        identity_field="Email",
        options={"rest_batch_size": 2},
    )
    assert len(smaller.accepted) == 5
    assert counts(http, sandbox)["POST salesforce.collections"] == 3


def test_bulk_ingest_maps_successful_and_failed_rows_back(salesforce, http, sandbox):
    existing = salesforce_contact_records()[0]
    records = [
        {"Email": existing["Email"], "Title": "Bulk updated"},
        {
            "Email": "bulk.new@example.com",
            "LastName": "Bulk",
            "Account.Domain__c": "initech.example.net",
        },
        {"Email": "bulk.no.name@example.com", "FirstName": "Nameless"},
        {"Email": "bulk.plan@example.com", "LastName": "Plan", "Subscription_Plan__c": "platinum"},
    ]
    clear_log(http, sandbox)
    batch = salesforce.write(
        "Contact",
        "updateOrCreate",
        records,
        identity_field="Email",
        options={"ingestion_api": "bulk"},
    )
    assert [(r.identity, r.ok, r.operation) for r in batch.results] == [
        (existing["Email"], True, "update"),
        ("bulk.new@example.com", True, "insert"),
        ("bulk.no.name@example.com", False, "upsert"),
        ("bulk.plan@example.com", False, "upsert"),
    ]
    assert batch.results[0].destination_id == existing["Id"]
    assert batch.results[2].message == (
        "Salesforce refused this record: Required fields are missing: [LastName] "
        "(REQUIRED_FIELD_MISSING)"
    )
    assert batch.results[3].code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    contacts = by_email(http, sandbox)
    assert contacts[existing["Email"].lower()]["Title"] == "Bulk updated"
    assert contacts["bulk.new@example.com"]["AccountId"] == "0015g0000000003AAA"
    calls = counts(http, sandbox)
    assert calls["POST salesforce.ingest_jobs"] == 1
    assert calls["PUT salesforce.ingest_batches"] == 1
    assert calls["GET salesforce.ingest_results"] == 2
    assert "PATCH salesforce.collections_upsert" not in calls
    (job,) = stored(http, sandbox, "bulk_jobs")
    assert (job["operation"], job["externalIdFieldName"]) == ("upsert", "Email")


def test_automatic_ingestion_picks_bulk_above_the_threshold(salesforce, http, sandbox):
    options = {"ingestion_api": "automatic", "bulk_threshold": 3}
    small = [{"LastName": f"Auto {n}"} for n in range(3)]
    clear_log(http, sandbox)
    salesforce.write("Contact", "create", small, identity_field="Email", options=options)
    assert "POST salesforce.ingest_jobs" not in counts(http, sandbox)
    large = [{"LastName": f"Auto {n}"} for n in range(4)]
    batch = salesforce.write("Contact", "create", large, identity_field="Email", options=options)
    assert len(batch.accepted) == 4
    assert counts(http, sandbox)["POST salesforce.ingest_jobs"] == 1


def test_bulk_update_and_delete_by_a_looked_up_identity(salesforce, http, sandbox):
    first, second = salesforce_contact_records()[:2]
    bulk = {"ingestion_api": "bulk"}
    updated = salesforce.write(
        "Contact",
        "update",
        [{"Email": first["Email"], "Department": "Bulk"}],
        identity_field="Email",
        options=bulk,
    )
    assert updated.results[0].ok
    removed = salesforce.write(
        "Contact",
        "remove",
        [{"Email": second["Email"]}],
        identity_field="Email",
        options=bulk,
    )
    assert removed.results[0].ok and removed.results[0].destination_id == second["Id"]
    contacts = {r["Id"]: r for r in stored(http, sandbox, "Contact")}
    assert contacts[first["Id"]]["Department"] == "Bulk"
    assert contacts[second["Id"]]["IsDeleted"] is True
    operations = sorted(job["operation"] for job in stored(http, sandbox, "bulk_jobs"))
    assert operations == ["delete", "update"]


# -- limits and authorization ----------------------------------------------------------------
def test_the_daily_cap_stops_new_calls_and_reports_what_was_sent(organization, oauth):
    capped = destination(
        connection_for(organization, oauth, enforce_api_limits=True, daily_api_calls=3)
    )
    records = [{"LastName": f"Capped {n}"} for n in range(600)]
    # limits/ (call 1) tells the count; two collections calls fit, the third would be call 4.
    batch = capped.write("Contact", "create", records, identity_field="Email")
    assert len(batch.accepted) == 400
    cap_reached = (
        "Salesforce API calls in the last 24 hours: 3, which has reached this "
        "connection's daily_api_calls cap (3; enforce_api_limits is on). Syncline starts no "
        "more calls until the count falls below it; the remaining records will be sent on "
        "the next run."
    )
    # The rest never reached Salesforce: not sent (not "rejected"), and the write says why.
    assert len(batch.not_sent) == 200 and not batch.rejected
    assert {r.message for r in batch.not_sent} == {cap_reached}
    assert batch.failure is not None and batch.failure.message == cap_reached
    with pytest.raises(DestinationError, match=r"daily_api_calls cap \(3") as error:
        capped.write("Contact", "create", records[:1], identity_field="Email")
    assert error.value.permanent is False


def test_the_orgs_own_daily_limit_counts_too(organization, oauth, sandbox, http):
    http.put(f"{sandbox.url}/_sandbox/faults", json={"budgets": {"salesforce": "2/3600"}})
    capped = destination(
        connection_for(organization, oauth, enforce_api_limits=True, daily_api_calls=1000)
    )
    capped.check()  # limits/ learns 1/2, then the check itself is call 2
    with pytest.raises(DestinationError, match="Salesforce's own daily API limit for the org"):
        capped.target_objects()
    # Without enforcement, Salesforce's 403 REQUEST_LIMIT_EXCEEDED is retried, then explained.
    unenforced = destination(connection_for(organization, oauth))
    unenforced.http.max_attempts = 2
    with pytest.raises(DestinationError, match="REQUEST_LIMIT_EXCEEDED") as error:
        unenforced.check()
    assert error.value.permanent is False


def test_an_expired_session_is_refreshed_once_and_the_write_succeeds(
    salesforce, oauth, http, sandbox
):
    clear_log(http, sandbox)
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})
    batch = salesforce.write(
        "Contact", "create", [{"LastName": "After refresh"}], identity_field="Email"
    )
    assert batch.results[0].ok
    calls = counts(http, sandbox)
    assert calls["POST salesforce.oauth_token"] == 1
    assert calls["POST salesforce.collections"] == 2  # the 401, then the success
    saved = Connection.objects.get(pk=salesforce.connection.pk)
    assert saved.secrets["access_token"] != oauth["access_token"]
    assert saved.secrets["refresh_token"] == oauth["refresh_token"]  # Salesforce never rotates
    assert saved.configuration["instance_url"] == oauth["instance_url"]


def test_a_revoked_refresh_token_marks_the_connection_needs_auth(salesforce, http, sandbox):
    http.post(f"{sandbox.url}/_sandbox/oauth/revoke-refresh-tokens", json={})
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})
    with pytest.raises(NeedsReauthorization, match="Reconnect"):
        salesforce.write("Contact", "create", [{"LastName": "Never"}], identity_field="Email")
    saved = Connection.objects.get(pk=salesforce.connection.pk)
    assert saved.status == Connection.Status.NEEDS_AUTH


def test_a_refresh_token_alone_is_enough_to_learn_the_instance(organization, oauth):
    connection = connection_create(
        organization=organization,
        name="Salesforce from a refresh token",
        type="salesforce",
        values={
            "connect_mode": "api",
            "client_id": DEMO_CLIENT.client_id,
            "client_secret": DEMO_CLIENT.client_secret,
            "refresh_token": oauth["refresh_token"],
        },
    )
    destination(connection).check()
    saved = Connection.objects.get(pk=connection.pk)
    assert saved.configuration["instance_url"] == oauth["instance_url"]
    assert saved.secrets["access_token"]


def test_connection_settings_are_checked(organization, oauth):
    with pytest.raises(OptionsError) as error:
        destination(
            connection_for(
                organization,
                oauth,
                connect_mode="browser",
                client_id="mine",
                enforce_api_limits="yes",
            )
        )
    assert error.value.problems == [
        "client_id and client_secret are used only with connect_mode 'api'; set connect_mode "
        "to 'api' or leave them out",
        "enforce_api_limits needs daily_api_calls: the number of API calls a day Syncline may use",
    ]
    with pytest.raises(OptionsError, match="'clientcredentials' is not supported"):
        destination(connection_for(organization, oauth, connect_mode="clientcredentials"))
