"""Per batch, in one short transaction: state for what the vendor accepted, errors for what it
rejected, the doubt for what may have been applied (DESIGN.md §5.6). Nothing else is written:
a record is never recorded as delivered unless the destination accepted it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connections.destinations.base import Operation, Outcome, RecordResult, WriteBatch
from connections.registry import CONNECTION_TYPES
from syncs.engine.spool import Pending
from syncs.models import RecordError, SyncExecution, SyncState

# Counts an accepted record adds to, by its operation.
_COUNT_FIELDS = {
    Operation.INSERT: "insert_count",
    Operation.UPDATE: "update_count",
    Operation.UPSERT: "upsert_count",
    Operation.DELETE: "delete_count",
}


@dataclass
class Tally:
    """What one batch did, for the execution's counts and progress."""

    sent: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)


def mark_in_flight(*, execution: SyncExecution, pending: list[Pending]) -> None:
    """Before a batch is sent, its records are marked in doubt in one short transaction. A
    worker killed between the vendor's answer and commit_batch leaves them so, and the next run
    reconciles them at the vendor instead of creating them a second time. The delivered values
    (hash) stay as they were: only the vendor's answer may change them."""
    new = [p for p in pending if p.state_hash is None]
    known = [p.identity for p in pending if p.state_hash is not None]  # delivered, or in doubt
    with transaction.atomic():
        if new:
            SyncState.objects.bulk_create(
                [
                    SyncState(
                        sync_id=execution.sync_id,
                        identity_key=p.identity,
                        values_hash="",  # nothing delivered yet
                        destination_id=p.destination_id,
                        in_doubt=True,
                    )
                    for p in new
                ],
                update_conflicts=True,
                unique_fields=["sync", "identity_key"],
                update_fields=["in_doubt", "updated_at"],
            )
        if known:
            SyncState.objects.filter(sync_id=execution.sync_id, identity_key__in=known).update(
                in_doubt=True
            )


def commit_batch(
    *,
    execution: SyncExecution,
    pending: list[Pending],
    batch: WriteBatch,
    removing: bool = False,
) -> Tally:
    if len(batch.results) != len(pending):
        # One result per record is the contract; anything else can't be trusted to say which
        # record was delivered, so nothing of it is recorded as delivered.
        raise RuntimeError(
            f"The destination answered {len(batch.results)} results for {len(pending)} records."
        )
    tally = Tally(sent=len(pending))
    delivered: list[SyncState] = []
    doubtful: list[SyncState] = []
    removed: list[str] = []
    never_delivered: list[str] = []  # marked in flight, not taken: back to no state at all
    back_as_before: list[str] = []  # marked in flight, not taken: the earlier delivery stands
    errors: list[RecordError] = []
    sync_id = execution.sync_id
    for item, result in zip(pending, batch.results, strict=True):
        tally.outcomes[result.outcome.value] += 1
        if result.outcome is Outcome.ACCEPTED:
            if removing:
                removed.append(item.identity)
            else:
                delivered.append(
                    SyncState(
                        sync_id=sync_id,
                        identity_key=item.identity,
                        values_hash=item.values_hash,
                        destination_id=result.destination_id or item.destination_id,
                        in_doubt=False,
                        # The digest of the row these values came from, beside them: never
                        # without the values (a doubtful write keeps the earlier pair).
                        row_hash=item.row_hash,
                    )
                )
            tally.counts[_count_field(result)] += 1
        elif result.outcome is Outcome.IN_DOUBT:
            doubtful.append(
                SyncState(
                    sync_id=sync_id,
                    identity_key=item.identity,
                    # Not the values sent: whether they arrived is unknown. Found at the vendor
                    # later, the record is then updated once more rather than trusted.
                    values_hash=item.state_hash or "",
                    destination_id=item.destination_id,
                    in_doubt=True,
                )
            )
        else:
            if result.outcome is Outcome.REJECTED:
                errors.append(_record_error(execution, item, result))
                tally.counts["error_count"] += 1
            if not removing:
                bucket = back_as_before if item.state_hash else never_delivered
                bucket.append(item.identity)
    now = timezone.now()
    with transaction.atomic():
        for rows, digest in ((delivered, ["row_hash"]), (doubtful, [])):
            if rows:
                SyncState.objects.bulk_create(
                    rows,
                    update_conflicts=True,
                    unique_fields=["sync", "identity_key"],
                    update_fields=[
                        "values_hash",
                        "destination_id",
                        "in_doubt",
                        *digest,
                        "updated_at",
                    ],
                )
        states = SyncState.objects.filter(sync_id=sync_id)
        if removed:
            states.filter(identity_key__in=removed).delete()
        if never_delivered:
            states.filter(identity_key__in=never_delivered).delete()
        if back_as_before:
            states.filter(identity_key__in=back_as_before).update(in_doubt=False)
        if errors:
            RecordError.objects.bulk_create(errors)
        updates = {name: F(name) + n for name, n in tally.counts.items() if n}
        SyncExecution.objects.filter(pk=execution.pk).update(heartbeat_at=now, **updates)
    return tally


def _count_field(result: RecordResult) -> str:
    if not result.changed:
        return "unchanged_count"
    return _COUNT_FIELDS.get(result.operation, "update_count")


def _record_error(execution: SyncExecution, item: Pending, result: RecordResult) -> RecordError:
    tool = CONNECTION_TYPES[execution.sync.target_connection.type].name
    said = result.message or "no reason given"
    code = f" (its error code: {result.code})" if result.code and result.code not in said else ""
    message = f"{tool} refused this record: {said}{code}."
    if said.startswith(tool.split()[0]):  # the vendor package already said it in a sentence
        message = f"{said}{code}"
    if result.retryable:
        message += " It may go through on a later try; Syncline sends it again on the next run."
    return RecordError(
        execution=execution,
        identity_value=item.identity,
        operation=result.operation.value,
        message=message,
        payload=item.record,
    )
