"""Salesloft writes one record per call. When a call fails partway through a batch, what Salesloft
already said stays said; the failing record is in doubt or not sent, the rest not sent, and the
batch carries the failure — nothing delivered is raised away."""

from __future__ import annotations

import httpx
import pytest

from connections.destinations.base import Outcome
from connections.destinations.errors import NeedsReauthorization
from connections.models import Connection
from tests.connections.destinations.salesloft.support import from_call, stored

pytestmark = pytest.mark.django_db


def test_a_create_timing_out_partway_keeps_the_created_and_holds_back_the_rest(
    sandbox, http, destination
):
    records = [
        {"email_address": "one@example.com"},
        {"email_address": "taken@example.com"},
        {"email_address": "three@example.com"},
        {"email_address": "four@example.com"},
    ]
    http.post(
        f"{sandbox.vendor_url('salesloft')}/v2/people",
        headers={"Authorization": f"Bearer {destination.connection.secrets['access_token']}"},
        json={"email_address": "taken@example.com"},
    )
    destination.http.client.timeout = httpx.Timeout(0.3)
    from_call(
        destination,
        3,
        lambda: sandbox.app.faults.update({"timeout_rate": 1.0, "timeout_seconds": 1.0}),
    )

    batch = destination.write("people", "create", records, identity_field="email_address")

    assert [result.outcome for result in batch.results] == [
        Outcome.ACCEPTED,
        Outcome.REJECTED,  # Salesloft said no before the failure: that answer is kept
        Outcome.IN_DOUBT,
        Outcome.NOT_SENT,
    ]
    sandbox.app.faults.update({"timeout_rate": 0.0})
    one = next(
        p
        for p in stored(http, sandbox, "people")
        if p["email_address"] == records[0]["email_address"]
    )
    assert batch.results[0].destination_id == str(one["id"])
    assert (
        batch.results[1].message == "Salesloft refused this record: email_address: is already taken"
    )
    assert batch.failure is not None and batch.failure.in_doubt


def test_a_lost_authorization_partway_is_the_batch_failure_after_what_was_delivered(
    sandbox, http, connection, destination
):
    def revoke() -> None:
        http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})
        http.post(f"{sandbox.url}/_sandbox/oauth/revoke-refresh-tokens", json={})

    from_call(destination, 2, revoke)

    batch = destination.write(
        "people",
        "updateOrCreate",
        [{"email_address": "before@example.com"}, {"email_address": "after@example.com"}],
        identity_field="email_address",
    )

    assert [result.outcome for result in batch.results] == [Outcome.ACCEPTED, Outcome.NOT_SENT]
    assert isinstance(batch.failure, NeedsReauthorization)
    assert "Reconnect Salesloft" in batch.results[1].message
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.NEEDS_AUTH


def test_a_cadence_failing_partway_keeps_the_people_already_added(sandbox, http, destination):
    cadences = sandbox.app.emulators["salesloft"].table("cadences")
    records = [{"email_address": f"member{n}@example.com"} for n in range(3)]

    # The cadence is deleted after the first person was added (call 2 is their membership).
    from_call(destination, 3, lambda: cadences.pop("1001"))
    batch = destination.write(
        "cadence:1001", "updateOrCreate", records, identity_field="email_address"
    )

    assert [result.outcome for result in batch.results] == [
        Outcome.ACCEPTED,
        Outcome.NOT_SENT,
        Outcome.NOT_SENT,
    ]
    assert batch.failure is not None and batch.failure.status == 404
    assert "Cadence 1001 no longer exists" in batch.results[1].message
