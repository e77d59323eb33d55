"""DESIGN.md §10 P4: the SQL queries of a page don't grow with its rows. Each page is measured
with 5 rows, then must take no more queries with 50."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    ConnectionFactory,
    RecordErrorFactory,
    SyncExecutionFactory,
    SyncFactory,
)

pytestmark = pytest.mark.django_db


def grow(organization, rows):
    """`rows` syncs each with a run, `rows` runs of one sync, `rows` rejected records of one
    run, `rows` connections."""
    syncs = SyncFactory.create_batch(rows, organization=organization)
    for sync in syncs:
        SyncExecutionFactory(sync=sync, status="failed", errors=["Salesloft is down."])
    busy = syncs[0]
    SyncExecutionFactory.create_batch(rows, sync=busy, status="completed", error_count=1)
    run = busy.executions.first()
    RecordErrorFactory.create_batch(rows, execution=run)
    ConnectionFactory.create_batch(rows, organization=organization, status="needs_auth")
    return busy, run


def page_urls(busy, run):
    return [
        reverse("console:home"),
        reverse("syncs:list"),
        reverse("syncs:detail", args=[busy.pk]),
        reverse("syncs:execution", args=[run.pk]),
        reverse("syncs:progress", args=[busy.pk]),
        reverse("admin:syncs_syncexecution_changelist"),
        reverse("admin:syncs_recorderror_changelist"),
        reverse("admin:syncs_sync_changelist"),
    ]


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("page", range(8))
def test_a_page_takes_no_more_queries_with_fifty_rows_than_with_five(
    client, superuser, organization, django_assert_max_num_queries, page
):
    client.force_login(superuser)
    url = page_urls(*grow(organization, 5))[page]
    with_five = queries(client, url)
    # The same page of the same organization, grown to fifty of everything.
    other = grow(organization, 50)
    url = page_urls(*other)[page]
    with django_assert_max_num_queries(with_five):
        assert client.get(url).status_code == 200
