"""Salesforce as a model source: a SOQL SELECT, or an object name meaning all its fields.

Reads go through the destination's client (connections/destinations/salesforce/client.py), so
OAuth refresh, retries and the daily API cap behave the same. Results come a page at a time
(nextRecordsUrl), so a model of millions of records streams in flat memory.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
`include_deleted` (the connection's default, or per call) reads through queryAll/, which also
returns deleted and archived records.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from connections.destinations.errors import DestinationError
from connections.destinations.salesforce.client import SalesforceClient
from connections.destinations.salesforce.describe import FieldInfo, ObjectInfo, normalised_type
from connections.destinations.salesforce.soql import (
    OBJECT_NAME,
    Column,
    check_soql,
    parse_select,
    replace_fields_functions,
    value_at,
    with_limit,
)
from connections.models import Connection
from connections.sources.base import (
    PREVIEW_ROWS,
    STREAM_CHUNK_ROWS,
    Preview,
    Source,
    SourceError,
    SourceField,
)

# Compound fields repeat their parts as fields of their own, and base64 bodies can only be read
# one record at a time: "all fields" leaves both out.
NOT_IN_ALL_FIELDS = {"address", "location", "base64"}
FUNCTION_TYPES = {"COUNT": "int", "COUNT_DISTINCT": "int", "SUM": "double", "AVG": "double"}


@dataclass
class Resolved:
    soql: str
    has_limit: bool
    columns: list[str]  # where each value sits in a record (Account.Name is nested)
    fields: list[SourceField]


class SalesforceSource(Source):
    dialect = "soql"  # not a sqlglot dialect: check_query is overridden

    def __init__(self, connection: Connection, *, statement_timeout: int = 300) -> None:
        super().__init__(connection, statement_timeout=statement_timeout)
        self.connection = connection
        self._client: SalesforceClient | None = None

    @property
    def client(self) -> SalesforceClient:
        if self._client is None:
            with _as_source_errors():
                self._client = SalesforceClient(self.connection)
        return self._client

    def check_query(self, query: str) -> str:
        return check_soql(query)

    def check(self) -> None:
        with _as_source_errors():
            self.client.json("GET", "limits/", what="Checking the Salesforce connection failed")

    def fields(self, query: str) -> list[SourceField]:
        with _as_source_errors():
            return self._resolve(query).fields

    def preview(
        self, query: str, limit: int = PREVIEW_ROWS, *, include_deleted: bool | None = None
    ) -> Preview:
        """The first `limit` records; with limit 0 the query still runs (LIMIT 1), so a bad
        field or filter is reported before the model is saved."""
        with _as_source_errors():
            resolved = self._resolve(query)
            soql = resolved.soql
            if not resolved.has_limit:
                soql = with_limit(soql, max(1, limit))
            rows: list[tuple[Any, ...]] = []
            pages = self.client.query_pages(
                soql, include_deleted=self._deleted(include_deleted), page_size=max(1, limit)
            )
            for page in pages:
                rows.extend(_row(record, resolved.columns) for record in page[: limit - len(rows)])
                if len(rows) >= limit:
                    break
            return Preview(resolved.fields, rows)

    def stream(
        self,
        query: str,
        chunk_rows: int = STREAM_CHUNK_ROWS,
        *,
        include_deleted: bool | None = None,
    ) -> Iterator[list[tuple[Any, ...]]]:
        rows = self._rows(query, chunk_rows, include_deleted=include_deleted)
        next(rows)  # the columns
        yield from rows

    def _rows(
        self,
        query: str,
        chunk_rows: int = STREAM_CHUNK_ROWS,
        *,
        include_deleted: bool | None = None,
    ) -> Iterator[Any]:
        with _as_source_errors():
            resolved = self._resolve(query)
            yield resolved.fields
            chunk: list[tuple[Any, ...]] = []
            pages = self.client.query_pages(
                resolved.soql, include_deleted=self._deleted(include_deleted), page_size=chunk_rows
            )
            for page in pages:
                for record in page:
                    chunk.append(_row(record, resolved.columns))
                    if len(chunk) >= chunk_rows:
                        yield chunk
                        chunk = []
            if chunk:
                yield chunk

    def _deleted(self, include_deleted: bool | None) -> bool:
        return self.client.options.include_deleted if include_deleted is None else include_deleted

    # -- from the model's text to SOQL and typed columns ----------------------------------
    def _resolve(self, query: str) -> Resolved:
        text = check_soql(query)
        if OBJECT_NAME.match(text):
            info = self._describe(text)
            names = _all_fields(info)
            soql = f"SELECT {', '.join(names)} FROM {info.name}"  # noqa: S608 - describe's names
            return Resolved(soql, False, names, [_field(info.field(n)) for n in names])
        select = parse_select(text)
        info = self._describe(select.sobject)
        if select.fields_functions:
            expansions = {item: _fields_of(info, item) for item in select.fields_functions}
            select = parse_select(replace_fields_functions(select, expansions))
        fields = [self._column_field(info, column) for column in select.columns]
        return Resolved(select.text, select.has_limit, [c.key for c in select.columns], fields)

    def _describe(self, name: str) -> ObjectInfo:
        try:
            info = self.client.describe(name)
        except DestinationError as error:
            if error.status == 404:
                raise SourceError(f"Salesforce has no object named {name!r}.") from error
            raise
        if not info.queryable:
            raise SourceError(f"Salesforce does not allow queries on {info.name}.")
        return info

    def _column_field(self, info: ObjectInfo, column: Column) -> SourceField:
        if column.function in FUNCTION_TYPES:
            remote = FUNCTION_TYPES[column.function]
            return SourceField(column.key, normalised_type(remote), remote)
        path = column.source or column.key
        item, canonical = self._path(info, path)
        name = column.key if column.function else canonical
        return _field(item, name)

    def _path(self, info: ObjectInfo, path: str) -> tuple[FieldInfo, str]:
        """The field a dotted path ends at, and the path as Salesforce spells it."""
        *relationships, last = path.split(".")
        spelled = []
        current = info
        for part in relationships:
            lookup = current.relationship(part)
            if lookup is None or not lookup.reference_to:
                raise SourceError(f"{current.name} has no relationship named {part!r}.")
            spelled.append(lookup.relationship_name or part)
            current = self._describe(lookup.reference_to[0])
        item = current.field(last)
        if item is None:
            raise SourceError(f"{current.name} has no field named {last!r}.")
        return item, ".".join([*spelled, item.name])


def _all_fields(info: ObjectInfo) -> list[str]:
    return [item.name for item in info.fields if item.type not in NOT_IN_ALL_FIELDS]


def _fields_of(info: ObjectInfo, item: str) -> list[str]:
    """FIELDS(ALL | STANDARD | CUSTOM) spelled out, which also lifts Salesforce's LIMIT 200
    rule for FIELDS(ALL)."""
    kind = item[item.index("(") + 1 : item.rindex(")")].strip().upper()
    return [
        name
        for name in _all_fields(info)
        if kind == "ALL" or (kind == "CUSTOM") == bool(info.field(name) and info.field(name).custom)
    ]


def _field(item: FieldInfo | None, name: str | None = None) -> SourceField:
    assert item is not None  # names come from the same describe
    return SourceField(name or item.name, normalised_type(item.type), item.type)


def _row(record: dict[str, Any], columns: list[str]) -> tuple[Any, ...]:
    return tuple(value_at(record, column) for column in columns)


@contextmanager
def _as_source_errors() -> Iterator[None]:
    """Model pages catch SourceError: say the client's DestinationError in those terms."""
    try:
        yield
    except DestinationError as error:
        raise SourceError(error.message, permanent=error.permanent) from error
