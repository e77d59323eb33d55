"""Writes for syncs and their executions."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from syncs.events import execution_event_record
from syncs.models import Sync, SyncExecution


def sync_execution_claim(*, execution_id: UUID | str) -> bool:
    """Move a waiting execution to running; False if another worker or run got there first.

    The conditional update makes a redelivered task a no-op; the partial unique index
    ``one_running_execution_per_sync`` refuses a second running execution of the same sync.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = SyncExecution.objects.filter(
                pk=execution_id, status__in=SyncExecution.WAITING
            ).update(status=SyncExecution.Status.RUNNING, started_at=now, heartbeat_at=now)
    except IntegrityError:
        return False
    return claimed == 1


class SyncNotRunnable(Exception):
    """A start that can't be honoured (a paused sync on a schedule, ...), said in a sentence."""


def sync_execution_start(
    *,
    sync: Sync,
    trigger: str = SyncExecution.Trigger.MANUAL,
    resync: bool = False,
    test: bool = False,
    identities: list[str] | None = None,
) -> SyncExecution:
    """Queue a run of the sync and enqueue it once the transaction commits.

    Starts coalesce (DESIGN.md §5.2): while one execution waits, further starts return it;
    while one runs, one more is queued behind it and enqueued when the running one ends.
    """
    if trigger == SyncExecution.Trigger.SCHEDULE and not sync.active:
        raise SyncNotRunnable(f"{sync.name} is paused, so its schedule doesn't start it.")
    waiting = SyncExecution.objects.filter(sync=sync, status__in=SyncExecution.WAITING).first()
    if waiting is not None:
        return waiting
    try:
        with transaction.atomic():
            execution = SyncExecution.objects.create(
                sync=sync,
                status=SyncExecution.Status.QUEUED,
                trigger=trigger,
                resync=resync,
                test=test,
                identities=[str(value) for value in identities or []],
            )
    except IntegrityError:
        # Another start got there between our look and our insert: theirs is the one.
        return SyncExecution.objects.get(sync=sync, status__in=SyncExecution.WAITING)
    if not _running(sync):
        _enqueue(execution)
    return execution


def _running(sync: Sync) -> bool:
    return SyncExecution.objects.filter(
        sync=sync, status__in=[SyncExecution.Status.RUNNING, SyncExecution.Status.CANCELING]
    ).exists()


def _enqueue(execution: SyncExecution) -> None:
    from syncs.tasks import execute_sync

    transaction.on_commit(lambda: execute_sync.delay(str(execution.pk)))


def sync_execution_run(*, execution_id: UUID | str) -> None:
    """The worker's side: claim, run, then hand over to the execution waiting behind it."""
    from syncs.engine.run import execute

    if not sync_execution_claim(execution_id=execution_id):
        return  # a redelivered task, or another worker has it: nothing to do
    execution = SyncExecution.objects.select_related(
        "sync", "sync__model", "sync__model__source", "sync__target_connection"
    ).get(pk=execution_id)
    execution_event_record(execution=execution)
    try:
        execute(execution)
    finally:
        execution.refresh_from_db()
        execution_event_record(execution=execution)
        sync_run_after_start(execution=execution)
        waiting = SyncExecution.objects.filter(
            sync_id=execution.sync_id, status__in=SyncExecution.WAITING
        ).first()
        if waiting is not None:
            _enqueue(waiting)


def sync_execution_cancel(*, execution: SyncExecution) -> SyncExecution:
    """A waiting run is canceled at once; a running one stops at the next batch boundary."""
    now = timezone.now()
    SyncExecution.objects.filter(pk=execution.pk, status__in=SyncExecution.WAITING).update(
        status=SyncExecution.Status.CANCELED, completed_at=now
    )
    SyncExecution.objects.filter(pk=execution.pk, status=SyncExecution.Status.RUNNING).update(
        status=SyncExecution.Status.CANCELING
    )
    execution.refresh_from_db()
    return execution


def sync_schedule_tick(*, now: dt.datetime | None = None) -> list[SyncExecution]:
    """Start the syncs whose schedule is due, each once however many beats tick at once: the
    conditional update of next_run_at is the claim. Paused syncs never start on a schedule."""
    from syncs import schedules

    now = now or timezone.now()
    started: list[SyncExecution] = []
    due = Sync.objects.filter(active=True).select_related("organization")
    for sync in due.iterator(chunk_size=500):
        frequency = sync.frequency
        if frequency in ("manual", "runafter"):
            continue
        if frequency == "continuous":
            if _continuous_due(sync, now):
                started.append(
                    sync_execution_start(sync=sync, trigger=SyncExecution.Trigger.SCHEDULE)
                )
            continue
        try:
            following = schedules.next_run(
                sync.schedule, after=now, time_zone=sync.organization.time_zone
            )
        except schedules.ScheduleError:
            continue  # saved before validation existed; the sync page says what is wrong
        claimed = Sync.objects.filter(pk=sync.pk, next_run_at=sync.next_run_at)
        if sync.next_run_at is None:
            claimed.update(next_run_at=following)  # the first due time: from now on
        elif sync.next_run_at <= now and claimed.update(next_run_at=following) == 1:
            started.append(sync_execution_start(sync=sync, trigger=SyncExecution.Trigger.SCHEDULE))
    return started


def _continuous_due(sync: Sync, now: dt.datetime) -> bool:
    from django.conf import settings

    executions = SyncExecution.objects.filter(sync=sync)
    if executions.exclude(status__in=SyncExecution.TERMINAL).exists():
        return False
    last = executions.filter(completed_at__isnull=False).order_by("-completed_at").first()
    interval = dt.timedelta(seconds=settings.SYNCLINE_CONTINUOUS_MIN_INTERVAL)
    return last is None or last.completed_at + interval <= now


def sync_run_after_start(*, execution: SyncExecution) -> list[SyncExecution]:
    """Start the syncs scheduled to run after this one (`runafter`), as their settings say."""
    succeeded = execution.status == SyncExecution.Status.COMPLETED
    started = []
    followers = Sync.objects.filter(
        organization_id=execution.sync.organization_id, active=True
    ).exclude(pk=execution.sync_id)
    for sync in followers:
        if sync.frequency != "runafter":
            continue
        run_after = sync.schedule.get("run_after") or {}
        if str(execution.sync_id) not in {str(i) for i in run_after.get("sync_ids") or []}:
            continue
        if sync.schedule.get("run_after_success_only") and not succeeded:
            continue
        started.append(sync_execution_start(sync=sync, trigger=SyncExecution.Trigger.SCHEDULE))
    return started


def sync_execution_reap(*, now: dt.datetime | None = None) -> list[SyncExecution]:
    """Executions whose worker is gone (no heartbeat for a while) are marked interrupted and a
    run is queued to resume them: state is committed per batch, so it goes on where it was."""
    from django.conf import settings

    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.SYNCLINE_HEARTBEAT_STALE_SECONDS)
    resumed = []
    running = SyncExecution.objects.filter(
        status__in=[SyncExecution.Status.RUNNING, SyncExecution.Status.CANCELING],
        heartbeat_at__lt=stale,
    ).select_related("sync")
    for execution in running:
        canceling = execution.status == SyncExecution.Status.CANCELING
        message = (
            "The worker running this sync stopped before it finished. What it delivered is "
            "kept; a new run picks up the rest."
        )
        marked = SyncExecution.objects.filter(
            pk=execution.pk, status=execution.status, heartbeat_at=execution.heartbeat_at
        ).update(
            # A run that was being canceled is simply canceled: nobody wants it resumed.
            status=SyncExecution.Status.CANCELED if canceling else SyncExecution.Status.INTERRUPTED,
            completed_at=now,
            phase="",
            errors=execution.errors if canceling else [*execution.errors, message],
        )
        if not marked:
            continue  # it beat, or another reaper got it, in the meantime
        execution.refresh_from_db()
        execution_event_record(execution=execution)
        if not canceling:
            resumed.append(sync_execution_start(sync=execution.sync, trigger=execution.trigger))
    return resumed
