"""The Snowflake source against the demo warehouse, over the real connector's wire protocol."""

from __future__ import annotations

import pytest

from connections.models import Connection
from connections.sources.base import SourceError
from connections.sources.snowflake import SnowflakeSource

ACTIVE_USERS = (
    "SELECT MAX(last_activity_date) AS last_activity_date, plan, first_name, last_name, email "
    "FROM users GROUP BY plan, first_name, last_name, email"
)


def _source(settings: dict, **overrides: object) -> SnowflakeSource:
    values = {**settings, **overrides}
    password = values.pop("password")
    return SnowflakeSource(
        Connection(type="snowflake", configuration=values, secrets={"password": password})
    )


def test_the_demo_warehouse_accepts_the_connection(demo_warehouse):
    _source(demo_warehouse).check()


def test_a_wrong_password_is_explained(demo_warehouse):
    with pytest.raises(SourceError, match="refused the username or password for 'demo'"):
        _source(demo_warehouse, password="wrong").check()


def test_the_walkthrough_query_previews_with_upper_case_field_names(demo_warehouse):
    preview = _source(demo_warehouse).preview(ACTIVE_USERS)
    assert [field.name for field in preview.fields] == [
        "LAST_ACTIVITY_DATE",
        "PLAN",
        "FIRST_NAME",
        "LAST_NAME",
        "EMAIL",
    ]
    assert [field.type for field in preview.fields] == [
        "datetime",
        "string",
        "string",
        "string",
        "string",
    ]
    assert len(preview.rows) == 50


def test_streaming_reads_every_row_in_chunks(demo_warehouse):
    chunks = list(_source(demo_warehouse).stream("SELECT email FROM users", chunk_rows=1000))
    assert sum(len(chunk) for chunk in chunks) == 3274
    assert max(len(chunk) for chunk in chunks) == 1000


def test_an_unknown_table_is_explained(demo_warehouse):
    with pytest.raises(SourceError, match="The table NO_SUCH_TABLE doesn't exist in DEMO.PUBLIC"):
        _source(demo_warehouse).preview("SELECT * FROM no_such_table")


def test_an_unreachable_warehouse_is_explained(demo_warehouse):
    source = _source(demo_warehouse, port=1)
    source.configuration["login_timeout"] = 3
    with pytest.raises(SourceError, match="Could not reach Snowflake account 'demo'"):
        source.check()


def test_an_unreadable_private_key_is_explained(demo_warehouse):
    source = _source(demo_warehouse)
    source.secrets = {"private_key": "not a pem"}
    with pytest.raises(SourceError, match="private key could not be read"):
        source.check()
