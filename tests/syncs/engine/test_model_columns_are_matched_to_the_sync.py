import pytest

from syncs.engine.extract import Column, resolve_columns, rows_to_records
from syncs.engine.plan import FieldMap, PlanError, SyncPlan


def plan(**overrides):
    values = {
        "target": "people",
        "mode": "updateOrCreate",
        "identity_source": "email",
        "identity_target": "email_address",
        "identity_function": "Equality",
        "fields": (FieldMap("first_name", "first_name"),),
    }
    values.update(overrides)
    return SyncPlan(**values)


def test_columns_match_regardless_of_case_as_snowflake_upper_cases_them():
    positions = resolve_columns([Column("EMAIL"), Column("FIRST_NAME")], ["email", "first_name"])
    assert positions == {"email": 0, "first_name": 1}


def test_an_exact_match_wins_over_a_case_insensitive_one():
    positions = resolve_columns([Column("email"), Column("EMAIL")], ["EMAIL"])
    assert positions == {"EMAIL": 1}


def test_two_columns_differing_only_in_case_are_an_error_naming_both():
    with pytest.raises(PlanError, match="Email and EMAIL"):
        resolve_columns([Column("Email"), Column("EMAIL")], ["email"])


def test_a_vanished_column_is_an_error_listing_the_columns_there_are():
    with pytest.raises(PlanError, match=r"no column plan any more \(its columns: EMAIL\)"):
        resolve_columns([Column("EMAIL")], ["plan"])


def test_rows_keep_only_the_identity_and_mapped_columns_with_overrides_added():
    columns = [Column("EMAIL"), Column("FIRST_NAME"), Column("SECRET_NOTES")]
    chunks = [[(" Ann@Example.com ", "Ann", "do not send")]]
    the_plan = plan(overrides={"tags": "synced"})
    (rows,) = rows_to_records(
        the_plan, columns, chunks, normalize_identity=lambda v: str(v).strip().lower()
    )
    assert rows[0].identity == "ann@example.com"
    assert rows[0].record == {
        "first_name": "Ann",
        "tags": "synced",
        "email_address": "ann@example.com",
    }


def test_the_state_fingerprint_changes_with_the_target_mode_or_identity_only():
    base = plan()
    assert plan(fields=()).fingerprint == base.fingerprint
    assert plan(identity_source="EMAIL").fingerprint == base.fingerprint
    assert plan(target="cadence:1").fingerprint != base.fingerprint
    assert plan(mode="create").fingerprint != base.fingerprint
    assert plan(identity_target="crm_id").fingerprint != base.fingerprint
