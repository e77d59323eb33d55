"""/api/models and /api/model-preview: the console's model services behind the contract."""

from __future__ import annotations

import pytest

from models_app.models import SqlModel
from tests.api.conftest import assert_error, snapshot

pytestmark = pytest.mark.django_db

QUERY = "SELECT email, first_name, last_name FROM users WHERE email LIKE 'peg%'"


def test_a_model_is_created_with_its_fields_spelled_as_the_query_spells_them(api, warehouse):
    body = {
        "name": "Active Users",
        "connection_id": str(warehouse.pk),
        "configuration": {"query": QUERY},
    }
    response = api.post("/api/models", body)
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["configuration"] == {"query": QUERY}
    assert [f["name"] for f in data["fields"]] == ["email", "first_name", "last_name"]
    assert all(isinstance(f["id"], str) and f["type"] == "string" for f in data["fields"])
    assert data["connection_id"] == str(warehouse.pk) and data["version"] == 1
    assert data["labels"] == [] and data["identifier"] == "email"
    assert api.get(f"/api/models/{data['id']}").json()["data"] == data
    assert [m["id"] for m in api.get("/api/models").json()["data"]] == [data["id"]]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"name": "M", "configuration": {"query": QUERY}}, "connection_id"),
        (
            {"name": "M", "connection_id": "not-a-uuid", "configuration": {"query": QUERY}},
            "connection_id",
        ),
        ({"name": "M", "connection_id": "{warehouse}", "configuration": {}}, "query"),
        ({"name": "M", "connection_id": "{warehouse}", "configuration": {"query": 7}}, "query"),
        (
            {
                "name": "M",
                "connection_id": "{warehouse}",
                "configuration": {"query": "DELETE FROM users"},
            },
            "",
        ),
        (
            {
                "name": "M",
                "connection_id": "{warehouse}",
                "configuration": {"query": "SELECT nope FROM nowhere"},
            },
            "",
        ),
    ],
)
def test_a_bad_model_is_a_400_and_saves_nothing(api, warehouse, body, says):
    if body.get("connection_id") == "{warehouse}":
        body = {**body, "connection_id": str(warehouse.pk)}
    before = snapshot()
    error = assert_error(api.post("/api/models", body), 400)
    assert says in error["message"]
    assert snapshot() == before


def test_a_destination_is_not_a_model_source(api, salesloft):
    body = {"name": "M", "connection_id": str(salesloft.pk), "configuration": {"query": QUERY}}
    assert_error(api.post("/api/models", body), 400)
    assert_error(api.post("/api/model-preview", body), 400)
    assert not SqlModel.objects.exists()


def test_an_update_rediscovers_the_fields_and_bumps_the_version(api, model):
    body = {
        "name": "Renamed",
        "connection_id": str(model.source_id),
        "configuration": {"query": "SELECT email, plan FROM users LIMIT 3"},
    }
    response = api.put(f"/api/models/{model.pk}", body)
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["name"] == "Renamed" and data["version"] == 2
    assert [f["name"] for f in data["fields"]] == ["email", "plan"]


def test_an_update_that_drops_a_mapped_column_is_a_422(api, sync):
    model = sync.model
    before = snapshot()
    body = {
        "name": model.name,
        "connection_id": str(model.source_id),
        "configuration": {"query": "SELECT email FROM users"},
    }
    error = assert_error(api.put(f"/api/models/{model.pk}", body), 422)
    assert "first_name" in error["message"]
    assert snapshot() == before


def test_a_models_source_cannot_change(api, model, organization, demo_warehouse):
    from connections.services import connection_create

    other = connection_create(
        organization=organization, name="W2", type="snowflake", values=demo_warehouse
    )
    before = snapshot()
    body = {"name": "x", "connection_id": str(other.pk), "configuration": {"query": QUERY}}
    assert_error(api.put(f"/api/models/{model.pk}", body), 400)
    assert snapshot() == before


def test_a_model_used_by_a_sync_is_not_deleted(api, sync):
    before = snapshot()
    assert_error(api.delete(f"/api/models/{sync.model_id}"), 422)
    assert snapshot() == before


def test_an_unused_model_is_deleted(api, model):
    assert api.delete(f"/api/models/{model.pk}").status_code == 204
    assert not SqlModel.objects.exists()
    assert_error(api.get(f"/api/models/{model.pk}"), 404)


def test_a_preview_stores_nothing_and_a_sample_nests_records_under_the_model(api, model):
    before = snapshot()
    body = {"name": "Try", "connection_id": str(model.source_id), "configuration": {"query": QUERY}}
    response = api.post("/api/model-preview", body)
    assert response.status_code == 200, response.content
    assert [f["name"] for f in response.json()["data"]["fields"]] == [
        "email",
        "first_name",
        "last_name",
    ]
    assert snapshot() == before
    sample = api.get(f"/api/models/{model.pk}/sample").json()["data"]
    assert sample["warnings"] == []
    assert sample["records"] and all(list(r) == [str(model.pk)] for r in sample["records"])
