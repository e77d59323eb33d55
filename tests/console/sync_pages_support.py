"""A small organization with syncs and runs in every state, for the console's sync pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.factories import RecordErrorFactory, SyncExecutionFactory, SyncFactory


def finished(sync, status, *, ago_minutes=30, **counts):
    now = timezone.now()
    execution = SyncExecutionFactory(sync=sync, status=status, **counts)
    execution.created_at = now - dt.timedelta(minutes=ago_minutes + 1)
    execution.started_at = now - dt.timedelta(minutes=ago_minutes + 1)
    execution.completed_at = now - dt.timedelta(minutes=ago_minutes)
    execution.save()
    return execution


def some_syncs(organization, *, errors=3):
    healthy = SyncFactory(
        organization=organization,
        name="Alpha people",
        schedule={"frequency": "daily", "hour": "9", "minute": "0"},
    )
    finished(healthy, "completed", total_count=10, insert_count=10)
    failing = SyncFactory(organization=organization, name="Zulu cadence")
    failed = finished(
        failing,
        "failed",
        ago_minutes=5,
        errors=["The run stopped while sending to Salesloft: Salesloft is down."],
    )
    rejecting = SyncFactory(organization=organization, name="Mike accounts")
    run = finished(rejecting, "completed", total_count=10, insert_count=7, error_count=errors)
    for number in range(errors):
        RecordErrorFactory(
            execution=run,
            identity_value=f"bad{number}@example",
            message="email_address: is invalid",
            payload={"email_address": f"bad{number}@example", "first_name": "=HYPERLINK(1)"},
        )
    never = SyncFactory(organization=organization, name="Never run", active=False)
    return {
        "healthy": healthy,
        "failing": failing,
        "failed": failed,
        "rejecting": rejecting,
        "rejected_run": run,
        "never": never,
    }
