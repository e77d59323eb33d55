"""Cancel stops a running execution at the next batch boundary: what was delivered before stays
delivered and recorded, nothing after it is sent."""

from __future__ import annotations

import pytest

from syncs.engine import run as engine_run
from syncs.models import SyncExecution, SyncState

pytestmark = pytest.mark.django_db

PEOPLE = (
    "SELECT email, first_name FROM users WHERE email IN "
    "(SELECT DISTINCT email FROM users WHERE email LIKE '%@%.%' ORDER BY email LIMIT 30)"
)


def test_cancel_lands_between_batches_and_keeps_what_was_delivered(
    make_sync, warehouse, salesloft, run, monkeypatch
):
    sync = make_sync(
        source=warehouse,
        query=PEOPLE,
        target_connection=salesloft,
        target="people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=[("first_name", "first_name")],
    )
    monkeypatch.setattr(
        "connections.destinations.salesloft.destination.SalesloftDestination.batch_size", 10
    )
    sent = []
    real_send = engine_run.Run._send

    def send_then_cancel(self, *args, **kwargs):
        real_send(self, *args, **kwargs)
        sent.append(1)
        if len(sent) == 1:  # someone presses Cancel while the second batch waits
            SyncExecution.objects.filter(pk=self.execution.pk).update(status="canceling")

    monkeypatch.setattr(engine_run.Run, "_send", send_then_cancel)
    execution = run(sync)
    assert execution.status == "canceled"
    assert len(sent) == 1
    assert execution.upsert_count + execution.insert_count == 10
    assert SyncState.objects.filter(sync=sync, in_doubt=False).count() == 10
    assert not SyncState.objects.filter(sync=sync, in_doubt=True).exists()
