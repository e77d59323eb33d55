"""Idempotency-Key (reference/polytomic-api.md §1.8): the first outcome is replayed verbatim,
errors included; a request while the first still runs gets 409; a malformed key is a 400."""

from __future__ import annotations

import pytest

from api.models import IdempotentRequest
from connections.models import Connection
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db

OAUTH = {"name": "My Gong Connection", "type": "gong", "configuration": {"auth_method": "oauth"}}


def test_a_repeated_create_with_a_key_makes_one_connection_and_answers_the_same(api):
    first = api.post("/api/connections", OAUTH, idempotency_key="create-gong-0001")
    again = api.post("/api/connections", OAUTH, idempotency_key="create-gong-0001")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert Connection.objects.filter(organization=api.organization).count() == 1


def test_an_error_is_replayed_too(api):
    bad = {"name": "x", "type": "nope", "configuration": {}}
    first = assert_error(api.post("/api/connections", bad, idempotency_key="bad-type-0001"), 400)
    # The same key with a body that would now succeed still gets the first answer.
    again = assert_error(api.post("/api/connections", OAUTH, idempotency_key="bad-type-0001"), 400)
    assert first == again
    assert not Connection.objects.exists()


def test_without_a_key_each_request_counts(api):
    api.post("/api/connections", OAUTH)
    assert_error(api.post("/api/connections", OAUTH), 422)  # the name is taken


def test_a_request_while_the_first_is_still_running_gets_409(api):
    IdempotentRequest.objects.create(
        organization=api.organization, key="in-flight-0001", method="POST", path="/api/connections"
    )
    response = api.post("/api/connections", OAUTH, idempotency_key="in-flight-0001")
    assert_error(response, 409)
    assert response["Retry-After"] == "1"
    assert not Connection.objects.exists()


@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 256, "semi;colon;key"])
def test_a_malformed_key_is_a_400_and_does_nothing(api, key):
    assert_error(api.post("/api/connections", OAUTH, idempotency_key=key), 400)
    assert not Connection.objects.exists()


def test_keys_are_per_organization(api, other_api):
    api.post("/api/connections", OAUTH, idempotency_key="shared-key-0001")
    response = other_api.post("/api/connections", OAUTH, idempotency_key="shared-key-0001")
    assert response.status_code == 200
    assert response.json()["data"]["organization_id"] == str(other_api.organization.pk)
    assert Connection.objects.count() == 2


def test_a_get_ignores_the_key(api):
    assert api.get("/api/connections", idempotency_key="x").status_code == 200
    assert not IdempotentRequest.objects.exists()
