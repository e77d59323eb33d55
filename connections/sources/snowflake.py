"""Snowflake through snowflake-connector-python: password or key-pair auth, statement timeout.

Connector API: https://docs.snowflake.com/en/developer-guide/python-connector/python-connector-api
Snowflake has no read-only session switch: models are checked by the SQL parser before they run,
and a read-only role is the administrator's second line (docs/sources.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import snowflake.connector
from cryptography.hazmat.primitives import serialization
from snowflake.connector import errors as sf_errors

from config.vendors import sandbox_warehouse
from connections.hosts import ensure_allowed_host, snowflake_host
from connections.sources.base import (
    PREVIEW_PREFIX,
    PREVIEW_ROWS,
    STREAM_CHUNK_ROWS,
    Preview,
    Source,
    SourceError,
    SourceField,
    column_missing,
    one_line,
    table_missing,
    wrap_limit,
)

# snowflake.connector.constants.FIELD_ID_TO_NAME, normalised.
_TYPES = {
    0: ("number", "NUMBER"),
    1: ("number", "FLOAT"),
    2: ("string", "VARCHAR"),
    3: ("datetime", "DATE"),
    4: ("datetime", "TIMESTAMP"),
    5: ("object", "VARIANT"),
    6: ("datetime", "TIMESTAMP_LTZ"),
    7: ("datetime", "TIMESTAMP_TZ"),
    8: ("datetime", "TIMESTAMP_NTZ"),
    9: ("object", "OBJECT"),
    10: ("array", "ARRAY"),
    11: ("binary", "BINARY"),
    12: ("string", "TIME"),
    13: ("boolean", "BOOLEAN"),
}

# Without a schema in the session, unqualified names don't resolve ("If a database is specified
# for a session but the schema is not ..., objects ... must be qualified with the schema"):
# https://docs.snowflake.com/en/sql-reference/sql/use-schema. The form promises PUBLIC.
DEFAULT_SCHEMA = "PUBLIC"
# Unqualified INFORMATION_SCHEMA needs a current database; CURRENT_SCHEMA() is NULL when the
# schema named at login doesn't exist or the role can't use it:
# https://docs.snowflake.com/en/sql-reference/name-resolution
SESSION_NAMESPACE_CHECK = (
    "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME = CURRENT_SCHEMA()"
)
NO_CURRENT_DATABASE, NO_CURRENT_SCHEMA = 90105, 90106
# Snowflake's own words, and the demo warehouse's (fakesnow answers in DuckDB's).
_MISSING_TABLE = (
    re.compile(r"(?:Object|Table|View) '([^']+)' does not exist or not authorized"),
    re.compile(r'Table with name "?([^"!]+?)"? does not exist'),
)
_MISSING_COLUMN = (
    re.compile(r"invalid identifier '([^']+)'"),
    re.compile(r'Referenced column "([^"]+)" not found'),
)
_POSITION = re.compile(r"line (\d+) at position (\d+)|Line (\d+), Col: (\d+)")


class SnowflakeSource(Source):
    dialect = "snowflake"

    def _connect_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "account": self.option("account"),
            "user": self.option("username") or self.option("user"),
            "database": self._database(),
            "schema": self._schema(),
            "warehouse": self.option("warehouse"),
            "role": self.option("role"),
            "login_timeout": int(self.option("login_timeout", 20)),
            "network_timeout": int(self.option("network_timeout", 60)),
            "application": "Syncline",
            "client_session_keep_alive": False,
            # No cloud-metadata probes (AWS/GCP/Azure lookups) at every login.
            "platform_detection_timeout_seconds": 0.0,
            "session_parameters": {
                "STATEMENT_TIMEOUT_IN_SECONDS": int(self.statement_timeout),
                "QUERY_TAG": "syncline",
            },
        }
        # host/port/protocol: a private-link host, or the demo warehouse (http on 127.0.0.1).
        for name in ("host", "port", "protocol"):
            if self.option(name):
                kwargs[name] = self.option(name)
        demo = sandbox_warehouse() if not self.option("host") else None
        if demo is not None:  # sandbox mode: no host given means the demo warehouse
            kwargs["host"], kwargs["port"], kwargs["protocol"] = demo
        if kwargs.get("protocol") == "http":
            kwargs["ocsp_fail_open"] = True
            kwargs["disable_ocsp_checks"] = True
        private_key = self.secrets.get("private_key")
        if private_key:
            kwargs["private_key"] = self._private_key_der(private_key)
        else:
            kwargs["password"] = self.secrets.get("password")
        return {key: value for key, value in kwargs.items() if value not in (None, "")}

    def _private_key_der(self, pem: str) -> bytes:
        passphrase = self.secrets.get("private_key_passphrase") or None
        try:
            key = serialization.load_pem_private_key(
                pem.encode(), password=passphrase.encode() if passphrase else None
            )
        except (ValueError, TypeError) as error:
            raise SourceError(
                "The private key could not be read. Paste the whole PEM text (BEGIN … END lines "
                "included) and its passphrase if it has one."
            ) from error
        return key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def _database(self) -> str:
        return self.option("dbname") or self.option("database") or ""

    def _schema(self) -> str:
        return self.option("schema") or (DEFAULT_SCHEMA if self._database() else "")

    def _user(self) -> str:
        return self.option("username") or self.option("user") or ""

    @contextmanager
    def _connection(self, *, offset: int = 0) -> Iterator[Any]:
        """`offset`: how far Syncline's wrapping moved the query (for error positions)."""
        ensure_allowed_host(snowflake_host(self.configuration))
        try:
            connection = snowflake.connector.connect(**self._connect_kwargs())
        except sf_errors.Error as error:
            raise self._explain(error) from error
        try:
            yield connection
        except sf_errors.Error as error:
            raise self._explain(error, offset=offset) from error
        finally:
            connection.close()

    def check(self) -> None:
        """Log in, and check that the database and schema previews look tables up in exist."""
        with self._connection() as connection:
            try:
                (schemas,) = connection.cursor().execute(SESSION_NAMESPACE_CHECK).fetchone()
            except sf_errors.ProgrammingError as error:
                if error.errno == NO_CURRENT_DATABASE:
                    raise self._no_database(error) from error
                raise
        if not schemas:
            raise self._no_schema()

    def _no_database(self, error: sf_errors.Error | None = None) -> SourceError:
        detail = _detail(error) if error is not None else ""
        if not self._database():
            return SourceError(
                "Fill in the database your tables are in: Snowflake has no database for this "
                "connection.",
                detail=detail,
            )
        return SourceError(
            f"Snowflake has no database {self._database().upper()} that user {self._user()} can "
            "use. Check the database name, and that the user's role may use it.",
            detail=detail,
        )

    def _no_schema(self, error: sf_errors.Error | None = None) -> SourceError:
        return SourceError(
            f"The database {self._database().upper()} has no schema "
            f"{self._schema().upper()} that user {self._user()} can use. Fill in the schema "
            f"your tables are in (left empty, it is {DEFAULT_SCHEMA}).",
            detail=_detail(error) if error is not None else "",
        )

    def preview(self, query: str, limit: int = PREVIEW_ROWS) -> Preview:
        with self._connection(offset=len(PREVIEW_PREFIX)) as connection:
            cursor = connection.cursor()
            cursor.execute(wrap_limit(query, limit))
            fields = [self._field(column) for column in cursor.description or []]
            return Preview(fields=fields, rows=[tuple(row) for row in cursor.fetchall()])

    def _rows(self, query: str, chunk_rows: int = STREAM_CHUNK_ROWS) -> Iterator[Any]:
        with self._connection() as connection:
            cursor = connection.cursor()
            # The connector downloads result chunks as they are read, not all at once.
            cursor.execute(query)
            yield [self._field(column) for column in cursor.description or []]
            while chunk := cursor.fetchmany(chunk_rows):
                yield [tuple(row) for row in chunk]

    @staticmethod
    def _field(column: Any) -> SourceField:
        kind, remote = _TYPES.get(column.type_code, ("unknown", str(column.type_code)))
        return SourceField(name=column.name, type=kind, remote_type=remote)

    def _explain(self, error: sf_errors.Error, *, offset: int = 0) -> SourceError:
        """The connector's errors, in words a person can act on; its own words as detail."""
        text = _text(error)
        errno = getattr(error, "errno", None)
        lowered = text.lower()
        if errno == 390100 or "incorrect username or password" in lowered:
            return SourceError(
                f"Snowflake refused the username or password for '{self._user()}'. Check both "
                "and try again."
            )
        if errno == 390144 or "jwt token is invalid" in lowered:
            return SourceError("Snowflake refused the key pair: is the public key set on the user?")
        if (
            "could not connect" in lowered
            or "failed to connect" in lowered
            or errno in {250003, 251011, 251012}
        ):
            return SourceError(
                f"Could not reach Snowflake account '{self.option('account')}'. Check the account "
                "identifier (e.g. xy12345.eu-west-1) and the network.",
                permanent=False,
            )
        # Past the login, Snowflake itself answered: its words are kept as the detail.
        detail = _detail(error)
        if errno == NO_CURRENT_DATABASE:
            return self._no_database(error)
        if errno == NO_CURRENT_SCHEMA:
            return self._no_schema(error)
        if errno == 1003 or "syntax error" in lowered:
            return SourceError(
                f"The query has a syntax error{_where(text, offset)}. Check the SQL there.",
                detail=detail,
            )
        if name := _first_match(_MISSING_TABLE, text):
            return SourceError(table_missing(name, self._namespace()), detail=detail)
        if name := _first_match(_MISSING_COLUMN, text):
            return SourceError(column_missing(name), detail=detail)
        if errno == 604 or "timeout" in lowered:
            return SourceError(
                f"The query took longer than {self.statement_timeout} s and was stopped.",
                permanent=False,
                detail=detail,
            )
        code = f" (error {int(errno):06d})" if errno else ""
        return SourceError(
            f"Snowflake could not run the query{code}. Check the query, or show the details to "
            "whoever looks after the warehouse.",
            permanent=False,
            detail=detail,
        )

    def _namespace(self) -> str:
        """Where Snowflake looks unqualified names up, as it spells them (unquoted: capitals)."""
        return f"{self._database()}.{self._schema()}".upper() if self._database() else ""


def _text(error: sf_errors.Error) -> str:
    """The message alone: Snowflake's raw_msg has none of the code, the demo warehouse's has."""
    text = (getattr(error, "raw_msg", None) or str(error)).strip()
    return re.sub(r"^\d{6} \(\w{5}\): (?:[\w-]+: )?", "", text)


def _detail(error: sf_errors.Error) -> str:
    """Snowflake's code and words, on one line: '002003 (42S02): SQL compilation error: …'."""
    errno, sqlstate = getattr(error, "errno", None), getattr(error, "sqlstate", None)
    code = f"{int(errno):06d} ({sqlstate}): " if errno and sqlstate else ""
    return one_line(code + _text(error))


def _first_match(patterns: tuple[re.Pattern[str], ...], text: str) -> str:
    for pattern in patterns:
        if found := pattern.search(text):
            return found.group(1)
    return ""


def _where(text: str, offset: int) -> str:
    """' at line 1, position 7' in the model's own query (the preview wraps it on line 1)."""
    found = _POSITION.search(text)
    if not found:
        return ""
    line = int(found.group(1) or found.group(3))
    position = int(found.group(2) or found.group(4)) - (offset if line == 1 else 0)
    return f" at line {line}, position {position}" if position > 0 else f" on line {line}"
