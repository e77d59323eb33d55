"""Saving a model asks the warehouse for its fields before any transaction is opened.

A warehouse may take minutes to answer; a transaction open meanwhile would hold the model's
row lock (and, on SQLite, the database's only write lock) so that every worker and page that
writes waits behind it.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from connections.services import connection_create
from connections.sources.snowflake import SnowflakeSource
from models_app.services import sql_model_create, sql_model_update
from tests.factories import SqlModelFactory

# Not the usual per-test transaction: inside it, every query would look transactional.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def warehouse_calls(monkeypatch):
    """Whether a transaction was open at each warehouse query the model services made."""
    calls: list[bool] = []
    real_preview = SnowflakeSource.preview

    def preview(self, query, limit=50):
        calls.append(connection.in_atomic_block)
        return real_preview(self, query, limit)

    monkeypatch.setattr(SnowflakeSource, "preview", preview)
    return calls


@pytest.fixture
def snowflake(organization, demo_warehouse):
    return connection_create(
        organization=organization, name="Demo", type="snowflake", values=dict(demo_warehouse)
    )


def test_creating_a_model_queries_the_warehouse_outside_a_transaction(
    organization, snowflake, warehouse_calls
):
    sql_model_create(
        organization=organization, name="Users", source=snowflake, query="SELECT email FROM users"
    )
    assert warehouse_calls == [False]


def test_changing_a_models_query_queries_the_warehouse_outside_a_transaction(
    organization, snowflake, warehouse_calls
):
    model = sql_model_create(
        organization=organization, name="Users", source=snowflake, query="SELECT email FROM users"
    )
    updated = sql_model_update(model=model, query="SELECT email, plan FROM users")
    assert warehouse_calls == [False, False]
    assert [field["name"] for field in updated.fields] == ["EMAIL", "PLAN"]
    assert updated.version == 2


def test_a_name_taken_while_the_warehouse_answered_is_refused_in_words(
    organization, snowflake, monkeypatch
):
    real_preview = SnowflakeSource.preview

    def preview(self, query, limit=50):
        SqlModelFactory(organization=organization, name="Users", source=snowflake)
        return real_preview(self, query, limit)

    monkeypatch.setattr(SnowflakeSource, "preview", preview)
    with pytest.raises(ValidationError, match="A model named 'Users' already exists"):
        sql_model_create(
            organization=organization,
            name="Users",
            source=snowflake,
            query="SELECT email FROM users",
        )
