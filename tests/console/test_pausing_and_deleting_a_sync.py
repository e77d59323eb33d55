from __future__ import annotations

import pytest
from django.urls import reverse

from syncs.models import RecordError, Sync, SyncExecution
from tests.console.sync_pages_support import some_syncs
from tests.factories import SyncExecutionFactory

pytestmark = pytest.mark.django_db


def test_pausing_and_resuming_a_sync(client, member, organization):
    sync = some_syncs(organization)["healthy"]
    client.force_login(member)
    response = client.post(
        reverse("syncs:active", args=[sync.pk]), {"active": "false"}, follow=True
    )
    sync.refresh_from_db()
    assert sync.active is False
    assert "is paused" in response.content.decode()
    assert "Resume" in response.content.decode()
    client.post(reverse("syncs:active", args=[sync.pk]), {"active": "true"})
    sync.refresh_from_db()
    assert sync.active is True


def test_deleting_asks_first_then_forgets_the_sync_and_its_history(client, member, organization):
    made = some_syncs(organization)
    sync = made["rejecting"]
    client.force_login(member)
    page = client.get(reverse("syncs:delete", args=[sync.pk])).content.decode()
    assert "This cannot be undone" in page
    assert Sync.objects.filter(pk=sync.pk).exists()
    response = client.post(reverse("syncs:delete", args=[sync.pk]), follow=True)
    assert "and its history are deleted" in response.content.decode()
    assert not Sync.objects.filter(pk=sync.pk).exists()
    assert not RecordError.objects.filter(execution=made["rejected_run"]).exists()


def test_deleting_a_running_sync_says_it_cancels_the_run(client, member, organization):
    sync = some_syncs(organization)["healthy"]
    SyncExecutionFactory(sync=sync, status="running")
    client.force_login(member)
    page = client.get(reverse("syncs:delete", args=[sync.pk])).content.decode()
    assert "deleting cancels it first" in page
    client.post(reverse("syncs:delete", args=[sync.pk]))
    assert not SyncExecution.objects.filter(sync_id=sync.pk).exists()


def test_a_finished_run_has_nothing_to_cancel(client, member, organization):
    run = some_syncs(organization)["rejected_run"]
    client.force_login(member)
    response = client.post(reverse("syncs:cancel", args=[run.pk]), follow=True)
    assert "nothing to cancel" in response.content.decode()
    run.refresh_from_db()
    assert run.status == "completed"
