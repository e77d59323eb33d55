"""The run's working set on disk: model rows by identity beside the delivered state, diffed in SQL.

The warehouse cursor is read once into the spool and closed, so a rate-limited vendor that takes
hours never holds it open (DESIGN.md §5.6). SQLite in the worker's temp dir: set-based, memory
bounded (no dict of every row), and gone when the run ends.

Rows sharing an identity collapse when their values agree; when they differ the identity is
marked as a conflict and none of its rows is sent.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from syncs.engine.extract import Row
from syncs.engine.values import record_text, text_hash

# Rows arrive in the model's order, which is no order of their identities: they are appended to
# a heap as they come (`incoming`) and indexed by (identity, hash) once all are in (SQLite builds
# an index by sorting). Inserting them straight into a table keyed by identity costs a descent
# to a random page per row: for a million rows, several times what the warehouse takes to send
# them (docs/benchmarks.md, P1). `rows` is then one row per identity, pointing at the first
# copy's record: a view of the heap when no identity repeats, a table grouped from it when some
# do. The index holds every column the diff reads, so the diff walks it in identity order beside
# the state, never the heap at random.
_SCHEMA = """
CREATE TABLE incoming (
    identity TEXT NOT NULL,
    hash TEXT NOT NULL,
    record TEXT NOT NULL,
    row_hash INTEGER
);
CREATE TABLE state (
    identity TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    in_doubt INTEGER NOT NULL,
    row_hash INTEGER,
    present INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"""
_INDEX = "CREATE INDEX incoming_identity ON incoming (identity, hash, row_hash)"
_ANY_REPEATED = "SELECT 1 FROM incoming GROUP BY identity HAVING count(*) > 1 LIMIT 1"
_ONE_EACH = (
    "CREATE VIEW rows AS SELECT identity, hash, row_hash, rowid AS first, 1 AS copies, "
    "0 AS conflict FROM incoming"
)
_GROUPED = """
CREATE TABLE rows (
    identity TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    row_hash INTEGER,
    first INTEGER NOT NULL,
    copies INTEGER NOT NULL,
    conflict INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO rows (identity, hash, row_hash, first, copies, conflict)
SELECT identity, min(hash), min(row_hash), min(rowid), count(*), min(hash) != max(hash)
FROM incoming GROUP BY identity;
"""
_UNGROUP = """
DROP VIEW IF EXISTS rows;
DROP TABLE IF EXISTS rows;
DROP INDEX IF EXISTS incoming_identity;
"""
# Scratch data rebuilt by any rerun: no journal, no fsync, no locking between statements; a
# page cache big enough that indexing and joining a million rows mostly stays off the disk.
_PRAGMAS = """
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
PRAGMA locking_mode=EXCLUSIVE;
PRAGMA cache_size=-32768;
"""


STALE_DIGEST = "stale_digest"  # a count(): unchanged records whose state lacks the row's digest


class Change:
    """What the diff found for one identity."""

    CREATE = "create"  # not delivered before
    UPDATE = "update"  # delivered, but its values changed (or a resync)
    UNCHANGED = "unchanged"
    IN_DOUBT = "in_doubt"  # a write that may have been applied: reconcile first
    GONE = "gone"  # delivered before, no longer in the model
    CONFLICT = "conflict"  # several rows with this identity, with different values


# A state row `present` (a diff of only some rows, syncs/engine/digests.py) is one whose row is
# in the model but not in the spool: a spooled row with its identity is another row of it,
# collapsing into it with the same values and a conflict with others, as in a diff of every row.
_WHERE = {
    Change.CREATE: "s.identity IS NULL AND r.conflict = 0",
    Change.UPDATE: (
        "s.in_doubt = 0 AND s.present = 0 AND (s.hash != r.hash OR :resync) AND r.conflict = 0"
    ),
    Change.UNCHANGED: (
        "s.in_doubt = 0 AND s.present = 0 AND s.hash = r.hash AND NOT :resync AND r.conflict = 0"
    ),
    Change.IN_DOUBT: "s.in_doubt = 1 AND r.conflict = 0",
}
_CONFLICTED = "(r.conflict = 1 OR coalesce(s.present = 1 AND s.hash != r.hash, 0))"

# Only the fixed clauses above are ever formatted in; values travel as parameters.
_PENDING = (
    "SELECT r.identity, i.record, r.hash, coalesce(s.destination_id, ''), s.hash, r.row_hash "
    "FROM rows r JOIN incoming i ON i.rowid = r.first LEFT JOIN state s USING (identity) "
    "WHERE {where} ORDER BY r.identity"
)
_GONE = (
    "FROM state s WHERE s.present = 0 AND "
    "NOT EXISTS (SELECT 1 FROM rows r WHERE r.identity = s.identity)"
)
# Unchanged records whose state doesn't hold this row's digest (delivered before digests, or
# from a row that differs in a column the sync doesn't map): the digest is written beside the
# delivered values, so the next run can tell from digests alone that nothing changed.
_STALE_DIGEST = (
    f"{_WHERE[Change.UNCHANGED]} AND r.row_hash IS NOT NULL AND s.row_hash IS NOT r.row_hash"
)
# Every kind of change counted in one pass over the rows (one query per kind would be a pass
# each): the four above, the conflicts, the rows that have state (the state rows no row
# matched are the gone ones), and the stale digests.
_MATCHED = "s.identity IS NOT NULL AND s.present = 0"
_COUNTS = "SELECT {} FROM rows r LEFT JOIN state s USING (identity)".format(  # noqa: S608
    ", ".join(
        f"coalesce(sum({where}), 0)"
        for where in (*_WHERE.values(), _CONFLICTED, _MATCHED, _STALE_DIGEST)
    )
)


@dataclass(frozen=True)
class Pending:
    identity: str
    record: dict[str, Any]
    values_hash: str
    destination_id: str  # from earlier runs, "" when none
    state_hash: str | None = None  # the values delivered before; None when never delivered
    row_hash: int | None = None  # the source's digest of the model row (Row.row_hash)


class Spool:
    def __init__(self, directory: str | None = None, *, resync: bool = False) -> None:
        handle, self.path = tempfile.mkstemp(prefix="syncline-spool-", suffix=".db", dir=directory)
        os.close(handle)
        self.resync = resync
        self.db = sqlite3.connect(self.path)
        self.db.executescript(_PRAGMAS + _SCHEMA)
        self._grouped = False  # `rows` exists and holds every row added so far
        self._repeated = False  # some identity came in more than one row
        self._present = False  # some state row is `present`
        self._counts: dict[str, int] | None = None

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    # -- filling -------------------------------------------------------------------------------
    def add_rows(self, rows: Iterable[Row]) -> None:
        if self._grouped:  # more rows after a read: group again when next read
            self.db.executescript(_UNGROUP)
            self._grouped = False
        self.db.executemany(
            "INSERT INTO incoming (identity, hash, record, row_hash) VALUES (?, ?, ?, ?)",
            [
                (row.identity, text_hash(text), text, row.row_hash)
                for row in rows
                for text in (record_text(row.record),)
            ],
        )
        self.db.commit()
        self._counts = None

    def _group(self) -> None:
        """One row per identity in `rows`, once all rows are in."""
        if self._grouped:
            return
        self.db.execute(_INDEX)
        self._repeated = self.db.execute(_ANY_REPEATED).fetchone() is not None
        if self._repeated:
            self.db.executescript(_GROUPED)  # the copies of an identity grouped into one row
        else:
            self.db.execute(_ONE_EACH)
        self.db.commit()
        self._grouped = True

    def add_state(self, states: Iterable[tuple[Any, ...]], *, present: bool = False) -> None:
        """(identity, values hash, destination id or "", in doubt[, row digest]) of every
        delivered record, as SyncState keeps them: taken as they are (a million rows, no Python
        step each). `present`: their rows are in the model, not in the spool (_WHERE)."""
        states = states if isinstance(states, list) else list(states)
        if states and len(states[0]) == 4:  # no digests
            sql = "INSERT OR REPLACE INTO state (identity, hash, destination_id, in_doubt, "
            sql += (
                "present) VALUES (?, ?, ?, ?, 1)" if present else "present) VALUES (?, ?, ?, ?, 0)"
            )
        elif present:
            sql = "INSERT OR REPLACE INTO state VALUES (?, ?, ?, ?, ?, 1)"
        else:
            sql = "INSERT OR REPLACE INTO state VALUES (?, ?, ?, ?, ?, 0)"
        self.db.executemany(sql, states)
        self._present = self._present or (present and bool(states))
        self.db.commit()
        self._counts = None

    def resolve_doubt(
        self,
        found: dict[str, str],
        identities: list[str],
        *,
        confirmed: dict[str, str] | None = None,
    ) -> None:
        """After reconciling: the ones the vendor has are delivered (their values compared as
        usual; `confirmed` gives the hash of those whose values count as delivered), the ones it
        hasn't are new again."""
        self.db.executemany(
            "UPDATE state SET in_doubt = 0, destination_id = ? WHERE identity = ?",
            ((vendor_id, identity) for identity, vendor_id in found.items()),
        )
        self.db.executemany(
            "UPDATE state SET hash = ? WHERE identity = ?",
            ((values_hash, identity) for identity, values_hash in (confirmed or {}).items()),
        )
        self.db.executemany(
            "DELETE FROM state WHERE identity = ?",
            ((identity,) for identity in identities if identity not in found),
        )
        self.db.commit()
        self._counts = None

    # -- reading -------------------------------------------------------------------------------
    def count(self, change: str) -> int:
        self._group()
        if self._counts is None:
            *kinds, conflicts, matched, stale = self.db.execute(
                _COUNTS, {"resync": int(self.resync)}
            ).fetchone()
            sql = "SELECT count(*) FROM state WHERE present = 0"
            states = self.db.execute(sql).fetchone()[0]
            self._counts = {kind: int(n) for kind, n in zip(_WHERE, kinds, strict=True)}
            self._counts[Change.CONFLICT] = int(conflicts)
            self._counts[Change.GONE] = int(states) - int(matched)
            self._counts[STALE_DIGEST] = int(stale)
        return self._counts[change]

    def rows_count(self) -> int:
        self._group()
        return int(self.db.execute("SELECT count(*) FROM rows").fetchone()[0])

    def duplicates_collapsed(self) -> int:
        """Rows that repeated an identity with the same values (sent once)."""
        self._group()
        if not self._repeated and not self._present:
            return 0
        sql = "SELECT coalesce(sum(r.copies - 1 + coalesce(s.present, 0)), 0) FROM rows r "
        sql += f"LEFT JOIN state s USING (identity) WHERE NOT {_CONFLICTED}"
        return int(self.db.execute(sql).fetchone()[0])

    def present_rows(self) -> int:
        """Identities of spooled rows whose state is `present` (their row counted already)."""
        if not self._present:
            return 0
        self._group()
        sql = "SELECT count(*) FROM rows r JOIN state s USING (identity) WHERE s.present = 1"
        return int(self.db.execute(sql).fetchone()[0])

    def present_conflicts(self) -> int:
        """Identities whose `present` row another spooled row contradicts (a conflict)."""
        if not self._present:
            return 0
        self._group()
        sql = "SELECT count(*) FROM rows r JOIN state s USING (identity) "
        sql += f"WHERE s.present = 1 AND {_CONFLICTED}"
        return int(self.db.execute(sql).fetchone()[0])

    def identities_without_state(self) -> Iterator[str]:
        self._group()
        sql = "SELECT r.identity FROM rows r LEFT JOIN state s USING (identity) "
        sql += "WHERE s.identity IS NULL ORDER BY r.identity"
        for (identity,) in self.db.execute(sql).fetchall():
            yield identity

    def pending(self, change: str, batch: int) -> Iterator[list[Pending]]:
        """The records of one kind of change, in batches, in identity order."""
        if not self.count(change):
            return  # known to be none: no pass over the rows for it
        if change == Change.GONE:
            sql = f"SELECT s.identity, '{{}}', s.hash, s.destination_id, s.hash, NULL {_GONE} "
            sql += "ORDER BY s.identity"
        else:
            sql = _PENDING.format(where=_WHERE[change])
        cursor = self.db.execute(sql, {"resync": int(self.resync)})
        while chunk := cursor.fetchmany(batch):
            yield [
                Pending(i, json.loads(record), h, d, old, row)
                for i, record, h, d, old, row in chunk
            ]

    def stale_digests(self, batch: int) -> Iterator[list[tuple[str, str, int]]]:
        """(identity, values hash, the model row's digest) of the unchanged records whose state
        holds another digest or none, in batches."""
        if not self.count(STALE_DIGEST):
            return
        sql = "SELECT r.identity, r.hash, r.row_hash FROM rows r JOIN state s USING (identity) "
        sql += f"WHERE {_STALE_DIGEST} ORDER BY r.identity"
        cursor = self.db.execute(sql, {"resync": int(self.resync)})
        while chunk := cursor.fetchmany(batch):
            yield chunk

    def conflicts(self, limit: int | None = None) -> Iterator[tuple[str, int]]:
        if not self.count(Change.CONFLICT):
            return
        sql = "SELECT r.identity, r.copies + coalesce(s.present, 0) FROM rows r "
        sql += f"LEFT JOIN state s USING (identity) WHERE {_CONFLICTED} ORDER BY r.identity"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        yield from self.db.execute(sql)
