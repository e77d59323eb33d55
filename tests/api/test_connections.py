"""/api/connections: create (checked at the warehouse), get, list, update (the saved password
goes only where it was saved for; no private hosts), delete with force, parameter values and
connection types."""

from __future__ import annotations

import pytest

from connections.models import Connection
from models_app.models import SqlModel
from syncs.models import Sync
from tests.api.conftest import assert_error, snapshot
from tests.connections.destinations.linkedin_support import linkedin_connection, linkedin_tokens

pytestmark = pytest.mark.django_db


def snowflake(demo_warehouse, **changes):
    configuration = {k: v for k, v in demo_warehouse.items() if k != "schema"}
    return {
        "name": "Snowflake Connection",
        "type": "snowflake",
        "configuration": {**configuration, **changes},
    }


def test_a_snowflake_connection_is_checked_saved_and_shown_without_its_password(
    api, demo_warehouse
):
    response = api.post("/api/connections", snowflake(demo_warehouse))
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["type"] == {"id": "snowflake", "name": "Snowflake", "operations": ["SupportsSQL"]}
    assert data["status"] == "healthy" and data["saved"] is True
    assert "password" not in data["configuration"]
    assert data["configuration"]["account"] == demo_warehouse["account"]
    connection = Connection.objects.get(pk=data["id"])
    assert connection.secrets == {"password": demo_warehouse["password"]}

    got = api.get(f"/api/connections/{data['id']}").json()["data"]
    assert got["id"] == data["id"] and "password" not in got["configuration"]
    assert got["created_at"].endswith("Z")
    listed = api.get("/api/connections").json()["data"]
    assert [c["id"] for c in listed] == [data["id"]]


def test_a_warehouse_that_does_not_answer_is_a_422_and_nothing_is_saved(api, demo_warehouse):
    response = api.post("/api/connections", snowflake(demo_warehouse, port=1))
    body = assert_error(response, 422)
    assert body["key"] == "connection_check_failed"
    assert not Connection.objects.exists()


def test_validate_false_saves_without_asking_the_warehouse(api, demo_warehouse):
    body = {**snowflake(demo_warehouse, port=1), "validate": False}
    assert api.post("/api/connections", body).status_code == 200
    assert Connection.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"type": "snowflake", "configuration": {}}, "name"),
        ({"name": "S", "configuration": {}}, "type"),
        ({"name": "S", "type": "snowflake"}, "configuration"),
        ({"name": 5, "type": "snowflake", "configuration": {}}, "name"),
        ({"name": "S", "type": "snowflake", "configuration": []}, "configuration"),
        ({"name": "S", "type": "oracle", "configuration": {}}, "oracle"),
        ({"name": "S", "type": "snowflake", "configuration": {"account": "a"}}, "username"),
        ({"name": "S", "type": "gong", "configuration": {}, "validate": "yes"}, "validate"),
    ],
)
def test_a_bad_create_is_a_400_saying_what_is_wrong_and_saves_nothing(api, body, says):
    before = snapshot()
    error = assert_error(api.post("/api/connections", body), 400)
    assert says in error["message"]
    assert snapshot() == before


def test_a_name_already_taken_is_refused(api, warehouse):
    body = {"name": warehouse.name, "type": "gong", "configuration": {"auth_method": "oauth"}}
    assert "already exists" in assert_error(api.post("/api/connections", body), 422)["message"]
    assert Connection.objects.count() == 1


def test_an_oauth_tool_is_saved_waiting_for_its_consent(api):
    body = {
        "name": "My Salesloft Connection",
        "type": "salesloft",
        "configuration": {"auth_method": "oauth"},
    }
    response = api.post("/api/connections", body)
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["status"] == "needs_auth"
    assert data["configuration"] == {"auth_method": "oauth"}
    assert data["auth_url"].startswith(("http://", "https://"))
    connection = Connection.objects.get(pk=data["id"])
    assert connection.status == "needs_auth" and connection.secrets == {}


def test_an_oauth_tool_answers_with_a_sign_in_link_honouring_redirect_url(api, settings):
    from connections.models import OAuthLink

    settings.SYNCLINE_PUBLIC_URL = "https://syncline.example.com"
    body = {
        "name": "Gong",
        "type": "gong",
        "configuration": {"auth_method": "oauth"},
        "redirect_url": "https://example.com/connected",
    }
    data = api.post("/api/connections", body).json()["data"]
    assert data["auth_url"].startswith("https://syncline.example.com/")
    link = OAuthLink.objects.get(connection_id=data["id"])
    assert link.redirect_url == "https://example.com/connected"


def test_a_redirect_url_that_is_not_http_is_a_400_and_saves_nothing(api):
    before = snapshot()
    body = {
        "name": "Gong",
        "type": "gong",
        "configuration": {"auth_method": "oauth"},
        "redirect_url": "javascript:alert(1)",
    }
    error = assert_error(api.post("/api/connections", body), 400)
    assert "redirect_url" in error["message"]
    assert snapshot() == before


def test_reconnect_gives_a_fresh_sign_in_link(api):
    body = {"name": "Gong", "type": "gong", "configuration": {"auth_method": "oauth"}}
    first = api.post("/api/connections", body).json()["data"]
    again = api.put(
        f"/api/connections/{first['id']}",
        {"name": "Gong", "configuration": {"auth_method": "oauth"}, "reconnect": True},
    ).json()["data"]
    assert again["auth_url"] and again["auth_url"] != first["auth_url"]


def test_a_salesloft_api_key_is_checked_with_salesloft_first(api, vendors):
    from sandbox.vendors.salesloft import DEMO_API_KEY

    body = {
        "name": "Salesloft key",
        "type": "salesloft",
        "configuration": {"auth_method": "api_key", "api_key": "wrong-key"},
    }
    assert_error(api.post("/api/connections", body), 422)
    assert not Connection.objects.exists()
    body["configuration"]["api_key"] = DEMO_API_KEY
    data = api.post("/api/connections", body).json()["data"]
    assert data["status"] == "healthy" and "api_key" not in data["configuration"]


def test_an_update_replaces_the_settings_and_keeps_the_password(api, warehouse, demo_warehouse):
    configuration = {k: v for k, v in demo_warehouse.items() if k not in ("schema", "password")}
    body = {"name": "Renamed", "configuration": {**configuration, "password": "******"}}
    response = api.put(f"/api/connections/{warehouse.pk}", body)
    assert response.status_code == 200, response.content
    warehouse.refresh_from_db()
    assert warehouse.name == "Renamed"
    assert warehouse.secrets["password"] == demo_warehouse["password"]
    assert "schema" not in warehouse.configuration  # a full replacement


def test_the_docs_post_updates_as_put_does(api, warehouse, demo_warehouse):
    configuration = {k: v for k, v in demo_warehouse.items() if k != "password"}
    body = {"name": "Posted", "configuration": configuration}
    assert api.post(f"/api/connections/{warehouse.pk}", body).status_code == 200
    warehouse.refresh_from_db()
    assert warehouse.name == "Posted"


def test_pointing_a_saved_connection_elsewhere_needs_the_password_again(
    api, warehouse, demo_warehouse
):
    before = snapshot()
    configuration = {k: v for k, v in demo_warehouse.items() if k != "password"}
    body = {"name": warehouse.name, "configuration": {**configuration, "host": "example.org"}}
    error = assert_error(api.put(f"/api/connections/{warehouse.pk}", body), 422)
    assert "password again" in error["message"]
    assert snapshot() == before


def test_a_private_or_metadata_host_is_refused(api, warehouse, demo_warehouse, settings):
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = False
    before = snapshot()
    for host in ("169.254.169.254", "10.0.0.5"):
        body = {
            "name": warehouse.name,
            "configuration": {**demo_warehouse, "host": host, "password": "new"},
            "validate": False,
        }
        error = assert_error(api.put(f"/api/connections/{warehouse.pk}", body), 422)
        assert "does not connect to" in error["message"]
    assert snapshot() == before


def test_the_type_cannot_change(api, warehouse, demo_warehouse):
    before = snapshot()
    body = {"name": "x", "type": "postgresql", "configuration": demo_warehouse}
    assert_error(api.put(f"/api/connections/{warehouse.pk}", body), 400)
    assert snapshot() == before


def test_a_connection_in_use_is_deleted_only_with_force(api, sync):
    warehouse = sync.model.source
    before = snapshot()
    error = assert_error(api.delete(f"/api/connections/{warehouse.pk}"), 422)
    assert "used by" in error["message"]
    assert_error(api.delete(f"/api/connections/{warehouse.pk}?force=false"), 422)
    assert snapshot() == before
    response = api.delete(f"/api/connections/{warehouse.pk}?force=true")
    assert response.status_code == 204
    assert not Connection.objects.filter(pk=warehouse.pk).exists()
    assert not SqlModel.objects.exists() and not Sync.objects.exists()
    assert_error(api.get(f"/api/connections/{warehouse.pk}"), 404)


def test_linkedin_lists_its_ad_accounts_as_parameter_values(api, organization, vendors, http):
    linkedin = linkedin_connection(organization, linkedin_tokens(http, vendors))
    response = api.get(f"/api/connections/{linkedin.pk}/parameter_values")
    assert response.status_code == 200, response.content
    accounts = response.json()["data"]["accounts"]
    assert accounts["allows_creation"] is False
    values = {v["value"] for v in accounts["values"]}
    assert "512630692" in values
    assert all(isinstance(v["label"], str) for v in accounts["values"])

    # Choosing accounts: ids, or {label, value} as listed — both are taken.
    chosen = [accounts["values"][0]]
    body = {"name": linkedin.name, "configuration": {"accounts": chosen}}
    assert api.put(f"/api/connections/{linkedin.pk}", body).status_code == 200
    linkedin.refresh_from_db()
    assert linkedin.configuration["accounts"] == [str(chosen[0]["value"])]


def test_parameter_values_of_a_tool_still_waiting_for_consent_is_a_422(api):
    body = {"name": "LinkedIn", "type": "linkedinads", "configuration": {}}
    connection_id = api.post("/api/connections", body).json()["data"]["id"]
    error = assert_error(api.get(f"/api/connections/{connection_id}/parameter_values"), 422)
    assert error["key"] == "needs_auth"


def test_connection_types_list_every_type_with_its_capabilities(api):
    types = {t["id"]: t for t in api.get("/api/connection_types").json()["data"]}
    assert set(types) == {
        "snowflake",
        "postgresql",
        "salesloft",
        "gong",
        "linkedinads",
        "salesforce",
    }
    assert types["snowflake"]["capabilities"]["source"] is True
    assert types["salesloft"]["capabilities"]["destination"] is True
    assert all(
        set(t["capabilities"])
        == {"source", "destination", "enrichment", "logging", "orchestration"}
        for t in types.values()
    )
    schema = api.get("/api/connection_types/snowflake").json()
    assert schema["type"] == "object" and "account" in schema["required"]
    assert_error(api.get("/api/connection_types/oracle"), 404)


def test_salesforce_signs_in_through_its_consent_in_the_modes_syncline_runs(api):
    for mode in ("browser", "api"):
        configuration = {"domain": "acme.my.salesforce.com", "connect_mode": mode}
        if mode == "api":
            configuration.update(client_id="own-app", client_secret="own-secret")
        body = {"name": f"Salesforce {mode}", "type": "salesforce", "configuration": configuration}
        data = api.post("/api/connections", body).json()["data"]
        assert data["status"] == "needs_auth" and data["auth_url"]
        assert "client_secret" not in data["configuration"]
    before = snapshot()
    body = {
        "name": "Salesforce cc",
        "type": "salesforce",
        "configuration": {"domain": "acme.my.salesforce.com", "connect_mode": "clientcredentials"},
    }
    assert "connect_mode" in assert_error(api.post("/api/connections", body), 422)["message"]
    assert snapshot() == before


def test_what_a_consent_stored_cannot_be_changed_through_the_api(api, organization, vendors, http):
    from tests.connections.destinations.gong_support import gong_connection, gong_tokens

    gong = gong_connection(organization, gong_tokens(vendors, http))
    host = gong.configuration["api_base_url"]
    body = {
        "name": "Gong",
        "configuration": {"api_base_url": "https://evil.example", "access_token": "mine"},
    }
    assert api.put(f"/api/connections/{gong.pk}", body).status_code == 200
    gong.refresh_from_db()
    assert gong.configuration["api_base_url"] == host
    assert gong.secrets["access_token"] != "mine"
