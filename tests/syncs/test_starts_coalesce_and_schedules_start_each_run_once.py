import datetime as dt

import pytest
from django.utils import timezone

from syncs import services
from syncs.models import SyncExecution
from tests.factories import SyncExecutionFactory, SyncFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    sent = []
    monkeypatch.setattr(services, "_enqueue", lambda execution: sent.append(execution.pk))
    return sent


def test_a_start_while_one_waits_returns_the_waiting_one(enqueued):
    sync = SyncFactory()
    first = services.sync_execution_start(sync=sync)
    again = services.sync_execution_start(sync=sync, resync=True)
    assert again.pk == first.pk
    assert enqueued == [first.pk]


def test_a_start_while_one_runs_queues_one_behind_it_without_enqueuing_it(enqueued):
    sync = SyncFactory()
    SyncExecutionFactory(sync=sync, status=SyncExecution.Status.RUNNING)
    queued = services.sync_execution_start(sync=sync)
    assert queued.status == SyncExecution.Status.QUEUED
    assert services.sync_execution_start(sync=sync).pk == queued.pk
    assert enqueued == []


def test_a_paused_sync_never_starts_on_its_schedule(enqueued):
    sync = SyncFactory(active=False, schedule={"frequency": "hourly", "minute": "0"})
    with pytest.raises(services.SyncNotRunnable, match="paused"):
        services.sync_execution_start(sync=sync, trigger=SyncExecution.Trigger.SCHEDULE)
    sync.next_run_at = timezone.now() - dt.timedelta(minutes=1)
    sync.save()
    assert services.sync_schedule_tick() == []


def test_a_due_sync_is_started_once_however_many_ticks_see_it(enqueued):
    now = timezone.now()
    sync = SyncFactory(schedule={"frequency": "hourly", "minute": "0"})
    assert services.sync_schedule_tick(now=now) == []  # first sight: only sets the due time
    sync.refresh_from_db()
    assert sync.next_run_at > now
    later = sync.next_run_at + dt.timedelta(seconds=1)
    started = services.sync_schedule_tick(now=later)
    assert len(started) == 1
    assert started[0].trigger == SyncExecution.Trigger.SCHEDULE
    sync.refresh_from_db()
    assert sync.next_run_at > later
    assert services.sync_schedule_tick(now=later) == []


def test_a_sync_scheduled_to_run_after_another_starts_when_it_completes(enqueued):
    leader = SyncFactory()
    follower = SyncFactory(
        organization=leader.organization,
        model=leader.model,
        target_connection=leader.target_connection,
        schedule={
            "frequency": "runafter",
            "run_after": {"sync_ids": [str(leader.pk)]},
            "run_after_success_only": True,
        },
    )
    failed = SyncExecutionFactory(sync=leader, status=SyncExecution.Status.FAILED)
    assert services.sync_run_after_start(execution=failed) == []
    done = SyncExecutionFactory(sync=leader, status=SyncExecution.Status.COMPLETED)
    (started,) = services.sync_run_after_start(execution=done)
    assert started.sync_id == follower.pk


def test_a_run_whose_worker_went_silent_is_interrupted_and_resumed(enqueued):
    sync = SyncFactory()
    old = timezone.now() - dt.timedelta(hours=1)
    lost = SyncExecutionFactory(sync=sync, status=SyncExecution.Status.RUNNING, heartbeat_at=old)
    alive = SyncExecutionFactory(
        sync=SyncFactory(), status=SyncExecution.Status.RUNNING, heartbeat_at=timezone.now()
    )
    (resumed,) = services.sync_execution_reap()
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert lost.status == SyncExecution.Status.INTERRUPTED
    assert "stopped before it finished" in lost.errors[-1]
    assert alive.status == SyncExecution.Status.RUNNING
    assert resumed.sync_id == sync.pk
    assert enqueued == [resumed.pk]


def test_canceling_a_waiting_run_ends_it_and_a_running_one_is_asked_to_stop(enqueued):
    waiting = SyncExecutionFactory(status=SyncExecution.Status.QUEUED)
    running = SyncExecutionFactory(status=SyncExecution.Status.RUNNING)
    assert services.sync_execution_cancel(execution=waiting).status == "canceled"
    assert services.sync_execution_cancel(execution=running).status == "canceling"
