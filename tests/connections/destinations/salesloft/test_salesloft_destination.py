"""The Salesloft destination against the sandbox over real HTTP: targets, fields, every write
mode, per-record rejections, token refresh, API keys and the team's rate limit."""

from __future__ import annotations

import pytest

from connections.destinations.base import Outcome
from connections.destinations.errors import DestinationError, NeedsReauthorization
from connections.destinations.salesloft.destination import SalesloftDestination
from connections.models import Connection
from connections.services import connection_create
from sandbox.vendors.salesloft import DEMO_API_KEY
from tests.connections.destinations.salesloft.support import (
    CADENCE,
    clear_log,
    from_call,
    request_counts,
    stored,
    stored_person,
)

pytestmark = pytest.mark.django_db


def test_target_objects_are_people_accounts_and_every_live_cadence(sandbox, http, destination):
    cadences = sandbox.app.emulators["salesloft"].table("cadences")
    template = cadences["1001"]
    for cadence_id in range(2001, 2121):  # 124 cadences: two pages of 100
        cadences[str(cadence_id)] = {**template, "id": cadence_id, "name": f"Extra {cadence_id}"}
    cadences["2121"] = {**template, "id": 2121, "name": "Old", "archived_at": "2025-01-01T00:00Z"}
    clear_log(http, sandbox)

    objects = {target.id: target for target in destination.target_objects()}

    assert objects["people"].name == "People"
    assert objects["accounts"].name == "Accounts"
    assert objects[CADENCE].name == "Cadence: Active Users Onboarding"
    cadence_ids = {key for key in objects if key.startswith("cadence:")}
    assert cadence_ids == {f"cadence:{n}" for n in (1001, 1002, 1003, 1004, *range(2001, 2121))}
    assert [mode.id for mode in objects["people"].modes] == ["create", "update", "updateOrCreate"]
    assert [mode.id for mode in objects[CADENCE].modes] == ["updateOrCreate", "create", "remove"]
    assert objects[CADENCE].to_json()["modes"][0]["requires_identity"] is True
    assert request_counts(http, sandbox) == {"GET salesloft.cadences": 2}


def test_fields_are_the_standard_ones_plus_custom_fields_with_identity_flags(destination):
    people = {field.id: field for field in destination.target_fields("people")}
    assert people["email_address"].supports_identity and people["email_address"].required
    assert people["email_address"].identity_functions == ("Equality",)
    assert people["id"].supports_identity and not people["id"].createable
    assert people["crm_id"].supports_identity
    assert not people["first_name"].supports_identity
    assert {"first_name", "last_name", "title", "phone", "city", "person_company_name"} <= set(
        people
    )
    assert people["custom_fields.Plan"].name == "Plan (custom field)"
    assert people["custom_fields.Last Activity"].type == "datetime"
    assert "custom_fields.Segment" not in people  # a company field

    accounts = {field.id: field for field in destination.target_fields("accounts")}
    assert accounts["domain"].supports_identity and accounts["domain"].required
    assert {"name", "website", "industry", "custom_fields.Segment"} <= set(accounts)
    assert "custom_fields.Plan" not in accounts

    cadence = [field.to_json() for field in destination.target_fields(CADENCE)]
    assert cadence == [field.to_json() for field in people.values()]
    email = next(field for field in cadence if field["id"] == "email_address")
    assert email["identity_functions"] == [{"id": "Equality", "label": "Equality"}]

    with pytest.raises(DestinationError, match="Cadence 9999 no longer exists") as error:
        destination.target_fields("cadence:9999")
    assert error.value.status == 404


def test_update_or_create_into_a_cadence_upserts_each_person_then_adds_them(
    sandbox, http, destination
):
    # The walkthrough's spelling of the fields: Email, FirstName, LastName.
    records = [
        {"Email": "new.person@example.com", "FirstName": "New", "LastName": "Person"},
        {"Email": "peter@initech.example", "FirstName": "Pete", "custom_fields.Plan": "gold"},
        {"Email": "broken@", "FirstName": "Broken"},
    ]
    clear_log(http, sandbox)

    batch = destination.write(CADENCE, "updateOrCreate", records, identity_field="Email")

    assert [(r.identity, r.outcome, r.operation) for r in batch.results] == [
        ("new.person@example.com", Outcome.ACCEPTED, "insert"),
        ("peter@initech.example", Outcome.ACCEPTED, "insert"),
        ("broken@", Outcome.REJECTED, "upsert"),
    ]
    assert batch.results[2].message == "Salesloft refused this record: email_address: is invalid"
    assert (batch.results[2].code, batch.results[2].retryable) == ("422", False)
    assert batch.failure is None
    new = stored_person(http, sandbox, "new.person@example.com")
    peter = stored_person(http, sandbox, "peter@initech.example")
    assert (new["first_name"], new["last_name"]) == ("New", "Person")
    assert peter["first_name"] == "Pete" and peter["custom_fields"] == {"Plan": "gold"}
    assert batch.results[0].destination_id == str(new["id"])
    members = {
        (m["person_id"], m["cadence_id"]) for m in stored(http, sandbox, "cadence_memberships")
    }
    assert members == {(new["id"], 1001), (peter["id"], 1001)}
    # One upsert per record, one membership per accepted person: Salesloft has no batch calls.
    assert request_counts(http, sandbox) == {
        "POST salesloft.person_upserts": 3,
        "POST salesloft.cadence_memberships": 2,
    }

    again = destination.write(CADENCE, "updateOrCreate", records[:2], identity_field="Email")
    # Already on the cadence: delivered, and nothing new happened to the membership.
    assert [(r.outcome, r.operation, r.changed) for r in again.results] == [
        (Outcome.ACCEPTED, "insert", False),
        (Outcome.ACCEPTED, "insert", False),
    ]
    assert len(stored(http, sandbox, "cadence_memberships")) == 2


def test_create_mode_on_a_cadence_adds_existing_people_as_they_are(sandbox, http, destination):
    records = [
        {"email_address": "peter@initech.example", "first_name": "Changed"},
        {"email_address": "fresh@example.com", "first_name": "Fresh"},
    ]
    clear_log(http, sandbox)

    batch = destination.write(CADENCE, "create", records, identity_field="email_address")

    assert [(r.outcome, r.operation) for r in batch.results] == [
        (Outcome.ACCEPTED, "insert"),
        (Outcome.ACCEPTED, "insert"),
    ]
    assert stored_person(http, sandbox, "peter@initech.example")["first_name"] == "Peter"
    assert stored_person(http, sandbox, "fresh@example.com")["first_name"] == "Fresh"
    assert len(stored(http, sandbox, "cadence_memberships")) == 2
    assert request_counts(http, sandbox) == {
        "GET salesloft.people": 1,  # one lookup for the whole batch
        "POST salesloft.people": 1,
        "POST salesloft.cadence_memberships": 2,
    }


def test_people_create_refuses_taken_emails_and_update_refuses_unknown_people(
    sandbox, http, destination
):
    created = destination.write(
        "people",
        "create",
        [
            {"email_address": "ana@example.com", "first_name": "Ana", "phone": 5550100},
            {"email_address": "peter@initech.example", "first_name": "Twin"},
        ],
        identity_field="email_address",
    )
    assert [(r.outcome, r.operation, r.message) for r in created.results] == [
        (Outcome.ACCEPTED, "insert", ""),
        (
            Outcome.REJECTED,
            "insert",
            "Salesloft refused this record: email_address: is already taken",
        ),
    ]
    assert stored_person(http, sandbox, "ana@example.com")["phone"] == "5550100"
    clear_log(http, sandbox)

    updated = destination.write(
        "people",
        "update",
        [
            {"email_address": "peter@initech.example", "title": "Boss"},
            {"email_address": "ghost@example.com", "title": "Nobody"},
        ],
        identity_field="email_address",
    )

    assert updated.results[0].ok and updated.results[0].operation == "update"
    assert updated.results[1].outcome is Outcome.REJECTED
    assert updated.results[1].operation == "update"
    assert "No Salesloft person has email_address ghost@example.com" in updated.results[1].message
    assert "updateOrCreate" in updated.results[1].message
    assert stored_person(http, sandbox, "peter@initech.example")["title"] == "Boss"
    assert all(p["email_address"] != "ghost@example.com" for p in stored(http, sandbox, "people"))
    assert request_counts(http, sandbox) == {"GET salesloft.people": 1, "PUT salesloft.person": 1}


def test_accounts_upsert_by_domain_with_custom_fields_and_say_what_is_wrong(
    sandbox, http, destination
):
    batch = destination.write(
        "accounts",
        "updateOrCreate",
        [
            {"domain": "globex.example", "name": "Globex", "custom_fields.Segment": "Enterprise"},
            {"domain": "https://bad.example", "name": "Bad"},
            {"domain": "initech.example", "name": "Initech Corp", "industry": "Software"},
        ],
        identity_field="domain",
    )

    assert [(r.outcome, r.operation) for r in batch.results] == [
        (Outcome.ACCEPTED, "insert"),
        (Outcome.REJECTED, "upsert"),
        (Outcome.ACCEPTED, "update"),
    ]
    assert batch.results[1].message.startswith("Salesloft refused this record: domain: is invalid")
    accounts = {a["domain"]: a for a in stored(http, sandbox, "accounts")}
    assert accounts["globex.example"]["custom_fields"] == {"Segment": "Enterprise"}
    assert accounts["initech.example"]["name"] == "Initech Corp"
    assert "https://bad.example" not in accounts

    missing = destination.write(
        "accounts", "update", [{"domain": "nowhere.example", "name": "X"}], identity_field="domain"
    )
    assert missing.results[0].outcome is Outcome.REJECTED
    assert "No Salesloft account has domain nowhere.example" in missing.results[0].message


def test_an_expired_access_token_is_refreshed_once_and_the_rotated_token_saved(
    sandbox, http, connection, destination, oauth
):
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={"vendor": "salesloft"})
    clear_log(http, sandbox)

    batch = destination.write(
        "people",
        "updateOrCreate",
        [{"email_address": "late@example.com"}],
        identity_field="email_address",
    )

    assert batch.results[0].ok
    assert any(p["email_address"] == "late@example.com" for p in stored(http, sandbox, "people"))
    assert request_counts(http, sandbox) == {
        "POST salesloft.person_upserts": 2,  # the 401, then the retry with the new token
        "POST salesloft.oauth_token": 1,
    }
    saved = Connection.objects.get(pk=connection.pk)
    assert saved.secrets["refresh_token"] != oauth["refresh_token"]
    assert saved.secrets["access_token"] != oauth["access_token"]
    assert saved.status == Connection.Status.HEALTHY


def test_a_revoked_refresh_token_turns_the_connection_needs_auth(
    sandbox, http, connection, destination
):
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})
    http.post(f"{sandbox.url}/_sandbox/oauth/revoke-refresh-tokens", json={})

    with pytest.raises(NeedsReauthorization, match="Reconnect Salesloft"):
        destination.write(
            CADENCE,
            "updateOrCreate",
            [{"email_address": "x@example.com"}],
            identity_field="email_address",
        )

    saved = Connection.objects.get(pk=connection.pk)
    assert saved.status == Connection.Status.NEEDS_AUTH
    assert all(p["email_address"] != "x@example.com" for p in stored(http, sandbox, "people"))


def test_an_api_key_connection_checks_and_writes(sandbox, http, vendors, organization):
    connection = connection_create(
        organization=organization,
        name="Salesloft key",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": DEMO_API_KEY},
    )
    destination = SalesloftDestination(connection)
    destination.check()
    batch = destination.write(
        CADENCE,
        "updateOrCreate",
        [{"email_address": "keyed@example.com"}],
        identity_field="email_address",
    )
    assert batch.results[0].ok
    assert destination.http.bucket == f"salesloft:connection:{connection.pk}"

    connection.secrets = {"api_key": "ak" + "0" * 64}
    with pytest.raises(DestinationError, match="Paste a new API key") as error:
        SalesloftDestination(connection).check()
    assert error.value.status == 401


def test_a_deleted_cadence_fails_the_batch_with_a_plain_reason(sandbox, http, destination):
    del sandbox.app.emulators["salesloft"].table("cadences")["1004"]

    with pytest.raises(DestinationError, match="Cadence 1004 no longer exists") as error:
        destination.write(
            "cadence:1004",
            "updateOrCreate",
            [{"email_address": "a@example.com"}],
            identity_field="email_address",
        )
    assert error.value.status == 404
    assert destination.http.bucket == "salesloft:team:1"  # from the OAuth redirect's context


def test_a_tight_team_budget_is_waited_out_without_losing_records(sandbox, http, connection):
    # The sandbox allows 4 calls a second; Syncline believes 8. Salesloft's
    # x-ratelimit-remaining-minute says when the team's budget is spent, so the client waits
    # instead of collecting 429s (which carry no Retry-After), and every record still lands.
    sandbox.app.faults.update({"budgets": {"salesloft": "4/1"}})
    connection.configuration = {**connection.configuration, "rate_limit": "8/1"}
    records = [{"email_address": f"burst{n}@example.com"} for n in range(10)]
    clear_log(http, sandbox)

    batch = SalesloftDestination(connection).write(
        "people", "updateOrCreate", records, identity_field="email_address"
    )

    assert all(result.ok for result in batch.results)
    emails = {p["email_address"] for p in stored(http, sandbox, "people")}
    assert {r["email_address"] for r in records} <= emails
    statuses = http.get(f"{sandbox.url}/_sandbox/requests").json()["statuses"]
    assert statuses == {"200": 10}


def test_a_budget_the_limiter_knows_is_never_exceeded(sandbox, http, connection):
    sandbox.app.faults.update({"budgets": {"salesloft": "4/1"}})
    connection.configuration = {**connection.configuration, "rate_limit": "4/1"}
    records = [{"email_address": f"calm{n}@example.com"} for n in range(9)]
    clear_log(http, sandbox)

    batch = SalesloftDestination(connection).write(
        "people", "updateOrCreate", records, identity_field="email_address"
    )

    assert all(result.ok for result in batch.results)
    assert http.get(f"{sandbox.url}/_sandbox/requests").json()["statuses"] == {"200": 9}


def test_records_delivered_before_a_failure_stay_delivered(sandbox, http, destination):
    # The third upsert fails for good: the first two people were created and must say so. An
    # upsert is idempotent, so the failed one was retried and is simply not sent.
    records = [{"email_address": f"early{n}@example.com"} for n in range(4)]
    from_call(destination, 3, lambda: sandbox.app.faults.update({"error_rate": 1.0}))

    batch = destination.write("people", "updateOrCreate", records, identity_field="email_address")

    assert [result.outcome for result in batch.results] == [
        Outcome.ACCEPTED,
        Outcome.ACCEPTED,
        Outcome.NOT_SENT,
        Outcome.NOT_SENT,
    ]
    assert "Salesloft answered 500" in batch.results[2].message
    assert batch.failure is not None and not batch.failure.in_doubt
    people = {p["email_address"] for p in stored(http, sandbox, "people")}
    assert {"early0@example.com", "early1@example.com"} <= people
