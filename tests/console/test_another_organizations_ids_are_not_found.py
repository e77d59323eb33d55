"""The sync, run and model pages beside the isolation matrix (tests/isolation/, which calls
every URL with another organization's ids): the progress panel ignores another organization's
run, anonymous visitors are sent to log in, and members use every page of their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from models_app.models import SqlModel
from syncs.models import Sync, SyncExecution
from tests.console.sync_pages_support import some_syncs
from tests.factories import OrganizationFactory, SyncExecutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs():
    organization = OrganizationFactory(name="Someone else")
    made = some_syncs(organization)
    running = SyncExecutionFactory(sync=made["healthy"], status="running")
    return {**made, "running": running}


def urls(made):
    sync, run = made["rejecting"], made["rejected_run"]
    return [
        ("get", reverse("syncs:detail", args=[sync.pk]), {}),
        ("get", reverse("syncs:progress", args=[sync.pk]), {}),
        ("post", reverse("syncs:run", args=[sync.pk]), {"how": "run"}),
        ("post", reverse("syncs:run", args=[sync.pk]), {"how": "resync"}),
        ("post", reverse("syncs:active", args=[sync.pk]), {"active": "false"}),
        ("get", reverse("syncs:delete", args=[sync.pk]), {}),
        ("get", reverse("syncs:execution", args=[run.pk]), {}),
        ("get", reverse("syncs:errors_csv", args=[run.pk]), {}),
        ("post", reverse("syncs:cancel", args=[made["running"].pk]), {}),
        ("get", reverse("models:delete", args=[sync.model_id]), {}),
        # The destructive ones last, so the members' test reaches every page first.
        ("post", reverse("models:delete", args=[made["never"].model_id]), {}),
        ("post", reverse("syncs:delete", args=[sync.pk]), {}),
    ]


def snapshot():
    return (
        sorted(Sync.objects.values_list("pk", "active", "updated_at")),
        sorted(SyncExecution.objects.values_list("pk", "status")),
        SqlModel.objects.count(),
    )


def test_the_progress_panel_ignores_another_organizations_execution(
    client, member, organization, theirs
):
    ours = some_syncs(organization)
    running = SyncExecutionFactory(sync=ours["healthy"], status="running")
    client.force_login(member)
    response = client.get(
        reverse("syncs:progress", args=[ours["healthy"].pk]),
        {"execution": theirs["running"].pk},
    )
    assert response.status_code == 200
    assert response.context["progress"]["execution"] == running


def test_anonymous_visitors_are_sent_to_log_in_and_nothing_changes(client, theirs):
    before = snapshot()
    for method, url, data in [*urls(theirs), ("get", reverse("syncs:list"), {})]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    assert snapshot() == before


def test_members_use_every_page_of_their_organization(client, member, organization):
    made = some_syncs(organization)
    made["running"] = SyncExecutionFactory(sync=made["healthy"], status="running")
    client.force_login(member)
    for method, url, data in urls(made):
        assert getattr(client, method)(url, data).status_code in (200, 302), url


def test_a_progress_poll_with_a_made_up_run_id_shows_the_syncs_own_panel(
    client, member, organization
):
    ours = some_syncs(organization)
    client.force_login(member)
    for made_up in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        response = client.get(
            reverse("syncs:progress", args=[ours["healthy"].pk]), {"execution": made_up}
        )
        assert response.status_code == 200
        assert response.context["progress"]["execution"] is None
