"""Until the console's sync pages exist, an administrator runs, resyncs, dry-runs and cancels
syncs from the Django admin, through the same services as everything else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from syncs import services
from syncs.models import SyncExecution
from tests.factories import SyncExecutionFactory, SyncFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    sent = []
    monkeypatch.setattr(services, "_enqueue", lambda execution: sent.append(execution.pk))
    return sent


def test_the_run_now_action_queues_one_run_per_sync(client, superuser, enqueued):
    sync = SyncFactory()
    client.force_login(superuser)
    url = reverse("admin:syncs_sync_changelist")
    for action in ("run_now", "dry_run_now"):
        answer = client.post(
            url, {"action": action, "_selected_action": [str(sync.pk)]}, follow=True
        )
        assert answer.status_code == 200
    (execution,) = SyncExecution.objects.filter(sync=sync)  # the second start coalesced
    assert execution.status == "queued"
    assert enqueued == [execution.pk]
    assert "is queued" in answer.content.decode()


def test_the_cancel_action_asks_a_running_run_to_stop(client, superuser):
    running = SyncExecutionFactory(status=SyncExecution.Status.RUNNING)
    client.force_login(superuser)
    client.post(
        reverse("admin:syncs_syncexecution_changelist"),
        {"action": "cancel", "_selected_action": [str(running.pk)]},
    )
    running.refresh_from_db()
    assert running.status == "canceling"
