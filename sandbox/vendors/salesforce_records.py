"""Writing records as Salesforce validates them, shared by REST (single records, sObject
Collections) and Bulk API 2.0 ingest.

Status codes are the API's StatusCode values, listed at
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm
Which check runs first and the exact wording are approximations of what an org answers.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sandbox.vendors.salesforce_schema import BY_PREFIX, OBJECTS, Field, SObject, full_name

Table = dict[str, dict[str, Any]]
# One dot-separated domain label at a time: no empty labels ("a@example..com"), a TLD required.
EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
ID_SHAPE = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")
CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
ROLLED_BACK = (
    "Record rolled back because not all records were valid and the request was using AllOrNone "
    "header"
)


class RequestError(Exception):
    """The whole request refused; REST answers [{"message", "errorCode", "fields"}]."""

    def __init__(
        self, code: str, message: str, status: int = 400, fields: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = list(fields)

    def body(self) -> list[dict[str, Any]]:
        entry: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields:
            entry["fields"] = self.fields
        return [entry]


def parse_json(text: str) -> Any:
    try:
        return json.loads(text or "null")
    except json.JSONDecodeError as error:
        raise RequestError("JSON_PARSER_ERROR", f"Unexpected character: {error.msg}") from error


def json_object(text: str) -> dict[str, Any]:
    value = parse_json(text)
    if not isinstance(value, dict):
        raise RequestError("JSON_PARSER_ERROR", "The request body must be a JSON object")
    return value


def problem(code: str, message: str, fields: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """One per-record error, as collections and Bulk results carry them."""
    return {"statusCode": code, "message": message, "fields": list(fields)}


@dataclass
class Outcome:
    id: str | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    created: bool = False

    @property
    def success(self) -> bool:
        return not self.errors

    @classmethod
    def failed(cls, code: str, message: str, fields: list[str] | tuple[str, ...] = ()) -> Outcome:
        return cls(None, [problem(code, message, fields)])

    def result(self, *, upsert: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "success": self.success, "errors": self.errors}
        if upsert:
            body["created"] = self.created
        return body


def timestamp(moment: datetime | None = None) -> str:
    """Salesforce's datetime format: 2025-01-15T09:30:00.000+0000."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def canonical_id(value: Any) -> str | None:
    """The 18-character form of a 15- or 18-character id (the suffix encodes upper case)."""
    if not isinstance(value, str) or not ID_SHAPE.match(value):
        return None
    short = value[:15]
    suffix = ""
    for start in (0, 5, 10):
        flags = sum(1 << i for i, char in enumerate(short[start : start + 5]) if char.isupper())
        suffix += CHECKSUM[flags]
    return short + suffix


def _number(item: Field, raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise ValueError(raw)
    value = float(raw) if isinstance(raw, str) else raw
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(raw)
    if item.type == "int":
        if value != int(value):
            raise ValueError(raw)
        return int(value)
    return float(value)


def coerce(item: Field, raw: Any) -> tuple[Any, dict[str, Any] | None]:
    """A JSON or CSV value as the field stores it, or the per-record error it earns."""
    label = item.label

    def wrong_type() -> tuple[None, dict[str, Any]]:
        return None, problem(
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            f"{label}: value not of required type: {raw}",
            [item.name],
        )

    if item.type == "boolean":
        if raw is None or isinstance(raw, bool):
            return bool(raw), None  # checkboxes cannot be null: null clears them
        text = str(raw).strip().lower()
        return (
            (text in {"true", "1"}, None) if text in {"true", "false", "1", "0"} else wrong_type()
        )
    if raw is None or raw == "":
        return None, None
    if item.type in {"int", "double", "currency", "percent"}:
        try:
            value = _number(item, raw)
        except (TypeError, ValueError):
            return wrong_type()
        if item.precision and abs(value) >= 10 ** (item.precision - item.scale):
            return None, problem(
                "NUMBER_OUTSIDE_VALID_RANGE",
                f"{label}: value outside of valid range on numeric field: {raw}",
                [item.name],
            )
        return value, None
    if isinstance(raw, dict | list):
        return wrong_type()
    text = str(raw).lower() if isinstance(raw, bool) else str(raw)
    if item.type == "date":
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return wrong_type()
    if item.type == "datetime":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return wrong_type()
        if "T" not in text:
            return wrong_type()
        return timestamp(moment if moment.tzinfo else moment.replace(tzinfo=UTC)), None
    if item.length and len(text) > item.length:
        return None, problem(
            "STRING_TOO_LONG",
            f"{label}: data value too large: {text[:40]} (max length={item.length})",
            [item.name],
        )
    if item.type == "email" and not EMAIL.match(text):
        return None, problem(
            "INVALID_EMAIL_ADDRESS", f"{label}: invalid email address: {text}", [item.name]
        )
    if item.type == "picklist" and item.restricted and text not in item.picklist:
        return None, problem(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"{label}: bad value for restricted picklist field: {text}",
            [item.name],
        )
    return text, None


def _key(value: Any) -> str:
    """Text matching (external ids, emails, SOQL =) ignores case, as Salesforce does."""
    return str(value).casefold()


def duplicate_keys(values: list[Any]) -> set[str]:
    """Upsert keys given twice in one request (or Bulk batch): both records fail."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for value in values:
        if value not in (None, ""):
            (repeated if _key(value) in seen else seen).add(_key(value))
    return repeated


class Org:
    """The org's tables seen through Salesforce's rules; one instance per request.

    Lookups by external id use indexes built on first use and kept current by every write, so
    a 10,000-row Bulk job does not rescan the table per row.
    """

    def __init__(
        self,
        table: Callable[[str], Table],
        next_number: Callable[[str], int],
        owner_id: str,
        new_id: Callable[[str, int], str],
    ) -> None:
        self.table = table
        self.next_number = next_number
        self.owner_id = owner_id
        self.new_id = new_id
        self._indexes: dict[tuple[str, str], dict[str, list[str]]] = {}
        self.journal: list[tuple[str, str, dict[str, Any] | None]] | None = None

    # -- reading ---------------------------------------------------------------------------
    def find(self, record_id: Any) -> tuple[SObject, dict[str, Any]] | None:
        """The record behind an id, deleted or not; None if the id names nothing."""
        canonical = canonical_id(record_id)
        sobject = BY_PREFIX.get(canonical[:3]) if canonical else None
        if canonical is None or sobject is None:
            return None
        record = self.table(sobject.name).get(canonical)
        return (sobject, record) if record is not None else None

    def _index(self, sobject: SObject, item: Field) -> dict[str, list[str]]:
        key = (sobject.name, item.name)
        if key not in self._indexes:
            index: dict[str, list[str]] = {}
            for record in self.table(sobject.name).values():
                value = record.get(item.name)
                if value not in (None, "") and not record.get("IsDeleted"):
                    index.setdefault(_key(value), []).append(record["Id"])
            self._indexes[key] = index
        return self._indexes[key]

    def matches(self, sobject: SObject, item: Field, value: Any) -> list[dict[str, Any]]:
        """Live records whose `item` equals `value` (case-insensitively)."""
        if item.name == "Id":
            found = self.find(value)
            live = found and found[0] is sobject and not found[1].get("IsDeleted")
            return [found[1]] if live and found else []
        table = self.table(sobject.name)
        return [table[i] for i in self._index(sobject, item).get(_key(value), [])]

    def _reindex(self, sobject: SObject, record: dict[str, Any], old: dict[str, Any]) -> None:
        for (name, field_name), index in self._indexes.items():
            if name != sobject.name:
                continue
            before, after = old.get(field_name), record.get(field_name)
            if record.get("IsDeleted"):
                after = None
            if before not in (None, "") and record["Id"] in index.get(_key(before), []):
                index[_key(before)].remove(record["Id"])
            if after not in (None, ""):
                index.setdefault(_key(after), []).append(record["Id"])

    # -- transactions (allOrNone) ----------------------------------------------------------
    def begin(self) -> None:
        """Journal every write from now on, so rollback() can undo them."""
        self.journal = []

    def rollback(self) -> None:
        for name, record_id, old in reversed(self.journal or []):
            if old is None:
                self.table(name).pop(record_id, None)
            else:
                self.table(name)[record_id] = old
        self.journal = None
        self._indexes.clear()

    def _remember(self, sobject: SObject, record_id: str, old: dict[str, Any] | None) -> None:
        if self.journal is not None:
            self.journal.append((sobject.name, record_id, old))

    # -- input -----------------------------------------------------------------------------
    def check(self, sobject: SObject, values: dict[str, Any]) -> None:
        """Refuse the whole request over a field the object lacks, before anything is written."""
        for key, raw in values.items():
            if key == "attributes":
                continue
            if "." in key or isinstance(raw, dict):
                self._relationship(sobject, key, raw)
            elif sobject.field(key) is None:
                raise RequestError(
                    "INVALID_FIELD", f"No such column '{key}' on sobject of type {sobject.name}"
                )

    def prepare(
        self, sobject: SObject, values: dict[str, Any]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Canonical field names → raw values, with relationship keys resolved to parent ids.

        `Account.Domain__c` (Bulk CSV) and `"Account": {"Domain__c": ...}` (JSON) set AccountId
        through the parent's external id.
        """
        self.check(sobject, values)
        changes: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for key, raw in values.items():
            if key == "attributes":
                continue
            if "." not in key and not isinstance(raw, dict):
                changes[sobject.by_name[key.lower()].name] = raw
                continue
            ref, parent_key, value = self._relationship(sobject, key, raw)
            if value in (None, ""):
                changes[ref.name] = None
                continue
            found = self.matches(OBJECTS[ref.reference_to[0]], parent_key, value)
            if len(found) == 1:
                changes[ref.name] = found[0]["Id"]
                continue
            target = ref.reference_to[0]
            errors.append(
                problem(
                    "INVALID_FIELD" if not found else "DUPLICATE_EXTERNAL_ID",
                    f"Foreign key external ID: {value} "
                    + (
                        f"not found for field {parent_key.name} in entity {target}"
                        if not found
                        else f"matches more than one {target}"
                    ),
                    [ref.name],
                )
            )
        return changes, errors

    def _relationship(self, sobject: SObject, key: str, raw: Any) -> tuple[Field, Field, Any]:
        """(AccountId, Account.Domain__c, value) for a relationship key, or the request's 400."""
        relationship, _, name = key.partition(".")
        value = raw
        if isinstance(raw, dict):
            pairs = [(k, v) for k, v in raw.items() if k != "attributes"]
            if len(pairs) != 1:
                raise RequestError(
                    "INVALID_FIELD", f"{key}: a relationship takes exactly one external ID field"
                )
            name, value = pairs[0]
        ref = sobject.relationship(relationship)
        if ref is None:
            raise RequestError(
                "INVALID_FIELD",
                f"No such column '{relationship}' on sobject of type {sobject.name}",
            )
        target = OBJECTS[ref.reference_to[0]]
        parent_key = target.field(name)
        if parent_key is None or not parent_key.upsert_key:
            message = f"Field {name} is not an External ID or indexed field for {target.name}"
            raise RequestError("INVALID_FIELD", message)
        return ref, parent_key, value

    def _coerce_all(
        self, sobject: SObject, changes: dict[str, Any], errors: list[dict[str, Any]]
    ) -> dict[str, Any]:
        clean: dict[str, Any] = {}
        for name, raw in changes.items():
            item = sobject.field(name)
            assert item is not None
            value, error = coerce(item, raw)
            if error is None and item.type == "reference" and value is not None:
                value, error = self._reference(item, value)
            if error:
                errors.append(error)
            else:
                clean[name] = value
        return clean

    def _reference(self, item: Field, value: Any) -> tuple[str | None, dict[str, Any] | None]:
        canonical = canonical_id(value)
        targets = {OBJECTS[name].key_prefix for name in item.reference_to}
        if canonical is None or canonical[:3] not in targets:
            return None, problem(
                "MALFORMED_ID", f"{item.label}: id value of incorrect type: {value}", [item.name]
            )
        found = self.find(canonical)
        if found is None or found[1].get("IsDeleted"):
            return None, problem(
                "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [item.name]
            )
        return canonical, None

    def _unique(
        self, sobject: SObject, record: dict[str, Any], own_id: str | None
    ) -> list[dict[str, Any]]:
        errors = []
        for item in sobject.fields:
            value = record.get(item.name)
            if not item.unique or value in (None, ""):
                continue
            others = [r["Id"] for r in self.matches(sobject, item, value) if r["Id"] != own_id]
            if others:
                errors.append(
                    problem(
                        "DUPLICATE_VALUE",
                        f"duplicate value found: {item.name} duplicates value on record with id: "
                        f"{others[0]}",
                        [item.name],
                    )
                )
        return errors

    # -- writes ----------------------------------------------------------------------------
    def create(self, sobject: SObject, values: dict[str, Any]) -> Outcome:
        if not sobject.createable:
            message = f"entity type cannot be inserted: {sobject.label}"
            return Outcome.failed("INVALID_TYPE_FOR_OPERATION", message)
        changes, errors = self.prepare(sobject, values)
        if "Id" in changes:
            message = "cannot specify Id in an insert call"
            errors.append(problem("INVALID_FIELD_FOR_INSERT_UPDATE", message, ["Id"]))
            changes.pop("Id")
        locked = [n for n in changes if not sobject.by_name[n.lower()].createable]
        if locked:
            errors.append(_locked(locked))
        clean = self._coerce_all(
            sobject, {n: v for n, v in changes.items() if n not in locked}, errors
        )
        record: dict[str, Any] = {item.name: item.default for item in sobject.fields}
        record.update(clean)
        missing = [
            item.name
            for item in sobject.fields
            if item.required_on_create
            and record.get(item.name) in (None, "")
            and not any(e["fields"] == [item.name] for e in errors)
        ]
        if missing:
            errors.append(_missing(missing))
        if not errors:
            errors = self._unique(sobject, record, None)
        if errors:
            return Outcome(None, errors)
        now = timestamp()
        record_id = self.new_id(sobject.name, self.next_number(sobject.name))
        record.update(Id=record_id, CreatedDate=now, LastModifiedDate=now, SystemModstamp=now)
        if "IsDeleted" in record:
            record["IsDeleted"] = False
        if sobject.field("OwnerId") and not record.get("OwnerId"):
            record["OwnerId"] = self.owner_id
        if sobject.field("Name") and not sobject.by_name["name"].createable:
            record["Name"] = full_name(record)
        self.table(sobject.name)[record_id] = record
        self._remember(sobject, record_id, None)
        self._reindex(sobject, record, {})
        return Outcome(record_id, created=True)

    def update(self, sobject: SObject, record_id: Any, values: dict[str, Any]) -> Outcome:
        found = self.find(record_id)
        canonical = canonical_id(record_id)
        if canonical is None or canonical[:3] != sobject.key_prefix:
            message = f"{sobject.label} ID: id value of incorrect type: {record_id}"
            return Outcome.failed("MALFORMED_ID", message, ["Id"])
        if found is None:
            return Outcome.failed("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        record = found[1]
        if record.get("IsDeleted"):
            return Outcome.failed("ENTITY_IS_DELETED", "entity is deleted")
        if not sobject.updateable:
            message = f"entity type cannot be updated: {sobject.label}"
            return Outcome.failed("INVALID_TYPE_FOR_OPERATION", message)
        changes, errors = self.prepare(sobject, values)
        if canonical_id(changes.pop("Id", canonical)) != canonical:
            errors.append(problem("INVALID_ID_FIELD", "Id in the record does not match", ["Id"]))
        locked = [n for n in changes if not sobject.by_name[n.lower()].updateable]
        if locked:
            errors.append(_locked(locked))
        clean = self._coerce_all(
            sobject, {n: v for n, v in changes.items() if n not in locked}, errors
        )
        merged = {**record, **clean}
        blanked = [
            name
            for name in clean
            if merged[name] in (None, "") and not sobject.by_name[name.lower()].nillable
        ]
        if blanked:
            errors.append(_missing(blanked))
        if not errors:
            errors = self._unique(sobject, merged, record["Id"])
        if errors:
            return Outcome(None, errors)
        old = dict(record)
        self._remember(sobject, record["Id"], old)
        record.update(clean)
        if sobject.field("Name") and not sobject.by_name["name"].createable:
            record["Name"] = full_name(record)
        record["LastModifiedDate"] = record["SystemModstamp"] = timestamp()
        self._reindex(sobject, record, old)
        return Outcome(record["Id"], created=False)

    def upsert(self, sobject: SObject, key: Field, value: Any, values: dict[str, Any]) -> Outcome:
        """Update the one record whose `key` is `value`, or create one carrying it. On Id, a
        record with no Id is created ("To force Salesforce to create a new record, set the name
        of the external ID field to 'Id' and the external ID value to null",
        https://developer.salesforce.com/docs/platform/mobile-sdk/guide/ref-rest-apis-collection-upsert.html)."""
        if key.name == "Id":
            if value in (None, ""):
                return self.create(sobject, {k: v for k, v in values.items() if k.lower() != "id"})
            return self.update(sobject, value, values)
        if value in (None, ""):
            return Outcome.failed("MISSING_ARGUMENT", f"{key.name} not specified")
        found = self.matches(sobject, key, value)
        if len(found) > 1:
            ids = ", ".join(r["Id"] for r in found)
            message = f"{key.name}: more than one record found for external id field: [{ids}]"
            return Outcome.failed("DUPLICATE_EXTERNAL_ID", message, [key.name])
        rest = {k: v for k, v in values.items() if k.lower() != key.name.lower()}
        if found:
            return self.update(sobject, found[0]["Id"], rest)
        return self.create(sobject, {**rest, key.name: value})

    def delete(self, record_id: Any, *, hard: bool = False) -> Outcome:
        found = self.find(record_id)
        if canonical_id(record_id) is None:
            return Outcome.failed("MALFORMED_ID", f"malformed id {record_id}")
        if found is None:
            return Outcome.failed("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        sobject, record = found
        if record.get("IsDeleted") and not hard:
            return Outcome.failed("ENTITY_IS_DELETED", "entity is deleted")
        if not sobject.deletable:
            message = f"entity type cannot be deleted: {sobject.label}"
            return Outcome.failed("INVALID_TYPE_FOR_OPERATION", message)
        old = dict(record)
        self._remember(sobject, record["Id"], old)
        if hard:
            del self.table(sobject.name)[record["Id"]]
            record = {**record, "IsDeleted": True}
        else:
            # Deleted records sit in the recycle bin: queryAll still returns them.
            record.update(IsDeleted=True, SystemModstamp=timestamp())
        self._reindex(sobject, record, old)
        return Outcome(record["Id"])


def _missing(names: list[str]) -> dict[str, Any]:
    return problem(
        "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(names)}]", names
    )


def _locked(names: list[str]) -> dict[str, Any]:
    return problem(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {', '.join(names)}. Please check the security settings "
        "of this field and verify that it is read/write for your role in Salesforce Setup.",
        names,
    )


def rolled_back(outcomes: list[Outcome]) -> list[Outcome]:
    """allOrNone: the valid records report that they were rolled back; the others keep theirs."""
    return [
        Outcome(None, o.errors or [problem("ALL_OR_NONE_OPERATION_ROLLED_BACK", ROLLED_BACK)])
        for o in outcomes
    ]
