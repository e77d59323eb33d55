"""DESIGN.md §5 with real parts: a `celery worker` process takes the execution from Redis, runs it
on the PostgreSQL app database against the demo warehouse and the Gong sandbox, and completes."""

from __future__ import annotations

import pytest

from config.services_probe import redis_url
from sandbox.vendors.gong import DEMO_FLOW_ID
from sandbox.warehouse_data import gong_crm_contact_ids, salesforce_contacts
from syncs.models import Event, SyncExecution
from tests.connections.destinations.gong_support import gong_connection, gong_tokens, instances
from tests.integration.worker import worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
]

GOLD = "SELECT contact_id FROM salesforce_contacts WHERE subscription_plan = 'gold'"


def test_a_worker_runs_the_gong_walkthrough_sync_to_completion(
    organization, vendors, http, sandbox, warehouse, make_sync, tmp_path
):
    gong = gong_connection(organization, gong_tokens(vendors, http))
    sync = make_sync(
        source=warehouse,
        query=GOLD,
        target_connection=gong,
        target=DEMO_FLOW_ID,
        mode="updateOrCreate",
        identity=("contact_id", "Id"),
        fields=[],
    )
    execution = SyncExecution.objects.create(sync=sync, status=SyncExecution.Status.QUEUED)
    with worker(broker=redis_url(), sandbox_url=sandbox.url, tmp_path=tmp_path) as running:
        running.send(execution)
        running.send(execution)  # a redelivered or duplicate task is a no-op
        done = running.wait(execution)
    assert done.status == "completed", done.errors
    gold = {c.contact_id for c in salesforce_contacts() if c.subscription_plan == "gold"}
    assigned = {i["crmProspectId"] for i in instances(http, sandbox) if i["flowId"] == DEMO_FLOW_ID}
    assert assigned == gold & set(gong_crm_contact_ids())
    types = list(Event.objects.filter(organization=organization).values_list("type", flat=True))
    assert types == ["sync.running", "sync.completed_with_errors"]
