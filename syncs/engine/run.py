"""One execution from claim to finish (DESIGN.md §5): the orchestration, no vendor knowledge.

extract (stream the model into the spool, validating) → diff (against SyncState, in the spool)
→ reconcile (records in doubt) → load (batches through the destination) → commit (per batch)
→ finish (counts, status, the connection's health).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from connections.destinations.base import Destination, WriteBatch
from connections.destinations.errors import DestinationError, NeedsReauthorization
from connections.destinations.registry import destination_for
from connections.encryption import SecretDecryptionError
from connections.services import connection_health_note
from connections.sources.base import RowDigests, RowStream, Source, SourceError
from connections.sources.registry import source_for
from syncs.engine.commit import commit_batch, mark_in_flight
from syncs.engine.digests import (
    BUCKETS,
    Comparison,
    StateTuple,
    compare,
    differing_states,
    states_of,
)
from syncs.engine.extract import Column, Row, collector_paused, rows_to_records
from syncs.engine.heartbeat import heartbeat
from syncs.engine.plan import PlanError, SyncPlan
from syncs.engine.spool import Change, Pending, Spool
from syncs.models import RecordError, SyncExecution, SyncState

logger = logging.getLogger("syncline.engine")

LOG_LIMIT = 500  # entries kept in an execution's log; later ones are counted, not kept
SAMPLE_RECORDS = 10  # per kind of change in a dry run's report
ERROR_BATCH = 1_000
PROGRESS_SECONDS = 1.0  # how often extract reports rows read (and looks for a cancel)
STATE_CHUNK = 10_000  # state rows read from the app database per fetch
IDENTITY_MAX_LENGTH = SyncState._meta.get_field("identity_key").max_length
# The sync's mode → the write mode for records new to the destination and for changed ones.
_MODES: dict[str, tuple[str | None, str | None]] = {
    "create": ("create", None),
    "update": ("update", "update"),
    "updateOrCreate": ("updateOrCreate", "updateOrCreate"),
    "remove": ("remove", "remove"),
}


class RunStopped(Exception):
    """The run can't go on; `message` says why in a sentence for the sync's owner."""

    def __init__(self, message: str, *, status: str = SyncExecution.Status.FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Run:
    execution: SyncExecution
    log_entries: list[dict[str, Any]] = field(default_factory=list)
    log_dropped: int = 0
    progress: dict[str, int] = field(default_factory=dict)
    paired: int = 0  # rows of differing buckets found to be delivered rows (_extract_differing)

    # -- entry point ----------------------------------------------------------------------------
    def __call__(self) -> None:
        sync = self.execution.sync
        destination: Destination | None = None
        try:
            destination = destination_for(sync.target_connection)
            self._ensure_target(destination)
            plan = SyncPlan.from_sync(sync)
            source = source_for(sync.model.source)
            self._start_fresh_if_retargeted(plan)
            self._run(plan, source, destination)
        except RunStopped as stop:
            self._finish(stop.message, status=stop.status)
        except PlanError as error:
            self._finish(str(error))
        except SourceError as error:
            connection_health_note(connection=sync.model.source, problem=error.message)
            self._finish(f"Syncline couldn't read the model {sync.model.name}: {error.message}")
        except DestinationError as error:
            if error.status != 404:  # a target gone is the sync's problem, not the connection's
                connection_health_note(connection=sync.target_connection, problem=error.message)
            self._finish(self._destination_failure(error))
        except SecretDecryptionError as error:
            self._finish(
                "Syncline can't read the saved credentials of this sync's connections, so it "
                f"stopped before reading or sending anything. For an administrator: {error}"
            )
        except Exception:
            # A bug, not a vendor's or warehouse's answer: the run ends (a reaped, resumed run
            # would hit it again forever) and the worker's log keeps the details.
            logger.exception("execution %s stopped on an unexpected error", self.execution.pk)
            self._finish(
                "Syncline stopped this run on an unexpected problem of its own. What was "
                "delivered before stays delivered; the worker's log has the details for support."
            )
        else:
            connection_health_note(connection=sync.model.source)
            if not self.execution.test:
                connection_health_note(connection=sync.target_connection)
            self._finish()
        finally:
            if destination is not None:
                destination.close()

    # -- phases ---------------------------------------------------------------------------------
    def _read_and_send(self, plan: SyncPlan, source: Source, destination: Destination) -> None:
        """Every row through the spool: extract, diff, then a dry run's report, or reconcile
        and load."""
        with Spool(resync=self.execution.resync) as spool:
            self._phase("extract")
            with collector_paused():
                self._extract(plan, source, destination, spool)
            self._phase("diff")
            with collector_paused():
                self._load_state(spool)
            self._diff(spool)
            self._after_diff(plan, destination, spool)

    def _after_diff(self, plan: SyncPlan, destination: Destination, spool: Spool) -> None:
        """A dry run's report; or the digests refreshed, records in doubt reconciled, and the
        changes sent."""
        if self.execution.test:
            self._report(spool)
            return
        self._refresh_digests(spool)
        self._reconcile(plan, destination, spool)
        self._phase("load")
        self._load(plan, destination, spool)

    def _run(self, plan: SyncPlan, source: Source, destination: Destination) -> None:
        """Through the row digests where the source has them (syncs/engine/digests.py): nothing
        read when nothing changed, only the rows of the buckets that differ when little did;
        every row otherwise (docs/benchmarks.md, P1)."""
        session = self._digest_session(plan, source)
        if session is None:
            self._read_and_send(plan, source, destination)
            return
        comparison: Comparison | None = None
        with Spool() as spool:
            streaming = False
            try:
                with session as seen:
                    comparison = compare(seen, self.execution.sync)
                    if comparison is not None and comparison.unchanged:
                        pass
                    elif comparison is not None and comparison.worth_targeting:
                        streaming = True
                        self._phase("extract")
                        self._extract_differing(plan, destination, seen, comparison, spool)
                    else:
                        comparison = None
            except SourceError as error:
                if streaming:  # the rows themselves couldn't be read: the run can't go on
                    raise
                self._log("digest_unavailable", reason=error.message)  # e.g. no hashtextextended
                comparison = None
            # The warehouse's connection is closed by now, before any vendor call.
            if comparison is not None and comparison.unchanged:
                self._all_unchanged(comparison.rows)
                return
            if comparison is not None:
                self._phase("diff")
                self._add_present_states(spool, comparison)
                self._diff(spool, comparison=comparison)
                self._after_diff(plan, destination, spool)
                return
        self._read_and_send(plan, source, destination)

    def _digest_session(self, plan: SyncPlan, source: Source) -> Any:
        execution = self.execution
        if execution.resync or execution.identities or not plan.identity_source:
            return None
        if not SyncState.objects.filter(sync=execution.sync).exists():
            return None  # a first run: every row is new
        return source.row_digests(execution.sync.model.query, plan.row_seed)

    def _extract_differing(
        self,
        plan: SyncPlan,
        destination: Destination,
        seen: RowDigests,
        comparison: Comparison,
        spool: Spool,
    ) -> None:
        """The rows of the buckets whose digests differ, into the spool beside their buckets'
        state. A row whose digest is a delivered row's (same identity) is that record,
        unchanged: it pairs with that state row, which goes into the spool as `present` (a
        spooled row with its identity is another row of it)."""
        waiting: dict[int, list[StateTuple]] = {}
        unusable: list[StateTuple] = []
        for state in differing_states(self.execution.sync, comparison.differing):
            if state[3] or state[4] is None:
                unusable.append(state)
            else:
                waiting.setdefault(state[4], []).append(state)
        spool.add_state(unusable)
        paired: list[StateTuple] = []

        def pair(row: Row) -> bool:
            for i, state in enumerate(waiting.get(row.row_hash, ())):  # type: ignore[arg-type]
                if state[0] == row.identity:
                    paired.append(waiting[row.row_hash].pop(i))  # type: ignore[index]
                    return True
            return False

        stream = seen.stream(BUCKETS, comparison.differing)
        with collector_paused():
            self._extract(plan, None, destination, spool, stream=stream, pair=pair)
        spool.add_state([state for states in waiting.values() for state in states])
        spool.add_state(paired, present=True)
        self.paired = len(paired)

    def _add_present_states(self, spool: Spool, comparison: Comparison) -> None:
        """The state of spooled rows' identities found in no differing bucket: in a bucket that
        agrees, so the row it came from is in the model too (`present`)."""
        mask = BUCKETS - 1
        missing = list(spool.identities_without_state())
        found: dict[bool, list[StateTuple]] = {True: [], False: []}
        for state in states_of(self.execution.sync, missing):
            usable = not state[3] and state[4] is not None
            found[usable and (state[4] & mask) not in comparison.differing].append(state)  # type: ignore[operator]
        spool.add_state(found[True], present=True)
        spool.add_state(found[False])

    def _ensure_target(self, destination: Destination) -> None:
        """A sync that creates its target (a new LinkedIn audience) does so on its first run and
        keeps the id, so later runs reuse it. A run that died after creating finds it again
        (existing_target) instead of creating a second one."""
        sync = self.execution.sync
        if sync.target_object or not sync.target_create:
            return
        if self.execution.test:
            raise RunStopped(
                "A dry run can't compare against a target that doesn't exist yet. Run the sync "
                "once to create it."
            )
        properties = {str(k): str(v) for k, v in sync.target_create.items()}
        target = destination.existing_target(properties)
        if target is None:
            target = destination.create_target(properties)
            self._log("target_created", target=target.id, name=target.name)
        else:
            self._log("target_found", target=target.id, name=target.name)
        type(sync).objects.filter(pk=sync.pk).update(target_object=target.id)
        sync.target_object = target.id

    def _start_fresh_if_retargeted(self, plan: SyncPlan) -> None:
        sync = self.execution.sync
        if sync.state_fingerprint == plan.fingerprint:
            return
        retargeted = bool(sync.state_fingerprint)  # empty: the sync's first run
        with transaction.atomic():
            SyncState.objects.filter(sync=sync).delete()
            type(sync).objects.filter(pk=sync.pk).update(state_fingerprint=plan.fingerprint)
        sync.state_fingerprint = plan.fingerprint
        if retargeted:
            self._log("state_reset", reason="the target, mode or identity changed")

    def _all_unchanged(self, records: int) -> None:
        """Finish the diff of a run whose rows all match their delivered state."""
        self._phase("diff")
        self._progress(rows_read=records, rows_changed=0, duplicates_collapsed=0)
        SyncExecution.objects.filter(pk=self.execution.pk).update(
            total_count=records, unchanged_count=records
        )
        counts = dict.fromkeys((Change.CREATE, Change.UPDATE, Change.IN_DOUBT, Change.GONE), 0)
        self._log("diff", **counts, unchanged=records, by_digest=True)
        if self.execution.test:
            report = {change: {"count": 0, "samples": []} for change in counts}
            SyncExecution.objects.filter(pk=self.execution.pk).update(report=report)

    def _open_stream(self, plan: SyncPlan, source: Source) -> RowStream:
        """The model's rows, each with the source's digest of it when the source computes one
        (kept in SyncState beside the values, syncs/engine/digests.py)."""
        query = self.execution.sync.model.query
        try:
            stream = source.open_hashed_stream(query, plan.row_seed)
        except SourceError as error:
            self._log("digest_unavailable", reason=error.message)
            stream = None
        return stream or source.open_stream(query)  # one query: its columns, then its rows

    def _extract(
        self,
        plan: SyncPlan,
        source: Source | None,
        destination: Destination,
        spool: Spool,
        *,
        stream: RowStream | None = None,
        pair: Callable[[Row], bool] | None = None,
    ) -> None:
        """`pair`: true for a (valid) row known unchanged, which is not spooled."""
        if stream is None:
            assert source is not None
            stream = self._open_stream(plan, source)
        columns = [Column(f.name, f.remote_type) for f in stream.fields]
        normalize_identity = destination.identity_normalizer(
            plan.target, plan.identity_target or ""
        )
        wanted = {normalize_identity(v) for v in self.execution.identities}
        read = 0
        invalid: list[RecordError] = []
        reported = time.monotonic()
        for chunk in rows_to_records(
            plan,
            columns,
            stream.chunks,
            normalize_identity=normalize_identity,
            hashed=stream.hashed,
        ):
            read += len(chunk)
            if wanted:
                chunk = [row for row in chunk if row.identity in wanted]
            keep: list[Row] = []
            for row in chunk:
                problem = self._identity_problem(plan, destination, row)
                if problem:
                    invalid.append(self._validation_error(row, problem))
                elif pair is None or not pair(row):
                    keep.append(row)
            spool.add_rows(keep)
            if len(invalid) >= ERROR_BATCH:
                self._save_validation_errors(invalid)
                invalid = []
            # Progress and a look for a cancel about once a second, not per chunk: a million
            # rows are 200 chunks, and two writes each would cost as much as the read.
            if time.monotonic() - reported >= PROGRESS_SECONDS:
                reported = time.monotonic()
                self._progress(rows_read=read)
                self._check_canceled()
        self._progress(rows_read=read)
        self._check_canceled()
        self._save_validation_errors(invalid)

    def _identity_problem(self, plan: SyncPlan, destination: Destination, row: Row) -> str:
        if not plan.identity_source:
            return ""
        if not row.identity.strip():
            return (
                f"The identity column {plan.identity_source} is empty in this row, so it can't be "
                f"matched to a record in {self.execution.sync.target_connection.name}."
            )
        if len(row.identity) > IDENTITY_MAX_LENGTH:
            return f"The identity value is longer than {IDENTITY_MAX_LENGTH} characters."
        return destination.validate_identity(plan.target, plan.identity_target or "", row.identity)

    def _validation_error(self, row: Row, message: str) -> RecordError:
        return RecordError(
            execution=self.execution,
            identity_value=row.identity,
            operation=RecordError.Operation.VALIDATE,
            message=message,
            payload=row.record,
        )

    def _save_validation_errors(self, errors: list[RecordError]) -> None:
        if not errors:
            return
        with transaction.atomic():
            RecordError.objects.bulk_create(errors)
            SyncExecution.objects.filter(pk=self.execution.pk).update(
                error_count=F("error_count") + len(errors)
            )

    def _load_state(self, spool: Spool) -> None:
        """The sync's delivered state into the spool: one query through a raw cursor, server
        side where the database has one (memory holds one fetch), in identity order (the spool's
        keyed table then fills from its end, not at random pages)."""
        states = (
            SyncState.objects.filter(sync=self.execution.sync)
            .order_by("identity_key")
            .values_list("identity_key", "values_hash", "destination_id", "in_doubt", "row_hash")
        )
        # The ORM writes the query (and adapts the sync's id for the database); rows are read
        # through a raw cursor, without a model or a dict each.
        sql, params = states.query.sql_with_params()
        # PostgreSQL's server-side cursor streams inside a transaction (outside one it is WITH
        # HOLD: the whole result is stored on the server before the first fetch). SQLite reads
        # lazily anyway, and there a transaction would take the one write lock (IMMEDIATE).
        in_transaction = (
            transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()
        )
        with in_transaction, connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(STATE_CHUNK):
                spool.add_state(chunk)

    def _refresh_digests(self, spool: Spool) -> None:
        """The row digests of unchanged records, written beside their delivered values where
        SyncState lacks them (state from before digests, or a row that changed only in a column
        the sync doesn't map), so the next run can skip reading rows. Only where the delivered
        values are still the row's: the pair stays truthful."""
        table = SyncState._meta.db_table
        column = {f.name: f.column for f in SyncState._meta.concrete_fields}
        # The sync's id as this database stores it (a UUID is text on SQLite).
        sync_key = SyncState._meta.get_field("sync").get_db_prep_value(
            self.execution.sync_id, connection
        )
        refreshed = 0
        for chunk in spool.stale_digests(STATE_CHUNK):
            identities, hashes, digests = (list(values) for values in zip(*chunk, strict=True))
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute(
                        f"UPDATE {table} AS s SET {column['row_hash']} = v.digest "  # noqa: S608
                        "FROM (SELECT unnest(%s::text[]) AS identity, unnest(%s::text[]) AS "
                        "values_hash, unnest(%s::bigint[]) AS digest) AS v "
                        f"WHERE s.{column['sync']} = %s AND s.{column['identity_key']} = "
                        f"v.identity AND s.{column['values_hash']} = v.values_hash AND NOT "
                        f"s.{column['in_doubt']}",
                        [identities, hashes, digests, sync_key],
                    )
                else:
                    cursor.executemany(
                        f"UPDATE {table} SET {column['row_hash']} = %s "  # noqa: S608
                        f"WHERE {column['sync']} = %s AND {column['identity_key']} = %s AND "
                        f"{column['values_hash']} = %s AND NOT {column['in_doubt']}",
                        [
                            (digest, sync_key, identity, values_hash)
                            for identity, values_hash, digest in chunk
                        ],
                    )
            refreshed += len(chunk)
        if refreshed:
            self._log("digests_refreshed", records=refreshed)

    def _diff(self, spool: Spool, *, comparison: Comparison | None = None) -> None:
        """`comparison`: only the rows of differing buckets were spooled; the others (and the
        rows paired with their state) are unchanged records."""
        skipped = 0
        if comparison is not None:
            skipped = comparison.rows - comparison.candidates + self.paired
        conflicts = []
        for identity, copies in spool.conflicts():
            conflicts.append(
                RecordError(
                    execution=self.execution,
                    identity_value=identity,
                    operation=RecordError.Operation.VALIDATE,
                    message=(
                        f"{copies} rows of the model share this identity with different values, "
                        "so Syncline can't tell which one to send; none was sent. Make the model "
                        "return one row per identity."
                    ),
                )
            )
            if len(conflicts) >= ERROR_BATCH:
                self._save_validation_errors(conflicts)
                conflicts = []
        self._save_validation_errors(conflicts)
        counts = {
            change: spool.count(change)
            for change in (
                Change.CREATE,
                Change.UPDATE,
                Change.UNCHANGED,
                Change.IN_DOUBT,
                Change.GONE,
            )
        }
        # A skipped row that a spooled one contradicts is a conflict, not an unchanged record.
        counts[Change.UNCHANGED] += skipped - spool.present_conflicts()
        figures: dict[str, int] = {}
        details: dict[str, Any] = {}
        if comparison is not None:
            figures["rows_read"] = comparison.rows
            details = {
                "buckets_read": len(comparison.differing),
                "rows_spooled": spool.rows_count(),
            }
        self._progress(
            rows_changed=counts[Change.CREATE] + counts[Change.UPDATE] + counts[Change.IN_DOUBT],
            duplicates_collapsed=spool.duplicates_collapsed(),
            **figures,
        )
        SyncExecution.objects.filter(pk=self.execution.pk).update(
            # Identities of spooled rows whose state is `present` are among the skipped rows.
            total_count=spool.rows_count() - spool.present_rows() + skipped + self._errors_so_far(),
            unchanged_count=counts[Change.UNCHANGED],
        )
        self._log("diff", **counts, **details)

    def _errors_so_far(self) -> int:
        return SyncExecution.objects.values_list("error_count", flat=True).get(pk=self.execution.pk)

    def _report(self, spool: Spool) -> None:
        report: dict[str, Any] = {}
        for change in (Change.CREATE, Change.UPDATE, Change.IN_DOUBT, Change.GONE):
            samples = next(spool.pending(change, SAMPLE_RECORDS), [])
            report[change] = {
                "count": spool.count(change),
                "samples": [{"identity": p.identity, "record": p.record} for p in samples],
            }
        SyncExecution.objects.filter(pk=self.execution.pk).update(report=report)

    def _reconcile(self, plan: SyncPlan, destination: Destination, spool: Spool) -> None:
        """Records whose last write may have been applied are looked up at the vendor before
        anything is sent for them again (DESIGN.md §5.6): found → delivered; not found → sent."""
        if not spool.count(Change.IN_DOUBT):
            return
        self._phase("reconcile")
        batch = destination.batch_size_for(plan.target, plan.options)
        for pending in spool.pending(Change.IN_DOUBT, batch):
            identities = [p.identity for p in pending]
            found = destination.reconcile(
                plan.target, plan.identity_target or "", identities, options=plan.options
            )
            self._log("reconcile", records=len(identities), found=len(found or {}))
            if found is None:
                continue  # idempotent writes: sending again is safe
            # Found and never confirmed before: in create mode it stays as the create made it
            # (that mode sends no updates), so its values count as the ones delivered; other
            # modes update it once with its id, as its values are not known.
            confirmed = {
                p.identity: p.values_hash
                for p in pending
                if plan.mode == "create" and not p.state_hash and p.identity in found
            }
            with transaction.atomic():
                for item in pending:
                    vendor_id = found.get(item.identity)
                    states = SyncState.objects.filter(
                        sync=self.execution.sync, identity_key=item.identity
                    )
                    if vendor_id is None:
                        states.delete()
                    elif item.identity in confirmed:
                        states.update(
                            in_doubt=False,
                            destination_id=vendor_id,
                            values_hash=item.values_hash,
                            row_hash=item.row_hash,
                        )
                    else:
                        states.update(in_doubt=False, destination_id=vendor_id)
            spool.resolve_doubt(found, identities, confirmed=confirmed)

    def _load(self, plan: SyncPlan, destination: Destination, spool: Spool) -> None:
        new_mode, changed_mode = _MODES.get(plan.mode, (plan.mode, plan.mode))
        batch_size = destination.batch_size_for(plan.target, plan.options)
        for change, mode in (
            (Change.CREATE, new_mode),
            (Change.IN_DOUBT, new_mode),
            (Change.UPDATE, changed_mode),
        ):
            if mode is None:
                continue
            for pending in spool.pending(change, batch_size):
                self._send(plan, destination, mode, pending)
        removal = destination.removal_for(plan.target)
        if removal is None or plan.mode == "remove" or not spool.count(Change.GONE):
            return
        choice = self.execution.sync.when_row_leaves
        if choice == "leave" or (choice == "" and not removal.default):
            return
        identity = plan.identity_target or ""
        # A run for listed identities read only those rows: every other record merely looks
        # gone, so only the listed ones may be removed.
        listed = {
            destination.normalize_identity(plan.target, identity, value)
            for value in self.execution.identities
        }
        for pending in spool.pending(Change.GONE, batch_size):
            gone = [
                Pending(p.identity, {identity: p.identity}, "", p.destination_id)
                for p in pending
                if not listed or p.identity in listed
            ]
            if gone:
                self._send(plan, destination, removal.mode, gone, removing=True)

    def _send(
        self,
        plan: SyncPlan,
        destination: Destination,
        mode: str,
        pending: list[Pending],
        *,
        removing: bool = False,
    ) -> None:
        self._check_canceled()
        started = time.monotonic()
        if not removing:
            mark_in_flight(execution=self.execution, pending=pending)
        batch: WriteBatch = destination.write(
            plan.target,
            mode,
            [p.record for p in pending],
            identity_field=plan.identity_target or "",
            options=plan.options,
            known_ids={p.identity: p.destination_id for p in pending if p.destination_id},
        )
        tally = commit_batch(
            execution=self.execution, pending=pending, batch=batch, removing=removing
        )
        self._log(
            "batch",
            mode=mode,
            records=len(pending),
            seconds=round(time.monotonic() - started, 3),
            **dict(tally.outcomes),
        )
        self._drain_calls(destination)
        self._progress(
            rows_sent=tally.sent,
            rows_accepted=tally.outcomes.get("accepted", 0),
            rows_rejected=tally.outcomes.get("rejected", 0),
            add=True,
        )
        if batch.failure is not None:
            raise batch.failure

    # -- bookkeeping ----------------------------------------------------------------------------
    def _drain_calls(self, destination: Destination) -> None:
        calls = destination.drain_calls()
        retries = sum(call.retries for call in calls)
        waited = sum(call.waited_ms for call in calls)
        if calls:
            self._log("calls", count=len(calls), retries=retries, waited_ms=round(waited, 1))

    def _phase(self, phase: str) -> None:
        SyncExecution.objects.filter(pk=self.execution.pk).update(
            phase=phase, heartbeat_at=timezone.now()
        )
        self._log("phase", phase=phase)

    def _progress(self, *, add: bool = False, **figures: int) -> None:
        for name, value in figures.items():
            self.progress[name] = self.progress.get(name, 0) + value if add else value
        SyncExecution.objects.filter(pk=self.execution.pk).update(
            progress=dict(self.progress), heartbeat_at=timezone.now()
        )

    def _log(self, event: str, **details: Any) -> None:
        entry = {"at": timezone.now().isoformat(), "event": event, **details}
        # One structured line per event, with the execution id, for log search.
        logger.info(json.dumps({"execution": str(self.execution.pk), **entry}, default=str))
        if len(self.log_entries) < LOG_LIMIT:
            self.log_entries.append(entry)
        else:
            self.log_dropped += 1

    def _check_canceled(self) -> None:
        status = SyncExecution.objects.values_list("status", flat=True).get(pk=self.execution.pk)
        if status == SyncExecution.Status.CANCELING:
            raise RunStopped(
                "Canceled. What was delivered before the cancel stays delivered.",
                status=SyncExecution.Status.CANCELED,
            )
        if status != SyncExecution.Status.RUNNING:
            # The reaper took this run for a dead one (its pulse stopped) and another run picks
            # up where it is: this one must stop sending, or both would send the same records.
            raise RunStopped(
                "Stopped: this run was taken over by a new one after its worker stopped answering.",
                status=status,
            )

    def _destination_failure(self, error: DestinationError) -> str:
        name = self.execution.sync.target_connection.name
        if isinstance(error, NeedsReauthorization):
            return f"{error.message} What was delivered before stays delivered."
        return (
            f"The run stopped while sending to {name}: {error.message} What was delivered "
            "before stays delivered; the rest is sent on the next run."
        )

    def _finish(self, problem: str = "", *, status: str | None = None) -> None:
        if self.log_dropped:
            self.log_entries.append({"event": "log_truncated", "dropped": self.log_dropped})
        execution = SyncExecution.objects.get(pk=self.execution.pk)
        final = status or (
            SyncExecution.Status.FAILED if problem else SyncExecution.Status.COMPLETED
        )
        if execution.status not in (SyncExecution.Status.RUNNING, SyncExecution.Status.CANCELING):
            final = execution.status  # reaped meanwhile: the run that resumed it says the rest
        errors = list(execution.errors)
        if problem and final != SyncExecution.Status.CANCELED:
            errors.append(problem)
        SyncExecution.objects.filter(pk=execution.pk).update(
            status=final,
            phase="",
            completed_at=timezone.now(),
            errors=errors,
            log=self.log_entries,
            progress=dict(self.progress),
        )
        logger.info(
            json.dumps({"execution": str(execution.pk), "event": "finished", "status": final})
        )


def execute(execution: SyncExecution) -> None:
    with heartbeat(execution.pk, every=settings.SYNCLINE_HEARTBEAT_SECONDS):
        Run(execution)()
