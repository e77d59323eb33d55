"""One write to Salesforce: which records to create, update, upsert or delete, through which API,
and what Salesforce said about each, in the caller's order.

Modes (polytomic-api.md §1.9): create (insert), update (find by identity, then update by Id),
updateOrCreate (Salesforce's upsert on an external-id / idLookup field; or find-then-write when
matching needs rules upsert cannot express: Lead or Contact, skip_converted), remove (find,
then delete). A record is reported delivered only when Salesforce accepted it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from connections.destinations.base import RecordResult, WriteBatch
from connections.destinations.errors import DestinationError
from connections.destinations.salesforce import matching
from connections.destinations.salesforce.bulk import Bulk
from connections.destinations.salesforce.client import SalesforceClient
from connections.destinations.salesforce.collections import Collections
from connections.destinations.salesforce.describe import FieldInfo, ObjectInfo
from connections.destinations.salesforce.options import LEAD_OR_CONTACT, TargetOptions
from connections.destinations.salesforce.records import Outcome, Row
from connections.destinations.salesforce.references import omit_invalid_references

MODES = ("create", "update", "updateOrCreate", "remove")
ALREADY_GONE = {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"}


class Transport(Protocol):
    chunk_size: int  # records per call (collections) or per job (Bulk)

    def insert(self, rows: list[Row]) -> list[Outcome]: ...
    def update(self, rows: list[Row]) -> list[Outcome]: ...
    def upsert(self, sobject: str, key: str, rows: list[Row]) -> list[Outcome]: ...
    def delete(self, rows: list[Row]) -> list[Outcome]: ...


class SalesforceWrite:
    def __init__(
        self,
        client: SalesforceClient,
        target: str,
        mode: str,
        records: list[dict[str, Any]],
        *,
        identity_field: str,
        options: TargetOptions,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if mode not in MODES:
            raise DestinationError(
                f"Salesforce targets take the modes {', '.join(MODES)}, not {mode!r}."
            )
        self.client = client
        self.target = target
        self.multi = target == LEAD_OR_CONTACT
        self.sobjects = ["Contact", "Lead"] if self.multi else [target]
        self.mode = mode
        self.records = records
        self.identity_field = identity_field
        self.options = options
        self.sleep = sleep
        self.objects: dict[str, ObjectInfo] = {}  # describes fetched for this write
        self.identities = [_text(r.get(identity_field)) if identity_field else "" for r in records]
        self.results: list[RecordResult | None] = [None] * len(records)
        self.answered = False  # whether Salesforce has said anything about a record yet

    # -- the plan --------------------------------------------------------------------------
    def run(self) -> WriteBatch:
        rows = self._rows()
        if self.multi or any("." in key for row in rows for key in row.values):
            for name in self.sobjects:
                self._info(name)  # relationship keys and field splitting need the shapes
        self.transport: Transport = (
            Bulk(self.client, self.options.bulk_batch_size, sleep=self.sleep)
            if self.options.uses_bulk(len(rows))
            else Collections(self.client, self.objects, self.options.rest_batch_size)
        )
        steps = {
            "create": self._create,
            "update": self._update,
            "updateOrCreate": self._update_or_create,
            "remove": self._remove,
        }
        try:
            if rows:
                steps[self.mode](rows)
        except DestinationError as error:
            # Records Salesforce already answered for must be reported (an accepted create
            # re-sent next run would be a duplicate); the rest are rejected with the reason.
            # With no answer yet, the whole write failed: let the caller decide (needs_auth).
            if not self.answered:
                raise
            for position, result in enumerate(self.results):
                if result is None:
                    self._fail(position, self._operation(), f"not sent: {error.message}")
        return WriteBatch(
            [
                result
                or RecordResult(self.identities[i], False, message="Salesforce did not answer")
                for i, result in enumerate(self.results)
            ]
        )

    def _rows(self) -> list[Row]:
        rows = []
        keep_nulls = self.options.insert_null_values
        for position, record in enumerate(self.records):
            if self.mode != "create" and not self.identities[position]:
                self._fail(position, self._operation(), f"{self.identity_field} is empty")
                continue
            values = {k: v for k, v in record.items() if v is not None or keep_nulls}
            rows.append(Row(position, self.sobjects[0], values))
        if self.options.sort_batches_by:
            wanted = self.options.sort_batches_by.lower()

            def sort_key(row: Row) -> tuple[bool, str]:
                value = next((v for k, v in row.values.items() if k.lower() == wanted), None)
                return (value is None, _text(value))

            rows.sort(key=sort_key)
        return rows

    def _operation(self) -> str:
        return {"create": "insert", "update": "update", "remove": "delete"}.get(self.mode, "upsert")

    def _create(self, rows: list[Row]) -> None:
        for row in rows:
            if self.multi:
                row.sobject = self._create_as(row)
            self._fit(row)
        self._send("insert", _by_object(rows), self.transport.insert)

    def _update(self, rows: list[Row]) -> None:
        matches = self._match(rows, missing_ok=False)
        changed = []
        for row in rows:
            match = matches.get(row.position)
            if match is None or self._unchanged(row, match):
                continue
            row.sobject = match.sobject
            row.values = {**_without_id(row.values), "Id": match.id}
            self._fit(row)
            changed.append(row)
        self._send("update", _by_object(changed), self.transport.update)

    def _update_or_create(self, rows: list[Row]) -> None:
        if self.multi or (self.target.lower() == "lead" and self.options.skip_converted):
            self._find_then_write(rows)
            return
        if self.options.only_sync_different:
            matches = self._match(rows, missing_ok=True, ambiguous_ok=True)
            rows = [
                row
                for row in rows
                if row.position not in matches or not self._unchanged(row, matches[row.position])
            ]
        by_id = self.identity_field.lower() == "id"
        for row in rows:
            if not by_id:
                row.values = _without_id(row.values)
            row.values.setdefault(
                self.identity_field, self.records[row.position].get(self.identity_field)
            )
        self._send(
            "upsert",
            rows,
            lambda chunk: self.transport.upsert(self.target, self.identity_field, chunk),
        )

    def _find_then_write(self, rows: list[Row]) -> None:
        matches = self._match(rows, missing_ok=True)
        updates, creates = [], []
        for row in rows:
            if self.results[row.position] is not None:
                continue
            match = matches.get(row.position)
            if match is None:
                row.sobject = self._create_as(row) if self.multi else row.sobject
                row.values = _without_id(row.values)
                creates.append(row)
            elif not self._unchanged(row, match):
                row.sobject = match.sobject
                row.values = {**_without_id(row.values), "Id": match.id}
                updates.append(row)
        for row in updates + creates:
            self._fit(row)
        self._send("update", _by_object(updates), self.transport.update)
        self._send("insert", _by_object(creates), self.transport.insert)

    def _remove(self, rows: list[Row]) -> None:
        matches = self._match(rows, missing_ok=True)
        doomed = []
        for row in rows:
            if self.results[row.position] is not None:
                continue
            match = matches.get(row.position)
            if match is None:
                self._done(row, Outcome(True), "delete", "not in Salesforce: nothing to delete")
                continue
            doomed.append(Row(row.position, match.sobject, {"Id": match.id}))
        self._send("delete", _by_object(doomed), self.transport.delete, settle=_gone_is_done)

    # -- matching --------------------------------------------------------------------------
    def _info(self, name: str) -> ObjectInfo:
        key = name.lower()
        if key not in self.objects:
            self.objects[key] = self.client.describe(name)
        return self.objects[key]

    def _key_field(self, info: ObjectInfo) -> FieldInfo:
        found = info.field(self.identity_field)
        if found is None:
            raise DestinationError(
                f"{self.identity_field!r} is not a field of Salesforce's {info.name}; choose "
                "another identity field."
            )
        return found

    def _match(
        self, rows: list[Row], *, missing_ok: bool, ambiguous_ok: bool = False
    ) -> dict[int, matching.Match]:
        """The Salesforce record each row's identity names; fails rows it cannot settle."""
        by_id = self.identity_field.lower() == "id"
        if by_id and not self.multi and not self.options.only_sync_different:
            return {
                r.position: matching.Match(self.identities[r.position], r.sobject) for r in rows
            }
        newest_wins = self.multi or self.options.skip_converted
        pending = {row.position: row for row in rows}
        matches: dict[int, matching.Match] = {}
        for name in self.sobjects:
            if not pending:
                break
            info = self._info(name)
            key = self._key_field(info)
            read = []
            if self.options.only_sync_different:
                keys = [k for row in pending.values() for k in row.values]
                read = matching.readable(info, keys, {"id"})
            found = matching.find(
                self.client,
                info,
                key,
                [self.records[p][self.identity_field] for p in pending],
                read=read,
                unconverted_only=name == "Lead" and newest_wins,
            )
            for position in list(pending):
                candidates = found.get(matching.identity_key(key, self.identities[position]))
                if not candidates:
                    continue
                row = pending.pop(position)
                if len(candidates) > 1 and not newest_wins:
                    if not ambiguous_ok:
                        ids = ", ".join(c.id for c in candidates[:5])
                        self._fail(
                            position,
                            self._operation(),
                            f"{key.name} = {self.identities[position]} matches "
                            f"{len(candidates)} {name} records ({ids})",
                            code="DUPLICATE_EXTERNAL_ID",
                        )
                    continue
                matches[row.position] = candidates[0]
        if not missing_ok:
            for position in pending:
                self._fail(
                    position,
                    self._operation(),
                    f"no {' or '.join(self.sobjects)} has {self.identity_field} = "
                    f"{self.identities[position]}",
                    code="NOT_FOUND",
                )
        return matches

    def _unchanged(self, row: Row, match: matching.Match) -> bool:
        """only_sync_different: Salesforce already holds these values, so send nothing."""
        if not self.options.only_sync_different:
            return False
        info = self._info(match.sobject)
        if not matching.unchanged(row.values, match, info, {"id"}):
            return False
        self._done(row, Outcome(True, match.id), "unchanged")
        return True

    # -- shaping ---------------------------------------------------------------------------
    def _create_as(self, row: Row) -> str:
        choice = self.options.create_records_as
        if choice != "ContactIfAccountId":
            return choice
        has_account = any(
            value not in (None, "")
            and (key.lower() == "accountid" or key.lower().startswith("account."))
            for key, value in row.values.items()
        )
        return "Contact" if has_account else "Lead"

    def _fit(self, row: Row) -> None:
        """Lead or Contact: keep only the fields the chosen object has."""
        if self.multi:
            info = self._info(row.sobject)
            row.values = {k: v for k, v in row.values.items() if info.has(k)}

    # -- sending ---------------------------------------------------------------------------
    def _send(
        self,
        operation: str,
        rows: list[Row],
        call: Callable[[list[Row]], list[Outcome]],
        *,
        settle: Callable[[Row, Outcome], Outcome] | None = None,
    ) -> None:
        """Send in the transport's chunks, recording each chunk's answers as they come, so a
        failure later in the write cannot hide what Salesforce already accepted."""
        size = self.transport.chunk_size
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            outcomes = call(chunk)
            notes = [""] * len(chunk)
            if (
                self.options.invalid_relationships != "error"
                or self.options.ignore_invalid_references
            ):
                outcomes, notes = omit_invalid_references(
                    chunk, outcomes, call, self.options, self._info
                )
            for row, outcome, note in zip(chunk, outcomes, notes, strict=True):
                self._done(row, settle(row, outcome) if settle else outcome, operation, note)

    # -- results ---------------------------------------------------------------------------
    def _done(self, row: Row, outcome: Outcome, operation: str, note: str = "") -> None:
        self.answered = True
        if outcome.ok:
            if operation == "upsert" and outcome.created is not None:
                operation = "insert" if outcome.created else "update"
            message = note
        else:
            message = outcome.message or "Salesforce refused the record without saying why"
            if note:
                message = f"{message} ({note})"
        self.results[row.position] = RecordResult(
            self.identities[row.position], outcome.ok, outcome.id, operation, message
        )

    def _fail(self, position: int, operation: str, message: str, *, code: str = "") -> None:
        text = f"{code}: {message}" if code else message
        self.results[position] = RecordResult(self.identities[position], False, "", operation, text)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _without_id(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k.lower() != "id"}


def _gone_is_done(row: Row, outcome: Outcome) -> Outcome:
    """Deleting what is already deleted (or never existed) leaves Salesforce as wanted."""
    if not outcome.ok and {error.code for error in outcome.errors} <= ALREADY_GONE:
        return Outcome(True, str(row.values["Id"]))
    return outcome


def _by_object(rows: list[Row]) -> list[Row]:
    """Collections split a call into chunks per object run: keep each object's rows together."""
    return sorted(rows, key=lambda row: row.sobject)
