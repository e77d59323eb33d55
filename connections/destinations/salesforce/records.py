"""Records on their way to Salesforce: one outcome per record, and values in the API's forms.

Both transports (sObject Collections and Bulk API 2.0) answer per record in these terms, so the
write plan (write.py) does not care which one carried a record.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from connections.destinations.errors import DestinationError
from connections.destinations.salesforce.client import SfError, describe_errors
from connections.destinations.salesforce.describe import ObjectInfo

# A record for Salesforce: field (or Relationship.ExternalIdField) → value.
Values = dict[str, Any]
# Bulk CSV: an empty cell leaves a field alone, #N/A clears it.
BULK_NULL = "#N/A"


@dataclass
class Outcome:
    ok: bool
    id: str = ""
    created: bool | None = None  # upsert only: whether the record was new
    errors: list[SfError] = field(default_factory=list)

    @property
    def message(self) -> str:
        return describe_errors(self.errors)

    @classmethod
    def failed(cls, code: str, message: str, fields: tuple[str, ...] = ()) -> Outcome:
        return cls(False, errors=[SfError(code, message, fields)])

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Outcome:
        """One entry of a collections answer: {id, success, errors, created?}."""
        errors = [SfError.from_json(error) for error in item.get("errors") or []]
        ok = bool(item.get("success")) and not errors
        return cls(ok, str(item.get("id") or ""), item.get("created"), errors)

    @property
    def code(self) -> str:
        return next((error.code for error in self.errors if error.code), "")


@dataclass
class Unanswered:
    """Salesforce said nothing about this record: it was not sent, or it is in doubt (the call
    that carried it may have been applied: a create that timed out, a Bulk job still running)."""

    in_doubt: bool
    message: str


Answer = Outcome | Unanswered


class Interrupted(DestinationError):
    """A transport call that failed partway. `answers` has one entry per row of the call:
    Salesforce's outcome for the rows it settled, Unanswered for the others. `error` is the
    failure itself (a NeedsReauthorization stays one), re-raised once the answers are kept."""

    def __init__(self, error: DestinationError, answers: list[Answer]) -> None:
        super().__init__(
            error.message,
            permanent=error.permanent,
            status=error.status,
            in_doubt=error.in_doubt,
            code=error.code,
        )
        self.error = error
        self.answers = answers


class Answers:
    """A call's outcomes, collected part by part (a collections call, a Bulk job), so that a
    part failing later keeps what the earlier parts settled. Raise `interrupted(...)` `from
    None`: the failure travels as its `error`, and is re-raised as itself."""

    def __init__(self, count: int) -> None:
        self.items: list[Answer | None] = [None] * count

    def put(self, indexes: Iterable[int], outcomes: Iterable[Answer]) -> None:
        for index, outcome in zip(indexes, outcomes, strict=True):
            self.items[index] = outcome

    def interrupted(
        self, error: DestinationError, indexes: Iterable[int], *, in_doubt: bool | None = None
    ) -> Interrupted:
        """The failure of the part carrying `indexes`: those rows are in doubt when the
        failing call may have been applied (`in_doubt`, by default the error's own flag);
        rows no part has carried yet were not sent."""
        indexes = list(indexes)
        if isinstance(error, Interrupted):  # a nested part already knows row by row
            self.put(indexes, error.answers)
            error = error.error
        else:
            doubt = error.in_doubt if in_doubt is None else in_doubt
            self.put(indexes, [Unanswered(doubt, error.message) for _ in indexes])
        answers = [item or Unanswered(False, error.message) for item in self.items]
        return Interrupted(error, answers)

    def outcomes(self) -> list[Outcome]:
        done = [item for item in self.items if isinstance(item, Outcome)]
        if len(done) != len(self.items):
            raise DestinationError("Salesforce's answer left a record without a result.")
        return done


@dataclass
class Row:
    """One record for one object; `position` is its place in the caller's batch."""

    position: int
    sobject: str
    values: Values


def json_value(value: Any) -> Any:
    """JSON Salesforce accepts: ISO dates, numbers for decimals, `a;b` for multi-selects."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(str(json_value(item)) for item in value)
    return value


def csv_value(value: Any) -> str:
    value = json_value(value)
    if value is None:
        return BULK_NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_record(row: Row, objects: dict[str, ObjectInfo]) -> dict[str, Any]:
    """A collections record; `Account.Domain__c` becomes the nested form REST expects."""
    body: dict[str, Any] = {"attributes": {"type": row.sobject}}
    info = objects.get(row.sobject.lower())
    for key, value in row.values.items():
        if "." not in key:
            body[key] = json_value(value)
            continue
        relationship, _, external_field = key.partition(".")
        lookup = info.relationship(relationship) if info else None
        if value is None:
            # Clearing the lookup means nulling its Id field.
            body[lookup.name if lookup else _guess_lookup_field(relationship)] = None
            continue
        nested: dict[str, Any] = {external_field: json_value(value)}
        if lookup and lookup.reference_to:
            nested = {"attributes": {"type": lookup.reference_to[0]}, **nested}
        body[relationship] = nested
    return body


def _guess_lookup_field(relationship: str) -> str:
    """Salesforce's naming: Account → AccountId, Parent__r → Parent__c."""
    if relationship.endswith("__r"):
        return relationship[:-3] + "__c"
    return relationship + "Id"


ERROR_CELL = re.compile(r"^(?P<code>[A-Z_]+):(?P<rest>.*)$", re.DOTALL)


def bulk_errors(cell: str) -> list[SfError]:
    """sf__Error: `CODE:message:Field1,Field2 --` per error."""
    errors = []
    for part in (p.strip() for p in cell.split(" --")):
        if not part:
            continue
        match = ERROR_CELL.match(part)
        if match is None:
            errors.append(SfError("", part))
            continue
        message, _, fields = match.group("rest").rpartition(":")
        if not message or not re.fullmatch(r"[\w.,]*", fields):
            message, fields = match.group("rest"), ""
        names = tuple(name for name in fields.split(",") if name)
        errors.append(SfError(match.group("code"), message, names))
    return errors or [SfError("", cell)]
