"""Target discovery through the API (reference/polytomic-api.md §4), asked of the sandbox."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_error
from tests.connections.destinations.linkedin_support import (
    ACME,
    linkedin_connection,
    linkedin_tokens,
)

pytestmark = pytest.mark.django_db


def test_salesloft_lists_people_accounts_and_cadences_with_object_modes(api, salesloft):
    response = api.post(f"/api/connections/{salesloft.pk}/modelsync/targetobjects")  # docs: POST
    assert response.status_code == 200, response.content
    body = response.json()
    ids = [t["id"] for t in body["data"]]
    assert "people" in ids and "cadence:1001" in ids
    assert all(isinstance(m, dict) and "id" in m for t in body["data"] for m in t["modes"])
    assert body["target_creation"] == {"supported": False, "properties": []}
    assert api.get(f"/api/connections/{salesloft.pk}/modelsync/targetobjects").json() == body


def test_a_cadences_fields_have_identity_functions_and_modes_keyed_mode(api, salesloft):
    url = f"/api/connections/{salesloft.pk}/modelsync/target/fields"
    data = api.get(url, {"target": "cadence:1001"}).json()["data"]
    assert data["id"] == "cadence:1001"
    email = next(f for f in data["fields"] if f["id"] == "email_address")
    assert email["supports_identity"] is True
    assert {"id": "Equality", "label": "Equal to"} in email["identity_functions"]
    assert {m["mode"] for m in data["modes"]} >= {"updateOrCreate"}
    assert all(set(m) >= {"mode", "label", "requires_identity"} for m in data["modes"])


def test_target_fields_need_exactly_one_of_target_or_properties(api, salesloft):
    url = f"/api/connections/{salesloft.pk}/modelsync/target/fields"
    assert_error(api.get(url), 400)
    assert_error(api.get(url, {"target": "people", "properties[name]": "x"}), 400)
    assert_error(api.get(url, {"target": "cadence:999999"}), 404)
    assert_error(api.get(url, {"properties[name]": "x"}), 400)  # Salesloft creates nothing


def test_linkedin_offers_audience_creation_with_property_values(api, organization, vendors, http):
    linkedin = linkedin_connection(
        organization, linkedin_tokens(http, vendors), accounts=["512630692"]
    )
    base = f"/api/connections/{linkedin.pk}/modelsync"
    body = api.get(f"{base}/targetobjects", {"include_target_creation_values": "true"}).json()
    creation = body["target_creation"]
    assert creation["supported"] is True
    props = {p["id"]: p for p in creation["properties"]}
    assert set(props) == {"account", "type", "name"}
    assert {v["value"] for v in props["type"]["values"]} == {"user_audience", "company_audience"}
    assert all(isinstance(t["id"], str) for t in body["data"])

    prop = api.get(f"{base}/targetobjects/properties/account").json()["data"]
    assert prop["id"] == "account" and prop["enum"] is True
    assert ACME in {v["value"] for v in prop["values"]}
    assert_error(api.get(f"{base}/targetobjects/properties/colour"), 404)

    fields = api.get(
        f"{base}/target/fields",
        {
            "properties[account]": ACME,
            "properties[type]": "user_audience",
            "properties[name]": "New",
        },
    ).json()["data"]
    assert any(f["supports_identity"] for f in fields["fields"])
    assert {m["mode"] for m in fields["modes"]} == {"create", "remove"}


def test_a_warehouse_has_no_targets(api, warehouse):
    assert_error(api.get(f"/api/connections/{warehouse.pk}/modelsync/targetobjects"), 400)
