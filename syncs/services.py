"""Writes for syncs and their executions."""

from __future__ import annotations

from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from syncs.models import SyncExecution


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
