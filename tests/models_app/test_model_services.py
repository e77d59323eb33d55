from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from connections.services import connection_create
from models_app.services import (
    BrokenMappingsError,
    sql_model_create,
    sql_model_preview,
    sql_model_update,
)
from tests.factories import ConnectionFactory, SyncFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse(organization, postgres_warehouse):
    values = {key: postgres_warehouse[key] for key in ("host", "port", "database", "username")}
    return connection_create(
        organization=organization,
        name="Warehouse",
        type="postgresql",
        values={**values, "password": postgres_warehouse["password"]},
    )


def test_creating_a_model_discovers_its_fields_and_suggests_an_identity(
    organization, warehouse, postgres_warehouse
):
    model = sql_model_create(
        organization=organization,
        name="Active Users",
        source=warehouse,
        query=f"SELECT first_name, email, plan FROM {postgres_warehouse['schema']}.users;",
    )
    assert [field["name"] for field in model.fields] == ["first_name", "email", "plan"]
    assert model.identifier == "email"
    assert not model.query.endswith(";")


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("INSERT INTO users VALUES ('x')", "not INSERT"),
        ("DROP TABLE users", "not DROP"),
        ("SELECT 1; DELETE FROM users", "2 statements"),
        ("SELEC email FROM users", "syntax error"),
        ("", "empty"),
    ],
)
def test_writes_and_broken_sql_are_refused_before_reaching_the_warehouse(
    organization, query, reason
):
    # The port is closed: had the query been sent, the error would say nothing answered.
    unreachable = ConnectionFactory(
        organization=organization, configuration={"host": "127.0.0.1", "port": 1}
    )
    with pytest.raises(ValidationError, match=reason):
        sql_model_preview(source=unreachable, query=query)


def test_a_destination_cannot_be_a_model_source(organization):
    salesloft = ConnectionFactory(organization=organization, type="salesloft", secrets={})
    with pytest.raises(ValidationError, match="is a destination"):
        sql_model_create(organization=organization, name="M", source=salesloft, query="SELECT 1")


def test_an_edit_that_drops_a_mapped_column_is_refused_naming_the_syncs(
    organization, warehouse, postgres_warehouse
):
    schema = postgres_warehouse["schema"]
    model = sql_model_create(
        organization=organization,
        name="Users",
        source=warehouse,
        query=f"SELECT email, first_name FROM {schema}.users",
    )
    SyncFactory(
        organization=organization,
        model=model,
        name="Users to cadence",
        identity={
            "source": {"field": "EMAIL", "model_id": str(model.pk)},
            "target": "email",
            "function": "Equality",
        },
        fields=[
            {"source": {"field": "first_name", "model_id": str(model.pk)}, "target": "first_name"}
        ],
    )
    with pytest.raises(BrokenMappingsError) as refused:
        sql_model_update(model=model, query=f"SELECT email FROM {schema}.users")
    assert refused.value.columns == {"first_name": ["Users to cadence"]}
    assert "Users to cadence" in refused.value.messages[0]
    model.refresh_from_db()
    assert model.version == 1  # nothing changed

    updated = sql_model_update(
        model=model, query=f"SELECT email FROM {schema}.users", confirm_breaking=True
    )
    assert [field["name"] for field in updated.fields] == ["email"]
    assert updated.version == 2


def test_a_column_renamed_only_in_case_is_not_a_breaking_change(
    organization, warehouse, postgres_warehouse
):
    schema = postgres_warehouse["schema"]
    model = sql_model_create(
        organization=organization,
        name="Users",
        source=warehouse,
        query=f"SELECT email FROM {schema}.users",
    )
    SyncFactory(
        organization=organization,
        model=model,
        identity={
            "source": {"field": "email", "model_id": str(model.pk)},
            "target": "email",
            "function": "Equality",
        },
    )
    updated = sql_model_update(model=model, query=f'SELECT email AS "EMAIL" FROM {schema}.users')
    assert updated.fields[0]["name"] == "EMAIL"
