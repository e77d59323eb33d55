"""The sync builder's checks, step by step, against the Salesloft sandbox and the demo warehouse:
each problem is a sentence on the step that has it, and the draft keeps what was typed."""

from __future__ import annotations

import pytest

from models_app.services import sql_model_create, sql_model_update
from syncs.builder_services import (
    Draft,
    DraftProblems,
    StepProblem,
    draft_check,
    draft_facts,
    draft_save,
    draft_set_fields,
    draft_set_identity,
    draft_set_mode,
)
from syncs.models import Sync
from tests.connections.destinations.salesloft.support import emulator

pytestmark = pytest.mark.django_db

QUERY = "SELECT first_name, last_name, email, plan FROM users WHERE email LIKE 'a%'"


@pytest.fixture
def model(organization, warehouse):
    return sql_model_create(
        organization=organization, name="Active Users", source=warehouse, query=QUERY
    )


@pytest.fixture
def draft(model, salesloft):
    """The Salesloft walkthrough's sync, complete: every step is fine."""
    return Draft(
        model_id=str(model.pk),
        connection_id=str(salesloft.pk),
        target_object="cadence:1001",
        mode="updateOrCreate",
        identity={"column": "EMAIL", "target": "email_address", "function": "Equality"},
        fields=[
            {"column": "FIRST_NAME", "target": "first_name"},
            {"column": "LAST_NAME", "target": "last_name"},
        ],
        when_row_leaves="remove",
        name="Snowflake to Salesloft Cadence Sync",
        reached="review",
    )


def sentences(error: StepProblem) -> str:
    return " ".join(error.messages)


def test_the_walkthroughs_draft_has_no_problem_and_saves(organization, member, draft):
    assert draft_check(draft, organization=organization) == {}
    sync = draft_save(draft, organization=organization, user=member)
    assert (sync.target_object, sync.identity["target"]) == ("cadence:1001", "email_address")
    assert sync.created_by == member


def test_a_field_the_target_doesnt_have_is_named_on_the_fields_step(
    organization, model, salesloft, draft
):
    facts = draft_facts(draft, salesloft)
    rows = [{"column": "PLAN", "target": "favourite_colour"}]
    with pytest.raises(StepProblem) as error:
        draft_set_fields(draft, model=model, facts=facts, rows=rows, overrides=[])
    assert "Cadence: Active Users Onboarding has no field “favourite_colour”" in sentences(
        error.value
    )
    assert draft.fields == rows  # kept, to be corrected
    assert draft_check(draft, organization=organization).keys() == {"fields"}


def test_a_column_the_model_lost_is_named_where_it_is_mapped(organization, model, draft):
    sql_model_update(model=model, name=model.name, query="SELECT email, last_name FROM users")

    problems = draft_check(draft, organization=organization)

    assert problems == {
        "fields": [
            "The model “Active Users” no longer has a column “FIRST_NAME”: pick one of its "
            "columns, or remove this mapping."
        ]
    }


def test_two_columns_on_one_field_are_refused(model, salesloft, draft):
    facts = draft_facts(draft, salesloft)
    rows = [*draft.fields, {"column": "PLAN", "target": "first_name"}]
    with pytest.raises(StepProblem) as error:
        draft_set_fields(draft, model=model, facts=facts, rows=rows, overrides=[])
    assert sentences(error.value) == (
        "FIRST_NAME and PLAN both write to First name: keep one for each field."
    )


def test_a_fixed_value_on_a_mapped_field_is_two_on_one_field_too(model, salesloft, draft):
    facts = draft_facts(draft, salesloft)
    overrides = [{"target": "last_name", "value": "Smith"}]
    with pytest.raises(StepProblem) as error:
        draft_set_fields(draft, model=model, facts=facts, rows=draft.fields, overrides=overrides)
    assert "LAST_NAME and the fixed value “Smith” both write to Last name" in sentences(error.value)


def test_a_required_field_left_unmapped_is_asked_for(organization, model, salesloft, draft):
    draft.target_object = "people"  # a person can't be created without an e-mail address
    draft.identity = {"column": "EMAIL", "target": "crm_id", "function": "Equality"}
    facts = draft_facts(draft, salesloft)
    with pytest.raises(StepProblem) as error:
        draft_set_fields(draft, model=model, facts=facts, rows=draft.fields, overrides=[])
    assert sentences(error.value) == (
        "People requires Email address: map a column to it or give it a fixed value."
    )
    # A fixed value is a mapping too.
    overrides = [{"target": "email_address", "value": "ops@example.com"}]
    draft_set_fields(draft, model=model, facts=facts, rows=draft.fields, overrides=overrides)
    assert draft.reached == "review"


def test_an_identity_is_asked_for_where_the_mode_matches_records(model, salesloft, draft):
    facts = draft_facts(draft, salesloft)
    with pytest.raises(StepProblem) as error:
        draft_set_identity(draft, model=model, facts=facts, column="", target="", function="")
    assert sentences(error.value) == (
        "“Update or create” matches each row to a record in Cadence: Active Users Onboarding: "
        "choose the model column and the field that identify a record (for example the e-mail)."
    )
    assert draft.identity["column"] == "EMAIL"  # the saved identity is untouched


def test_a_field_that_cant_identify_records_is_refused_as_the_identity(model, salesloft, draft):
    facts = draft_facts(draft, salesloft)
    with pytest.raises(StepProblem) as error:
        draft_set_identity(
            draft, model=model, facts=facts, column="FIRST_NAME", target="first_name", function=""
        )
    assert "can't identify records by “first_name”: choose one of" in sentences(error.value)


def test_a_mode_the_target_doesnt_offer_is_refused(organization, salesloft, draft):
    facts = draft_facts(draft, salesloft, with_fields=False)
    with pytest.raises(StepProblem) as error:
        draft_set_mode(draft, facts=facts, mode="update")
    assert sentences(error.value) == (
        "Cadence: Active Users Onboarding can't be synced with “Update”: choose one of "
        "Update or create, Create, Remove."
    )
    assert draft.mode == "updateOrCreate"
    draft.mode = "snapshot"  # e.g. an API-made sync, edited in the console
    assert draft_check(draft, organization=organization)["mode"][0].startswith(
        "Cadence: Active Users Onboarding can't be synced with “Snapshot”"
    )


def test_a_target_gone_at_the_vendor_is_said_on_the_target_step(
    organization, member, sandbox, draft
):
    emulator(sandbox).table("cadences")["1001"]["archived_at"] = "2026-11-30T12:00:00Z"

    problems = draft_check(draft, organization=organization)

    assert problems == {
        "target": [
            "Salesloft no longer has the target “cadence:1001”: it may have been deleted or "
            "archived. Pick another target."
        ]
    }
    with pytest.raises(DraftProblems) as refused:
        draft_save(draft, organization=organization, user=member)
    assert refused.value.first_step == "target"
    assert not Sync.objects.exists()


def test_a_problem_only_the_sync_services_find_lands_on_its_step(organization, member, draft):
    # The review step's input keeps names short; a longer one posted anyway is refused by
    # sync_create, and its sentence lands on the review step, where the name is typed.
    again = Draft.from_dict({**draft.to_dict(), "name": "x" * 250})
    with pytest.raises(DraftProblems) as refused:
        draft_save(again, organization=organization, user=member)
    assert refused.value.problems == {"review": ["Keep the name under 200 characters."]}


def test_a_cron_schedule_is_said_back_in_words_and_an_empty_one_is_asked_for(organization):
    from syncs.builder_selectors import schedule_in_words
    from syncs.builder_services import check_schedule, schedule_from_form

    weekdays = schedule_from_form({"frequency": "custom", "expression": "30 9 * * 1-5"}, [])
    assert schedule_in_words(weekdays, time_zone="Europe/Paris") == (
        "At 09:30 AM, Monday through Friday (Europe/Paris)",
        "",
    )
    assert check_schedule(weekdays, organization=organization) == []
    empty = schedule_from_form({"frequency": "custom", "expression": " "}, [])
    assert check_schedule(empty, organization=organization) == [
        "Type the cron expression: five parts, e.g. 30 9 * * 1-5 (09:30 on weekdays)."
    ]
    wrong = schedule_from_form({"frequency": "custom", "expression": "every monday"}, [])
    assert "is not a cron expression" in check_schedule(wrong, organization=organization)[0]
    stranger = schedule_from_form({"frequency": "runafter"}, ["not-a-sync-of-ours"])
    assert check_schedule(stranger, organization=organization) == [
        "Choose the syncs to run after from the list."
    ]
