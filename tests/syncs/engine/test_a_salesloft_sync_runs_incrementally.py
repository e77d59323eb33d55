"""A model in the demo warehouse synced into Salesloft people through the sandbox: the first run
creates, the second sends nothing, a changed row is one update, a bad e-mail is a RecordError
with Salesloft's words that is tried again on the next run."""

from __future__ import annotations

import pytest

from syncs.models import RecordError, SyncState

pytestmark = pytest.mark.django_db

# 25 people, each on 1-3 rows (one per activity): the same values repeat and must collapse.
PEOPLE = (
    "SELECT email, first_name, last_name FROM users WHERE email IN "
    "(SELECT DISTINCT email FROM users ORDER BY email LIMIT 25)"
)
# One plainly no e-mail (held back before sending), one that Salesloft itself refuses.
WITH_BAD_EMAIL = (
    PEOPLE + " UNION ALL SELECT 'not-an-email', 'Bad', 'Address'"
    " UNION ALL SELECT 'broken@example', 'Broken', 'Address'"
)


def people(http, sandbox):
    return http.get(f"{sandbox.url}/_sandbox/records/salesloft/people").json()["data"]


def writes(http, sandbox):
    counts = http.get(f"{sandbox.url}/_sandbox/requests").json()["counts"]
    return sum(n for endpoint, n in counts.items() if not endpoint.startswith("GET"))


@pytest.fixture
def sync(make_sync, warehouse, salesloft):
    return make_sync(
        source=warehouse,
        query=WITH_BAD_EMAIL,
        target_connection=salesloft,
        target="people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=[("first_name", "first_name"), ("last_name", "last_name")],
    )


def test_the_first_run_creates_everyone_once_and_the_second_sends_nothing(sync, run, http, sandbox):
    seeded = {p["email_address"] for p in people(http, sandbox)}
    first = run(sync)
    assert first.status == "completed", first.errors
    delivered = {p["email_address"]: p for p in people(http, sandbox)}
    assert len(delivered.keys() - seeded) == 25
    assert first.insert_count + first.upsert_count == 25
    assert first.progress["duplicates_collapsed"] > 0
    assert SyncState.objects.filter(sync=sync, in_doubt=False).count() == 25
    refused, held_back = RecordError.objects.filter(execution=first).order_by("operation")
    assert (held_back.identity_value, held_back.operation) == ("not-an-email", "validate")
    assert "isn't an e-mail address" in held_back.message
    assert refused.identity_value == "broken@example"
    assert "email_address: is invalid" in refused.message  # Salesloft's own words

    http.delete(f"{sandbox.url}/_sandbox/requests")
    second = run(sync)
    assert second.status == "completed", second.errors
    assert second.unchanged_count == 25
    # The record Salesloft refused is tried again on every run until it is fixed: one call.
    assert writes(http, sandbox) == 1
    again = set(
        RecordError.objects.filter(execution=second).values_list("identity_value", flat=True)
    )
    assert again == {"not-an-email", "broken@example"}


def test_one_changed_row_is_one_update(sync, run, http, sandbox):
    run(sync)
    first_person = min(p["email_address"] for p in people(http, sandbox))
    sync.model.query = (
        "SELECT email, CASE WHEN email = '" + first_person + "' THEN 'Renamed' ELSE first_name "
        "END AS first_name, last_name FROM (" + WITH_BAD_EMAIL + ")"
    )
    sync.model.save()
    http.delete(f"{sandbox.url}/_sandbox/requests")
    again = run(sync)
    assert again.status == "completed", again.errors
    assert again.update_count + again.upsert_count == 1
    assert again.unchanged_count == 24
    assert writes(http, sandbox) == 2  # the renamed person, and the refused one tried again
    renamed = next(p for p in people(http, sandbox) if p["email_address"] == first_person)
    assert renamed["first_name"] == "Renamed"


def test_a_dry_run_reports_what_would_change_and_sends_nothing(sync, run, http, sandbox):
    dry = run(sync, test=True)
    assert dry.status == "completed", dry.errors
    assert dry.report["create"]["count"] == 26  # with the one Salesloft will refuse
    assert len(dry.report["create"]["samples"]) == 10
    before = people(http, sandbox)
    assert people(http, sandbox) == before
    assert writes(http, sandbox) == 0
    assert not SyncState.objects.filter(sync=sync).exists()


def test_pointing_the_sync_at_another_target_starts_afresh(sync, run):
    run(sync)
    assert SyncState.objects.filter(sync=sync).count() == 25
    sync.target_object = "cadence:1001"
    sync.save()
    again = run(sync)
    assert again.unchanged_count == 0
    assert again.status == "completed", again.errors
