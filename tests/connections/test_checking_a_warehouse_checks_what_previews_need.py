"""Test connection fails, saying what to fill in, when previews could not find tables.

A login alone proves little: a Snowflake session whose database or schema doesn't exist (or that
has no schema at all) logs in fine, and then every unqualified table name fails.
"""

from __future__ import annotations

import pytest

from connections.models import Connection
from connections.sources.base import SourceError
from connections.sources.postgres import PostgresSource
from connections.sources.snowflake import SnowflakeSource


def _snowflake(settings: dict, **overrides: object) -> SnowflakeSource:
    values = {**settings, **overrides}
    password = values.pop("password")
    return SnowflakeSource(
        Connection(type="snowflake", configuration=values, secrets={"password": password})
    )


def test_a_snowflake_database_that_does_not_exist_fails_the_check(demo_warehouse):
    with pytest.raises(SourceError) as raised:
        _snowflake(demo_warehouse, dbname="DEMOO").check()
    assert raised.value.message == (
        "Snowflake has no database DEMOO that user demo can use. Check the database name, and "
        "that the user's role may use it."
    )


def test_a_snowflake_schema_that_does_not_exist_fails_the_check(demo_warehouse):
    with pytest.raises(SourceError) as raised:
        _snowflake(demo_warehouse, schema="PUBLIK").check()
    assert raised.value.message == (
        "The database DEMO has no schema PUBLIK that user demo can use. Fill in the schema your "
        "tables are in (left empty, it is PUBLIC)."
    )


def test_a_snowflake_connection_without_a_database_is_told_to_fill_one_in(demo_warehouse):
    with pytest.raises(SourceError, match="^Fill in the database your tables are in"):
        _snowflake(demo_warehouse, dbname="").check()


def test_a_blank_snowflake_schema_means_public_for_the_check_and_the_preview(demo_warehouse):
    source = _snowflake(demo_warehouse, schema="")
    source.check()
    assert len(source.preview("SELECT email FROM users", limit=3).rows) == 3


@pytest.fixture
def user_without_a_schema(postgres_warehouse):
    """A PostgreSQL user whose search path names only a schema that doesn't exist."""
    admin, role = postgres_warehouse["admin"], f"{postgres_warehouse['schema']}_lost"
    admin.execute(f"CREATE ROLE {role} LOGIN")
    admin.execute(f"ALTER ROLE {role} SET search_path = no_such_schema")
    try:
        yield role
    finally:
        admin.execute(f"DROP ROLE {role}")


def test_a_postgresql_user_with_no_schema_to_search_fails_the_check(
    postgres_warehouse, user_without_a_schema
):
    source = PostgresSource(
        Connection(
            type="postgresql",
            configuration={
                "host": postgres_warehouse["host"],
                "port": postgres_warehouse["port"],
                "database": postgres_warehouse["database"],
                "username": user_without_a_schema,
            },
            secrets={"password": postgres_warehouse["password"]},
        )
    )
    with pytest.raises(SourceError) as raised:
        source.check()
    assert raised.value.message.startswith(
        f"User {user_without_a_schema} has no schema to look tables up in on database "
        f"{postgres_warehouse['database']}: none of its search path (no_such_schema) exists"
    )
    assert f"ALTER ROLE {user_without_a_schema} SET search_path" in raised.value.message
