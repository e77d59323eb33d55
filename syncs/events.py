"""Events recorded as executions move (the REST API lists them; webhooks deliver them)."""

from __future__ import annotations

from syncs.models import Event, SyncExecution

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
    return Event.objects.create(
        organization_id=sync.organization_id, type=event_type_for(execution), payload=payload
    )
