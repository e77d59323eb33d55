"""DESIGN.md §10 P1: over a PostgreSQL model, a run whose rows are exactly the ones delivered
knows it from the warehouse's row digests (summed there, no row sent) against the digests kept
in SyncState, and sends nothing. When a few rows differ, the sums by bucket say where, and only
those buckets' rows are read; when many do (a new mapping, state kept before digests), every
row. Either way nothing is skipped that must be sent, and a diff of some buckets tells what a
diff of every row would (DESIGN.md §5's invariants)."""

from __future__ import annotations

import pytest

from connections.services import connection_create
from syncs.engine import digests
from syncs.models import RecordError, SyncState

pytestmark = pytest.mark.django_db

ROWS = 120  # the postgres_warehouse fixture's users


@pytest.fixture
def warehouse(organization, postgres_warehouse):
    settings = {k: v for k, v in postgres_warehouse.items() if k not in {"schema", "admin"}}
    return connection_create(
        organization=organization, name="Warehouse", type="postgresql", values=settings
    )


@pytest.fixture
def table(postgres_warehouse):
    return f"{postgres_warehouse['schema']}.users"


@pytest.fixture
def admin(postgres_warehouse):
    return postgres_warehouse["admin"]


@pytest.fixture
def sync(make_sync, warehouse, salesloft, table, sandbox):
    sandbox.app.faults.update({"budgets": {"salesloft": "100000/60"}})
    return make_sync(
        source=warehouse,
        query=f"SELECT email, first_name, last_name, plan FROM {table};",
        target_connection=salesloft,
        target="people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=[("first_name", "first_name"), ("last_name", "last_name")],
    )


def diff(execution) -> dict:
    return next(entry for entry in execution.log if entry["event"] == "diff")


def by_digest(execution) -> bool:
    return bool(diff(execution).get("by_digest"))


def spooled(execution) -> int | None:
    """Rows read and spooled by a run of only the differing buckets; None for a full read."""
    return diff(execution).get("rows_spooled")


def writes(http, sandbox) -> int:
    counts = http.get(f"{sandbox.url}/_sandbox/requests").json()["counts"]
    return sum(n for endpoint, n in counts.items() if not endpoint.startswith("GET"))


def person(http, sandbox, email):
    people = http.get(f"{sandbox.url}/_sandbox/records/salesloft/people").json()["data"]
    return next(p for p in people if p["email_address"] == email)


def test_a_second_run_with_nothing_changed_is_told_so_by_digests_and_sends_nothing(
    sync, run, http, sandbox
):
    first = run(sync)
    assert first.status == "completed", first.errors
    assert not by_digest(first)
    assert not SyncState.objects.filter(sync=sync, row_hash__isnull=True).exists()
    http.delete(f"{sandbox.url}/_sandbox/requests")

    second = run(sync)
    assert second.status == "completed", second.errors
    assert by_digest(second)
    assert (second.unchanged_count, second.total_count) == (ROWS, ROWS)
    assert writes(http, sandbox) == 0

    dry = run(sync, test=True)
    assert by_digest(dry)
    assert dry.report["create"] == {"count": 0, "samples": []}


def test_a_changed_row_is_sent_and_the_run_after_it_is_told_by_digests_again(
    sync, run, http, sandbox, admin, table
):
    run(sync)
    admin.execute(f"UPDATE {table} SET first_name = 'Renamed' WHERE email = 'person7@example.com'")
    http.delete(f"{sandbox.url}/_sandbox/requests")
    changed = run(sync)
    assert changed.status == "completed", changed.errors
    assert not by_digest(changed)
    assert spooled(changed) == 1
    assert changed.update_count + changed.upsert_count == 1
    assert changed.unchanged_count == ROWS - 1
    assert writes(http, sandbox) == 1
    assert person(http, sandbox, "person7@example.com")["first_name"] == "Renamed"
    assert by_digest(run(sync))


def test_a_removed_row_is_not_hidden_by_digests(sync, run, http, sandbox, admin, table):
    run(sync)
    admin.execute(f"DELETE FROM {table} WHERE email = 'person9@example.com'")
    gone = run(sync)
    assert not by_digest(gone)
    assert spooled(gone) == 0
    assert diff(gone)["gone"] == 1
    assert gone.unchanged_count == ROWS - 1


def test_a_record_salesloft_refused_is_tried_again_though_no_row_changed(
    sync, run, http, sandbox, admin, table
):
    admin.execute(f"INSERT INTO {table} VALUES ('broken@example', 'Broken', 'Address', 'pro')")
    first = run(sync)
    assert first.status == "completed", first.errors
    assert RecordError.objects.filter(execution=first, identity_value="broken@example").exists()
    http.delete(f"{sandbox.url}/_sandbox/requests")
    second = run(sync)
    assert not by_digest(second)
    assert spooled(second) == 1
    assert second.unchanged_count == ROWS
    assert writes(http, sandbox) == 1  # the refused record, and only it
    assert RecordError.objects.filter(execution=second, identity_value="broken@example").exists()


def test_another_mapping_of_the_same_rows_sends_them_again(sync, run, http, sandbox):
    run(sync)
    sync.fields = [*sync.fields, {"source": {"field": "plan"}, "target": "title"}]
    sync.save()
    again = run(sync)
    assert not by_digest(again)
    assert spooled(again) is None  # every bucket differs: every row read
    assert again.update_count + again.upsert_count == ROWS
    assert person(http, sandbox, "person3@example.com")["title"] == "free"


def test_state_kept_before_digests_gets_them_from_a_run_that_reads_every_row(sync, run):
    run(sync)
    SyncState.objects.filter(sync=sync).update(row_hash=None)
    reading = run(sync)
    assert not by_digest(reading)
    assert spooled(reading) is None
    assert reading.unchanged_count == ROWS
    refreshed = next(e for e in reading.log if e["event"] == "digests_refreshed")
    assert refreshed["records"] == ROWS
    assert by_digest(run(sync))


def test_a_dry_run_leaves_missing_digests_missing(sync, run):
    run(sync)
    SyncState.objects.filter(sync=sync).update(row_hash=None)
    dry = run(sync, test=True)
    assert not by_digest(dry)
    assert SyncState.objects.filter(sync=sync, row_hash__isnull=True).count() == ROWS


def test_a_record_in_doubt_is_reconciled_before_digests_are_trusted_again(sync, run, http, sandbox):
    run(sync)
    SyncState.objects.filter(sync=sync, identity_key="person5@example.com").update(in_doubt=True)
    doubtful = run(sync)
    assert doubtful.status == "completed", doubtful.errors
    assert not by_digest(doubtful)
    assert spooled(doubtful) == 1
    assert any(entry["event"] == "reconcile" for entry in doubtful.log)
    assert not SyncState.objects.filter(sync=sync, in_doubt=True).exists()
    assert by_digest(run(sync))


def test_a_new_row_is_created_from_a_read_of_its_bucket_alone(
    sync, run, http, sandbox, admin, table
):
    run(sync)
    admin.execute(f"INSERT INTO {table} VALUES ('new@example.com', 'New', 'Person', 'pro')")
    http.delete(f"{sandbox.url}/_sandbox/requests")
    added = run(sync)
    assert added.status == "completed", added.errors
    assert spooled(added) == 1
    assert added.insert_count + added.upsert_count == 1
    assert (added.unchanged_count, added.total_count) == (ROWS, ROWS + 1)
    assert writes(http, sandbox) == 1
    assert person(http, sandbox, "new@example.com")["first_name"] == "New"


@pytest.fixture(params=["some buckets", "every row"])
def read(request, monkeypatch):
    """The cases below, read both ways: the outcome of a diff of some buckets is a full one's."""
    if request.param == "every row":
        monkeypatch.setattr(digests, "TARGETED_SHARE", 0.0)
    return request.param


def test_a_repeated_row_collapses_into_the_delivered_one_and_sends_nothing(
    sync, run, http, sandbox, admin, table, read
):
    run(sync)
    admin.execute(f"INSERT INTO {table} SELECT * FROM {table} WHERE email = 'person4@example.com'")
    http.delete(f"{sandbox.url}/_sandbox/requests")
    again = run(sync)
    assert again.status == "completed", again.errors
    assert spooled(again) == (1 if read == "some buckets" else None)
    assert again.progress["duplicates_collapsed"] == 1
    assert (again.unchanged_count, again.total_count, again.error_count) == (ROWS, ROWS, 0)
    assert writes(http, sandbox) == 0


def test_a_second_row_with_other_values_for_a_delivered_identity_is_a_conflict_not_an_update(
    sync, run, http, sandbox, admin, table, read
):
    run(sync)
    admin.execute(f"INSERT INTO {table} VALUES ('person6@example.com', 'Other', 'Name', 'pro')")
    http.delete(f"{sandbox.url}/_sandbox/requests")
    again = run(sync)
    assert again.status == "completed", again.errors
    assert spooled(again) == (1 if read == "some buckets" else None)
    (conflict,) = RecordError.objects.filter(execution=again)
    assert conflict.identity_value == "person6@example.com"
    assert conflict.message.startswith("2 rows of the model share this identity")
    assert (again.unchanged_count, again.total_count) == (ROWS - 1, ROWS + 1)
    assert writes(http, sandbox) == 0
    assert person(http, sandbox, "person6@example.com")["first_name"] == "First6"
    assert SyncState.objects.filter(sync=sync).count() == ROWS  # nothing gone, nothing new
