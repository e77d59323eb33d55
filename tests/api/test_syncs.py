"""/api/syncs: create, get, update, list (paged), activate, schedules, cancel and delete —
through the sync services, so a bad sync is refused with its sentences and nothing written."""

from __future__ import annotations

import pytest

from syncs.models import Sync, SyncExecution
from tests.api.conftest import assert_error, snapshot, sync_body

pytestmark = pytest.mark.django_db


def test_the_walkthroughs_sync_is_created_and_echoed_as_sent(api, model, salesloft):
    body = sync_body(model, salesloft)
    response = api.post("/api/syncs", body)
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    for key in ("name", "mode", "identity", "fields", "schedule"):
        assert data[key] == body[key], key
    assert data["target"] == body["target"]
    assert data["identities"] == {"mappings": [body["identity"]], "strategy": "priority"}
    assert data["model_ids"] == [str(model.pk)]
    assert data["active"] is True and data["problems"] == []
    sync = Sync.objects.get(pk=data["id"])
    assert (sync.model_id, sync.target_object) == (model.pk, "cadence:1001")
    assert api.get(f"/api/syncs/{data['id']}").json()["data"] == data


def test_identities_win_over_identity_and_both_are_echoed(api, model, salesloft):
    body = sync_body(model, salesloft)
    mapping = {**body.pop("identity"), "function": "equality"}
    body["identities"] = {"mappings": [mapping], "strategy": "priority"}
    data = api.post("/api/syncs", body).json()["data"]
    assert data["identity"] == mapping  # the docs' lower-case spelling, echoed
    assert data["identities"] == body["identities"]


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"name": None}, 400, "name"),
        ({"mode": "teleport"}, 400, "mode"),
        ({"schedule": {"frequency": "fortnightly"}}, 400, "frequency"),
        ({"schedule": {"frequency": "daily", "hour": "25"}}, 422, "hour"),
        ({"schedule": {"frequency": "dbtcloud", "job_id": 1}}, 422, "dbt"),
        ({"fields": "first_name"}, 400, "fields"),
        ({"active": "yes"}, 400, "active"),
        ({"target": {"object": "cadence:1001"}}, 400, "connection_id"),
        ({"target": {"connection_id": "{salesloft}"}}, 400, "object"),
        ({"target": {"connection_id": "{salesloft}", "object": "cadence:999999"}}, 422, "target"),
        ({"mode": "snapshot"}, 422, "mode"),
        (
            {
                "fields": [
                    {"source": {"field": "shoe_size", "model_id": "{model}"}, "target": "FirstName"}
                ]
            },
            422,
            "shoe_size",
        ),
        (
            {
                "fields": [
                    {"source": {"field": "first_name", "model_id": "{model}"}, "target": "ShoeSize"}
                ]
            },
            422,
            "ShoeSize",
        ),
        ({"fields": [{"source": {"field": "first_name"}, "target": "FirstName"}]}, 400, "model_id"),
        ({"identity": None, "fields": []}, 400, "model"),
    ],
)
def test_a_bad_sync_is_refused_with_a_sentence_and_nothing_is_written(
    api, model, salesloft, change, status, says
):
    body = sync_body(model, salesloft)
    text = str(change).replace("{salesloft}", str(salesloft.pk)).replace("{model}", str(model.pk))
    change = eval(text)  # noqa: S307 - the test's own literals with the ids filled in
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    before = snapshot()
    error = assert_error(api.post("/api/syncs", body), status)
    assert says.lower() in error["message"].lower(), error
    assert snapshot() == before


def test_an_update_is_a_full_replacement(api, sync, model, salesloft):
    body = sync_body(
        model,
        salesloft,
        name="Renamed",
        schedule={"frequency": "daily", "hour": "9", "minute": "0"},
    )
    body["fields"] = body["fields"][:1]
    response = api.put(f"/api/syncs/{sync.pk}", body)
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["name"] == "Renamed" and data["fields"] == body["fields"]
    assert data["schedule"] == {"frequency": "daily", "hour": "9", "minute": "0"}
    sync.refresh_from_db()
    assert sync.next_run_at is not None


def test_a_bad_update_changes_nothing(api, sync, model, salesloft):
    before = snapshot()
    body = sync_body(model, salesloft, mode="snapshot")
    assert_error(api.put(f"/api/syncs/{sync.pk}", body), 422)
    assert snapshot() == before


def test_the_list_is_paged_newest_first_with_opaque_tokens(api, organization, model, salesloft):
    ids = []
    for n in range(5):
        ids.append(
            api.post("/api/syncs", sync_body(model, salesloft, name=f"Sync {n}")).json()["data"][
                "id"
            ]
        )
    seen, token, pages = [], None, 0
    while True:
        params = {"limit": "2", **({"page_token": token} if token else {})}
        body = api.get("/api/syncs", params).json()
        seen.extend(item["id"] for item in body["data"])
        token = body["pagination"]["next_page_token"]
        pages += 1
        if not token:
            break
    assert seen == list(reversed(ids)) and pages == 3
    item = api.get("/api/syncs", {"limit": "1"}).json()["data"][0]
    assert (
        item["target_connection_id"] == str(salesloft.pk)
        and item["target_object"] == "cadence:1001"
    )
    assert_error(api.get("/api/syncs", {"page_token": "!!nonsense"}), 400)
    assert len(api.get("/api/syncs", {"limit": "500"}).json()["data"]) == 5  # capped at 50
    assert api.get("/api/syncs", {"active": "false"}).json()["data"] == []
    assert len(api.get("/api/syncs", {"mode": "updateOrCreate"}).json()["data"]) == 5


def test_activate_pauses_and_resumes(api, sync):
    response = api.post(f"/api/syncs/{sync.pk}/activate", {"active": False})
    assert response.json() == {"data": {"id": str(sync.pk), "active": False}}
    sync.refresh_from_db()
    assert sync.active is False
    assert_error(api.post(f"/api/syncs/{sync.pk}/activate", {}), 400)
    assert_error(api.post(f"/api/syncs/{sync.pk}/activate", {"active": "no"}), 400)


def test_schedules_are_listed_before_ids_are_matched(api):
    options = api.get("/api/syncs/schedules").json()["data"]["schedule_options"]
    assert {"manual", "daily", "weekly"} <= {o["frequency"] for o in options}


def test_cancel_stops_what_runs_and_delete_removes_the_sync(api, sync):
    execution = SyncExecution.objects.create(sync=sync, status="queued")
    assert api.post(f"/api/syncs/{sync.pk}/cancel").json() == {
        "data": {"message": "cancellation requested"}
    }
    execution.refresh_from_db()
    assert execution.status == "canceled"
    assert (
        api.post(f"/api/syncs/{sync.pk}/cancel").json()["data"]["message"] == "nothing was running"
    )
    assert api.delete(f"/api/syncs/{sync.pk}").status_code == 204
    assert not Sync.objects.exists()
    assert_error(api.get(f"/api/syncs/{sync.pk}"), 404)
