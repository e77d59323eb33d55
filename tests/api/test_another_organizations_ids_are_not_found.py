"""The isolation matrix: every endpoint, called with another organization's ids (in the path
or the body), answers 404 in the contract's shape and changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from syncs.models import SyncExecution
from tests.api.conftest import assert_error, snapshot, sync_body

pytestmark = pytest.mark.django_db

C, M, S, E = "{connection}", "{model}", "{sync}", "{execution}"
MATRIX = [
    ("GET", f"/api/connections/{C}", None),
    ("PUT", f"/api/connections/{C}", {"name": "Mine now", "configuration": {}}),
    ("POST", f"/api/connections/{C}", {"name": "Mine now", "configuration": {}}),
    ("DELETE", f"/api/connections/{C}?force=true", None),
    ("GET", f"/api/connections/{C}/parameter_values", None),
    ("GET", f"/api/connections/{C}/modelsync/targetobjects", None),
    ("POST", f"/api/connections/{C}/modelsync/targetobjects", None),
    ("GET", f"/api/connections/{C}/modelsync/targetobjects/properties/account", None),
    ("GET", f"/api/connections/{C}/modelsync/target/fields?target=cadence:1001", None),
    ("GET", f"/api/models/{M}", None),
    (
        "PUT",
        f"/api/models/{M}",
        {"name": "x", "connection_id": C, "configuration": {"query": "SELECT 1"}},
    ),
    ("DELETE", f"/api/models/{M}", None),
    ("GET", f"/api/models/{M}/sample", None),
    (
        "POST",
        "/api/models",
        {"name": "x", "connection_id": C, "configuration": {"query": "SELECT 1"}},
    ),
    (
        "POST",
        "/api/model-preview",
        {"name": "x", "connection_id": C, "configuration": {"query": "SELECT 1"}},
    ),
    ("GET", f"/api/syncs/{S}", None),
    ("PUT", f"/api/syncs/{S}", "SYNC"),
    ("PATCH", f"/api/syncs/{S}", "SYNC"),
    ("DELETE", f"/api/syncs/{S}", None),
    ("POST", f"/api/syncs/{S}/activate", {"active": False}),
    ("POST", f"/api/syncs/{S}/cancel", None),
    ("GET", f"/api/syncs/{S}/status", None),
    ("GET", f"/api/syncs/{S}/executions", None),
    ("POST", f"/api/syncs/{S}/executions", {}),
    ("GET", f"/api/syncs/{S}/executions/{E}", None),
    ("POST", f"/api/syncs/{S}/executions/{E}/cancel", None),
    ("GET", f"/api/syncs/{S}/executions/{E}/errors", None),
    ("GET", f"/api/syncs/{S}/executions/{E}/errors/errors.json", None),
    ("POST", "/api/syncs", "SYNC"),
]


@pytest.fixture
def theirs(sync):
    execution = SyncExecution.objects.create(sync=sync, status="running", started_at=timezone.now())
    return {
        C: str(sync.model.source_id),
        M: str(sync.model_id),
        S: str(sync.pk),
        E: str(execution.pk),
        "target_connection": sync.target_connection,
        "model": sync.model,
    }


def fill(text: str, ids: dict) -> str:
    for marker in (C, M, S, E):
        text = text.replace(marker, ids[marker])
    return text


@pytest.mark.parametrize(("method", "path", "body"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_another_organizations_ids_are_not_found_and_nothing_changes(
    other_api, theirs, method, path, body
):
    if body == "SYNC":
        body = sync_body(theirs["model"], theirs["target_connection"])
    elif isinstance(body, dict):
        body = {k: fill(v, theirs) if isinstance(v, str) else v for k, v in body.items()}
    before = snapshot()
    response = other_api.send(method, fill(path, theirs), body)
    assert_error(response, 404)
    assert snapshot() == before


def test_another_organizations_lists_show_none_of_ours(other_api, theirs):
    for path in ("/api/connections", "/api/models", "/api/syncs"):
        assert other_api.get(path).json()["data"] == []


def test_a_sync_mixing_our_model_and_their_connection_is_not_found(
    api, other_api, theirs, organization
):
    from connections.services import connection_create

    mine = connection_create(
        organization=other_api.organization,
        name="Gong",
        type="gong",
        values={"auth_method": "oauth"},
    )
    before = snapshot()
    body = sync_body(theirs["model"], mine)
    assert_error(other_api.post("/api/syncs", body), 404)
    assert snapshot() == before
