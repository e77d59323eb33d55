"""Warehouse values as JSON a destination can take, and the hash that says a record changed.

Dates and timestamps become ISO 8601, decimals numbers (or text when a float would change them),
Snowflake VARIANT / OBJECT / ARRAY text is parsed, binary becomes base64, nulls stay nulls.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any

# Source types whose values arrive as JSON text (Snowflake semi-structured columns).
JSON_REMOTE_TYPES = frozenset({"VARIANT", "OBJECT", "ARRAY", "JSON", "JSONB"})


def normalize(value: Any, *, remote_type: str = "") -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        if remote_type.upper() in JSON_REMOTE_TYPES:
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
    if isinstance(value, float):
        return None if value != value else value  # NaN has no JSON form: a missing value
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    return str(value)


def _decimal(value: Decimal) -> int | float | str | None:
    if not value.is_finite():
        return None
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    # Only when the float says the same number: 0.1 stays 0.1, 12345678901234567.89 stays text.
    return as_float if Decimal(repr(as_float)) == value.normalize() else str(value)


def record_hash(record: dict[str, Any]) -> str:
    """A stable digest of the values a record sends: equal values, equal hash."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
