"""Bearer keys scope every call; a wrong or revoked one is a 401 in the contract's shape; the
served version is echoed; unknown paths answer in the same shape."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from organizations.models import ApiKey
from organizations.services import api_key_revoke
from tests.api.conftest import Api, assert_error

pytestmark = pytest.mark.django_db


def test_a_request_without_a_key_is_a_401_saying_how_to_send_one():
    response = Client().get("/api/connections")
    body = assert_error(response, 401)
    assert "Bearer" in body["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_key_is_a_401(api):
    wrong = Api(Client(), "sl_not-a-key-at-all", api.organization)
    body = assert_error(wrong.get("/api/connections"), 401)
    assert "not valid" in body["message"]


def test_a_revoked_key_is_a_401(api):
    api_key_revoke(api_key=ApiKey.objects.get(organization=api.organization))
    assert_error(api.get("/api/connections"), 401)


def test_a_key_in_another_scheme_is_a_401(api):
    response = Client().get("/api/connections", HTTP_AUTHORIZATION=f"Token {api.key}")
    assert_error(response, 401)


def test_a_working_key_notes_when_it_was_used(api):
    assert ApiKey.objects.get(organization=api.organization).last_used_at is None
    assert api.get("/api/connections").status_code == 200
    assert ApiKey.objects.get(organization=api.organization).last_used_at is not None


def test_the_apikey_command_prints_a_key_that_works(organization):
    out = io.StringIO()
    call_command("apikey", "create", "--organization", organization.name, stdout=out)
    key = out.getvalue().strip()
    response = Api(Client(), key, organization).get("/api/connections")
    assert response.status_code == 200
    assert response.json() == {"data": []}


def test_the_apikey_command_names_an_unknown_organization(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no organization named 'Nobody'"):
        call_command("apikey", "create", "--organization", "Nobody")


@pytest.mark.parametrize("asked", ["2024-02-08", "2025-09-18"])
def test_the_version_asked_for_is_the_version_served(api, asked):
    api.version = asked
    assert api.get("/api/connections")["X-Polytomic-Version"] == asked


def test_no_version_or_an_unknown_one_is_served_as_the_newest(api):
    api.version = ""
    assert api.get("/api/connections")["X-Polytomic-Version"] == "2025-09-18"
    api.version = "1999-01-01"
    response = api.get("/api/connections")
    assert response.status_code == 200
    assert response["X-Polytomic-Version"] == "2025-09-18"


def test_an_unknown_path_is_a_404_in_the_contracts_shape(api):
    assert_error(api.get("/api/nothing-here"), 404)
    assert_error(api.get("/api/syncs/not-a-uuid"), 404)


def test_a_wrong_method_is_a_405_in_the_contracts_shape(api):
    assert_error(api.send("PATCH", "/api/connections", {}), 405)


def test_paths_have_no_trailing_slash_redirects(api):
    response = api.post("/api/connections/", {})
    assert response.status_code == 404  # not a 301 that would drop the POST body
