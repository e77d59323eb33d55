"""Executions through the API: start (coalescing), status, list, get, cancel, and the logs by
type as downloadable JSON."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from syncs.models import RecordError, SyncExecution
from tests.api.conftest import assert_error, snapshot

pytestmark = pytest.mark.django_db


def test_a_start_queues_one_execution_and_further_starts_return_it(api, sync):
    first = api.post(f"/api/syncs/{sync.pk}/executions", {})
    assert first.status_code == 200, first.content
    data = first.json()["data"]
    assert set(data) == {"id", "status", "created_at"} and data["status"] == "queued"
    again = api.post(f"/api/syncs/{sync.pk}/executions", {"resync": True}).json()["data"]
    assert again["id"] == data["id"]
    execution = SyncExecution.objects.get(sync=sync)
    assert execution.trigger == "api"


def test_start_options_reach_the_execution(api, sync):
    body = {"resync": True, "test": True, "identities": ["a@example.com", "b@example.com"]}
    data = api.post(f"/api/syncs/{sync.pk}/executions", body).json()["data"]
    execution = SyncExecution.objects.get(pk=data["id"])
    assert (execution.resync, execution.test) == (True, True)
    assert execution.identities == ["a@example.com", "b@example.com"]


@pytest.mark.parametrize(
    "body",
    [
        {"resync": "yes"},
        {"identities": "a@example.com"},
        {"identities": ["a"], "source_identities": [[{"source": "x", "value": "a"}]]},
    ],
)
def test_a_bad_start_is_a_400_and_queues_nothing(api, sync, body):
    before = snapshot()
    assert_error(api.post(f"/api/syncs/{sync.pk}/executions", body), 400)
    assert snapshot() == before


def test_an_inactive_sync_does_not_start(api, sync):
    sync.active = False
    sync.save()
    assert_error(api.post(f"/api/syncs/{sync.pk}/executions", {}), 422)
    assert not SyncExecution.objects.exists()


def test_status_shows_the_current_and_the_last_execution(api, sync):
    empty = api.get(f"/api/syncs/{sync.pk}/status").json()["data"]
    assert empty == {"current_execution": None, "last_execution": None, "next_execution_time": None}
    started = api.post(f"/api/syncs/{sync.pk}/executions", {}).json()["data"]
    status = api.get(f"/api/syncs/{sync.pk}/status").json()["data"]
    assert status["current_execution"]["id"] == status["last_execution"]["id"] == started["id"]
    counts = status["last_execution"]["counts"]
    assert all(isinstance(n, int) for n in counts.values())


def finished(sync, **counts) -> SyncExecution:
    now = timezone.now()
    return SyncExecution.objects.create(
        sync=sync, status="completed", started_at=now, completed_at=now, **counts
    )


def test_executions_are_listed_newest_first_and_paged(api, sync):
    made = [finished(sync, total_count=n).pk for n in range(3)]
    running = SyncExecution.objects.create(sync=sync, status="queued")
    body = api.get(f"/api/syncs/{sync.pk}/executions", {"limit": "2"}).json()
    assert [e["id"] for e in body["data"]] == [str(running.pk), str(made[2])]
    rest = api.get(
        f"/api/syncs/{sync.pk}/executions",
        {"limit": "2", "page_token": body["pagination"]["next_page_token"]},
    ).json()
    assert [e["id"] for e in rest["data"]] == [str(made[1]), str(made[0])]
    assert rest["pagination"]["next_page_token"] is None
    completed = api.get(f"/api/syncs/{sync.pk}/executions", {"only_completed": "true"}).json()
    assert str(running.pk) not in {e["id"] for e in completed["data"]}
    ascending = api.get(f"/api/syncs/{sync.pk}/executions", {"ascending": "true"}).json()
    assert ascending["data"][0]["id"] == str(made[0])


def test_an_execution_is_shown_with_integer_counts_and_string_errors(api, sync):
    execution = finished(sync, total_count=3, insert_count=2, update_count=1)
    execution.errors = ["Salesloft rejected one record."]
    execution.save()
    data = api.get(f"/api/syncs/{sync.pk}/executions/{execution.pk}").json()["data"]
    assert data["counts"]["total"] == 3 and data["counts"]["insert"] == 2
    assert data["errors"] == ["Salesloft rejected one record."]
    assert data["type"] == "manual" and data["completed_at"].endswith("Z")


def test_cancel_asks_a_waiting_or_running_execution_to_stop(api, sync):
    execution = SyncExecution.objects.create(sync=sync, status="running", started_at=timezone.now())
    url = f"/api/syncs/{sync.pk}/executions/{execution.pk}/cancel"
    assert api.post(url).json() == {"data": {"message": "cancellation requested"}}
    execution.refresh_from_db()
    assert execution.status == "canceling"
    done = finished(sync)
    before = snapshot()
    assert_error(api.post(f"/api/syncs/{sync.pk}/executions/{done.pk}/cancel"), 400)
    assert snapshot() == before


def test_an_executions_errors_download_as_json(api, sync):
    execution = finished(sync, error_count=1)
    RecordError.objects.create(
        execution=execution,
        identity_value="bad@example",
        operation="upsert",
        message="Salesloft refused this record: email_address is invalid.",
        payload={"email_address": "bad@example"},
    )
    base = f"/api/syncs/{sync.pk}/executions/{execution.pk}"
    urls = api.get(f"{base}/errors").json()["data"]["urls"]
    assert len(urls) == 1 and urls[0].startswith("http")
    path = urls[0].split("testserver", 1)[1]
    download = api.get(path)
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    records = json.loads(download.content)
    assert records[0]["identity"] == "bad@example"
    assert "email_address is invalid" in records[0]["message"]
    for kind in ("records", "inserts", "updates", "deletes"):
        assert api.get(f"{base}/{kind}").status_code == 200
        assert json.loads(api.get(f"{base}/{kind}/{kind}.json").content) == []
    assert_error(api.get(f"{base}/nonsense"), 404)
    assert_error(api.get(f"{base}/errors/other.json"), 404)


def test_an_execution_of_another_sync_is_not_found(api, sync, organization, model, salesloft):
    from syncs.services import sync_create
    from tests.api.conftest import sync_body

    body = sync_body(model, salesloft, name="Second")
    second = sync_create(
        organization=organization,
        user=None,
        name="Second",
        model=model,
        target_connection=salesloft,
        target_object="cadence:1001",
        mode="updateOrCreate",
        identity=body["identity"],
        fields=body["fields"],
    )
    execution = finished(second)
    assert_error(api.get(f"/api/syncs/{sync.pk}/executions/{execution.pk}"), 404)
