"""Writes for syncs and their executions."""

from __future__ import annotations

from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

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
    try:
        execute(execution)
    finally:
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
