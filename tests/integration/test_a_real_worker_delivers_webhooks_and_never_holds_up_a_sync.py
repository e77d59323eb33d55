"""Webhooks with real parts: a `celery worker` runs a sync from Redis and then delivers its
sync.running and sync.completed events to a receiver that checks each signature; the first
answer is a 500 and the worker retries after its backoff. A sync whose webhook never answers
finishes all the same: recording events only queues their deliveries."""

from __future__ import annotations

import pytest

from config.services_probe import redis_url
from syncs.models import SyncExecution, WebhookDelivery
from syncs.webhooks import webhook_create
from tests.integration.worker import worker
from tests.syncs.webhook_receiver import webhook_receiver

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
]

SECRET = "whsec-integration"
QUERY = "SELECT email, first_name, last_name FROM users WHERE email LIKE 'b%'"


def _sync(make_sync, warehouse, salesloft):
    return make_sync(
        source=warehouse,
        query=QUERY,
        target_connection=salesloft,
        target="people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=[("first_name", "first_name"), ("last_name", "last_name")],
    )


def test_a_worker_delivers_the_runs_events_signed_and_retries_after_a_500(
    organization, make_sync, warehouse, salesloft, sandbox, tmp_path
):
    sync = _sync(make_sync, warehouse, salesloft)
    with webhook_receiver(SECRET, statuses=[500]) as receiver:
        webhook_create(organization=organization, endpoint=receiver.url, secret=SECRET)
        with worker(
            broker=redis_url(),
            sandbox_url=sandbox.url,
            tmp_path=tmp_path,
            SYNCLINE_WEBHOOK_RETRY_BASE_SECONDS="0.5",
        ) as running:
            # The run's deliveries go to the queue the worker reads.
            running.env["CELERY_TASK_DEFAULT_QUEUE"] = running.queue
            running.stop()
            running.start()
            execution = SyncExecution.objects.create(sync=sync, status="queued")
            running.send(execution)
            execution = running.wait(execution)
            assert execution.status == "completed", execution.errors
            received = receiver.wait_for(3)  # running, completed, and one retry

    assert all(r.signature_valid for r in received)
    assert [r.status for r in received].count(500) == 1
    # Some demo users have broken addresses, which Salesloft rejects: the run says so.
    finished = "sync.completed_with_errors" if execution.error_count else "sync.completed"
    delivered = {r.body["type"] for r in received if r.status == 200}
    assert delivered == {"sync.running", finished}
    first = received[0].body
    retried = next(r.body for r in received[1:] if r.body["id"] == first["id"])
    assert retried == first
    completed = next(r.body for r in received if r.body["type"] == finished)
    assert completed["event"]["execution_id"] == str(execution.pk)
    assert completed["event"]["counts"]["total"] == execution.total_count > 0
    deliveries = WebhookDelivery.objects.order_by("created_at")
    assert [d.status for d in deliveries] == ["delivered", "delivered"]
    assert sorted(d.attempts for d in deliveries) == [1, 2]


def test_a_sync_finishes_while_its_webhook_hangs(
    organization, make_sync, warehouse, salesloft, run
):
    sync = _sync(make_sync, warehouse, salesloft)
    with webhook_receiver(SECRET, statuses=[0, 0]) as receiver:
        receiver.hang_seconds = 30
        webhook_create(organization=organization, endpoint=receiver.url, secret=SECRET)
        execution = run(sync)  # in this process, as the worker would; no worker reads the queue
        assert execution.status == "completed", execution.errors
        assert receiver.received == []  # the run sent nothing itself
    deliveries = WebhookDelivery.objects.select_related("event")
    assert sorted(d.event.type for d in deliveries)[1] == "sync.running"
    assert {d.status for d in deliveries} == {"pending"}
