"""The OpenAPI document drf-spectacular makes is valid OpenAPI with no warning, lists every
endpoint of the contract, and is served at /api/schema without a key."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from django.test import Client


def test_the_document_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    document = yaml.safe_load(target.read_text())
    paths = document["paths"]
    for path in (
        "/api/connections",
        "/api/connections/{connection_id}/parameter_values",
        "/api/connections/{connection_id}/modelsync/target/fields",
        "/api/models/{model_id}",
        "/api/syncs/schedules",
        "/api/syncs/{sync_id}/executions/{execution_id}/cancel",
    ):
        assert path in paths, path
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_the_document_is_served_without_a_key():
    response = Client().get("/api/schema", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    served = yaml.safe_load(response.content)  # JSON is YAML
    assert "/api/syncs" in served["paths"]
    assert served["info"]["title"] == "Syncline API"
