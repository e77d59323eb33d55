"""Source classes by connection type: an explicit dict, as DESIGN.md §6 asks."""

from __future__ import annotations

from connections.models import Connection
from connections.sources.base import Source, SourceError
from connections.sources.postgres import PostgresSource
from connections.sources.salesforce import SalesforceSource
from connections.sources.snowflake import SnowflakeSource

SOURCES: dict[str, type[Source]] = {
    "postgresql": PostgresSource,
    "snowflake": SnowflakeSource,
    "salesforce": SalesforceSource,
}


def source_for(connection: Connection) -> Source:
    source_class = SOURCES.get(connection.type)
    if source_class is None:
        raise SourceError(f"{connection.name} is not a warehouse Syncline can read models from.")
    return source_class(connection)
