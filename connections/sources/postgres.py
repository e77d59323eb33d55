"""PostgreSQL through psycopg 3: read-only transactions, a statement timeout, server-side cursors.

Errors: https://www.postgresql.org/docs/current/errcodes-appendix.html
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors

from connections.hosts import postgres_pinned
from connections.sources.base import (
    PREVIEW_PREFIX,
    PREVIEW_ROWS,
    STREAM_CHUNK_ROWS,
    Preview,
    RowDigests,
    RowStream,
    Source,
    SourceError,
    SourceField,
    column_missing,
    one_line,
    table_missing,
    wrap_limit,
)

# Type OIDs (pg_type) to Syncline's normalised field types.
_TYPES: dict[int, tuple[str, str]] = {
    16: ("boolean", "boolean"),
    17: ("binary", "bytea"),
    18: ("string", "char"),
    19: ("string", "name"),
    20: ("number", "bigint"),
    21: ("number", "smallint"),
    23: ("number", "integer"),
    25: ("string", "text"),
    26: ("number", "oid"),
    114: ("object", "json"),
    700: ("number", "real"),
    701: ("number", "double precision"),
    1042: ("string", "character"),
    1043: ("string", "character varying"),
    1082: ("datetime", "date"),
    1083: ("string", "time"),
    1114: ("datetime", "timestamp"),
    1184: ("datetime", "timestamp with time zone"),
    1700: ("number", "numeric"),
    2950: ("string", "uuid"),
    3802: ("object", "jsonb"),
}

# current_schemas(false): the schemas of the search path that exist and this user may use,
# i.e. where an unqualified table name is looked up.
# https://www.postgresql.org/docs/current/functions-info.html#FUNCTIONS-INFO-SESSION
SEARCHED_SCHEMAS = (
    "SELECT current_database(), current_schemas(false), current_setting('search_path')"
)
_QUOTED = re.compile(r'"([^"]+)"')
_PERMISSION = re.compile(r"permission denied for (\w+) (\S+)")


class PostgresSource(Source):
    dialect = "postgres"

    def _connect_kwargs(self) -> dict[str, Any]:
        return {
            "host": self.option("host", "127.0.0.1"),
            "port": int(self.option("port", 5432)),
            "dbname": self.option("database") or self.option("dbname"),
            "user": self.option("username") or self.option("user"),
            "password": self.secrets.get("password") or None,
            "sslmode": self.option("sslmode", "prefer"),
            "connect_timeout": int(self.option("connect_timeout", 10)),
            "application_name": "syncline",
            # Read-only and time-limited on the server side, whatever the query says.
            "options": (
                f"-c default_transaction_read_only=on "
                f"-c statement_timeout={int(self.statement_timeout * 1000)}"
            ),
        }

    def _user(self) -> str:
        return self.option("username") or self.option("user") or ""

    def _database(self) -> str:
        return self.option("database") or self.option("dbname") or ""

    @contextmanager
    def _connection(self, *, offset: int = 0) -> Iterator[psycopg.Connection[Any]]:
        """`offset`: how far Syncline's wrapping moved the query (for error positions)."""
        try:
            connection = psycopg.connect(**postgres_pinned(self._connect_kwargs()))
        except psycopg.Error as error:
            raise self._explain(error) from error
        try:
            connection.read_only = True
            yield connection
        except psycopg.Error as error:
            schemas = _searched(connection) if isinstance(error, pg_errors.UndefinedTable) else []
            raise self._explain(error, offset=offset, schemas=schemas) from error
        finally:
            connection.close()

    def check(self) -> None:
        """Log in, and check that unqualified table names have a schema to be looked up in."""
        with self._connection() as connection:
            database, schemas, search_path = connection.execute(SEARCHED_SCHEMAS).fetchone()
        if not schemas:
            raise SourceError(
                f"User {self._user()} has no schema to look tables up in on database "
                f"{database}: none of its search path ({search_path}) exists or may be used. "
                "Ask your database administrator to grant USAGE on the schema of your tables, "
                f"or to set the user's search path (ALTER ROLE {self._user()} SET search_path "
                "= your_schema)."
            )

    def preview(self, query: str, limit: int = PREVIEW_ROWS) -> Preview:
        with (
            self._connection(offset=len(PREVIEW_PREFIX)) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute(wrap_limit(query, limit))
            fields = [self._field(column) for column in cursor.description or []]
            return Preview(fields=fields, rows=cursor.fetchall() if limit else [])

    def _rows(
        self, query: str, chunk_rows: int = STREAM_CHUNK_ROWS, *, offset: int = 0, hidden: int = 0
    ) -> Iterator[Any]:
        """`offset`: how far Syncline's wrapping moved the query; `hidden`: trailing columns
        Syncline added (not the model's, so not among the fields)."""
        with self._connection(offset=offset) as connection:
            # A named cursor is a server-side cursor: rows arrive `chunk_rows` at a time.
            with connection.cursor(name=f"syncline_{uuid.uuid4().hex}") as cursor:
                cursor.itersize = chunk_rows
                cursor.execute(query)
                columns = list(cursor.description or [])
                yield [self._field(column) for column in columns[: len(columns) - hidden]]
                while chunk := cursor.fetchmany(chunk_rows):
                    yield chunk

    def open_hashed_stream(self, query: str, seed: str) -> RowStream:
        # The model's own query, read-only as streamed; the seed is hex digits (_row_hash).
        prefix = f"SELECT syncline_row.*, {_row_hash(seed)} FROM ("  # noqa: S608
        rows = self._rows(
            f"{prefix}{_bare(query)}) AS syncline_row",
            STREAM_CHUNK_ROWS,
            offset=len(prefix),
            hidden=1,
        )
        fields = next(rows)
        return RowStream(fields=fields, chunks=rows, hashed=True)

    @contextmanager
    def row_digests(self, query: str, seed: str) -> Iterator[RowDigests]:
        # One read-only REPEATABLE READ transaction: the sums and the rows streamed after them
        # see the same snapshot of the warehouse, whatever is written there meanwhile.
        # https://www.postgresql.org/docs/current/transaction-iso.html#XACT-REPEATABLE-READ
        with self._connection() as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            with connection.transaction():
                yield _PostgresDigests(self, connection, _bare(query), seed)

    @staticmethod
    def _field(column: psycopg.Column) -> SourceField:
        kind, remote = _TYPES.get(column.type_code, ("unknown", column.type_display or "unknown"))
        if column.type_code not in _TYPES and (column.type_display or "").endswith("[]"):
            kind = "array"
        return SourceField(name=column.name, type=kind, remote_type=remote)

    def _explain(
        self, error: psycopg.Error, *, offset: int = 0, schemas: list[str] | None = None
    ) -> SourceError:
        """psycopg's errors, in words a person can act on; PostgreSQL's own words as detail."""
        text = str(error).strip()
        host = f"{self.option('host', '127.0.0.1')}:{self.option('port', 5432)}"
        if isinstance(error, pg_errors.InvalidPassword) or "password authentication failed" in text:
            return SourceError(
                f"PostgreSQL refused the username or password for user '{self._user()}'. Check "
                "both and try again."
            )
        if "role" in text and "does not exist" in text:
            return SourceError(f"PostgreSQL has no user '{self._user()}'. Check the username.")
        if "could not translate host name" in text or "Name or service not known" in text:
            return SourceError(
                f"The host '{self.option('host')}' could not be found. Check the spelling."
            )
        if "Connection refused" in text or "timeout expired" in text or "No route to host" in text:
            return SourceError(
                f"Nothing answered at {host}. Check the host and port, and that the database "
                "accepts connections from this server.",
                permanent=False,
            )
        if isinstance(error, pg_errors.InvalidCatalogName):
            return SourceError(
                f"The database '{self._database()}' does not exist on {host}. Check the "
                "database name."
            )
        detail = one_line(_first_line(text))
        if isinstance(error, pg_errors.InsufficientPrivilege):
            return SourceError(self._not_allowed(text), detail=detail)
        if isinstance(error, pg_errors.SyntaxError):
            position = getattr(error.diag, "statement_position", None)
            where = f" at character {int(position) - offset}" if position else ""
            return SourceError(
                f"The query has a syntax error{where}. Check the SQL there.", detail=detail
            )
        if isinstance(error, pg_errors.UndefinedTable):
            name = _quoted(text)
            return SourceError(table_missing(name, self._place(schemas or [])), detail=detail)
        if isinstance(error, pg_errors.UndefinedColumn):
            return SourceError(column_missing(_quoted(text)), detail=detail)
        if isinstance(error, pg_errors.InvalidSchemaName):
            return SourceError(
                f"The schema {_quoted(text)} doesn't exist in database {self._database()}, or "
                "this user can't see it. Check the name in the query.",
                detail=detail,
            )
        if isinstance(error, pg_errors.QueryCanceled):
            return SourceError(
                f"The query took longer than {self.statement_timeout} s and was stopped.",
                permanent=False,
            )
        if isinstance(error, pg_errors.ReadOnlySqlTransaction):
            return SourceError("The query tried to write; models may only read.", detail=detail)
        code = f" (error {error.sqlstate})" if error.sqlstate else ""
        return SourceError(
            f"PostgreSQL could not run the query{code}. Check the query, or show the details to "
            "whoever looks after the database.",
            permanent=False,
            detail=detail,
        )

    def _place(self, schemas: list[str]) -> str:
        """Where an unqualified table name was looked up: 'analytics.public'."""
        if len(schemas) == 1:
            return f"{self._database()}.{schemas[0]}"
        if schemas:
            return f"database {self._database()} (schemas {', '.join(schemas)})"
        return f"database {self._database()} (this user's search path names no schema it may use)"

    def _not_allowed(self, text: str) -> str:
        found = _PERMISSION.search(text)
        kind, name = found.groups() if found else ("table", "")
        if kind == "schema":
            return (
                f"User {self._user()} may not use the schema {name}. Ask your database "
                "administrator to grant USAGE on it, and SELECT on its tables."
            )
        what = f"the {kind} {name}" if name else "a table the query reads"
        return (
            f"User {self._user()} may not read {what}. Ask your database administrator to "
            "grant SELECT on it."
        )


_SEED = re.compile(r"[0-9a-f]{1,64}")


def _row_hash(seed: str) -> str:
    """The digest of a model row (aliased syncline_row): hashtextextended (PostgreSQL 11+, the
    64-bit hash behind hash partitioning) of the whole row's text, salted with `seed`. Its exact
    sum over a million rows takes the warehouse about a third of the time it takes to stream them
    (docs/benchmarks.md, P1). A hash that changes with a server version or a session setting
    (DateStyle, TimeZone) only makes sums differ from the delivered ones: that run reads every
    row, as it would without digests.
    https://www.postgresql.org/docs/current/functions-string.html"""
    if not _SEED.fullmatch(seed):  # written into the SQL: hex digits only
        raise ValueError("a row digest's seed is hexadecimal")
    # ROW(alias.*), not alias::text: a model column named syncline_row would be taken for the
    # alias there, and the digest would cover that column alone.
    return f"hashtextextended('{seed}' || ROW(syncline_row.*)::text, 0)"


class _PostgresDigests(RowDigests):
    def __init__(
        self, source: PostgresSource, connection: psycopg.Connection[Any], query: str, seed: str
    ) -> None:
        self.source = source
        self.connection = connection
        self.query = query
        self.digest = _row_hash(seed)

    def sums(self, buckets: int = 1) -> dict[int, tuple[int, int]]:
        # One bucket: a plain aggregate, which PostgreSQL runs in parallel (a third of the
        # stream's time at 1M rows); by bucket it is a hash aggregate, about twice that.
        sql = (
            f"SELECT syncline_digest & {_mask(buckets)}, count(*), sum(syncline_digest) "  # noqa: S608
            f"FROM (SELECT {self.digest} AS syncline_digest FROM ({self.query}) AS syncline_row) "
            "AS syncline_digests GROUP BY 1"
        )
        if buckets == 1:
            sql = (
                f"SELECT 0, count(*), sum({self.digest}) FROM ({self.query}) AS syncline_row "  # noqa: S608
                "HAVING count(*) > 0"
            )
        found = self.connection.execute(sql).fetchall()
        return {int(bucket): (int(count), int(total)) for bucket, count, total in found}

    def stream(self, buckets: int, only: Collection[int]) -> RowStream:
        listed = ", ".join(str(int(bucket)) for bucket in sorted(only)) or "NULL"
        sql = (
            f"SELECT syncline_row.*, {self.digest} FROM ({self.query}) AS syncline_row "  # noqa: S608
            f"WHERE ({self.digest} & {_mask(buckets)}) IN ({listed})"
        )
        rows = self._rows(sql)
        fields = next(rows)
        return RowStream(fields=fields, chunks=rows, hashed=True)

    def _rows(self, sql: str) -> Iterator[Any]:
        with self.connection.cursor(name=f"syncline_{uuid.uuid4().hex}") as cursor:
            cursor.itersize = STREAM_CHUNK_ROWS
            cursor.execute(sql)
            columns = list(cursor.description or [])
            yield [self.source._field(column) for column in columns[:-1]]
            while chunk := cursor.fetchmany(STREAM_CHUNK_ROWS):
                yield chunk


def _mask(buckets: int) -> int:
    if buckets < 1 or buckets & (buckets - 1):
        raise ValueError("row digest buckets are a power of two")
    return buckets - 1


def _bare(query: str) -> str:
    """The model's query as a subquery: no trailing semicolon."""
    return query.strip().rstrip(";").strip()


def _searched(connection: psycopg.Connection[Any]) -> list[str]:
    """The schemas an unqualified name was looked up in; the failed transaction ends first."""
    try:
        connection.rollback()
        row = connection.execute(SEARCHED_SCHEMAS).fetchone()
    except psycopg.Error:
        return []
    return list(row[1]) if row else []


def _quoted(text: str) -> str:
    """The name in 'relation "x" does not exist', as PostgreSQL spells it."""
    found = _QUOTED.search(_first_line(text))
    return found.group(1) if found else "named in the query"


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else "unknown error"
