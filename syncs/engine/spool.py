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
from syncs.engine.values import record_hash

_SCHEMA = """
CREATE TABLE rows (
    identity TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    record TEXT NOT NULL,
    copies INTEGER NOT NULL DEFAULT 1,
    conflict INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE state (
    identity TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    in_doubt INTEGER NOT NULL
) WITHOUT ROWID;
"""


class Change:
    """What the diff found for one identity."""

    CREATE = "create"  # not delivered before
    UPDATE = "update"  # delivered, but its values changed (or a resync)
    UNCHANGED = "unchanged"
    IN_DOUBT = "in_doubt"  # a write that may have been applied: reconcile first
    GONE = "gone"  # delivered before, no longer in the model
    CONFLICT = "conflict"  # several rows with this identity, with different values


_WHERE = {
    Change.CREATE: "s.identity IS NULL AND r.conflict = 0",
    Change.UPDATE: "s.in_doubt = 0 AND (s.hash != r.hash OR :resync) AND r.conflict = 0",
    Change.UNCHANGED: "s.in_doubt = 0 AND s.hash = r.hash AND NOT :resync AND r.conflict = 0",
    Change.IN_DOUBT: "s.in_doubt = 1 AND r.conflict = 0",
}

# Only the fixed clauses above are ever formatted in; values travel as parameters.
_JOINED = "SELECT {columns} FROM rows r LEFT JOIN state s USING (identity) WHERE {where}"


@dataclass(frozen=True)
class Pending:
    identity: str
    record: dict[str, Any]
    values_hash: str
    destination_id: str  # from earlier runs, "" when none
    state_hash: str | None = None  # the values delivered before; None when never delivered


class Spool:
    def __init__(self, directory: str | None = None, *, resync: bool = False) -> None:
        handle, self.path = tempfile.mkstemp(prefix="syncline-spool-", suffix=".db", dir=directory)
        os.close(handle)
        self.resync = resync
        self.db = sqlite3.connect(self.path)
        # Scratch data rebuilt by any rerun: no journal, no fsync.
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)

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
        self.db.executemany(
            "INSERT INTO rows (identity, hash, record) VALUES (?, ?, ?) "
            "ON CONFLICT (identity) DO UPDATE SET copies = copies + 1, "
            "conflict = conflict OR hash != excluded.hash",
            (
                (row.identity, record_hash(row.record), json.dumps(row.record, default=str))
                for row in rows
            ),
        )
        self.db.commit()

    def add_state(self, states: Iterable[tuple[str, str, str, bool]]) -> None:
        """(identity, values hash, destination id, in doubt) of every delivered record."""
        self.db.executemany(
            "INSERT OR REPLACE INTO state VALUES (?, ?, ?, ?)",
            ((i, h, d or "", int(bool(doubt))) for i, h, d, doubt in states),
        )
        self.db.commit()

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

    # -- reading -------------------------------------------------------------------------------
    def count(self, change: str) -> int:
        if change == Change.GONE:
            sql = "SELECT count(*) FROM state s LEFT JOIN rows r USING (identity) "
            sql += "WHERE r.identity IS NULL"
        elif change == Change.CONFLICT:
            sql = "SELECT count(*) FROM rows WHERE conflict = 1"
        else:
            sql = _JOINED.format(columns="count(*)", where=_WHERE[change])
        return int(self.db.execute(sql, {"resync": int(self.resync)}).fetchone()[0])

    def rows_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM rows").fetchone()[0])

    def duplicates_collapsed(self) -> int:
        """Rows that repeated an identity with the same values (sent once)."""
        sql = "SELECT coalesce(sum(copies - 1), 0) FROM rows WHERE conflict = 0"
        return int(self.db.execute(sql).fetchone()[0])

    def pending(self, change: str, batch: int) -> Iterator[list[Pending]]:
        """The records of one kind of change, in batches, in identity order."""
        if change == Change.GONE:
            sql = (
                "SELECT s.identity, '{}', s.hash, s.destination_id, s.hash FROM state s "
                "LEFT JOIN rows r USING (identity) WHERE r.identity IS NULL ORDER BY s.identity"
            )
        else:
            sql = _JOINED.format(
                columns="r.identity, r.record, r.hash, coalesce(s.destination_id, ''), s.hash",
                where=_WHERE[change] + " ORDER BY r.identity",
            )
        cursor = self.db.execute(sql, {"resync": int(self.resync)})
        while chunk := cursor.fetchmany(batch):
            yield [Pending(i, json.loads(record), h, d, old) for i, record, h, d, old in chunk]

    def conflicts(self, limit: int | None = None) -> Iterator[tuple[str, int]]:
        sql = "SELECT identity, copies FROM rows WHERE conflict = 1 ORDER BY identity"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        yield from self.db.execute(sql)
