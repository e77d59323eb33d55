from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from syncs.models import SyncExecution
from tests.factories import RecordErrorFactory, SyncExecutionFactory, SyncFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(organization):
    leads = SyncFactory(organization=organization, name="Leads sync")
    audience = SyncFactory(organization=organization, name="Audience sync")
    failed = SyncExecutionFactory(sync=leads, status="failed")
    done = SyncExecutionFactory(sync=leads, status="completed", insert_count=4, error_count=1)
    old = SyncExecutionFactory(sync=audience, status="completed")
    SyncExecution.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    RecordErrorFactory(execution=done, identity_value="ada@example", message="is invalid")
    RecordErrorFactory(execution=done, identity_value="bob@example.com", message="is taken")
    return {"leads": leads, "audience": audience, "failed": failed, "done": done, "old": old}


def listed(response):
    return {row.pk for row in response.context["cl"].result_list}


def test_executions_filter_by_sync_status_and_date(client, superuser, history):
    client.force_login(superuser)
    url = reverse("admin:syncs_syncexecution_changelist")
    by_sync = client.get(url, {"sync__id__exact": history["leads"].pk})
    assert listed(by_sync) == {history["failed"].pk, history["done"].pk}
    assert listed(client.get(url, {"status__exact": "failed"})) == {history["failed"].pk}
    since = str(timezone.now() - dt.timedelta(days=7))
    recent = client.get(url, {"created_at__gte": since})
    assert history["old"].pk not in listed(recent)
    html = client.get(url).content.decode()
    assert reverse("syncs:execution", args=[history["done"].pk]) in html
    assert "Duration" in html


def test_record_errors_are_searched_by_identity_and_message(client, superuser, history):
    client.force_login(superuser)
    url = reverse("admin:syncs_recorderror_changelist")
    by_identity = client.get(url, {"q": "ada@"})
    assert [e.identity_value for e in by_identity.context["cl"].result_list] == ["ada@example"]
    by_message = client.get(url, {"q": "taken"})
    assert [e.identity_value for e in by_message.context["cl"].result_list] == ["bob@example.com"]
    execution_page = reverse("syncs:execution", args=[history["done"].pk])
    assert execution_page in by_message.content.decode()


def test_a_sync_in_the_admin_links_to_its_console_page(client, superuser, history):
    client.force_login(superuser)
    html = client.get(
        reverse("admin:syncs_sync_change", args=[history["leads"].pk])
    ).content.decode()
    assert reverse("syncs:detail", args=[history["leads"].pk]) in html
