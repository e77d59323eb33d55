"""Finding the records a batch's identities name (one SOQL IN query per ~250 values), and
telling whether Salesforce already holds a record's values (only_sync_different).

Text comparisons in SOQL ignore case, so matches are keyed case-insensitively; ids compare on
their case-sensitive 15-character form, which the 18-character form extends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connections.destinations.salesforce.client import SalesforceClient
from connections.destinations.salesforce.describe import FieldInfo, ObjectInfo
from connections.destinations.salesforce.records import json_value
from connections.destinations.salesforce.soql import in_lists, literal, value_at


@dataclass
class Match:
    id: str
    sobject: str
    current: dict[str, Any] = field(default_factory=dict)  # the record as Salesforce holds it


def identity_key(item: FieldInfo, value: Any) -> str:
    if item.type in {"id", "reference"}:
        return str(value)[:15]
    return str(json_value(value)).casefold()


def find(
    client: SalesforceClient,
    info: ObjectInfo,
    key: FieldInfo,
    values: list[Any],
    *,
    read: list[str],
    unconverted_only: bool = False,
) -> dict[str, list[Match]]:
    """Records whose `key` is one of `values`, newest first, keyed by identity_key."""
    columns = list(dict.fromkeys(["Id", key.name, *read]))
    has_modified = info.field("LastModifiedDate") is not None
    # An empty identity names no record (the engine never sends one where it matters).
    wanted = [v for v in values if v not in (None, "")]
    literals = list(dict.fromkeys(literal(json_value(v), numeric=key.numeric) for v in wanted))
    found: dict[str, list[Match]] = {}
    for group in in_lists(literals):
        # Every value is a quoted, escaped SOQL literal (soql.literal); names come from describe.
        select = f"SELECT {', '.join(columns)} FROM {info.name}"  # noqa: S608
        soql = f"{select} WHERE {key.name} IN ({', '.join(group)})"
        if unconverted_only and info.field("IsConverted") is not None:
            soql += " AND IsConverted = false"
        if has_modified:
            soql += " ORDER BY LastModifiedDate DESC"
        for page in client.query_pages(soql):
            for record in page:
                current = {name: value_at(record, name) for name in read}
                match = Match(str(record.get("Id")), info.name, current)
                found.setdefault(identity_key(key, value_at(record, key.name)), []).append(match)
    return found


def readable(info: ObjectInfo, keys: list[str], skip: set[str]) -> list[str]:
    """Record keys that a SOQL SELECT on this object can read back (fields and lookups)."""
    return [k for k in dict.fromkeys(keys) if k.lower() not in skip and info.has(k)]


def same(current: Any, wanted: Any, item: FieldInfo | None) -> bool:
    """Whether Salesforce's value equals the one Syncline would send, in Salesforce's terms."""
    wanted = json_value(wanted)
    if current in (None, "") or wanted in (None, ""):
        return current in (None, "") and wanted in (None, "")
    kind = item.type if item else "string"
    if kind == "boolean":
        return _boolean(current) == _boolean(wanted)
    if kind in {"int", "long", "double", "currency", "percent"}:
        try:
            return math.isclose(float(current), float(wanted), rel_tol=1e-12, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    if kind == "date":
        return str(current)[:10] == str(wanted)[:10]
    if kind == "datetime":
        return _moment(current) == _moment(wanted)
    if kind == "multipicklist":
        return set(str(current).split(";")) == set(str(wanted).split(";"))
    if kind == "email":
        return str(current).casefold() == str(wanted).casefold()
    if kind in {"id", "reference"}:
        return str(current)[:15] == str(wanted)[:15]
    return str(current) == str(wanted)


def _boolean(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in {"true", "1"}


def _moment(value: Any) -> datetime | str:
    text = str(value)
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"  # Salesforce writes +0000
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if not moment.tzinfo:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=moment.microsecond // 1000 * 1000)


def unchanged(values: dict[str, Any], match: Match, info: ObjectInfo, skip: set[str]) -> bool:
    for key, wanted in values.items():
        if key.lower() in skip:
            continue
        if key not in match.current:
            return False
        item = info.field(key) if "." not in key else None
        if not same(match.current[key], wanted, item):
            return False
    return True
