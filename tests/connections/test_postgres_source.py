from __future__ import annotations

import pytest

from connections.models import Connection
from connections.sources.base import SourceError
from connections.sources.postgres import PostgresSource


def _source(settings: dict, **overrides: object) -> PostgresSource:
    configuration = {
        "host": settings["host"],
        "port": settings["port"],
        "database": settings["database"],
        "username": settings["username"],
        **overrides,
    }
    connection = Connection(
        type="postgresql", configuration=configuration, secrets={"password": settings["password"]}
    )
    return PostgresSource(connection)


def test_a_real_postgresql_connects_and_previews_rows(postgres_warehouse):
    source = _source(postgres_warehouse)
    source.check()
    preview = source.preview(
        f"SELECT email, plan, last_activity_date FROM {postgres_warehouse['schema']}.users "
        "ORDER BY email",
        limit=5,
    )
    assert [field.to_json() for field in preview.fields] == [
        {"name": "email", "type": "string", "remote_type": "text"},
        {"name": "plan", "type": "string", "remote_type": "text"},
        {"name": "last_activity_date", "type": "datetime", "remote_type": "date"},
    ]
    assert len(preview.rows) == 5


def test_streaming_returns_every_row_in_chunks(postgres_warehouse):
    chunks = list(
        _source(postgres_warehouse).stream(
            f"SELECT email FROM {postgres_warehouse['schema']}.users", chunk_rows=50
        )
    )
    assert [len(chunk) for chunk in chunks] == [50, 50, 20]


def test_the_session_is_read_only_even_if_a_write_slipped_through(postgres_warehouse):
    schema = postgres_warehouse["schema"]
    admin = postgres_warehouse["admin"]
    admin.execute(f"CREATE SEQUENCE {schema}.seq")
    # A SELECT that writes passes any SQL check; the read-only session is what stops it.
    with pytest.raises(SourceError, match="tried to write"):
        _source(postgres_warehouse).preview(f"SELECT nextval('{schema}.seq')")
    assert admin.execute(f"SELECT last_value, is_called FROM {schema}.seq").fetchone() == (1, False)


def test_an_unknown_table_and_a_syntax_error_are_explained(postgres_warehouse):
    source = _source(postgres_warehouse)
    database = postgres_warehouse["database"]
    with pytest.raises(SourceError, match=f"The table nope doesn't exist in {database}.public, "):
        source.preview("SELECT * FROM nope")
    with pytest.raises(SourceError, match="syntax error at character 18. Check the SQL") as raised:
        source.preview("SELECT email frm users")
    assert raised.value.detail == 'syntax error at or near "users"'


def test_a_closed_port_and_an_unknown_user_are_explained(postgres_warehouse):
    with pytest.raises(SourceError, match="Nothing answered at 127.0.0.1:1"):
        _source(postgres_warehouse, host="127.0.0.1", port=1).check()
    with pytest.raises(SourceError, match="no user 'nobody_here'"):
        _source(postgres_warehouse, username="nobody_here").check()


def test_a_permission_problem_names_the_table(postgres_warehouse):
    admin, schema = postgres_warehouse["admin"], postgres_warehouse["schema"]
    admin.execute(f"CREATE ROLE {schema}_reader LOGIN")
    try:
        with pytest.raises(SourceError, match="may not use the schema syncline_src_"):
            _source(postgres_warehouse, username=f"{schema}_reader").preview(
                f"SELECT * FROM {schema}.users"
            )
    finally:
        admin.execute(f"DROP ROLE {schema}_reader")


def test_a_long_query_is_stopped_by_the_statement_timeout(postgres_warehouse):
    source = _source(postgres_warehouse)
    source.statement_timeout = 1
    with pytest.raises(SourceError, match="longer than 1 s"):
        source.preview("SELECT pg_sleep(3)")
