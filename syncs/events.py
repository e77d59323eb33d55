"""Events recorded as executions move (the REST API lists them; webhooks deliver them).

Kept SYNCLINE_EVENT_RETENTION_HOURS (48 at least, as Polytomic keeps them:
https://apidocs.polytomic.com/guides/events); the beat's `syncline.prune_events` deletes older.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.utils import timezone

from syncs.models import Event, SyncExecution

logger = logging.getLogger(__name__)

_FINISHED = {
    SyncExecution.Status.FAILED: "sync.failed",
    SyncExecution.Status.INTERRUPTED: "sync.failed",
    SyncExecution.Status.CANCELED: "sync.canceled",
}


def event_type_for(execution: SyncExecution) -> str:
    if execution.status in (SyncExecution.Status.RUNNING, SyncExecution.Status.CANCELING):
        return "sync.running"
    if execution.status == SyncExecution.Status.COMPLETED:
        return "sync.completed_with_errors" if execution.error_count else "sync.completed"
    return _FINISHED.get(execution.status, "sync.failed")


def execution_event_record(*, execution: SyncExecution) -> Event:
    sync = execution.sync
    payload = {
        "organization_id": str(sync.organization_id),
        "sync_id": str(sync.pk),
        "name": sync.name,
        "execution_id": str(execution.pk),
        "status": execution.status,
        "trigger": execution.trigger,
        "target_connection_id": str(sync.target_connection_id),
        "model_ids": [str(sync.model_id)],
        "record_count": execution.total_count,
        "error_count": execution.error_count,
        "warning_count": execution.warning_count,
        "counts": {
            "total": execution.total_count,
            "insert": execution.insert_count,
            "update": execution.update_count,
            "upserts": execution.upsert_count,
            "delete": execution.delete_count,
            "unchanged": execution.unchanged_count,
            "error": execution.error_count,
            "warnings": execution.warning_count,
        },
        "errors": list(execution.errors),
        "started_at": execution.started_at.isoformat() if execution.started_at else None,
        "completed_at": execution.completed_at.isoformat() if execution.completed_at else None,
    }
    event = Event.objects.create(
        organization_id=sync.organization_id, type=event_type_for(execution), payload=payload
    )
    try:
        from syncs.webhooks import webhook_deliveries_enqueue

        webhook_deliveries_enqueue(event=event)
    except Exception:
        # The run matters more than its notification: never let a webhook stop a sync.
        logger.exception("Could not queue webhook deliveries of event %s", event.pk)
    return event


def timestamp(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as the API's clients expect (polytomic-api.md §1.5)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_data(event: Event) -> dict[str, Any]:
    """An event as GET /api/events lists it and a webhook receives it (Polytomic's Event:
    id, organization_id, type, created_at, and the type's own object under `event`)."""
    return {
        "id": str(event.pk),
        "organization_id": str(event.organization_id),
        "type": event.type,
        "created_at": timestamp(event.created_at),
        "event": event.payload,
    }


def event_prune(*, now: dt.datetime | None = None, batch: int = 5000) -> int:
    """Delete events (and their deliveries) older than the retention; returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.SYNCLINE_EVENT_RETENTION_HOURS)
    deleted = 0
    while True:  # in batches: one huge DELETE would hold its locks for a long time
        ids = list(Event.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        Event.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
