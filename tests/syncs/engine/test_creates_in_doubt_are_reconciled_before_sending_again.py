"""DESIGN.md §5.6: a create that timed out may have been applied. The next run looks the record up
at the vendor before sending anything for it, so it is never created twice."""

from __future__ import annotations

import pytest

from syncs.models import RecordError, SyncState

pytestmark = pytest.mark.django_db

PEOPLE = (
    "SELECT email, first_name FROM users WHERE email IN "
    "(SELECT DISTINCT email FROM users WHERE email LIKE '%@%.%' ORDER BY email LIMIT 5)"
)


def people(http, sandbox):
    return http.get(f"{sandbox.url}/_sandbox/records/salesloft/people").json()["data"]


def test_a_create_that_timed_out_is_found_at_the_vendor_not_created_again(
    make_sync, warehouse, salesloft, run, http, sandbox, settings
):
    sync = make_sync(
        source=warehouse,
        query=PEOPLE,
        target_connection=salesloft,
        target="people",
        mode="create",
        identity=("email", "email_address"),
        fields=[("first_name", "first_name")],
    )
    seeded = len(people(http, sandbox))
    # Salesloft applies every create but the answers never arrive: the client times out.
    sandbox.app.faults.update({"lost_answer_rate": 1.0, "timeout_seconds": 0.6})
    settings.SYNCLINE_DESTINATION_TIMEOUT_SECONDS = 0.2
    first = run(sync)
    assert SyncState.objects.filter(sync=sync, in_doubt=True).exists()
    assert first.insert_count < 5
    sandbox.app.faults.update({"lost_answer_rate": 0.0})
    second = run(sync)
    assert second.status == "completed", second.errors
    assert not SyncState.objects.filter(sync=sync, in_doubt=True).exists()
    assert not RecordError.objects.filter(execution=second).exists()
    states = SyncState.objects.filter(sync=sync)
    assert states.count() == 5
    assert all(state.destination_id and state.values_hash for state in states)
    emails = [p["email_address"] for p in people(http, sandbox)]
    assert len(emails) == seeded + 5
    assert len(set(emails)) == len(emails)  # nobody twice
