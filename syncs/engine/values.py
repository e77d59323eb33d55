"""Warehouse values as JSON a destination can take, and the hash that says a record changed.

Dates and timestamps become ISO 8601, decimals numbers (or text when a float would change them),
Snowflake VARIANT / OBJECT / ARRAY text is parsed, binary becomes base64, nulls stay nulls.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import json.encoder
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

# Source types whose values arrive as JSON text (Snowflake semi-structured columns).
JSON_REMOTE_TYPES = frozenset({"VARIANT", "OBJECT", "ARRAY", "JSON", "JSONB"})


# Values a destination takes as they come (JSON's own types), when the column isn't JSON text.
# Checked by exact type first: the common case costs one set lookup per value (P1, a model of a
# million rows is normalised value by value).
AS_IS = frozenset({str, int, bool, type(None)})


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
        return _float(value)
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


def _float(value: float) -> float | None:
    return None if value != value else value  # NaN has no JSON form: a missing value


def _decimal(value: Decimal) -> int | float | str | None:
    if not value.is_finite():
        return None
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    # Only when the float says the same number: 0.1 stays 0.1, 12345678901234567.89 stays text.
    return as_float if Decimal(repr(as_float)) == value.normalize() else str(value)


# One encoder for every record: json.dumps with options builds a new encoder on each call, and
# JSONEncoder.encode a new C encoder on each call (json.encoder.c_make_encoder, CPython's
# accelerator; the pure-Python encoder where it is missing). Same text either way.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_C_ENCODER = (
    json.encoder.c_make_encoder(
        None,  # markers: records are flat values from a warehouse, no cycles to look for
        _ENCODER.default,
        json.encoder.encode_basestring,  # ensure_ascii=False (C where there is C)
        None,  # indent
        ":",
        ",",
        True,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )
    if json.encoder.c_make_encoder is not None
    else None
)


# normalize() for the commonest types, found by exact type in one lookup instead of a chain of
# isinstance checks (subclasses, and every other type, go through normalize itself).
CONVERTERS: dict[type, Callable[[Any], Any]] = {
    float: _float,
    Decimal: _decimal,
    dt.date: dt.date.isoformat,
    dt.datetime: dt.datetime.isoformat,
    dt.time: dt.time.isoformat,
    uuid.UUID: str,
}


def record_text(record: dict[str, Any]) -> str:
    """A record as canonical JSON (keys sorted, no spaces): what is hashed and what is spooled."""
    if _C_ENCODER is None:
        return _ENCODER.encode(record)
    return "".join(_C_ENCODER(record, 0))


def text_hash(text: str) -> str:
    """The digest of a record_text(): the values hash kept in SyncState."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def record_hash(record: dict[str, Any]) -> str:
    """A stable digest of the values a record sends: equal values, equal hash."""
    return text_hash(record_text(record))
