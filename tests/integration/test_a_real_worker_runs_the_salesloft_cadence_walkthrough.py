"""The Salesloft walkthrough's step 6 with real parts: a `celery worker` takes the execution from
Redis and syncs the walkthrough's model of Snowflake `users` into a cadence — each person
upserted by e-mail with the mapped names, then added to the cadence — on the PostgreSQL app
database, against the demo warehouse and the Salesloft sandbox.

Salesloft is one call per record, so the model is the walkthrough's query for the people whose
e-mail starts with "a" (189 of them, four with broken addresses): the run stays in seconds and
within Salesloft's own 600 a minute."""

from __future__ import annotations

import pytest

from config.services_probe import redis_url
from sandbox.warehouse_data import demo_users, invalid_user_emails
from syncs.models import RecordError, SyncExecution
from tests.connections.destinations.salesloft.support import CADENCE, clear_log, stored
from tests.integration.worker import Worker, worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
]

WALKTHROUGH = (
    "SELECT MAX(last_activity_date) AS last_activity_date, plan, first_name, last_name, email "
    "FROM users WHERE email LIKE 'a%' GROUP BY plan, first_name, last_name, email"
)


def run_once(running: Worker, sync) -> SyncExecution:
    execution = SyncExecution.objects.create(sync=sync, status=SyncExecution.Status.QUEUED)
    running.send(execution)
    return running.wait(execution)


def write_calls(http, sandbox) -> dict[str, int]:
    counts = http.get(f"{sandbox.url}/_sandbox/requests").json()["counts"]
    return {endpoint: n for endpoint, n in counts.items() if not endpoint.startswith("GET")}


def test_a_worker_upserts_the_users_and_adds_them_to_the_cadence(
    make_sync, warehouse, salesloft, http, sandbox, tmp_path
):
    sync = make_sync(
        source=warehouse,
        query=WALKTHROUGH,
        target_connection=salesloft,
        target=CADENCE,
        mode="updateOrCreate",
        identity=("email", "Email"),
        fields=[("first_name", "FirstName"), ("last_name", "LastName")],
    )
    model = {u.email.strip().lower(): u for u in demo_users() if u.email.startswith("a")}
    broken = {e.lower() for e in invalid_user_emails()} & model.keys()
    with worker(broker=redis_url(), sandbox_url=sandbox.url, tmp_path=tmp_path) as running:
        first = run_once(running, sync)
        assert first.status == "completed", first.errors
        clear_log(http, sandbox)
        second = run_once(running, sync)
    assert second.status == "completed", second.errors

    errors = {
        e.identity_value: e
        for e in RecordError.objects.filter(execution=first).order_by("identity_value")
    }
    assert set(errors) == broken
    refused = {email for email, error in errors.items() if error.operation == "upsert"}
    held_back = {email for email, error in errors.items() if error.operation == "validate"}
    assert refused and held_back  # Salesloft's refusals, and one no address at all
    assert all("email_address" in errors[email].message for email in refused)  # its words
    people = {p["id"]: p for p in stored(http, sandbox, "people")}
    by_email = {p["email_address"].lower(): p for p in people.values()}
    on_cadence = {
        people[m["person_id"]]["email_address"].lower()
        for m in stored(http, sandbox, "cadence_memberships")
        if m["cadence_id"] == 1001 and m["currently_on_cadence"]
    }
    delivered = model.keys() - broken
    assert on_cadence == delivered
    for email in delivered:
        person, user = by_email[email], model[email]
        assert (person["first_name"], person["last_name"]) == (user.first_name, user.last_name)
    emails = [p["email_address"].lower() for p in people.values()]
    assert len(emails) == len(set(emails))  # nobody created twice
    assert first.insert_count == len(delivered)
    # Nothing changed: no upsert or membership for anyone delivered; only the people Salesloft
    # refused are tried again, one upsert each, as every run tries them.
    assert second.unchanged_count == len(delivered)
    assert write_calls(http, sandbox) == {"POST salesloft.person_upserts": len(refused)}
