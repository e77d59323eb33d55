"""Events as GET /api/events lists them: the organization's own, oldest first, by type, by time,
a page at a time with an opaque cursor; kept 48 hours at least, then pruned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from syncs.events import event_data, event_prune
from syncs.models import Event, SyncExecution
from syncs.selectors import event_list, event_types
from syncs.services import sync_execution_cancel
from tests.factories import OrganizationFactory, SyncExecutionFactory, SyncFactory

pytestmark = pytest.mark.django_db

BASE = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _event(organization, type: str, minutes: int) -> Event:
    event = Event.objects.create(organization=organization, type=type, payload={"n": minutes})
    Event.objects.filter(pk=event.pk).update(created_at=BASE + dt.timedelta(minutes=minutes))
    event.refresh_from_db()
    return event


def test_the_event_types_are_polytomics_five_sync_types():
    assert event_types() == [
        "sync.running",
        "sync.completed",
        "sync.completed_with_errors",
        "sync.failed",
        "sync.canceled",
    ]


def test_events_are_the_organizations_own_oldest_first(organization):
    mine = [_event(organization, "sync.running", 1), _event(organization, "sync.completed", 2)]
    _event(OrganizationFactory(), "sync.completed", 3)
    page = event_list(organization=organization)
    assert page.events == mine
    assert page.next_page_token is None


def test_a_type_filter_keeps_that_type_and_an_unknown_type_is_refused(organization):
    _event(organization, "sync.running", 1)
    failed = _event(organization, "sync.failed", 2)
    assert event_list(organization=organization, type="sync.failed").events == [failed]
    with pytest.raises(ValidationError) as refused:
        event_list(organization=organization, type="sync.exploded")
    assert "type must be one of sync.running" in refused.value.message_dict["type"][0]


def test_starting_after_and_ending_before_bound_the_time(organization):
    events = [_event(organization, "sync.running", n) for n in range(5)]
    page = event_list(
        organization=organization,
        starting_after=BASE + dt.timedelta(minutes=1),
        ending_before=BASE + dt.timedelta(minutes=4),
    )
    assert page.events == events[2:4]


def test_pages_follow_each_other_by_cursor_without_gaps_or_repeats(organization):
    events = [_event(organization, "sync.completed", n // 2) for n in range(7)]  # equal times
    seen, token = [], None
    while True:
        page = event_list(organization=organization, limit=3, page_token=token)
        seen.extend(page.events)
        token = page.next_page_token
        if token is None:
            break
    assert sorted(e.pk for e in seen) == sorted(e.pk for e in events)
    assert len(seen) == len(events)


def test_a_limit_above_fifty_or_below_one_gives_fifty(organization):
    for n in range(55):
        _event(organization, "sync.running", n)
    assert len(event_list(organization=organization, limit=500).events) == 50
    assert len(event_list(organization=organization, limit=0).events) == 50
    assert len(event_list(organization=organization, limit=5).events) == 5


@pytest.mark.parametrize("token", ["garbage", "Zm9vfGJhcg", "%%%"])
def test_a_page_token_syncline_did_not_give_is_refused_in_words(organization, token):
    with pytest.raises(ValidationError) as refused:
        event_list(organization=organization, page_token=token)
    assert "page_token is not one Syncline gave" in refused.value.message_dict["page_token"][0]


def test_an_event_reads_as_polytomics_event_object(organization):
    event = _event(organization, "sync.completed", 0)
    assert event_data(event) == {
        "id": str(event.pk),
        "organization_id": str(organization.pk),
        "type": "sync.completed",
        "created_at": "2026-11-30T12:00:00.000Z",
        "event": {"n": 0},
    }


def test_events_younger_than_the_retention_are_kept_and_older_ones_pruned(organization, settings):
    now = BASE + dt.timedelta(days=3)
    settings.SYNCLINE_EVENT_RETENTION_HOURS = 48
    old = _event(organization, "sync.completed", 0)  # 72 h before `now`
    kept = _event(organization, "sync.completed", 25 * 60)  # 47 h before `now`
    assert event_prune(now=now, batch=1) == 1
    assert list(Event.objects.all()) == [kept]
    assert not Event.objects.filter(pk=old.pk).exists()


def test_a_retention_under_48_hours_is_refused_at_start_up(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("SYNCLINE_EVENT_RETENTION_HOURS", "24")
    with pytest.raises(ImproperlyConfigured, match="48 hours at least"):
        importlib.reload(config.settings)
    monkeypatch.delenv("SYNCLINE_EVENT_RETENTION_HOURS")
    importlib.reload(config.settings)


def test_canceling_a_waiting_run_records_sync_canceled(organization):
    execution = SyncExecutionFactory(sync=SyncFactory(organization=organization))
    sync_execution_cancel(execution=execution)
    (event,) = Event.objects.all()
    assert event.type == "sync.canceled"
    assert event.payload["execution_id"] == str(execution.pk)
    assert event.payload["status"] == SyncExecution.Status.CANCELED
