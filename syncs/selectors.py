"""Reads for syncs and executions, scoped to one organization.

Every list here costs the same number of queries whatever its length: related rows come by
select_related or one subquery per column, rejected records page by keyset (id), never OFFSET.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from organizations.models import Organization
from syncs.models import Event, RecordError, Sync, SyncExecution, Webhook

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


# -- events and the webhook (GET /api/events, /api/events_types, /api/webhooks) ---------------

EVENT_PAGE_MAX = 50
UNKNOWN_TYPE = "type must be one of {types}"
BAD_TOKEN = "page_token is not one Syncline gave; start again without it"  # noqa: S105


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    next_page_token: str | None


def event_types() -> list[str]:
    return list(Event.TYPES)


def _page_token(event: Event) -> str:
    raw = f"{event.created_at.isoformat()}|{event.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after_token(token: str) -> Q:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        created, _, event_id = raw.partition("|")
        when = dt.datetime.fromisoformat(created)
        key = uuid.UUID(event_id)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError({"page_token": [BAD_TOKEN]}) from error
    return Q(created_at__gt=when) | Q(created_at=when, pk__gt=key)


def event_list(
    *,
    organization: Organization,
    type: str | None = None,
    starting_after: dt.datetime | None = None,
    ending_before: dt.datetime | None = None,
    page_token: str | None = None,
    limit: int | None = None,
) -> EventPage:
    """The organization's events, oldest first: of one `type`, created after `starting_after`
    and before `ending_before` (Polytomic's filters), a page at a time (`page_token` from
    the previous page's `next_page_token`). ValidationError for an unknown type or token."""
    events = Event.objects.filter(organization=organization)
    if type:
        if type not in Event.TYPES:
            raise ValidationError({"type": [UNKNOWN_TYPE.format(types=", ".join(Event.TYPES))]})
        events = events.filter(type=type)
    if starting_after is not None:
        events = events.filter(created_at__gt=starting_after)
    if ending_before is not None:
        events = events.filter(created_at__lt=ending_before)
    if page_token:
        events = events.filter(_after_token(page_token))
    size = limit if limit is not None and 0 < limit <= EVENT_PAGE_MAX else EVENT_PAGE_MAX
    found = list(events.order_by("created_at", "pk")[: size + 1])
    page = found[:size]
    more = len(found) > size
    return EventPage(events=page, next_page_token=_page_token(page[-1]) if more else None)


def webhook_list(*, organization: Organization) -> QuerySet[Webhook]:
    return Webhook.objects.filter(organization=organization).order_by("created_at")


def webhook_get(*, organization: Organization, webhook_id: str) -> Webhook | None:
    """The organization's webhook with this id; None for another's, or a malformed id."""
    try:
        key = uuid.UUID(str(webhook_id))
    except ValueError:
        return None
    return Webhook.objects.filter(organization=organization, pk=key).first()


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
