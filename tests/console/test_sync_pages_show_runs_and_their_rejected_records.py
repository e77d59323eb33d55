from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from syncs.models import RecordError, SyncExecution
from tests.console.sync_pages_support import some_syncs
from tests.factories import RecordErrorFactory, SyncExecutionFactory, SyncFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def syncs(organization):
    return some_syncs(organization)


def test_the_syncs_list_puts_failures_first_with_schedule_and_logo(client, member, syncs):
    client.force_login(member)
    response = client.get(reverse("syncs:list"))
    html = response.content.decode()
    assert response.status_code == 200
    names = [row["sync"].name for row in response.context["rows"]]
    assert names[0] == "Zulu cadence"
    assert set(names) == {"Alpha people", "Zulu cadence", "Mike accounts", "Never run"}
    assert "At 09:00 AM (UTC)" in html
    assert "/static/console/logos/salesloft.svg" in html
    assert 'href="/syncs/new/"' in html
    assert "Completed with 3 rejected" in html


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("failed", {"Zulu cadence"}),
        ("completed", {"Alpha people", "Mike accounts"}),
        ("never", {"Never run"}),
        ("paused", {"Never run"}),
    ],
)
def test_the_syncs_list_filters_by_status(client, member, syncs, status, expected):
    client.force_login(member)
    response = client.get(reverse("syncs:list"), {"status": status})
    assert {row["sync"].name for row in response.context["rows"]} == expected


def test_the_sync_page_offers_every_action_and_lists_runs(client, member, syncs):
    client.force_login(member)
    sync = syncs["rejecting"]
    html = client.get(reverse("syncs:detail", args=[sync.pk])).content.decode()
    for words in ("Run now", "Dry run", "Full resync", "Run for these", "Pause", "Delete"):
        assert words in html
    assert "sends every row of the model again" in html
    assert f'href="/syncs/{sync.pk}/edit/"' in html
    assert reverse("syncs:execution", args=[syncs["rejected_run"].pk]) in html


def test_run_now_queues_a_run_started_by_the_person(client, member, syncs):
    client.force_login(member)
    sync = syncs["healthy"]
    response = client.post(reverse("syncs:run", args=[sync.pk]), {"how": "run"})
    assert response.status_code == 302
    execution = sync.executions.get(status="queued")
    assert (execution.test, execution.resync, execution.started_by) == (False, False, member)


@pytest.mark.parametrize(
    ("how", "field", "value"),
    [("dry", "test", True), ("resync", "resync", True)],
)
def test_dry_runs_and_full_resyncs_are_started_as_such(client, member, syncs, how, field, value):
    client.force_login(member)
    sync = syncs["healthy"]
    client.post(reverse("syncs:run", args=[sync.pk]), {"how": how})
    assert getattr(sync.executions.get(status="queued"), field) is value


def test_a_run_for_some_identities_takes_them_one_a_line_or_comma_separated(client, member, syncs):
    client.force_login(member)
    sync = syncs["healthy"]
    client.post(
        reverse("syncs:run", args=[sync.pk]),
        {"how": "identities", "identities": "ada@example.com,\n grace@example.com\n\n"},
    )
    execution = sync.executions.get(status="queued")
    assert execution.identities == ["ada@example.com", "grace@example.com"]


def test_a_run_for_no_identities_is_refused_in_a_sentence(client, member, syncs):
    client.force_login(member)
    sync = syncs["healthy"]
    response = client.post(
        reverse("syncs:run", args=[sync.pk]),
        {"how": "identities", "identities": " "},
        follow=True,
    )
    assert "Type the identities to run for" in response.content.decode()
    assert not sync.executions.filter(status="queued").exists()


def test_the_live_panel_polls_while_a_run_is_in_progress_and_stops_after(client, member, syncs):
    client.force_login(member)
    sync = syncs["healthy"]
    running = SyncExecutionFactory(
        sync=sync,
        status="running",
        phase="load",
        progress={"rows_read": 1200, "rows_sent": 300, "rows_accepted": 290, "rows_rejected": 10},
    )
    url = reverse("syncs:progress", args=[sync.pk])
    html = client.get(url, {"execution": running.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "Sending changes" in html
    assert "1200" in html and "290" in html
    SyncExecution.objects.filter(pk=running.pk).update(status="completed")
    html = client.get(url, {"execution": running.pk}).content.decode()
    assert "hx-trigger" not in html


def test_cancel_stops_a_running_execution(client, member, syncs):
    client.force_login(member)
    running = SyncExecutionFactory(sync=syncs["healthy"], status="running")
    client.post(reverse("syncs:cancel", args=[running.pk]))
    running.refresh_from_db()
    assert running.status == "canceling"


def test_the_execution_page_shows_counts_reasons_and_what_was_sent(client, member, syncs):
    client.force_login(member)
    execution = syncs["rejected_run"]
    response = client.get(reverse("syncs:execution", args=[execution.pk]))
    html = response.content.decode()
    assert "Completed, with 3 records rejected." in html
    assert dict(response.context["counts"])["Created"] == 7
    assert "bad0@example" in html and "email_address: is invalid" in html
    assert "Someone in the console" in html or "Its schedule" in html or "first_name" in html


def test_the_failed_execution_page_says_why(client, member, syncs):
    client.force_login(member)
    html = client.get(reverse("syncs:execution", args=[syncs["failed"].pk])).content.decode()
    assert "Salesloft is down." in html
    assert "Failed: the run stopped before it finished." in html


def test_rejected_records_are_searched_and_paged_by_keyset(client, member, organization):
    client.force_login(member)
    execution = SyncExecutionFactory(sync__organization=organization, status="completed")
    RecordErrorFactory.create_batch(120, execution=execution, message="is invalid")
    RecordErrorFactory(execution=execution, identity_value="needle@x", message="is taken")
    url = reverse("syncs:execution", args=[execution.pk])
    first = client.get(url).context["page"]
    second = client.get(url, {"after": first.next_after}).context["page"]
    third = client.get(url, {"after": second.next_after}).context["page"]
    seen = [e.id for e in first.rows + second.rows + third.rows]
    assert len(seen) == 121 == len(set(seen))
    assert third.next_after is None
    back = client.get(url, {"before": second.rows[0].id}).context["page"]
    assert [e.id for e in back.rows] == [e.id for e in first.rows]
    found = client.get(url, {"q": "taken"}).context["page"]
    assert [e.identity_value for e in found.rows] == ["needle@x"]


def test_the_csv_has_every_rejected_record_and_no_formula(client, member, syncs):
    client.force_login(member)
    execution = syncs["rejected_run"]
    RecordError.objects.filter(execution=execution).first()
    RecordErrorFactory(execution=execution, identity_value="=cmd|'/c calc'!A1", message="@SUM(1)")
    response = client.get(reverse("syncs:errors_csv", args=[execution.pk]))
    assert response.streaming
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["identity", "operation", "message", "sent", "rejected_at"]
    assert len(rows) == 1 + 4
    assert rows[1][0] == "bad0@example" and rows[1][2] == "email_address: is invalid"
    injected = rows[-1]
    assert injected[0] == "'=cmd|'/c calc'!A1"
    assert injected[2] == "'@SUM(1)"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@"))


def test_a_dry_run_shows_what_would_change_with_samples(client, member, organization):
    client.force_login(member)
    sync = SyncFactory(organization=organization)
    report = {
        "create": {
            "count": 12,
            "samples": [{"identity": "ada@x.com", "record": {"first_name": "Ada"}}],
        },
        "update": {"count": 0, "samples": []},
        "gone": {"count": 2, "samples": [{"identity": "old@x.com", "record": {}}]},
        "in_doubt": {"count": 0, "samples": []},
    }
    execution = SyncExecutionFactory(sync=sync, status="completed", test=True, report=report)
    for url in (
        reverse("syncs:detail", args=[sync.pk]),
        reverse("syncs:execution", args=[execution.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Would be created: 12" in html
        assert "Ada" in html and "ada@x.com" in html
        assert "Would be removed (no longer in the model): 2" in html
