"""Idempotency-Key on POST and PUT (reference/polytomic-api.md §1.8).

The first request with a key fixes the outcome: its status and body are kept per
(organization, key) and replayed verbatim — errors included — for SYNCLINE_IDEMPOTENCY_HOURS.
While the first is still running, a second gets 409 (Polytomic's client retries it itself).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.errors import ApiError
from api.models import IdempotentRequest
from organizations.models import Organization

HEADER = "HTTP_IDEMPOTENCY_KEY"
METHODS = ("POST", "PUT", "PATCH")
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,255}$")


def _cutoff() -> Any:
    return timezone.now() - timedelta(hours=settings.SYNCLINE_IDEMPOTENCY_HOURS)


def idempotency_begin(
    *, organization: Organization, key: str, method: str, path: str
) -> tuple[IdempotentRequest | None, IdempotentRequest | None]:
    """(the record this request now owns, or None; a finished earlier outcome to replay, or
    None). Raises ApiError 400 for a malformed key, 409 while the first request runs."""
    if not _KEY.match(key):
        raise ApiError(
            400,
            "The Idempotency-Key header must be 8 to 255 letters, digits, '-' or '_'.",
            key="invalid_idempotency_key",
        )
    IdempotentRequest.objects.filter(organization=organization, created_at__lt=_cutoff()).delete()
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                organization=organization, key=key, method=method, path=path
            )
        return record, None
    except IntegrityError:
        pass
    earlier = IdempotentRequest.objects.get(organization=organization, key=key)
    if earlier.status is not None:
        return None, earlier
    stale = timezone.now() - timedelta(seconds=settings.SYNCLINE_IDEMPOTENCY_IN_FLIGHT_SECONDS)
    if earlier.created_at < stale:
        # The first request died without an answer: this one takes the key over.
        taken = IdempotentRequest.objects.filter(
            pk=earlier.pk, status__isnull=True, created_at=earlier.created_at
        ).update(created_at=timezone.now(), method=method, path=path)
        if taken:
            earlier.refresh_from_db()
            return earlier, None
    raise ApiError(
        409,
        "A request with this Idempotency-Key is still being processed; retry in a moment.",
        key="idempotency_in_flight",
        headers={"Retry-After": "1"},
    )


def idempotency_finish(*, record: IdempotentRequest, status: int, body: Any) -> None:
    IdempotentRequest.objects.filter(pk=record.pk).update(status=status, body=body)
