"""Keyset pages with opaque tokens (reference/polytomic-api.md §1.7): base64 of the last
row's ordering value and id; `limit` defaults to and is capped at 50."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from django.db.models import Model, Q, QuerySet

from api.errors import ApiError

MAX_LIMIT = 50


def page_limit(raw: str | None) -> int:
    try:
        limit = int(raw) if raw not in (None, "") else MAX_LIMIT
    except ValueError as error:
        raise ApiError(400, f"limit must be a whole number, not '{raw}'.") from error
    return MAX_LIMIT if limit <= 0 or limit > MAX_LIMIT else limit


def _encode(when: datetime, pk: object) -> str:
    return base64.urlsafe_b64encode(f"{when.isoformat()}|{pk}".encode()).decode().rstrip("=")


def _decode(token: str) -> tuple[datetime, str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        when, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|", 1)
        return datetime.fromisoformat(when), pk
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ApiError(
            400, "page_token is not one this API gave out: pass next_page_token as it came."
        ) from error


def keyset_page(
    queryset: QuerySet[Any],
    *,
    field: str,
    descending: bool,
    token: str | None,
    limit: int,
) -> tuple[list[Model], str | None]:
    """One page ordered by `field` (then id, ascending) and the token of the next, or None."""
    order = f"-{field}" if descending else field
    rows = queryset.order_by(order, "id")
    if token:
        when, pk = _decode(token)
        beyond = Q(**{f"{field}__lt" if descending else f"{field}__gt": when})
        rows = rows.filter(beyond | Q(**{field: when, "id__gt": pk}))
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], _encode(getattr(last, field), last.pk)
