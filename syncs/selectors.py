"""Reads for syncs and executions, scoped to one organization."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from organizations.models import Organization
from syncs.models import Event, SyncExecution, Webhook


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
