"""Models over the demo warehouse: Snowflake upper-cases unquoted names; mappings still match."""

from __future__ import annotations

import pytest

from connections.services import connection_create
from models_app.services import sql_model_create, sql_model_update
from tests.factories import SyncFactory

pytestmark = pytest.mark.django_db

ACTIVE_USERS = (
    "SELECT MAX(last_activity_date) AS last_activity_date, plan, first_name, last_name, email "
    "FROM users GROUP BY plan, first_name, last_name, email"
)


def test_a_lower_case_mapping_matches_snowflakes_upper_case_field(organization, demo_warehouse):
    warehouse = connection_create(
        organization=organization, name="Snowflake", type="snowflake", values=demo_warehouse
    )
    model = sql_model_create(
        organization=organization, name="Active Users", source=warehouse, query=ACTIVE_USERS
    )
    assert model.identifier == "EMAIL"
    assert {field["name"] for field in model.fields} >= {"EMAIL", "FIRST_NAME"}
    SyncFactory(
        organization=organization,
        model=model,
        identity={
            "source": {"field": "email", "model_id": str(model.pk)},
            "target": "email_address",
            "function": "Equality",
        },
        fields=[
            {"source": {"field": "first_name", "model_id": str(model.pk)}, "target": "first_name"}
        ],
    )
    # Re-saving the same query keeps `email` and `first_name`: no mapping is reported broken.
    updated = sql_model_update(model=model, query=ACTIVE_USERS + " ")
    assert updated.version == 2
