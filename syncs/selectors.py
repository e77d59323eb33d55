"""Reads for syncs and executions, scoped to one organization.

Every list here costs the same number of queries whatever its length: related rows come by
select_related or one subquery per column, rejected records page by keyset (id), never OFFSET.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from organizations.models import Organization
from syncs.models import RecordError, Sync, SyncExecution

FAILED = ("failed", "interrupted")
IN_PROGRESS = ("created", "queued", "running", "canceling")
# The Syncs list's status filter: its value → what a person reads, and the rows it keeps.
STATUS_FILTERS: dict[str, str] = {
    "failed": "Last run failed",
    "running": "Running or waiting",
    "completed": "Last run completed",
    "canceled": "Last run canceled",
    "never": "Never run",
    "paused": "Paused",
}


def execution_recent_list(
    *, organization: Organization, limit: int = 10
) -> QuerySet[SyncExecution]:
    return (
        SyncExecution.objects.filter(sync__organization=organization)
        .select_related("sync")
        .order_by("-created_at")[:limit]
    )


def _last(field: str) -> Subquery:
    latest = SyncExecution.objects.filter(sync=OuterRef("pk")).order_by("-created_at")
    return Subquery(latest.values(field)[:1])


def sync_list(*, organization: Organization, status: str = "") -> QuerySet[Sync]:
    """The organization's syncs with their last run; failures first, then by name.

    Each sync's last run comes from the (sync, -created_at) index, one row per subquery."""
    syncs = (
        Sync.objects.filter(organization=organization)
        .select_related("model", "target_connection", "organization")
        .annotate(
            last_execution_id=_last("pk"),
            last_status=_last("status"),
            last_created_at=_last("created_at"),
            last_completed_at=_last("completed_at"),
            last_error_count=_last("error_count"),
            failing=Case(
                When(last_status__in=FAILED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
    )
    if status == "failed":
        syncs = syncs.filter(last_status__in=FAILED)
    elif status == "running":
        syncs = syncs.filter(last_status__in=IN_PROGRESS)
    elif status in ("completed", "canceled"):
        syncs = syncs.filter(last_status=status)
    elif status == "never":
        syncs = syncs.filter(last_status__isnull=True)
    elif status == "paused":
        syncs = syncs.filter(active=False)
    return syncs.order_by("failing", "name", "id")


def sync_get(*, organization: Organization, sync_id: object) -> Sync | None:
    return (
        Sync.objects.filter(organization=organization, pk=sync_id)
        .select_related("model", "model__source", "target_connection", "organization")
        .first()
    )


def sync_executions(*, sync: Sync, limit: int = 20) -> list[SyncExecution]:
    return list(
        SyncExecution.objects.filter(sync=sync)
        .select_related("started_by")
        .defer("log", "report", "progress")
        .order_by("-created_at")[:limit]
    )


def sync_current_execution(*, sync: Sync) -> SyncExecution | None:
    """The run in progress (or the one waiting), else None."""
    return (
        SyncExecution.objects.filter(sync=sync, status__in=IN_PROGRESS)
        .defer("log", "report")
        .order_by("-created_at")
        .first()
    )


def sync_last_dry_run(*, sync: Sync) -> SyncExecution | None:
    return (
        SyncExecution.objects.filter(sync=sync, test=True, status="completed")
        .only("pk", "report", "completed_at", "sync_id")
        .order_by("-created_at")
        .first()
    )


def execution_get(*, organization: Organization, execution_id: object) -> SyncExecution | None:
    return (
        SyncExecution.objects.filter(sync__organization=organization, pk=execution_id)
        .select_related(
            "sync", "sync__model", "sync__target_connection", "sync__organization", "started_by"
        )
        .first()
    )


def execution_progress_get(
    *, organization: Organization, execution_id: object
) -> SyncExecution | None:
    """The few columns the live progress panel polls for."""
    return (
        SyncExecution.objects.filter(sync__organization=organization, pk=execution_id)
        .select_related("sync")
        .only(
            "pk",
            "status",
            "phase",
            "progress",
            "started_at",
            "completed_at",
            "error_count",
            "test",
            "sync__id",
            "sync__name",
            "sync__organization_id",
        )
        .first()
    )


def _errors_matching(execution: SyncExecution, search: str) -> QuerySet[RecordError]:
    errors = RecordError.objects.filter(execution=execution)
    search = search.strip()
    if search:
        errors = errors.filter(Q(identity_value__icontains=search) | Q(message__icontains=search))
    return errors


@dataclass(frozen=True)
class ErrorPage:
    rows: list[RecordError]
    next_after: int | None  # the id to continue after, when there are more
    previous_before: int | None  # the id to go back before, when this is not the first page


def record_error_page(
    *,
    execution: SyncExecution,
    search: str = "",
    after: int | None = None,
    before: int | None = None,
    size: int = 50,
) -> ErrorPage:
    """One page of an execution's rejected records by keyset on id: two queries at most,
    however deep the page (OFFSET would read every row before it)."""
    errors = _errors_matching(execution, search).only(
        "id", "identity_value", "operation", "message", "payload", "created_at", "execution_id"
    )
    if before is not None:
        rows = list(errors.filter(id__lt=before).order_by("-id")[: size + 1])
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        return ErrorPage(
            rows=rows,
            next_after=rows[-1].id if rows else None,
            previous_before=rows[0].id if rows and more_before else None,
        )
    if after is not None:
        errors = errors.filter(id__gt=after)
    rows = list(errors.order_by("id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return ErrorPage(
        rows=rows,
        next_after=rows[-1].id if rows and more else None,
        previous_before=rows[0].id if rows and after is not None else None,
    )


def record_error_rows(
    *, execution: SyncExecution, search: str = ""
) -> Iterator[tuple[str, str, str, Any, dt.datetime]]:
    """Every rejected record of an execution, streamed in id order (for the CSV download)."""
    return (
        _errors_matching(execution, search)
        .order_by("id")
        .values_list("identity_value", "operation", "message", "payload", "created_at")
        .iterator(chunk_size=2000)
    )


def failures_since(*, organization: Organization, hours: int = 24) -> QuerySet[SyncExecution]:
    """Failed runs of the last `hours`, newest first."""
    since = timezone.now() - dt.timedelta(hours=hours)
    return (
        SyncExecution.objects.filter(
            sync__organization=organization, status__in=FAILED, created_at__gte=since
        )
        .select_related("sync")
        .defer("log", "report", "progress")
        .order_by("-created_at")
    )
