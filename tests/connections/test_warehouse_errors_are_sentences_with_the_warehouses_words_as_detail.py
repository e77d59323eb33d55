"""A warehouse's error reaches people as a sentence saying what to do; its own words and code
are kept as the error's detail (the console's small print)."""

from __future__ import annotations

import pytest
from snowflake.connector.errors import ProgrammingError

from connections.models import Connection
from connections.sources.base import SourceError
from connections.sources.postgres import PostgresSource
from connections.sources.snowflake import SnowflakeSource


@pytest.fixture
def snowflake(demo_warehouse):
    values = dict(demo_warehouse)
    password = values.pop("password")
    return SnowflakeSource(
        Connection(type="snowflake", configuration=values, secrets={"password": password})
    )


@pytest.fixture
def postgres(postgres_warehouse):
    configuration = {
        key: postgres_warehouse[key] for key in ("host", "port", "database", "username")
    }
    return PostgresSource(
        Connection(
            type="postgresql",
            configuration=configuration,
            secrets={"password": postgres_warehouse["password"]},
        )
    )


def _error(source, query: str) -> SourceError:
    with pytest.raises(SourceError) as raised:
        source.preview(query)
    return raised.value


def test_an_unknown_snowflake_table_is_named_with_where_it_was_looked_for(snowflake):
    error = _error(snowflake, "SELECT * FROM nonexistent")
    assert error.message == (
        "The table NONEXISTENT doesn't exist in DEMO.PUBLIC, or this user can't see it. "
        "Check the name in the query."
    )
    assert error.detail == (
        "002003 (42S02): Catalog Error: Table with name NONEXISTENT does not exist!"
    )


def test_an_unknown_snowflake_column_is_named(snowflake):
    error = _error(snowflake, "SELECT nosuchcol FROM users")
    assert error.message == (
        "The column NOSUCHCOL doesn't exist in the tables the query reads. "
        "Check the column names in the query."
    )
    assert error.detail.startswith("002043 (02000): Binder Error: Referenced column")


def test_any_other_snowflake_error_gives_its_code_in_a_sentence(snowflake):
    error = _error(snowflake, "SELECT CAST('x' AS INT)")
    assert error.message == (
        "Snowflake could not run the query (error 100035). Check the query, or show the details "
        "to whoever looks after the warehouse."
    )
    assert error.detail == "100035 (22007): Conversion Error: Could not convert string 'x' to INT64"


def test_snowflakes_own_wording_is_recognised_too(snowflake):
    # Snowflake (not the demo warehouse) says it like this, on two lines:
    # https://docs.snowflake.com/en/sql-reference/name-resolution
    answer = ProgrammingError(
        msg="SQL compilation error:\nObject 'DEMO.PUBLIC.NONEXISTENT' does not exist or not "
        "authorized.",
        errno=2003,
        sqlstate="42S02",
    )
    error = snowflake._explain(answer)
    assert error.message == (
        "The table DEMO.PUBLIC.NONEXISTENT doesn't exist, or this user can't see it. "
        "Check the name in the query."
    )
    assert error.detail == (
        "002003 (42S02): SQL compilation error: Object 'DEMO.PUBLIC.NONEXISTENT' does not "
        "exist or not authorized."
    )


def test_an_unknown_postgresql_table_is_named_with_the_schemas_searched(
    postgres, postgres_warehouse
):
    error = _error(postgres, "SELECT * FROM nonexistent")
    assert error.message == (
        f"The table nonexistent doesn't exist in {postgres_warehouse['database']}.public, or "
        "this user can't see it. Check the name in the query."
    )
    assert error.detail == 'relation "nonexistent" does not exist'


def test_an_unknown_postgresql_column_is_named(postgres, postgres_warehouse):
    error = _error(postgres, f"SELECT nosuchcol FROM {postgres_warehouse['schema']}.users")
    assert error.message.startswith("The column nosuchcol doesn't exist")
    assert error.detail == 'column "nosuchcol" does not exist'


def test_any_other_postgresql_error_gives_its_code_in_a_sentence(postgres):
    error = _error(postgres, "SELECT 1 / 0")
    assert error.message == (
        "PostgreSQL could not run the query (error 22012). Check the query, or show the details "
        "to whoever looks after the database."
    )
    assert error.detail == "division by zero"
