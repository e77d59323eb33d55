"""PostgreSQL through psycopg 3: read-only transactions, a statement timeout, server-side cursors.

Errors: https://www.postgresql.org/docs/current/errcodes-appendix.html
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
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
    Source,
    SourceError,
    SourceField,
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
            raise self._explain(error, offset=offset) from error
        finally:
            connection.close()

    def check(self) -> None:
        with self._connection() as connection:
            connection.execute("SELECT 1")

    def preview(self, query: str, limit: int = PREVIEW_ROWS) -> Preview:
        with (
            self._connection(offset=len(PREVIEW_PREFIX)) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute(wrap_limit(query, limit))
            fields = [self._field(column) for column in cursor.description or []]
            return Preview(fields=fields, rows=cursor.fetchall() if limit else [])

    def stream(
        self, query: str, chunk_rows: int = STREAM_CHUNK_ROWS
    ) -> Iterator[list[tuple[Any, ...]]]:
        with self._connection() as connection:
            # A named cursor is a server-side cursor: rows arrive `chunk_rows` at a time.
            with connection.cursor(name=f"syncline_{uuid.uuid4().hex}") as cursor:
                cursor.itersize = chunk_rows
                cursor.execute(query)
                while chunk := cursor.fetchmany(chunk_rows):
                    yield chunk

    @staticmethod
    def _field(column: psycopg.Column) -> SourceField:
        kind, remote = _TYPES.get(column.type_code, ("unknown", column.type_display or "unknown"))
        if column.type_code not in _TYPES and (column.type_display or "").endswith("[]"):
            kind = "array"
        return SourceField(name=column.name, type=kind, remote_type=remote)

    def _explain(self, error: psycopg.Error, *, offset: int = 0) -> SourceError:
        """psycopg's errors, in words a person can act on."""
        text = str(error).strip()
        host = f"{self.option('host', '127.0.0.1')}:{self.option('port', 5432)}"
        if isinstance(error, pg_errors.InvalidPassword) or "password authentication failed" in text:
            return SourceError(
                f"PostgreSQL refused the username or password for user "
                f"'{self.option('username') or self.option('user')}'. Check both and try again."
            )
        if "role" in text and "does not exist" in text:
            return SourceError(
                f"PostgreSQL has no user '{self.option('username') or self.option('user')}'. "
                "Check the username."
            )
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
                f"The database '{self.option('database')}' does not exist on {host}."
            )
        if isinstance(error, pg_errors.InsufficientPrivilege):
            return SourceError(
                f"Permission denied: {_first_line(text)}. Ask your database "
                "administrator to grant SELECT on it."
            )
        if isinstance(error, pg_errors.SyntaxError):
            position = getattr(error.diag, "statement_position", None)
            where = f" at character {int(position) - offset}" if position else ""
            return SourceError(f"Syntax error{where}: {_first_line(text)}")
        if isinstance(error, pg_errors.UndefinedTable | pg_errors.UndefinedColumn):
            return SourceError(f"{_first_line(text).capitalize()}. Check the name and the schema.")
        if isinstance(error, pg_errors.QueryCanceled):
            return SourceError(
                f"The query took longer than {self.statement_timeout} s and was stopped.",
                permanent=False,
            )
        if isinstance(error, pg_errors.ReadOnlySqlTransaction):
            return SourceError("The query tried to write; models may only read.")
        return SourceError(f"PostgreSQL said: {_first_line(text)}", permanent=False)


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else "unknown error"
