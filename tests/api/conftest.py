"""An API caller per organization: a real key, sent as the clients send it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from organizations.services import api_key_create
from tests.factories import OrganizationFactory


@dataclass
class Api:
    client: Client
    key: str
    organization: Any
    version: str = "2025-09-18"

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.key}"}
        if self.version:
            headers["HTTP_X_POLYTOMIC_VERSION"] = self.version
        for name, value in (extra or {}).items():
            headers["HTTP_" + name.upper().replace("-", "_")] = value
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str):
        return self.client.get(path, params or {}, **self._headers(headers))

    def send(self, method: str, path: str, body: Any = None, *, raw: str | None = None, **headers):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        content_type = "application/json" if data else ""
        return self.client.generic(
            method, path, data.encode(), content_type=content_type, **self._headers(headers)
        )

    def post(self, path: str, body: Any = None, **kwargs):
        return self.send("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs):
        return self.send("PUT", path, body, **kwargs)

    def delete(self, path: str, **headers: str):
        return self.client.delete(path, **self._headers(headers))


def caller(organization) -> Api:
    _, key = api_key_create(organization=organization, name="CI key")
    return Api(Client(), key, organization)


@pytest.fixture
def api(organization) -> Api:
    return caller(organization)


@pytest.fixture
def other_api(db) -> Api:
    return caller(OrganizationFactory(name="Another company"))


def assert_error(response, status: int) -> dict[str, Any]:
    """The contract's error shape (reference/polytomic-api.md §1.6), with a sentence."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and len(body["message"]) > 10
    assert isinstance(body.get("key", ""), str)
    assert isinstance(body.get("metadata", {}), dict)
    assert "detail" not in body
    return body


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row a request could change (API keys aside: their last use is noted)."""
    from connections.models import Connection
    from models_app.models import SqlModel
    from syncs.models import RecordError, Sync, SyncExecution, SyncState

    tables = (Connection, SqlModel, Sync, SyncExecution, RecordError, SyncState)
    return {table.__name__: list(table.objects.order_by("pk").values()) for table in tables}


@pytest.fixture
def model(organization, warehouse):
    from models_app.services import sql_model_create

    return sql_model_create(
        organization=organization,
        name="Active Users",
        source=warehouse,
        query="SELECT email, first_name, last_name FROM users WHERE email LIKE 'peg%'",
    )


def sync_body(model, connection, *, target: str = "cadence:1001", **changes) -> dict[str, Any]:
    """The Salesloft walkthrough's step 6 body, over `model` and into `connection`."""
    ref = str(model.pk)
    body = {
        "name": "Snowflake to Salesloft Cadence Sync",
        "mode": "updateOrCreate",
        "identity": {
            "source": {"field": "email", "model_id": ref},
            "target": "Email",
            "function": "Equality",
        },
        "fields": [
            {"source": {"field": "first_name", "model_id": ref}, "target": "FirstName"},
            {"source": {"field": "last_name", "model_id": ref}, "target": "LastName"},
        ],
        "schedule": {"frequency": "manual"},
        "target": {"connection_id": str(connection.pk), "object": target},
    }
    body.update(changes)
    return body


@pytest.fixture
def sync(organization, model, salesloft):
    from syncs.services import sync_create

    body = sync_body(model, salesloft)
    return sync_create(
        organization=organization,
        user=None,
        name=body["name"],
        model=model,
        target_connection=salesloft,
        target_object="cadence:1001",
        mode="updateOrCreate",
        identity=body["identity"],
        fields=body["fields"],
        schedule={"frequency": "manual"},
    )
