"""Database constraint names (one_running_execution_per_sync, …) are for the database; what
a person reads is a sentence."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from console.admin_mixins import CONFLICT, constraint_sentence
from syncs.admin import SyncAdmin
from syncs.models import SyncExecution
from tests.factories import SyncExecutionFactory, SyncFactory


@pytest.mark.parametrize("app", ["syncs", "models_app"])
def test_every_constraint_says_in_a_sentence_what_it_refuses(app):
    for model in apps.get_app_config(app).get_models():
        for constraint in model._meta.constraints:
            message = str(constraint.violation_error_message)
            assert message != str(constraint.default_violation_error_message), constraint.name
            assert constraint.name not in message
            assert message.endswith(".")


@pytest.mark.django_db
def test_a_refusal_by_the_database_reads_as_the_constraints_sentence():
    sync = SyncFactory()
    SyncExecutionFactory(sync=sync, status=SyncExecution.Status.RUNNING)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        SyncExecutionFactory(sync=sync, status=SyncExecution.Status.RUNNING)
    sentence = constraint_sentence(refused.value)
    assert "one_running_execution_per_sync" not in sentence
    # PostgreSQL names the constraint, so its own sentence is found; SQLite names only columns.
    assert sentence in ("This sync is already running; it runs once at a time.", CONFLICT)


def test_an_unknown_refusal_reads_as_a_plain_conflict():
    assert constraint_sentence(IntegrityError('violates "some_index"')) == CONFLICT


@pytest.mark.django_db
def test_a_save_the_database_refuses_at_the_last_moment_is_a_message_not_an_error_page(
    client, superuser, organization, monkeypatch
):
    sync = SyncFactory(organization=organization)

    def refused(*args, **kwargs):
        raise IntegrityError('new row violates check constraint "sync_has_target_object_or_create"')

    monkeypatch.setattr(SyncAdmin, "save_model", refused)
    monkeypatch.setattr("syncs.admin.sync_check", lambda **kwargs: None)
    client.force_login(superuser)
    url = reverse("admin:syncs_sync_change", args=[sync.pk])
    form = {
        "organization": sync.organization_id,
        "name": sync.name,
        "model": sync.model_id,
        "target_connection": sync.target_connection_id,
        "target_object": sync.target_object,
        "target_create": "{}",
        "target_configuration": "{}",
        "mode": sync.mode,
        "identity": "null",
        "fields": "[]",
        "override_fields": "[]",
        "schedule": '{"frequency": "manual"}',
    }
    response = client.post(url, form, follow=True)
    html = response.content.decode()
    assert "Pick the target to write into, or give the properties of a new one" in html
    assert "sync_has_target_object_or_create" not in html
