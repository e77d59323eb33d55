"""What every source answers (DESIGN.md §6): check, fields, preview and stream."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from connections.models import Connection
from connections.sources.read_only import ensure_read_only

PREVIEW_ROWS = 50
STREAM_CHUNK_ROWS = 5_000


class SourceError(Exception):
    """A failure explained in words a person can act on; `permanent` if retrying won't help.

    `detail` keeps the warehouse's own words and code (e.g. "002003 (42S02): ..."), for the
    console's small print and for whoever asks the warehouse's administrator; `message` never
    depends on the reader understanding it.
    """

    def __init__(self, message: str, *, permanent: bool = True, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.detail = detail


def table_missing(name: str, place: str = "") -> str:
    """What to say when the query names a table the warehouse can't find for this user."""
    where = f" in {place}" if place and "." not in name else ""
    return (
        f"The table {name} doesn't exist{where}, or this user can't see it. "
        "Check the name in the query."
    )


def column_missing(name: str) -> str:
    return (
        f"The column {name} doesn't exist in the tables the query reads. "
        "Check the column names in the query."
    )


def one_line(text: str, limit: int = 500) -> str:
    """A warehouse's message as one line of small print (they span lines, with carets)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class SourceField:
    name: str  # as the source spells it (Snowflake: EMAIL for an unquoted email)
    type: str  # normalised: string, number, boolean, datetime, array, object, binary, unknown
    remote_type: str  # the source's own type name, e.g. VARCHAR

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type, "remote_type": self.remote_type}


@dataclass
class RowStream:
    """One query's columns, known before any row is read, then its rows in chunks."""

    fields: list[SourceField]
    chunks: Iterator[list[tuple[Any, ...]]]
    # Each row ends with one more value, not a column of the model: the source's digest of the
    # row (the hash row_digests sums), when the stream was opened with a seed the source can use.
    hashed: bool = False


class RowDigests:
    """One snapshot of a query's rows, seen through their digests (Source.row_digests)."""

    def sums(self, buckets: int = 1) -> dict[int, tuple[int, int]]:
        """{bucket: (rows, exact sum of their digests)}, a bucket being the low bits of the
        digest (`buckets` a power of two); buckets without rows are left out."""
        raise NotImplementedError

    def stream(self, buckets: int, only: Collection[int]) -> RowStream:
        """The rows (hashed, as open_hashed_stream) whose digest falls in the `only` buckets."""
        raise NotImplementedError


@dataclass
class Preview:
    fields: list[SourceField]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


class Source:
    """Built from a Connection row; subclasses talk to one kind of warehouse."""

    dialect: ClassVar[str]  # the sqlglot dialect its queries are checked in

    def __init__(self, connection: Connection, *, statement_timeout: int = 300) -> None:
        self.configuration = connection.configuration
        self.secrets = connection.secrets
        self.statement_timeout = statement_timeout

    def check(self) -> None:
        """Connect and run a trivial query; raise SourceError saying what is wrong."""
        raise NotImplementedError

    def check_query(self, query: str) -> str:
        """The model's query as it will be stored and run, or UnsafeQueryError saying why not.

        SQL warehouses parse it as one read-only SELECT in their dialect; a source whose query
        language is not SQL (Salesforce's SOQL) overrides this.
        """
        return ensure_read_only(query, dialect=self.dialect)

    def fields(self, query: str) -> list[SourceField]:
        return self.preview(query, limit=0).fields

    def preview(self, query: str, limit: int = PREVIEW_ROWS) -> Preview:
        raise NotImplementedError

    def stream(
        self, query: str, chunk_rows: int = STREAM_CHUNK_ROWS
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Rows in chunks, through a server-side cursor: memory stays flat however many rows."""
        yield from self.open_stream(query, chunk_rows).chunks

    def open_stream(self, query: str, chunk_rows: int = STREAM_CHUNK_ROWS) -> RowStream:
        """Run the query once: its columns now, its rows as they are read (the sync engine
        needs both, and a second query could see other columns)."""
        rows = self._rows(query, chunk_rows)
        fields = next(rows)
        return RowStream(fields=fields, chunks=rows)  # type: ignore[arg-type]

    def _rows(self, query: str, chunk_rows: int) -> Iterator[Any]:
        """Yield the columns (list[SourceField]) once the query runs, then chunks of rows."""
        raise NotImplementedError

    # -- row digests (optional): what lets a run with nothing to send skip reading every row --
    def open_hashed_stream(self, query: str, seed: str) -> RowStream | None:
        """open_stream, each row followed by a 64-bit hash of the whole row computed by the
        warehouse (salted with `seed`), the same one row_digests sums; None when this source
        can't compute digests (the engine then reads the plain stream)."""
        return None

    def row_digests(self, query: str, seed: str) -> AbstractContextManager[RowDigests] | None:
        """The query's row digests, summed in the warehouse, and the rows of some of them, all
        from one snapshot of the warehouse; None when this source can't compute digests."""
        return None

    def option(self, name: str, default: Any = None) -> Any:
        value = self.configuration.get(name)
        return default if value in (None, "") else value


PREVIEW_PREFIX = "SELECT * FROM ("


def wrap_limit(query: str, limit: int) -> str:
    """The model's query as a subquery, so a preview never fetches more than it shows.

    Error positions reported by the warehouse are shifted by len(PREVIEW_PREFIX).
    """
    return f"{PREVIEW_PREFIX}{query.strip().rstrip(';')}) AS syncline_preview LIMIT {int(limit)}"
