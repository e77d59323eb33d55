"""The API's limits: a body over the size limit is a 413 in the contract's shape before
anything reads it (DRF's parsers read a stream, so DATA_UPLOAD_MAX_MEMORY_SIZE alone never
refuses it); each API key's requests over the rate limit get a 429 with Retry-After, counted in
Redis or, without it, in the app database, and Polytomic's client waits and retries by itself."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from django.test import Client

from organizations.services import api_key_create
from syncs.models import Webhook
from tests.api.conftest import Api, caller
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

ENDPOINT = "https://hooks.example.com/syncline"


def _body_of(size: int) -> str:
    """A webhook body padded (with a key the API ignores) to exactly `size` bytes."""
    empty = json.dumps({"endpoint": ENDPOINT, "secret": "s", "note": ""})
    return json.dumps({"endpoint": ENDPOINT, "secret": "s", "note": "n" * (size - len(empty))})


def test_a_body_over_the_limit_is_a_413_in_the_contracts_shape_and_nothing_is_made(api, settings):
    settings.SYNCLINE_API_MAX_BODY_BYTES = 2000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10  # not what refuses it: the body is never read
    answer = api.post("/api/webhooks", raw=_body_of(2001))
    assert answer.status_code == 413
    body = answer.json()
    assert body["status"] == 413
    assert body["key"] == "request_too_large"
    assert "at most 2,000 bytes" in body["message"]
    assert body["metadata"] == {"limit_bytes": 2000, "body_bytes": 2001}
    assert not Webhook.objects.exists()


def test_a_body_at_the_limit_is_taken(api, settings):
    settings.SYNCLINE_API_MAX_BODY_BYTES = 2000
    answer = api.post("/api/webhooks", raw=_body_of(2000))
    assert answer.status_code == 200, answer.content
    assert Webhook.objects.count() == 1


def test_without_the_limit_drf_would_have_read_the_oversized_body(api, settings):
    """Why the middleware exists: with it out of the way, DATA_UPLOAD_MAX_MEMORY_SIZE doesn't
    stop DRF from parsing (and acting on) a body far over it."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("api.limits")]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    answer = api.post("/api/webhooks", raw=_body_of(5000))
    assert answer.status_code == 200
    assert Webhook.objects.count() == 1


def test_a_console_page_is_not_held_to_the_api_limit(client, settings):
    settings.SYNCLINE_API_MAX_BODY_BYTES = 10
    answer = client.post("/login/", {"username": "x" * 50, "password": "y"})
    assert answer.status_code == 200  # the login form again, not a 413


def test_a_content_length_that_is_not_a_number_is_a_400(api):
    answer = api.client.generic(
        "POST",
        "/api/webhooks",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH="lots",
        **api._headers(None),
    )
    assert answer.status_code == 400
    assert "Content-Length" in answer.json()["message"]


@pytest.fixture(params=["redis", "database"])
def counted_in(request, settings):
    if request.param == "database":
        settings.RATE_LIMIT_REDIS_URL = ""
    elif not settings.RATE_LIMIT_REDIS_URL:
        pytest.skip("needs Redis: set CELERY_BROKER_URL or RATE_LIMIT_REDIS_URL to redis://")
    return request.param


def test_a_key_over_its_rate_gets_429_with_retry_after_and_other_keys_go_on(
    api, settings, counted_in
):
    settings.SYNCLINE_API_RATE_LIMIT = "3/60"
    answers = [api.get("/api/events_types") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert body["status"] == 429 and body["key"] == "rate_limited"
    assert "try again in" in body["message"]
    # Another key, of this organization or another, has its own count.
    _, second_key = api_key_create(organization=api.organization, name="Second key")
    second = Api(Client(), second_key, api.organization)
    assert second.get("/api/events_types").status_code == 200
    assert caller(OrganizationFactory()).get("/api/events_types").status_code == 200


def test_a_refused_write_changes_nothing(api, settings, counted_in):
    settings.SYNCLINE_API_RATE_LIMIT = "1/60"
    assert api.get("/api/webhooks").status_code == 200
    answer = api.post("/api/webhooks", {"endpoint": ENDPOINT, "secret": "s"})
    assert answer.status_code == 429
    assert not Webhook.objects.exists()


def test_after_retry_after_the_key_is_served_again(api, settings, counted_in):
    settings.SYNCLINE_API_RATE_LIMIT = "2/1"
    assert [api.get("/api/events_types").status_code for _ in range(3)] == [200, 200, 429]
    wait = int(api.get("/api/events_types")["Retry-After"])
    time.sleep(wait + 0.2)
    assert api.get("/api/events_types").status_code == 200


def test_requests_without_a_key_are_401_not_counted(settings):
    settings.SYNCLINE_API_RATE_LIMIT = "1/60"
    for _ in range(3):
        assert Client().get("/api/events_types").status_code == 401


def test_an_empty_rate_limit_means_no_limit(api, settings):
    settings.SYNCLINE_API_RATE_LIMIT = ""
    assert all(api.get("/api/events_types").status_code == 200 for _ in range(5))


@pytest.mark.parametrize("value", ["fast", "0/60", "10/0", "10", "-1/60"])
def test_a_rate_limit_that_is_not_limit_per_seconds_stops_start_up(monkeypatch, value):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import config.settings

    monkeypatch.setenv("SYNCLINE_API_RATE_LIMIT", value)
    with pytest.raises(ImproperlyConfigured, match="LIMIT/SECONDS"):
        importlib.reload(config.settings)
    monkeypatch.delenv("SYNCLINE_API_RATE_LIMIT")
    importlib.reload(config.settings)


@pytest.mark.django_db(transaction=True)
def test_polytomics_client_waits_out_a_429_and_gets_its_answer(live_server, settings):
    from polytomic import Polytomic

    settings.SYNCLINE_API_RATE_LIMIT = "2/1"
    api = caller(OrganizationFactory())
    statuses: list[int] = []
    hooks = {"response": [lambda response: statuses.append(response.status_code)]}
    with httpx.Client(timeout=30, event_hooks=hooks) as http:
        client = Polytomic(
            base_url=live_server.url, token=api.key, max_retries=3, httpx_client=http
        )
        for _ in range(4):  # the third and fourth meet the limit; the client retries them
            assert "sync.completed" in client.events.get_types().data
    assert 429 in statuses  # it did meet the limit, and waited it out
    assert statuses[-1] == 200
