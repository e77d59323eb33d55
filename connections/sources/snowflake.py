"""Snowflake through snowflake-connector-python: password or key-pair auth, statement timeout.

Connector API: https://docs.snowflake.com/en/developer-guide/python-connector/python-connector-api
Snowflake has no read-only session switch: models are checked by the SQL parser before they run,
and a read-only role is the administrator's second line (docs/sources.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import snowflake.connector
from cryptography.hazmat.primitives import serialization
from snowflake.connector import errors as sf_errors

from connections.hosts import ensure_allowed_host, snowflake_host
from connections.sources.base import (
    PREVIEW_ROWS,
    STREAM_CHUNK_ROWS,
    Preview,
    Source,
    SourceError,
    SourceField,
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


class SnowflakeSource(Source):
    dialect = "snowflake"

    def _connect_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "account": self.option("account"),
            "user": self.option("username") or self.option("user"),
            "database": self.option("dbname") or self.option("database"),
            "schema": self.option("schema"),
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
        if self.option("protocol") == "http":
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

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        ensure_allowed_host(snowflake_host(self.configuration))
        try:
            connection = snowflake.connector.connect(**self._connect_kwargs())
        except sf_errors.Error as error:
            raise self._explain(error) from error
        try:
            yield connection
        except sf_errors.Error as error:
            raise self._explain(error) from error
        finally:
            connection.close()

    def check(self) -> None:
        with self._connection() as connection:
            connection.cursor().execute("SELECT 1").fetchall()

    def preview(self, query: str, limit: int = PREVIEW_ROWS) -> Preview:
        with self._connection() as connection:
            cursor = connection.cursor()
            cursor.execute(wrap_limit(query, limit))
            fields = [self._field(column) for column in cursor.description or []]
            return Preview(fields=fields, rows=[tuple(row) for row in cursor.fetchall()])

    def stream(
        self, query: str, chunk_rows: int = STREAM_CHUNK_ROWS
    ) -> Iterator[list[tuple[Any, ...]]]:
        with self._connection() as connection:
            cursor = connection.cursor()
            # The connector downloads result chunks as they are read, not all at once.
            cursor.execute(query)
            while chunk := cursor.fetchmany(chunk_rows):
                yield [tuple(row) for row in chunk]

    @staticmethod
    def _field(column: Any) -> SourceField:
        kind, remote = _TYPES.get(column.type_code, ("unknown", str(column.type_code)))
        return SourceField(name=column.name, type=kind, remote_type=remote)

    def _explain(self, error: sf_errors.Error) -> SourceError:
        """The connector's errors, in words a person can act on."""
        text = (getattr(error, "raw_msg", None) or str(error)).strip()
        errno = getattr(error, "errno", None)
        lowered = text.lower()
        if errno == 390100 or "incorrect username or password" in lowered:
            return SourceError(
                f"Snowflake refused the username or password for "
                f"'{self.option('username') or self.option('user')}'. Check both and try again."
            )
        if errno == 390144 or "jwt token is invalid" in lowered:
            return SourceError("Snowflake refused the key pair: is the public key set on the user?")
        if (
            "could not connect" in lowered
            or "failed to connect" in lowered
            or errno
            in {
                250003,
                251011,
                251012,
            }
        ):
            return SourceError(
                f"Could not reach Snowflake account '{self.option('account')}'. Check the account "
                "identifier (e.g. xy12345.eu-west-1) and the network.",
                permanent=False,
            )
        if errno == 1003 or "syntax error" in lowered:
            return SourceError(f"Syntax error: {_first_line(text)}")
        if errno == 2003 or "does not exist or not authorized" in lowered:
            return SourceError(
                f"{_first_line(text)} Check the name, the database and schema, and that the "
                "role may read it."
            )
        if errno == 604 or "timeout" in lowered:
            return SourceError(
                f"The query took longer than {self.statement_timeout} s and was stopped.",
                permanent=False,
            )
        return SourceError(f"Snowflake said: {_first_line(text)}", permanent=False)


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else "unknown error"
