"""The LinkedIn Ads walkthrough's steps 5 and 6 with real parts: a `celery worker` takes each
execution from Redis and syncs Snowflake `users` (one row per activity: people repeat) into an
existing audience, and into a new one its first run creates. Each audience ends up holding every
person of the model once, hashed, with the model's names; addresses no one can match are
RecordErrors (in Syncline's words: LinkedIn only ever sees hashes, so it can't refuse one). A
second run sends nothing, and the new audience is never created again."""

from __future__ import annotations

import hashlib

import pytest

from config.services_probe import redis_url
from connections.destinations.linkedin_ads.members import EMAIL
from sandbox.vendors.linkedinads import USER_SEGMENT_ID
from sandbox.warehouse_data import demo_users, invalid_user_emails
from syncs.models import RecordError, SyncExecution
from tests.connections.destinations.linkedin_support import (
    ACME,
    USER_AUDIENCE,
    linkedin_connection,
    linkedin_tokens,
    request_log,
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
# Step 6's creation properties, as the walkthrough's target.create gives them.
NEW = {"name": "New audience", "type": "user_audience", "account": ACME}
SEEDED = 3  # "Trial Signups" holds three members before the sync


def hashed(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def members(http, sandbox, segment_id: int) -> dict[str, dict]:
    """The audience's members by their SHA-256 e-mail hash."""
    return {
        user_id["idValue"]: member
        for member in stored(sandbox, http, "segment_users")
        if member["segment"] == segment_id
        for user_id in member.get("userIds", [])
    }


def run_once(running: Worker, sync) -> SyncExecution:
    execution = SyncExecution.objects.create(sync=sync, status=SyncExecution.Status.QUEUED)
    running.send(execution)
    return running.wait(execution)


def posts(http, sandbox) -> dict[str, int]:
    return {k: n for k, n in request_log(sandbox, http)["counts"].items() if k.startswith("POST")}


@pytest.fixture
def audience_sync(organization, vendors, http, warehouse, make_sync):
    def make(**target):
        linkedin = linkedin_connection(
            organization, linkedin_tokens(http, vendors), accounts=["512630692"]
        )
        return make_sync(
            source=warehouse,
            query=USERS,
            target_connection=linkedin,
            mode="create",
            identity=("email", "Email"),
            fields=[("first_name", "FirstName"), ("last_name", "LastName")],
            **target,
        )

    return make


def sync_twice(sync, sandbox, http, tmp_path) -> tuple[SyncExecution, SyncExecution]:
    with worker(broker=redis_url(), sandbox_url=sandbox.url, tmp_path=tmp_path) as running:
        first = run_once(running, sync)
        assert first.status == "completed", first.errors
        http.delete(f"{sandbox.url}/_sandbox/requests")
        second = run_once(running, sync)
    assert second.status == "completed", second.errors
    return first, second


def assert_audience_is_the_model(http, sandbox, segment_id: int, first: SyncExecution) -> int:
    """Every person of the model once with their names, but the unmatchable addresses, which
    are RecordErrors; returns how many people were delivered."""
    people = {u.email.strip().lower(): u for u in demo_users()}
    refused = dict(
        RecordError.objects.filter(execution=first).values_list("identity_value", "message")
    )
    unmatchable = {e.lower() for e in invalid_user_emails() if not EMAIL.match(e)}
    assert set(refused) == unmatchable
    assert all("is not an e-mail address" in message for message in refused.values())
    audience = members(http, sandbox, segment_id)
    for email, user in people.items():
        if email in refused:
            assert hashed(email) not in audience
            continue
        member = audience[hashed(email)]
        assert (member["firstName"], member["lastName"]) == (user.first_name, user.last_name)
    assert first.progress["duplicates_collapsed"] == len(demo_users()) - len(people)
    return len(people) - len(refused)


def test_a_worker_fills_an_existing_audience(audience_sync, http, sandbox, tmp_path):
    sync = audience_sync(target=USER_AUDIENCE)
    first, second = sync_twice(sync, sandbox, http, tmp_path)
    delivered = assert_audience_is_the_model(http, sandbox, USER_SEGMENT_ID, first)
    assert len(members(http, sandbox, USER_SEGMENT_ID)) == delivered + SEEDED
    assert first.insert_count == delivered
    assert second.unchanged_count == delivered
    assert posts(http, sandbox) == {}  # the refused ones are refused again before sending


def test_a_worker_creates_a_new_audience_once_and_fills_it(audience_sync, http, sandbox, tmp_path):
    sync = audience_sync(target="", target_create=NEW)
    first, second = sync_twice(sync, sandbox, http, tmp_path)
    (segment,) = [s for s in stored(sandbox, http, "segments") if s["name"] == NEW["name"]]
    sync.refresh_from_db()
    assert sync.target_object == f"{ACME}~user_audience.{segment['id']}"
    assert segment["sourcePlatform"] == "SYNCLINE"
    delivered = assert_audience_is_the_model(http, sandbox, segment["id"], first)
    assert len(members(http, sandbox, segment["id"])) == delivered
    assert second.unchanged_count == delivered
    assert posts(http, sandbox) == {}  # neither a second audience nor any member
