from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from syncs.models import Sync, SyncExecution
from tests.factories import (
    RecordErrorFactory,
    SqlModelFactory,
    SyncExecutionFactory,
    SyncFactory,
    SyncStateFactory,
)

pytestmark = pytest.mark.django_db


def test_a_sync_has_at_most_one_waiting_execution_so_starts_coalesce():
    sync = SyncFactory()
    SyncExecutionFactory(sync=sync, status=SyncExecution.Status.QUEUED)
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncExecutionFactory(sync=sync, status=SyncExecution.Status.CREATED)


def test_a_sync_can_have_one_running_and_one_queued_execution():
    sync = SyncFactory()
    SyncExecutionFactory(sync=sync, status=SyncExecution.Status.RUNNING)
    SyncExecutionFactory(sync=sync, status=SyncExecution.Status.QUEUED)
    SyncExecutionFactory(
        sync=sync, status=SyncExecution.Status.COMPLETED, completed_at=timezone.now()
    )
    assert sync.executions.count() == 3


def test_only_a_finished_execution_has_a_completion_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncExecutionFactory(status=SyncExecution.Status.RUNNING, completed_at=timezone.now())


def test_there_is_one_state_row_per_sync_and_identity_key():
    state = SyncStateFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncStateFactory(sync=state.sync, identity_key=state.identity_key)
    SyncStateFactory(identity_key=state.identity_key)  # another sync may hold the same key


def test_sync_names_may_repeat_as_the_linkedin_walkthrough_repeats_one():
    sync = SyncFactory(name="Snowflake to LinkedIn AdsSync")
    SyncFactory(organization=sync.organization, model=sync.model, name=sync.name)
    assert type(sync).objects.filter(name=sync.name).count() == 2


def test_model_names_are_unique_within_an_organization():
    model = SqlModelFactory(name="Active Users")
    with pytest.raises(IntegrityError), transaction.atomic():
        SqlModelFactory(organization=model.organization, source=model.source, name="Active Users")


def test_a_sync_needs_a_target_object_or_properties_to_create_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncFactory(target_object="", target_create={})
    SyncFactory(target_object="", target_create={"name": "New audience", "type": "user"})


def test_an_unknown_sync_mode_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncFactory(mode="mirror")


def test_a_deleted_sync_takes_its_history_and_state_with_it():
    error = RecordErrorFactory()
    sync = error.execution.sync
    SyncStateFactory(sync=sync)
    sync.delete()
    assert not Sync.objects.filter(pk=sync.pk).exists()
    assert not SyncExecution.objects.filter(sync_id=sync.pk).exists()
