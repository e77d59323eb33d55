"""One write to Salesforce: which records to create, update, upsert or delete, through which API,
and what Salesforce said about each, in the caller's order.

Modes (polytomic-api.md §1.9): create (insert), update (find by identity, then update by Id),
updateOrCreate (Salesforce's upsert on an external-id / idLookup field; or find-then-write when
matching needs rules upsert cannot express: Lead or Contact, skip_converted), remove (find,
then delete). A record is reported delivered only when Salesforce accepted it.

Ids an earlier run learned (`known_ids`) spare the lookups; one that no longer names a live
record (deleted, merged, a Lead converted since) is looked up by its identity again.

A call failing partway keeps what Salesforce already answered: the failing call's records are
in doubt when it may have been applied (a create that timed out, a Bulk job still running),
the rest were not sent, and the failure is returned with them (WriteBatch.failure).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from connections.destinations.base import Operation, WriteBatch, identity_as_given
from connections.destinations.errors import DestinationError
from connections.destinations.salesforce import matching
from connections.destinations.salesforce.bulk import Bulk
from connections.destinations.salesforce.client import SalesforceClient
from connections.destinations.salesforce.collections import Collections
from connections.destinations.salesforce.describe import FieldInfo, ObjectInfo
from connections.destinations.salesforce.ledger import Ledger
from connections.destinations.salesforce.options import LEAD_OR_CONTACT, TargetOptions
from connections.destinations.salesforce.records import Interrupted, Outcome, Row, Unanswered
from connections.destinations.salesforce.references import plan_omissions

MODES = ("create", "update", "updateOrCreate", "remove")
OPERATIONS = {"create": Operation.INSERT, "update": Operation.UPDATE, "remove": Operation.DELETE}
ALREADY_GONE = {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"}
# A known id that fails with one of these no longer names the record: look the identity up.
STALE_ID = ALREADY_GONE | {"CANNOT_UPDATE_CONVERTED_LEAD"}
Settle = Callable[[Row, Outcome], Outcome]


class Transport(Protocol):
    chunk_size: int  # records per call (collections) or per job (Bulk)
    upserts_on_id: bool  # whether upsert takes Id as its key (Bulk does; collections don't)

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
        known_ids: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
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
        self.known_ids = known_ids or {}
        self.sleep = sleep
        self.clock = clock
        self.objects: dict[str, ObjectInfo] = {}  # describes fetched for this write
        # The engine hands identities over normalised (Destination.normalize_identity).
        self.identities = [
            identity_as_given(r.get(identity_field)) if identity_field else "" for r in records
        ]
        self.ledger = Ledger(self.identities, self._operation())
        self.by_known_id: set[int] = set()  # positions matched through known_ids
        self.looked_up: set[int] = set()  # positions whose known id turned out stale

    # -- the plan --------------------------------------------------------------------------
    def run(self) -> WriteBatch:
        failure: DestinationError | None = None
        try:
            rows = [self._row(position) for position in range(len(self.records))]
            self._sort(rows)
            if self.multi or any("." in key for row in rows for key in row.values):
                for name in self.sobjects:
                    self._info(name)  # relationship keys and field splitting need the shapes
            self.transport: Transport = (
                Bulk(self.client, self.options.bulk_batch_size, sleep=self.sleep, clock=self.clock)
                if self.options.uses_bulk(len(rows))
                else Collections(self.client, self.objects, self.options.rest_batch_size)
            )
            if rows:
                self._step(rows)
        except DestinationError as error:
            failure = error
            if self.ledger.stopped(error.message):
                raise  # nothing reached Salesforce: the whole write failed (needs_auth, cap)
        return self.ledger.batch(failure)

    def _step(self, rows: list[Row]) -> None:
        if self.mode == "create":
            self._create(rows)
        elif self.mode == "update":
            self._with_known_ids(self._update, rows)
        elif self.mode == "updateOrCreate":
            self._update_or_create(rows)
        else:
            self._remove(rows)

    def _row(self, position: int) -> Row:
        keep_nulls = self.options.insert_null_values
        record = self.records[position]
        values = {k: v for k, v in record.items() if v is not None or keep_nulls}
        return Row(position, self.sobjects[0], values)

    def _sort(self, rows: list[Row]) -> None:
        if not self.options.sort_batches_by:
            return
        wanted = self.options.sort_batches_by.lower()

        def sort_key(row: Row) -> tuple[bool, str]:
            value = next((v for k, v in row.values.items() if k.lower() == wanted), None)
            return (value is None, identity_as_given(value))

        rows.sort(key=sort_key)

    def _operation(self) -> Operation:
        return OPERATIONS.get(self.mode, Operation.UPSERT)

    def _create(self, rows: list[Row]) -> None:
        for row in rows:
            if self.multi:
                row.sobject = self._create_as(row)
            self._fit(row)
        self._send(Operation.INSERT, _by_object(rows), self.transport.insert)

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
        self._send(Operation.UPDATE, _by_object(changed), self.transport.update)

    def _update_or_create(self, rows: list[Row]) -> None:
        if self.multi or (self.target.lower() == "lead" and self.options.skip_converted):
            self._with_known_ids(self._find_then_write, rows)
            return
        if self.options.only_sync_different:
            matches = self._match(rows, missing_ok=True, ambiguous_ok=True)
            rows = [
                row
                for row in rows
                if row.position not in matches or not self._unchanged(row, matches[row.position])
            ]
        if self.identity_field.lower() == "id" and not self.transport.upserts_on_id:
            self._update_by_id_or_create(rows)
            return
        by_id = self.identity_field.lower() == "id"
        for row in rows:
            if not by_id:
                row.values = _without_id(row.values)
            row.values.setdefault(
                self.identity_field, self.records[row.position].get(self.identity_field)
            )
        self._send(
            Operation.UPSERT,
            rows,
            lambda chunk: self.transport.upsert(self.target, self.identity_field, chunk),
        )

    def _update_by_id_or_create(self, rows: list[Row]) -> None:
        """sObject Collections upsert takes external ids only ("Only external ids are supported.
        Don't use record ids.",
        https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html),
        so an Id identity is an update by Id; a record without one is created, as Salesforce's
        own upsert on Id does with a null Id."""
        updates, creates = [], []
        for row in rows:
            record_id = self.identities[row.position]
            row.values = _without_id(row.values)
            if record_id:
                row.values["Id"] = record_id
                updates.append(row)
            else:
                creates.append(row)
        self._send(Operation.UPDATE, updates, self.transport.update)
        self._send(Operation.INSERT, creates, self.transport.insert)

    def _find_then_write(self, rows: list[Row]) -> None:
        matches = self._match(rows, missing_ok=True)
        updates, creates = [], []
        for row in rows:
            if self.ledger.settled(row.position):
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
        self._send(Operation.UPDATE, _by_object(updates), self.transport.update)
        self._send(Operation.INSERT, _by_object(creates), self.transport.insert)

    def _remove(self, rows: list[Row]) -> None:
        matches = self._match(rows, missing_ok=True)
        doomed = []
        for row in rows:
            if self.ledger.settled(row.position):
                continue
            match = matches.get(row.position)
            if match is None:
                self.ledger.accept(
                    row.position,
                    Operation.DELETE,
                    changed=False,
                    message="not in Salesforce: nothing to delete",
                )
                continue
            doomed.append(Row(row.position, match.sobject, {"Id": match.id}))
        delete = self.transport.delete
        self._send(Operation.DELETE, _by_object(doomed), delete, settle=_gone_is_done)

    # -- known ids -------------------------------------------------------------------------
    def _with_known_ids(self, step: Callable[[list[Row]], None], rows: list[Row]) -> None:
        """Run a step; records whose known id Salesforce says names nothing live any more are
        looked up by identity and run through the step again."""
        step(rows)
        stale = self.ledger.rejected_with(self.by_known_id, STALE_ID)
        if not stale:
            return
        self.looked_up.update(stale)
        self.by_known_id.difference_update(stale)
        self.ledger.forget(stale)
        again = [self._row(position) for position in stale]
        self._sort(again)
        step(again)

    def _known_match(self, row: Row) -> matching.Match | None:
        """The Salesforce record an earlier run found for this identity. Not used when the
        current values must be read anyway (only_sync_different)."""
        if self.options.only_sync_different or row.position in self.looked_up:
            return None
        record_id = self.known_ids.get(self.identities[row.position])
        if not record_id:
            return None
        sobject = self.sobjects[0]
        if self.multi:  # which object: the id's key prefix says (Contact 003, Lead 00Q)
            sobject = next(
                (
                    name
                    for name in self.sobjects
                    if self._info(name).key_prefix
                    and str(record_id).startswith(self._info(name).key_prefix)
                ),
                "",
            )
            if not sobject:
                return None
        self.by_known_id.add(row.position)
        return matching.Match(str(record_id), sobject)

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
        matches: dict[int, matching.Match] = {}
        pending: dict[int, Row] = {}
        for row in rows:
            known = self._known_match(row)
            if known is not None:
                matches[row.position] = known
            else:
                pending[row.position] = row
        by_id = self.identity_field.lower() == "id"
        if by_id and not self.multi and not self.options.only_sync_different:
            for position, row in pending.items():
                matches[position] = matching.Match(self.identities[position], row.sobject)
            return matches
        newest_wins = self.multi or self.options.skip_converted
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
                [self.records[p].get(self.identity_field) for p in pending],
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
                        self.ledger.reject(
                            position,
                            f"{key.name} = {self.identities[position]} matches "
                            f"{len(candidates)} {name} records in Salesforce ({ids}), so "
                            "Syncline can't tell which one to write to.",
                            code="DUPLICATE_EXTERNAL_ID",
                        )
                    continue
                matches[row.position] = candidates[0]
        if not missing_ok:
            for position in pending:
                self.ledger.reject(
                    position,
                    f"No {' or '.join(self.sobjects)} in Salesforce has {self.identity_field} = "
                    f"{self.identities[position]}, and update mode never creates one.",
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
        self.ledger.accept(row.position, Operation.UPDATE, match.id, changed=False)
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
        operation: Operation,
        rows: list[Row],
        call: Callable[[list[Row]], list[Outcome]],
        *,
        settle: Settle | None = None,
    ) -> None:
        """Send in the transport's chunks, recording each chunk's answers as they come, so a
        failure later in the write cannot hide what Salesforce already accepted."""
        omitting = (
            self.options.invalid_relationships != "error" or self.options.ignore_invalid_references
        )
        size = self.transport.chunk_size
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            outcomes = self._call(operation, chunk, call, settle)
            retry: list[tuple[int, Row]] = []
            notes = [""] * len(chunk)
            if omitting:
                retry, notes = plan_omissions(chunk, outcomes, self.options, self._info)
            for row, outcome, note in zip(chunk, outcomes, notes, strict=True):
                self.ledger.record(row.position, outcome, operation, note)
            if not retry:
                continue
            again = self._call(operation, [row for _, row in retry], call, settle)
            for (index, row), outcome in zip(retry, again, strict=True):
                self.ledger.record(row.position, outcome, operation, notes[index])

    def _call(
        self,
        operation: Operation,
        rows: list[Row],
        call: Callable[[list[Row]], list[Outcome]],
        settle: Settle | None,
    ) -> list[Outcome]:
        """One transport call. When it fails, what it settled is recorded before the failure
        goes on to stop the write; its other records are in doubt or not sent."""
        try:
            outcomes = call(rows)
        except Interrupted as stop:
            for row, answer in zip(rows, stop.answers, strict=True):
                if settle and isinstance(answer, Outcome):
                    answer = settle(row, answer)
                self.ledger.record(row.position, answer, operation)
            raise stop.error from None  # the failure itself (NeedsReauthorization stays one)
        except DestinationError as error:
            for row in rows:
                self.ledger.record(
                    row.position, Unanswered(error.in_doubt, error.message), operation
                )
            raise
        if settle is None:
            return outcomes
        return [settle(row, outcome) for row, outcome in zip(rows, outcomes, strict=True)]


def _without_id(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k.lower() != "id"}


def _gone_is_done(row: Row, outcome: Outcome) -> Outcome:
    """Deleting what is already deleted (or never existed) leaves Salesforce as wanted."""
    if not outcome.ok and outcome.errors and {e.code for e in outcome.errors} <= ALREADY_GONE:
        return Outcome(True, str(row.values["Id"]))
    return outcome


def _by_object(rows: list[Row]) -> list[Row]:
    """Collections split a call into chunks per object run: keep each object's rows together."""
    return sorted(rows, key=lambda row: row.sobject)
