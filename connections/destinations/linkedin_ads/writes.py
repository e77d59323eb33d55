"""LinkedIn's answers to a member batch, as record results (the write contract in base.py).

Per-element statuses: https://learn.microsoft.com/en-us/linkedin/marketing/matched-audiences/create-and-manage-segment-users
("A 201 Created HTTP status code is returned if you add the same ID again or remove an already
deleted ID"), so every 2xx is accepted and nothing tells a change from a repeat.
"""

from __future__ import annotations

from typing import Any

from connections.destinations.base import Operation, RecordResult
from connections.destinations.errors import DestinationError


def element_result(identity: str, operation: Operation, status: dict[str, Any]) -> RecordResult:
    """One element's status: accepted, or LinkedIn's refusal in its own words, with its code."""
    code = status.get("status")
    if isinstance(code, int) and 200 <= code < 300:
        return RecordResult.accepted(identity, operation)
    error = status.get("error") if isinstance(status.get("error"), dict) else {}
    said = str(
        status.get("message") or error.get("message") or f"LinkedIn answered {code} for this record"
    )
    return RecordResult.rejected(
        identity,
        operation,
        f"LinkedIn refused this record: {said}",
        code=str(error.get("code") or code or ""),
        retryable=isinstance(code, int) and (code == 429 or code >= 500),
    )


def not_sent_after(identity: str, operation: Operation, error: DestinationError) -> RecordResult:
    """A record of a call never made because an earlier call of the same write failed."""
    return RecordResult.not_sent(
        identity,
        operation,
        f"Not sent: an earlier call in this batch failed ({error.message}). "
        "It will be sent on the next run.",
    )
