"""DESIGN.md §5's third invariant with real parts: the worker is SIGKILLed at random points of a
run (extracting, between a create and its commit, mid-batch) five times; each time the run is
reaped and resumed by a fresh worker. In the end every record is in Salesloft exactly once, and
Syncline's state says so."""

from __future__ import annotations

import random
import signal
import time

import pytest

from config.services_probe import redis_url
from syncs import services
from syncs.models import RecordError, SyncExecution, SyncState
from tests.integration.worker import worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
]

COUNT = 150
PEOPLE = (
    "SELECT email, first_name FROM users WHERE email IN (SELECT DISTINCT email FROM users "
    f"WHERE email LIKE '%_@_%.%' AND email NOT LIKE '% %' AND email NOT LIKE '%@@%' "
    f"AND email NOT LIKE '%..%' ORDER BY email LIMIT {COUNT})"
)


def people(http, sandbox):
    return http.get(f"{sandbox.url}/_sandbox/records/salesloft/people").json()["data"]


def test_five_kills_lose_nothing_and_create_nobody_twice(
    make_sync, warehouse, salesloft, http, sandbox, tmp_path, settings, monkeypatch
):
    monkeypatch.setattr(services, "_enqueue", lambda execution: None)  # sent by hand below
    settings.SYNCLINE_HEARTBEAT_STALE_SECONDS = 0
    sync = make_sync(
        source=warehouse,
        query=PEOPLE,
        target_connection=salesloft,
        target="people",
        mode="create",  # plain creates: the writes a crash could duplicate
        identity=("email", "email_address"),
        fields=[("first_name", "first_name")],
    )
    seeded = {p["email_address"] for p in people(http, sandbox)}
    sandbox.app.faults.update({"slow_ms": 50})  # a run takes a few seconds: room to kill it
    rng = random.Random(20261201)
    execution = SyncExecution.objects.create(sync=sync, status=SyncExecution.Status.QUEUED)
    kills = 0
    broker = redis_url()
    while kills < 5:
        with worker(broker=broker, sandbox_url=sandbox.url, tmp_path=tmp_path) as running:
            running.send(execution)
            time.sleep(rng.uniform(0.7, 2.5))
            execution.refresh_from_db()
            if execution.is_terminal:
                break  # it finished before the kill: nothing left to interrupt
            running.stop(signal.SIGKILL)
        kills += 1
        execution.refresh_from_db()
        if execution.status == SyncExecution.Status.RUNNING:
            (execution,) = services.sync_execution_reap()
        # else: killed before it was claimed; its task is lost with the worker, send it again
    sandbox.app.faults.update({"slow_ms": 0})
    with worker(broker=broker, sandbox_url=sandbox.url, tmp_path=tmp_path) as running:
        execution.refresh_from_db()
        if not execution.is_terminal:
            running.send(execution)
            execution = running.wait(execution)
        final = services.sync_execution_start(sync=sync)
        running.send(final)
        final = running.wait(final)
    assert kills == 5, "the run finished before the fifth kill: make it slower"
    assert final.status == "completed", final.errors
    assert not RecordError.objects.filter(execution__sync=sync).exists()
    emails = [p["email_address"] for p in people(http, sandbox) if p["email_address"] not in seeded]
    assert len(emails) == COUNT
    assert len(set(emails)) == COUNT  # nobody created twice
    assert SyncState.objects.filter(sync=sync, in_doubt=False).count() == COUNT
    assert SyncExecution.objects.filter(sync=sync, status="interrupted").count() >= 1
