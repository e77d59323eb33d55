"""Members do the everyday work: on connections an admin made, a member writes a model, builds a
sync through every step of the builder, changes it, and runs it — no admin needed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from models_app.models import SqlModel
from syncs.models import Sync, SyncExecution

pytestmark = pytest.mark.django_db

QUERY = "SELECT first_name, last_name, email FROM users WHERE email LIKE 'a%'"


def test_a_member_writes_a_model_builds_a_sync_changes_it_and_runs_it(
    client, member, warehouse, salesloft
):
    client.force_login(member)
    form = {"name": "Active Users", "source": str(warehouse.pk), "query": QUERY}
    saved = client.post(reverse("models:new"), {**form, "action": "save"}, follow=True)
    assert "saved with 3 fields" in saved.content.decode()
    model = SqlModel.objects.get()
    assert model.created_by == member
    edited = client.post(
        reverse("models:detail", args=[model.pk]),
        {**form, "name": "Active users (a…)", "action": "save"},
    )
    assert edited.status_code == 302
    model.refresh_from_db()
    assert model.name == "Active users (a…)"

    client.get(f"/syncs/new/?model={model.pk}")
    client.post("/syncs/new/destination/", {"connection": str(salesloft.pk)})
    client.post("/syncs/new/target/", {"target": "cadence:1002"})
    client.post("/syncs/new/mode/", {"mode": "updateOrCreate"})
    client.post(
        "/syncs/new/identity/",
        {"column": "EMAIL", "target_field": "email_address", "function": "Equality"},
    )
    client.post("/syncs/new/fields/", {"field-count": "0", "action": "continue"})
    client.post("/syncs/new/removal/", {"when_row_leaves": "remove"})
    client.post("/syncs/new/schedule/", {"frequency": "manual"})
    created = client.post("/syncs/new/review/", {"name": "Nurture", "active": "active"})
    sync = Sync.objects.get()
    assert created.url == reverse("syncs:detail", args=[sync.pk])
    assert sync.created_by == member

    client.get(f"/syncs/{sync.pk}/edit/")
    renamed = client.post(f"/syncs/{sync.pk}/edit/review/", {"name": "Nurture (a)"})
    assert renamed.status_code == 302
    sync.refresh_from_db()
    assert sync.name == "Nurture (a)"

    run = client.post(reverse("syncs:run", args=[sync.pk]), {"how": "run"})
    assert run.status_code == 302
    execution = SyncExecution.objects.get(sync=sync)
    assert execution.started_by == member
