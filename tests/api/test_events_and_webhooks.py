"""GET /api/events and /api/events_types, and the webhook endpoints, as Polytomic's client
calls them: the organization's own events by type in pages; one webhook, created, read,
changed, enabled, disabled and deleted; bad bodies refused in words with nothing changed;
other organizations' webhooks not found; the secret never shown."""

from __future__ import annotations

import datetime as dt

import pytest

from syncs.models import Event, Webhook
from tests.api.conftest import caller
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

ENDPOINT = "https://hooks.example.com/syncline"
SECRET = "whsec-marker-9a8b7c"
BASE = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _event(organization, type: str, minutes: int) -> Event:
    event = Event.objects.create(organization=organization, type=type, payload={"sync_id": "s"})
    Event.objects.filter(pk=event.pk).update(created_at=BASE + dt.timedelta(minutes=minutes))
    return event


def test_event_types_are_listed(api):
    answer = api.get("/api/events_types")
    assert answer.status_code == 200
    assert answer.json() == {
        "data": [
            "sync.running",
            "sync.completed",
            "sync.completed_with_errors",
            "sync.failed",
            "sync.canceled",
        ]
    }


def test_events_are_the_organizations_own_filtered_by_type_and_paged(api):
    mine = [_event(api.organization, "sync.completed", n) for n in range(3)]
    _event(api.organization, "sync.running", 10)
    _event(OrganizationFactory(), "sync.completed", 5)

    first = api.get("/api/events", {"type": "sync.completed", "limit": 2}).json()
    assert [e["id"] for e in first["data"]] == [str(e.pk) for e in mine[:2]]
    assert first["data"][0] == {
        "id": str(mine[0].pk),
        "organization_id": str(api.organization.pk),
        "type": "sync.completed",
        "created_at": "2026-11-30T12:00:00.000Z",
        "event": {"sync_id": "s"},
    }
    token = first["pagination"]["next_page_token"]
    second = api.get("/api/events", {"type": "sync.completed", "page_token": token}).json()
    assert [e["id"] for e in second["data"]] == [str(mine[2].pk)]
    assert second["pagination"]["next_page_token"] is None


def test_events_are_bounded_by_starting_after_and_ending_before(api):
    events = [_event(api.organization, "sync.failed", n) for n in range(4)]
    answer = api.get(
        "/api/events",
        {"starting_after": "2026-11-30T12:00:00Z", "ending_before": "2026-11-30T12:03:00Z"},
    ).json()
    assert [e["id"] for e in answer["data"]] == [str(e.pk) for e in events[1:3]]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"type": "sync.exploded"}, "type must be one of"),
        ({"starting_after": "yesterday"}, "starting_after must be a date and time"),
        ({"page_token": "nonsense"}, "page_token is not one Syncline gave"),
        ({"limit": "many"}, "limit must be a whole number"),
    ],
)
def test_bad_event_queries_are_a_400_in_words(api, params, words):
    answer = api.get("/api/events", params)
    assert answer.status_code == 400
    body = answer.json()
    assert body["status"] == 400 and words in body["message"]


def test_another_organization_id_on_events_is_not_found(api):
    answer = api.get("/api/events", {"organization_id": str(OrganizationFactory().pk)})
    assert answer.status_code == 404


def test_a_webhook_is_created_read_changed_disabled_enabled_and_deleted(api):
    created = api.post("/api/webhooks", {"endpoint": ENDPOINT, "secret": SECRET})
    assert created.status_code == 200, created.content
    data = created.json()["data"]
    assert data["endpoint"] == ENDPOINT and data["enabled"] is True
    assert data["organization_id"] == str(api.organization.pk)
    path = f"/api/webhooks/{data['id']}"

    assert api.get(path).json()["data"] == data
    assert api.get("/api/webhooks").json()["data"] == [data]
    changed = api.put(path, {"endpoint": "https://other.example.com/in", "secret": "s2"})
    assert changed.json()["data"]["endpoint"] == "https://other.example.com/in"
    assert Webhook.objects.get().secret == "s2"
    assert api.post(f"{path}/disable").json()["data"]["enabled"] is False
    assert Webhook.objects.get().enabled is False
    assert api.post(f"{path}/enable").json()["data"]["enabled"] is True
    assert api.delete(path).status_code == 204
    assert not Webhook.objects.exists()
    assert api.get(path).status_code == 404


def test_the_secret_never_comes_back(api):
    created = api.post("/api/webhooks", {"endpoint": ENDPOINT, "secret": SECRET})
    path = f"/api/webhooks/{created.json()['data']['id']}"
    for answer in (created, api.get(path), api.get("/api/webhooks"), api.post(f"{path}/enable")):
        assert SECRET not in answer.content.decode()


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"secret": SECRET}, 400, "endpoint"),
        ({"endpoint": ENDPOINT}, 400, "secret"),
        ({"endpoint": 5, "secret": SECRET}, 400, "must be a string"),
        ({"endpoint": "not a url", "secret": SECRET}, 422, "http:// or https://"),
        ({"endpoint": "http://169.254.169.254/x", "secret": SECRET}, 422, "does not send events"),
    ],
)
def test_a_bad_webhook_body_is_refused_in_words_and_nothing_is_made(api, body, status, words):
    answer = api.post("/api/webhooks", body)
    assert answer.status_code == status
    assert words in answer.json()["message"]
    assert not Webhook.objects.exists()


def test_a_second_webhook_is_refused(api):
    api.post("/api/webhooks", {"endpoint": ENDPOINT, "secret": SECRET})
    answer = api.post("/api/webhooks", {"endpoint": ENDPOINT, "secret": "other"})
    assert answer.status_code == 422
    assert "already has a webhook" in answer.json()["message"]
    assert Webhook.objects.count() == 1


def test_another_organizations_webhook_is_not_found_and_stays_as_it_was(api):
    theirs = caller(OrganizationFactory())
    made = theirs.post("/api/webhooks", {"endpoint": ENDPOINT, "secret": SECRET}).json()["data"]
    path = f"/api/webhooks/{made['id']}"
    assert api.get(path).status_code == 404
    assert api.put(path, {"endpoint": "https://evil.example.com", "secret": "x"}).status_code == 404
    assert api.post(f"{path}/disable").status_code == 404
    assert api.delete(path).status_code == 404
    webhook = Webhook.objects.get()
    assert (webhook.endpoint, webhook.secret, webhook.enabled) == (ENDPOINT, SECRET, True)
    assert api.get("/api/webhooks").json()["data"] == []


def test_organization_id_of_another_organization_in_a_body_is_not_found(api):
    answer = api.post(
        "/api/webhooks",
        {"endpoint": ENDPOINT, "secret": SECRET, "organization_id": str(OrganizationFactory().pk)},
    )
    assert answer.status_code == 404
    assert not Webhook.objects.exists()
