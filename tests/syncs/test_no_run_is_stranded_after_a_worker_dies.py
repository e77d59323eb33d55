"""What a killed worker leaves: its run is reaped and resumed with the options it had (a dry
run stays a dry run), and the run waiting behind it — whose hand-over died with the worker —
is sent again by the next start instead of waiting forever."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from syncs import services
from syncs.models import SyncExecution
from syncs.tasks import execute_sync
from tests.factories import SyncExecutionFactory, SyncFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    tasks: list[str] = []
    monkeypatch.setattr(execute_sync, "delay", lambda execution_id: tasks.append(execution_id))
    return tasks


def _dead_run(sync, **options):
    stale = timezone.now() - dt.timedelta(hours=1)
    return SyncExecutionFactory(
        sync=sync, status="running", started_at=stale, heartbeat_at=stale, **options
    )


def test_a_run_waiting_behind_a_dead_one_is_sent_again(sent, django_capture_on_commit_callbacks):
    sync = SyncFactory()
    _dead_run(sync)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = services.sync_execution_start(sync=sync)  # behind the running one: not sent
    assert sent == []
    with django_capture_on_commit_callbacks(execute=True):
        services.sync_execution_reap()
    assert sent == [str(waiting.pk)]  # the reaper's start finds it and sends it
    with django_capture_on_commit_callbacks(execute=True):
        again = services.sync_execution_start(sync=sync)  # it was just sent: not again
    assert again == waiting and sent == [str(waiting.pk)]


def test_a_run_left_waiting_long_with_nothing_running_is_sent_by_the_next_start(
    sent, django_capture_on_commit_callbacks
):
    sync = SyncFactory()
    stranded = SyncExecutionFactory(sync=sync, status="queued")
    SyncExecution.objects.filter(pk=stranded.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sync_execution_start(sync=sync) == stranded
    assert sent == [str(stranded.pk)]


def test_a_reaped_dry_run_comes_back_a_dry_run_for_the_same_identities(
    sent, django_capture_on_commit_callbacks
):
    sync = SyncFactory()
    dead = _dead_run(sync, test=True, identities=["a@example.com"])
    with django_capture_on_commit_callbacks(execute=True):
        (resumed,) = services.sync_execution_reap()
    dead.refresh_from_db()
    assert dead.status == "interrupted"
    assert (resumed.test, resumed.identities) == (True, ["a@example.com"])


def test_a_paused_scheduled_sync_does_not_stop_the_reaper(sent, django_capture_on_commit_callbacks):
    paused = SyncFactory(active=False)
    _dead_run(paused, trigger=SyncExecution.Trigger.SCHEDULE)
    other = _dead_run(SyncFactory())
    with django_capture_on_commit_callbacks(execute=True):
        resumed = services.sync_execution_reap()
    assert [r.sync_id for r in resumed] == [other.sync_id]


def test_a_dry_run_does_not_start_the_syncs_that_run_after_it():
    leader = SyncFactory()
    SyncFactory(
        organization=leader.organization,
        schedule={"frequency": "runafter", "run_after": {"sync_ids": [str(leader.pk)]}},
    )
    dry = SyncExecutionFactory(sync=leader, status="completed", test=True)
    assert services.sync_run_after_start(execution=dry) == []


def test_a_run_the_reaper_took_over_stops_before_its_next_batch_and_keeps_its_status():
    from syncs.engine.run import Run, RunStopped

    execution = SyncExecutionFactory(status="running")
    run = Run(execution)
    run._check_canceled()  # still its own: goes on
    SyncExecution.objects.filter(pk=execution.pk).update(status="interrupted")
    with pytest.raises(RunStopped) as stopped:
        run._check_canceled()
    assert stopped.value.status == "interrupted"
    run._finish("late")  # what a run still alive writes when it ends
    execution.refresh_from_db()
    assert execution.status == "interrupted"
