"""The model's rows against the delivered state through row digests, without reading the rows
(docs/benchmarks.md, P1).

A source that digests rows (Source.row_digests: PostgreSQL) sums them in the warehouse; SyncState
keeps, beside the values delivered for a record, the digest of the row they came from
(`row_hash`). Equal counts and exact sums mean the model's rows are exactly the delivered ones.
When they differ, the same sums by bucket (the low bits of the digest) say where: the rows of
the buckets that agree are delivered as they are, and only the others need reading.

A state row without a digest, or in doubt, is "unusable": it is in no bucket's sums, so the row
it came from makes its bucket differ and is read, and the state row itself is always diffed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q, Sum

from connections.sources.base import RowDigests
from syncs.models import Sync, SyncState

BUCKETS = 4096  # a power of two: a bucket is digest & (BUCKETS - 1)
# Read only the differing buckets' rows while they are at most this share of the model (or of
# the state); more, and one pass over every row is cheaper than the bucket sums and look-ups.
TARGETED_SHARE = 0.1
LOOKUP_CHUNK = 1_000  # identities per state look-up query

StateTuple = tuple[str, str, str, bool, int | None]  # identity, values hash, id, in doubt, digest


@dataclass(frozen=True)
class Comparison:
    rows: int  # the model's rows
    differing: frozenset[int]  # buckets (of BUCKETS) whose rows aren't the delivered ones
    candidates: int  # model rows in those buckets
    unusable: int  # state rows without a digest, or in doubt

    @property
    def unchanged(self) -> bool:
        """Every row is a delivered one, and every state row is one of them."""
        return not self.differing and not self.unusable

    @property
    def worth_targeting(self) -> bool:
        return self.candidates + self.unusable <= TARGETED_SHARE * max(self.rows, 1)


def compare(digests: RowDigests, sync: Sync) -> Comparison | None:
    """None when the sync has no state yet (every row is new: read them all).

    The warehouse's sums are asked for in a thread while the app database sums the state: two
    servers' work at once (the thread only waits on the warehouse's connection; the main thread
    uses it again only after that answer)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="syncline-digests") as pool:
        asked = pool.submit(digests.sums, 1)
        usable, unusable = state_totals(sync)
        model = asked.result()
        if not usable and not unusable:
            return None
        rows = sum(count for count, _ in model.values())
        if model == usable and not unusable:
            return Comparison(rows=rows, differing=frozenset(), candidates=0, unusable=0)
        asked = pool.submit(digests.sums, BUCKETS)
        usable = state_sums(sync, BUCKETS)
        model = asked.result()
    differing = frozenset(b for b in model.keys() | usable.keys() if model.get(b) != usable.get(b))
    candidates = sum(model[b][0] for b in differing if b in model)
    return Comparison(rows=rows, differing=differing, candidates=candidates, unusable=unusable)


_USABLE = Q(in_doubt=False, row_hash__isnull=False)


def state_totals(sync: Sync) -> tuple[dict[int, tuple[int, int]], int]:
    """({0: (records, exact sum of their digests)} of the usable state, or {}; the number of
    unusable state rows), in one pass."""
    states = SyncState.objects.filter(sync=sync)
    if connection.vendor != "postgresql":
        unusable = states.exclude(_USABLE).count()
        return state_sums(sync, 1), unusable
    found = states.aggregate(
        records=Count("pk", filter=_USABLE),
        total=Sum("row_hash", filter=_USABLE),
        unusable=Count("pk", filter=~_USABLE),
    )
    usable = {0: (int(found["records"]), int(found["total"]))} if found["records"] else {}
    return usable, int(found["unusable"])


def state_sums(sync: Sync, buckets: int) -> dict[int, tuple[int, int]]:
    """{bucket: (records, exact sum of their digests)} of the usable state."""
    states = SyncState.objects.filter(sync=sync).filter(_USABLE)
    mask = buckets - 1
    if connection.vendor == "postgresql":  # sum(bigint) is an exact numeric there
        grouped = (
            states.annotate(bucket=F("row_hash").bitand(mask))
            .values("bucket")
            .annotate(records=Count("pk"), total=Sum("row_hash"))
            .order_by()
        )
        return {int(g["bucket"]): (int(g["records"]), int(g["total"])) for g in grouped}
    # SQLite's sum() stops at 64 bits: summed here.
    found: dict[int, list[int]] = {}
    for digest in states.values_list("row_hash", flat=True).iterator(chunk_size=10_000):
        tally = found.setdefault(digest & mask, [0, 0])
        tally[0] += 1
        tally[1] += digest
    return {bucket: (n, total) for bucket, (n, total) in found.items()}


def differing_states(sync: Sync, differing: Collection[int]) -> Iterator[StateTuple]:
    """The state rows of the differing buckets, and every unusable one."""
    mask = BUCKETS - 1
    states = SyncState.objects.filter(sync=sync)
    fields = ("identity_key", "values_hash", "destination_id", "in_doubt", "row_hash")
    if connection.vendor == "postgresql":
        chosen = states.annotate(bucket=F("row_hash").bitand(mask)).filter(
            Q(bucket__in=list(differing)) | Q(in_doubt=True) | Q(row_hash__isnull=True)
        )
        yield from chosen.values_list(*fields).iterator(chunk_size=10_000)
        return
    wanted = set(differing)
    for state in states.values_list(*fields).iterator(chunk_size=10_000):
        if state[3] or state[4] is None or state[4] & mask in wanted:
            yield state


def states_of(sync: Sync, identities: list[str]) -> Iterator[StateTuple]:
    fields = ("identity_key", "values_hash", "destination_id", "in_doubt", "row_hash")
    for start in range(0, len(identities), LOOKUP_CHUNK):
        chunk = identities[start : start + LOOKUP_CHUNK]
        yield from SyncState.objects.filter(sync=sync, identity_key__in=chunk).values_list(*fields)
