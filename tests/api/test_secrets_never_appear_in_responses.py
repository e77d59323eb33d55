"""Secrets never leave through the API: connections saved with marker secrets, then every
endpoint's answer — and the OpenAPI document — searched for them (as written and encoded).

The sweep over everything else (pages, admin, logs, events, exports, tables) is
tests/operations/test_no_secret_appears_anywhere.py."""

from __future__ import annotations

import pytest

from connections.models import Connection
from sandbox.vendors.salesloft import DEMO_API_KEY
from tests.connections.destinations.linkedin_support import linkedin_connection, linkedin_tokens
from tests.secret_markers import connection_markers

pytestmark = pytest.mark.django_db

PASSWORD = "MARKER-pw-7f3a9c51"


def test_no_answer_carries_a_password_a_key_or_a_token(
    api, demo_warehouse, vendors, http, organization
):
    configuration = {k: v for k, v in demo_warehouse.items() if k != "schema"}
    snow = api.post(
        "/api/connections", {"name": "Snow", "type": "snowflake", "configuration": configuration}
    )
    # The demo warehouse checks its password, so the marker one is saved unchecked.
    marked = api.post(
        "/api/connections",
        {
            "name": "Marked",
            "type": "snowflake",
            "configuration": {**configuration, "password": PASSWORD},
            "validate": False,
        },
    )
    loft = api.post(
        "/api/connections",
        {
            "name": "Loft",
            "type": "salesloft",
            "configuration": {"auth_method": "api_key", "api_key": DEMO_API_KEY},
        },
    )
    tokens = linkedin_tokens(http, vendors)
    linkedin = linkedin_connection(organization, tokens, accounts=["512630692"])
    answers = [snow, loft, marked]
    assert snow.status_code == loft.status_code == 200, (snow.content, loft.content)
    snow_id, loft_id = snow.json()["data"]["id"], loft.json()["data"]["id"]
    model = api.post(
        "/api/models",
        {
            "name": "Users",
            "connection_id": snow_id,
            "configuration": {"query": "SELECT email, first_name, last_name FROM users LIMIT 3"},
        },
    )
    answers.append(model)
    model_id = model.json()["data"]["id"]
    ref = {"model_id": model_id}
    sync = api.post(
        "/api/syncs",
        {
            "name": "S",
            "mode": "updateOrCreate",
            "identity": {
                "source": {"field": "email", **ref},
                "target": "Email",
                "function": "Equality",
            },
            "fields": [{"source": {"field": "first_name", **ref}, "target": "FirstName"}],
            "target": {"connection_id": loft_id, "object": "cadence:1001"},
        },
    )
    answers.append(sync)
    sync_id = sync.json()["data"]["id"]
    execution_id = api.post(f"/api/syncs/{sync_id}/executions", {}).json()["data"]["id"]
    for path in (
        "/api/connections",
        f"/api/connections/{snow_id}",
        f"/api/connections/{marked.json()['data']['id']}",
        f"/api/connections/{loft_id}",
        f"/api/connections/{linkedin.pk}",
        f"/api/connections/{linkedin.pk}/parameter_values",
        f"/api/connections/{linkedin.pk}/modelsync/targetobjects?include_target_creation_values=true",
        f"/api/connections/{loft_id}/modelsync/target/fields?target=cadence:1001",
        "/api/connection_types",
        "/api/connection_types/snowflake",
        "/api/models",
        f"/api/models/{model_id}",
        f"/api/models/{model_id}/sample",
        "/api/syncs",
        f"/api/syncs/{sync_id}",
        f"/api/syncs/{sync_id}/status",
        f"/api/syncs/{sync_id}/executions",
        f"/api/syncs/{sync_id}/executions/{execution_id}",
        f"/api/syncs/{sync_id}/executions/{execution_id}/errors/errors.json",
        "/api/schema",
    ):
        response = api.get(path)
        assert response.status_code == 200, (path, response.content)
        answers.append(response)
    # Updates answer with the connection too, and an error may quote settings.
    answers.append(
        api.put(
            f"/api/connections/{snow_id}",
            {"name": "Snow", "configuration": {**configuration, "host": "example.org"}},
        )
    )
    answers.append(api.put(f"/api/connections/{loft_id}", {"name": "Loft 2", "configuration": {}}))

    markers = connection_markers(Connection.objects.all())
    for label, value in (("password", PASSWORD), ("Salesloft API key", DEMO_API_KEY)):
        markers.add(label, value)
    markers.add("LinkedIn access token", tokens["access_token"])
    markers.add("LinkedIn refresh token", tokens["refresh_token"])
    assert len(markers.values) >= 4
    for response in answers:
        assert markers.hits(response.content.decode()) == [], response.request["PATH_INFO"]
