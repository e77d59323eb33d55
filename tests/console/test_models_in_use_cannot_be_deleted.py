from __future__ import annotations

import html

import pytest
from django.urls import reverse

from models_app.models import SqlModel
from tests.factories import ConnectionFactory, SqlModelFactory, SyncFactory

pytestmark = pytest.mark.django_db


def test_a_model_no_sync_uses_is_deleted_after_confirming(client, member, organization):
    model = SqlModelFactory(organization=organization, name="Old leads")
    client.force_login(member)
    assert (
        "This cannot be undone"
        in client.get(reverse("models:delete", args=[model.pk])).content.decode()
    )
    response = client.post(reverse("models:delete", args=[model.pk]), follow=True)
    assert "The model “Old leads” is deleted." in response.content.decode()
    assert not SqlModel.objects.filter(pk=model.pk).exists()


def test_a_model_syncs_use_is_refused_naming_them_with_links(client, member, organization):
    sync = SyncFactory(organization=organization, name="Leads to cadence")
    client.force_login(member)
    url = reverse("models:delete", args=[sync.model_id])
    page = client.get(url).content.decode()
    assert "Leads to cadence" in page
    assert reverse("syncs:detail", args=[sync.pk]) in page
    assert reverse("syncs:delete", args=[sync.pk]) in page
    assert f"/syncs/{sync.pk}/edit/" in page
    response = client.post(url)
    assert "can't be deleted while the sync “Leads to cadence” uses it" in html.unescape(
        response.content.decode()
    )
    assert SqlModel.objects.filter(pk=sync.model_id).exists()


def test_the_model_editor_links_to_deleting_it(client, member, organization):
    model = SqlModelFactory(organization=organization)
    client.force_login(member)
    page = client.get(reverse("models:detail", args=[model.pk])).content.decode()
    assert reverse("models:delete", args=[model.pk]) in page


def test_a_connection_in_use_links_to_what_uses_it(client, admin, organization):
    warehouse = ConnectionFactory(organization=organization, name="Warehouse")
    model = SqlModelFactory(organization=organization, source=warehouse, name="Leads")
    sync = SyncFactory(organization=organization, model=model, name="Leads to cadence")
    client.force_login(admin)
    for connection, expected in (
        (
            warehouse,
            [reverse("models:detail", args=[model.pk]), reverse("models:delete", args=[model.pk])],
        ),
        (
            sync.target_connection,
            [
                reverse("syncs:detail", args=[sync.pk]),
                reverse("syncs:delete", args=[sync.pk]),
                f"/syncs/{sync.pk}/edit/",
            ],
        ),
    ):
        page = client.get(reverse("connections:delete", args=[connection.pk])).content.decode()
        for link in expected:
            assert link in page
