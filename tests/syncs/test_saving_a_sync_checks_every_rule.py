"""sync_create / sync_update, which the console's builder, the API and the admin all call: a
sync is saved only when every rule holds, each problem is a sentence under the setting that has
it, and nothing is written otherwise. Checked against the sandbox's Salesloft."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sandbox.vendors.salesloft import DEMO_API_KEY
from syncs.models import Sync, SyncExecution, SyncState
from syncs.services import (
    sync_change_resets_state,
    sync_create,
    sync_delete,
    sync_execution_start,
    sync_set_active,
    sync_update,
)
from tests.factories import ConnectionFactory, OrganizationFactory, SqlModelFactory, UserFactory

pytestmark = pytest.mark.django_db

IDENTITY = {"source": {"field": "email"}, "target": "Email", "function": "Equality"}
FIELDS = [{"source": {"field": "first_name"}, "target": "FirstName"}]


@pytest.fixture
def salesloft(organization, vendors):
    return ConnectionFactory(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        configuration={"auth_method": "api_key"},
        secrets={"api_key": DEMO_API_KEY},
    )


@pytest.fixture
def model(organization):
    return SqlModelFactory(organization=organization, name="Active Users")


def _settings(model, salesloft, **changes):
    settings = {
        "name": "Active users to the cadence",
        "model": model,
        "target_connection": salesloft,
        "target_object": "cadence:1001",
        "mode": "updateOrCreate",
        "identity": IDENTITY,
        "fields": FIELDS,
    }
    settings.update(changes)
    return settings


def _refused(organization, model, salesloft, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        sync_create(organization=organization, user=None, **_settings(model, salesloft, **changes))
    assert not Sync.objects.exists()
    return caught.value.message_dict


def test_a_sync_of_the_walkthrough_is_saved_with_who_made_it_and_when_it_runs_next(
    organization, model, salesloft
):
    user = UserFactory()
    sync = sync_create(
        organization=organization,
        user=user,
        schedule={"frequency": "daily", "hour": "9", "minute": "30"},
        **_settings(model, salesloft),
    )
    sync.refresh_from_db()
    assert sync.created_by == user and sync.updated_by == user
    assert sync.schedule == {"frequency": "daily", "hour": "9", "minute": "30"}
    assert sync.next_run_at is not None
    assert (sync.next_run_at.hour, sync.next_run_at.minute) == (9, 30)


def test_a_field_the_target_does_not_have_is_named_with_what_it_has(organization, model, salesloft):
    problems = _refused(
        organization,
        model,
        salesloft,
        fields=[{"source": {"field": "first_name"}, "target": "favourite_colour"}],
    )
    assert "This target has no field “favourite_colour”" in problems["fields"][0]
    assert "first_name" in problems["fields"][0]


def test_a_constant_for_a_missing_field_is_refused_under_constant_values(
    organization, model, salesloft
):
    problems = _refused(
        organization,
        model,
        salesloft,
        override_fields=[{"target": "no_such_field", "override_value": "x"}],
    )
    assert "no field “no_such_field”" in problems["override_fields"][0]


def test_an_identity_on_a_field_that_cannot_match_records_says_which_can(
    organization, model, salesloft
):
    identity = {"source": {"field": "first_name"}, "target": "first_name", "function": "Equality"}
    problems = _refused(organization, model, salesloft, identity=identity)
    assert "can't identify a record" in problems["identity"][0]
    assert "email_address" in problems["identity"][0]


def test_creating_people_without_their_required_email_says_what_to_map(
    organization, model, salesloft
):
    identity = {"source": {"field": "email"}, "target": "id", "function": "Equality"}
    problems = _refused(organization, model, salesloft, target_object="people", identity=identity)
    assert problems["fields"] == [
        "Creating a record needs Email address (email_address): map a model column to it, "
        "or give a fixed value."
    ]


def test_a_required_field_given_as_a_constant_is_enough(organization, model, salesloft):
    identity = {"source": {"field": "first_name"}, "target": "id", "function": "Equality"}
    sync = sync_create(
        organization=organization,
        user=None,
        **_settings(
            model,
            salesloft,
            target_object="people",
            identity=identity,
            fields=[],
            override_fields=[{"target": "email_address", "override_value": "a@example.com"}],
        ),
    )
    assert sync.pk


def test_a_column_the_model_no_longer_has_and_two_columns_on_one_field_are_both_said(
    organization, model, salesloft
):
    problems = _refused(
        organization,
        model,
        salesloft,
        fields=[
            {"source": {"field": "phone"}, "target": "phone"},
            {"source": {"field": "first_name"}, "target": "first_name"},
            {"source": {"field": "email"}, "target": "first_name"},
        ],
    )
    assert any("has no column “phone”" in s for s in problems["fields"])
    assert any("More than one mapping writes to first_name" in s for s in problems["fields"])


def test_an_unknown_frequency_a_bad_cron_and_dbt_cloud_are_refused_in_words(
    organization, model, salesloft
):
    assert (
        "is not a schedule Syncline knows"
        in _refused(organization, model, salesloft, schedule={"frequency": "fortnightly"})[
            "schedule"
        ][0]
    )
    assert (
        "is not a cron expression"
        in _refused(
            organization,
            model,
            salesloft,
            schedule={"frequency": "custom", "expression": "every day"},
        )["schedule"][0]
    )
    assert (
        "dbt Cloud"
        in _refused(
            organization, model, salesloft, schedule={"frequency": "dbtcloud", "job_id": 1}
        )["schedule"][0]
    )


def test_running_after_another_organizations_sync_is_refused(organization, model, salesloft):
    theirs = sync_create(
        organization=organization, user=None, **_settings(model, salesloft, name="ours")
    )
    other = OrganizationFactory()
    Sync.objects.filter(pk=theirs.pk).update(organization=other)
    with pytest.raises(ValidationError) as caught:
        sync_create(
            organization=organization,
            user=None,
            schedule={"frequency": "runafter", "run_after": {"sync_ids": [str(theirs.pk)]}},
            **_settings(model, salesloft, name="follower"),
        )
    assert "There is no sync" in caught.value.message_dict["schedule"][0]


def test_an_empty_name_and_an_unknown_mode_are_said_and_a_repeated_name_is_fine(
    organization, model, salesloft
):
    # The LinkedIn walkthrough names two syncs "Snowflake to LinkedIn AdsSync".
    sync_create(organization=organization, user=None, **_settings(model, salesloft))
    sync_create(organization=organization, user=None, **_settings(model, salesloft))
    with pytest.raises(ValidationError) as caught:
        sync_create(
            organization=organization, user=None, **_settings(model, salesloft, name=" ", mode="x")
        )
    assert "Give the sync a name" in caught.value.message_dict["name"][0]
    assert "is not a sync mode" in caught.value.message_dict["mode"][0]
    assert Sync.objects.count() == 2


def test_an_update_keeps_what_it_does_not_change_and_is_checked_like_a_new_sync(
    organization, model, salesloft
):
    sync = sync_create(organization=organization, user=None, **_settings(model, salesloft))
    sync_update(sync=sync, user=None, name="Renamed")
    sync.refresh_from_db()
    assert (sync.name, sync.target_object, sync.fields) == ("Renamed", "cadence:1001", FIELDS)
    with pytest.raises(ValidationError):
        sync_update(sync=sync, user=None, target_object="cadence:999999")
    sync.refresh_from_db()
    assert sync.target_object == "cadence:1001"


def test_another_target_or_identity_resets_state_only_once_something_was_sent(
    organization, model, salesloft
):
    sync = sync_create(organization=organization, user=None, **_settings(model, salesloft))
    assert not sync_change_resets_state(sync=sync, target_object="people")
    SyncState.objects.create(sync=sync, identity_key="a@example.com", values_hash="x")
    assert sync_change_resets_state(sync=sync, target_object="people")
    changed = {**IDENTITY, "function": "ISubstring"}
    assert sync_change_resets_state(sync=sync, identity=changed)
    assert not sync_change_resets_state(sync=sync, name="Another name", fields=[])


def test_a_paused_sync_has_no_next_run_and_resuming_gives_it_one_again(
    organization, model, salesloft
):
    sync = sync_create(
        organization=organization,
        user=None,
        schedule={"frequency": "hourly", "minute": "5"},
        **_settings(model, salesloft),
    )
    assert sync_set_active(sync=sync, active=False, user=None).next_run_at is None
    resumed = sync_set_active(sync=sync, active=True, user=None)
    assert resumed.next_run_at is not None
    assert resumed.next_run_at - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)


def test_deleting_a_sync_cancels_its_waiting_run_and_removes_its_history(
    organization, model, salesloft, django_capture_on_commit_callbacks
):
    sync = sync_create(organization=organization, user=None, **_settings(model, salesloft))
    with django_capture_on_commit_callbacks(execute=False):
        execution = sync_execution_start(sync=sync)
    sync_delete(sync=sync, user=None)
    assert not Sync.objects.filter(pk=sync.pk).exists()
    assert not SyncExecution.objects.filter(pk=execution.pk).exists()
