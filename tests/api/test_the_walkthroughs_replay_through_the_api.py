"""Each vendor walkthrough's API requests (reference/seeds/), replayed with their exact bodies
against the app, the sandbox, the demo warehouse and a real Celery worker, through to a
completed execution whose counts match what the sandbox holds.

In sandbox mode, as `make demo` runs: the seeds' Snowflake body (account uc193736182,
user/secret, no host) reaches the demo warehouse. Each OAuth connection's `auth_url` is opened
the way a browser opens it (cookies, redirects, the sandbox's consent page, Allow) and lands on
Syncline's "ready" page. Where the replay departs from the text, and why:
- placeholders (YOUR_..._ID, my-salesloft-cadence, accounts: []) are filled with the real ids
  the earlier answers gave, as the walkthroughs tell the reader to;
- Salesloft writes one call per person (600 a minute): after the seed's model request, the
  model is narrowed with a PUT so the run takes seconds; the LinkedIn walkthrough's two
  alternative syncs share a name, so the first is deleted before the second is created;
- the walkthroughs end at creating the sync; the replay then starts it (POST .../executions
  with {}) and reads its status, as a script would.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client
from kombu import Queue

from config.services_probe import redis_url
from sandbox.vendors.gong import DEMO_FLOW_ID
from sandbox.warehouse_data import demo_users, gong_crm_contact_ids, salesforce_contacts
from syncs.models import RecordError
from tests.api.conftest import Api
from tests.api.oauth_links import follow_auth_url
from tests.api.seeds import SeedRequest, seed_requests, seeds_dir
from tests.connections.destinations.gong_support import instances
from tests.connections.destinations.linkedin_support import (
    ACME,
    USER_AUDIENCE,
    stored,
)
from tests.connections.destinations.salesloft.support import CADENCE
from tests.integration.worker import Worker, worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    # In CI the seeds must be there (a missing one fails in seed_requests instead of skipping).
    pytest.mark.skipif(
        seeds_dir() is None and not os.environ.get("CI"),
        reason="reference/seeds is not on this machine",
    ),
]


@contextmanager
def app_worker(sandbox_url: str, tmp_path) -> Iterator[Worker]:
    """A real worker on the queue the app's own start (syncs.services._enqueue) sends to —
    the default one, in this test run's Redis database — emptied of anything an earlier test
    left there first."""
    from config.celery import app

    queue = app.conf.task_default_queue
    with app.connection_for_write() as connection:
        Queue(queue)(connection.default_channel).purge()
    from django.conf import settings

    with worker(
        broker=redis_url(),
        sandbox_url=sandbox_url,
        tmp_path=tmp_path,
        queue=queue,
        SYNCLINE_SANDBOX_WAREHOUSE_URL=settings.SYNCLINE_SANDBOX_WAREHOUSE_URL,
    ) as running:
        yield running


def send(api: Api, request: SeedRequest):
    api.version = request.version
    path = request.path + (f"?{request.query}" if request.query else "")
    return api.send(request.method, path, raw=request.body or None)


def answer(response) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert "data" in body
    return body


def run_to_the_end(api: Api, sync_id: str, running, timeout: float = 120) -> dict[str, Any]:
    started = answer(api.post(f"/api/syncs/{sync_id}/executions", {}))["data"]
    assert started["status"] == "queued"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = answer(api.get(f"/api/syncs/{sync_id}/status"))["data"]
        last = status["last_execution"]
        if last["id"] == started["id"] and last["status"] in ("completed", "failed", "canceled"):
            listed = answer(api.get(f"/api/syncs/{sync_id}/executions"))["data"]
            assert listed[0]["id"] == started["id"]
            return answer(api.get(f"/api/syncs/{sync_id}/executions/{started['id']}"))["data"]
        time.sleep(0.3)
    status = api.get(f"/api/syncs/{sync_id}/status").json()["data"]["last_execution"]
    raise AssertionError(
        f"execution {started['id']} did not finish: {status}\n{running.log.read_text()[-3000:]}"
    )


@pytest.fixture
def sandbox_mode(settings, demo_warehouse, vendors, sandbox, live_server):
    """Syncline in sandbox mode, as `make demo` runs it, served on a live port for the
    browser's side of OAuth."""
    settings.SYNCLINE_SANDBOX_URL = sandbox.url
    settings.SYNCLINE_SANDBOX_WAREHOUSE_URL = (
        f"http://{demo_warehouse['host']}:{demo_warehouse['port']}"
    )
    settings.SYNCLINE_PUBLIC_URL = live_server.url
    return settings


@pytest.fixture
def replay_api(organization) -> Api:
    from organizations.services import api_key_create

    _, key = api_key_create(organization=organization, name="Walkthrough key")
    return Api(Client(), key, organization)


def test_the_salesloft_walkthrough_replays_to_a_completed_run(
    replay_api, sandbox_mode, http, sandbox, tmp_path
):
    api, ids = replay_api, {}
    create_snowflake, create_salesloft, create_model, targets, fields, create_sync = seed_requests(
        "salesloft-cadence-walkthrough.txt"
    )
    ids["YOUR-SNOWFLAKE-CONNECTION-ID"] = answer(send(api, create_snowflake))["data"]["id"]
    salesloft = answer(send(api, create_salesloft))["data"]
    ids["YOUR_SALESLOFT_CONNECTION_ID"] = salesloft["id"]
    assert salesloft["status"] == "needs_auth"
    follow_auth_url(salesloft["auth_url"], salesloft["id"])
    model = answer(send(api, create_model.filled(ids)))["data"]  # its trailing comma and all
    ids["YOUR_SNOWFLAKE_MODEL_ID"] = model["id"]
    assert {"email", "first_name", "last_name"} <= {f["name"] for f in model["fields"]}
    listed = answer(send(api, targets.filled(ids)))
    assert CADENCE in {t["id"] for t in listed["data"]}
    ids["YOUR_SALESLOFT_CADENCE_ID"] = ids["my-salesloft-cadence"] = CADENCE
    target = answer(send(api, fields.filled(ids)))["data"]
    assert target["id"] == CADENCE

    narrowed = create_model.filled(ids)
    body = json.loads(narrowed.body.replace('",\n},', '"\n},'))
    body["configuration"]["query"] = body["configuration"]["query"].replace(
        "FROM users", "FROM users WHERE email LIKE 'peg%'"
    )
    answer(api.put(f"/api/models/{model['id']}", body))

    sync = answer(send(api, create_sync.filled(ids)))["data"]
    assert sync["target"] == {"connection_id": salesloft["id"], "object": CADENCE}
    with app_worker(sandbox.url, tmp_path) as running:
        execution = run_to_the_end(api, sync["id"], running)
    assert execution["status"] == "completed", execution["errors"]

    people = {p["id"]: p for p in sandbox_records(http, sandbox, "salesloft", "people")}
    on_cadence = {
        people[m["person_id"]]["email_address"].lower()
        for m in sandbox_records(http, sandbox, "salesloft", "cadence_memberships")
        if m["cadence_id"] == 1001 and m["currently_on_cadence"]
    }
    expected = {u.email.strip().lower() for u in demo_users() if u.email.startswith("peg")}
    refused = set(RecordError.objects.values_list("identity_value", flat=True))
    assert on_cadence == expected - refused
    assert execution["counts"]["insert"] == len(on_cadence)
    assert execution["counts"]["error"] == len(refused)


def sandbox_records(http, sandbox, vendor: str, table: str) -> list[dict[str, Any]]:
    return http.get(f"{sandbox.url}/_sandbox/records/{vendor}/{table}").json()["data"]


def test_the_gong_walkthrough_replays_to_a_completed_run(
    replay_api, sandbox_mode, http, sandbox, tmp_path
):
    api, ids = replay_api, {}
    create_snowflake, create_gong, create_model, targets, fields, create_sync = seed_requests(
        "gong-engage-walkthrough.txt"
    )
    ids["YOUR-SNOWFLAKE-CONNECTION-ID"] = answer(send(api, create_snowflake))["data"]["id"]
    gong = answer(send(api, create_gong))["data"]
    ids["YOUR_GONG_CONNECTION_ID"] = gong["id"]
    follow_auth_url(gong["auth_url"], gong["id"])
    model = answer(send(api, create_model.filled(ids)))["data"]
    ids["YOUR_SNOWFLAKE_MODEL_ID"] = model["id"]
    listed = answer(send(api, targets.filled(ids)))
    assert DEMO_FLOW_ID in {t["id"] for t in listed["data"]}
    ids["YOUR_GONG_CADENCE_ID"] = ids["my-gong-engage-flow"] = DEMO_FLOW_ID
    answer(send(api, fields.filled(ids)))
    sync = answer(send(api, create_sync.filled(ids)))["data"]
    assert sync["identity"]["function"] == "equality"  # echoed as the docs spell it
    with app_worker(sandbox.url, tmp_path) as running:
        execution = run_to_the_end(api, sync["id"], running)
    assert execution["status"] == "completed", execution["errors"]
    gold = {c.contact_id for c in salesforce_contacts() if c.subscription_plan == "gold"}
    assigned = {i["crmProspectId"] for i in instances(http, sandbox) if i["flowId"] == DEMO_FLOW_ID}
    assert assigned == gold & set(gong_crm_contact_ids())
    assert execution["counts"]["error"] == len(gold - set(gong_crm_contact_ids()))


def test_the_linkedin_walkthrough_replays_both_syncs_to_completed_runs(
    replay_api, sandbox_mode, http, sandbox, tmp_path
):
    api, ids = replay_api, {}
    (
        create_snowflake,
        create_linkedin,
        parameter_values,
        choose_accounts,
        create_model,
        targets,
        existing_sync,
        account_values,
        type_values,
        new_sync,
    ) = seed_requests("linkedin-ads-audience-walkthrough.txt")
    ids["YOUR-SNOWFLAKE-CONNECTION-ID"] = answer(send(api, create_snowflake))["data"]["id"]
    linkedin = answer(send(api, create_linkedin))["data"]
    ids["YOUR-LINKEDIN-CONNECTION-ID"] = linkedin["id"]
    follow_auth_url(linkedin["auth_url"], linkedin["id"])
    accounts = answer(send(api, parameter_values.filled(ids)))["data"]["accounts"]["values"]
    acme = [a for a in accounts if a["value"] == "512630692"]
    assert acme, accounts
    chosen = choose_accounts.filled({**ids, '"accounts":[]': f'"accounts":{json.dumps(acme)}'})
    answer(send(api, chosen))
    model = answer(send(api, create_model.filled(ids)))["data"]
    ids["YOUR-MODEL-ID"] = model["id"]
    listed = answer(send(api, targets.filled(ids)))
    assert USER_AUDIENCE in {t["id"] for t in listed["data"]}
    assert listed["target_creation"]["supported"] is True
    ids["YOUR-AUDIENCE-ID"] = USER_AUDIENCE

    first = answer(send(api, existing_sync.filled(ids)))["data"]
    assert first["schedule"] == {"frequency": "continuous"}
    assert ACME in {
        v["value"] for v in answer(send(api, account_values.filled(ids)))["data"]["values"]
    }
    assert "user_audience" in {
        v["value"] for v in answer(send(api, type_values.filled(ids)))["data"]["values"]
    }
    with app_worker(sandbox.url, tmp_path) as running:
        into_existing = run_to_the_end(api, first["id"], running)
        assert into_existing["status"] == "completed", into_existing["errors"]
        assert api.delete(f"/api/syncs/{first['id']}").status_code == 204
        second = answer(send(api, new_sync.filled(ids)))["data"]
        assert second["target"]["create"] == {
            "name": "New audience",
            "type": "user_audience",
            "account": ACME,
        }
        into_new = run_to_the_end(api, second["id"], running)
    assert into_new["status"] == "completed", into_new["errors"]
    (segment,) = [s for s in stored(sandbox, http, "segments") if s["name"] == "New audience"]
    members = [m for m in stored(sandbox, http, "segment_users") if m["segment"] == segment["id"]]
    assert into_new["counts"]["insert"] == len(members) > 0
    shown = answer(api.get(f"/api/syncs/{second['id']}"))["data"]
    assert shown["target"]["object"] == f"{ACME}~user_audience.{segment['id']}"
