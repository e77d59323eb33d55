"""Snowflake `users` → Salesforce Contact, upserted by Email with the names mapped, run by a real
`celery worker` from Redis on the PostgreSQL app database, against the demo warehouse and the
Salesforce sandbox. Salesforce ends up holding the model: every person once, with the model's
names, whether their Contact was there before (updated) or not (created); the addresses it
refuses are RecordErrors in its words. A second run writes nothing but the refused records,
tried again as every run tries them."""

from __future__ import annotations

import pytest

from config.services_probe import redis_url
from sandbox.warehouse_data import demo_users, invalid_user_emails
from syncs.models import RecordError, SyncExecution
from tests.connections.destinations.salesforce_support import (
    by_email,
    clear_log,
    connection_for,
    counts,
    oauth_tokens,
    stored,
)
from tests.integration.worker import Worker, worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
]

USERS = "SELECT first_name, last_name, email FROM users"


def run_once(running: Worker, sync) -> SyncExecution:
    execution = SyncExecution.objects.create(sync=sync, status=SyncExecution.Status.QUEUED)
    running.send(execution)
    return running.wait(execution)


def writes(http, sandbox) -> int:
    return sum(n for endpoint, n in counts(http, sandbox).items() if not endpoint.startswith("GET"))


def test_a_worker_upserts_the_users_into_salesforce_contacts(
    organization, vendors, http, sandbox, warehouse, make_sync, tmp_path
):
    salesforce = connection_for(organization, oauth_tokens(http, sandbox))
    sync = make_sync(
        source=warehouse,
        query=USERS,
        target_connection=salesforce,
        target="Contact",
        mode="updateOrCreate",
        identity=("email", "Email"),
        fields=[("first_name", "FirstName"), ("last_name", "LastName")],
    )
    model = {u.email.strip().lower(): u for u in demo_users()}
    before = by_email(http, sandbox)
    with worker(broker=redis_url(), sandbox_url=sandbox.url, tmp_path=tmp_path) as running:
        first = run_once(running, sync)
        assert first.status == "completed", first.errors
        clear_log(http, sandbox)
        second = run_once(running, sync)
    assert second.status == "completed", second.errors

    refused = dict(
        RecordError.objects.filter(execution=first).values_list("identity_value", "message")
    )
    # Every broken address in the model, and nothing else, is refused in Salesforce's words.
    assert set(refused) == {e.lower() for e in invalid_user_emails()}
    assert all("invalid email address" in message for message in refused.values())
    contacts = by_email(http, sandbox)
    for email, user in model.items():
        if email in refused:
            continue
        contact = contacts[email]
        assert (contact["FirstName"], contact["LastName"]) == (user.first_name, user.last_name)
    delivered = model.keys() - refused.keys()
    updated = delivered & before.keys()
    assert updated, "the sandbox seeds Contacts for some users: upsert must update them"
    emails = [c["Email"].lower() for c in stored(http, sandbox, "Contact") if c.get("Email")]
    assert sorted(e for e in emails if e in delivered) == sorted(delivered)  # each one once
    assert first.insert_count + first.update_count + first.upsert_count == len(delivered)
    assert second.unchanged_count == len(delivered)
    assert set(
        RecordError.objects.filter(execution=second).values_list("identity_value", flat=True)
    ) == set(refused)
    # Nothing else is written: one collection call carries the 50 refused records, which every
    # run tries again until the model fixes them (DESIGN.md §5.6).
    assert writes(http, sandbox) == 1
