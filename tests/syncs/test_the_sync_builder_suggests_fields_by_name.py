"""Suggested matches by name (issue 10): a column finds the field whose id or label is its name
in another spelling, or starts with it; each field is suggested once, the identity's never."""

from __future__ import annotations

from connections.destinations.linkedin_ads.members import USER_FIELDS
from connections.destinations.salesloft.fields import standard_fields
from syncs.builder_selectors import field_suggest, field_suggestions

PEOPLE = standard_fields("people")


def test_first_name_finds_first_name_in_any_spelling():
    assert field_suggest("first_name", USER_FIELDS).id == "FirstName"
    assert field_suggest("FIRST_NAME", PEOPLE).id == "first_name"


def test_email_finds_the_field_it_begins():
    assert field_suggest("EMAIL", PEOPLE).id == "email_address"  # not secondary_email_address
    assert field_suggest("email", USER_FIELDS).id == "Email"


def test_a_column_like_no_field_gets_no_suggestion():
    assert field_suggest("LAST_ACTIVITY_DATE", PEOPLE) is None
    assert field_suggest("", PEOPLE) is None


def test_each_field_is_suggested_once_and_the_identitys_not_at_all():
    suggestions = field_suggestions(
        columns=["EMAIL", "FIRST_NAME", "first_name", "LAST_NAME"],
        fields=PEOPLE,
        skip=["email_address"],
    )
    # EMAIL's field is the identity's; a field that merely contains "email" isn't its match.
    assert suggestions == [("FIRST_NAME", "first_name"), ("LAST_NAME", "last_name")]
