"""LinkedIn's audience modes say requires_identity=False, and write honours it: a record whose
identity field is empty is still sent when LinkedIn can match it another way."""

from __future__ import annotations

import pytest

from connections.destinations.linkedin_ads.destination import LinkedInAdsDestination
from tests.connections.destinations.linkedin_support import (
    COMPANY_AUDIENCE,
    USER_AUDIENCE,
    linkedin_connection,
    linkedin_tokens,
    request_log,
    stored,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def destination(organization, vendors, http):
    connection = linkedin_connection(
        organization, linkedin_tokens(http, vendors), accounts=["512630692"]
    )
    destination = LinkedInAdsDestination(connection)
    yield destination
    destination.close()


def test_audience_modes_declare_that_no_identity_is_needed(destination):
    for target in destination.target_objects():
        assert [(mode.id, mode.requires_identity) for mode in target.modes] == [
            ("create", False),
            ("remove", False),
        ]
    email = next(f for f in destination.target_fields(USER_AUDIENCE) if f.id == "Email")
    assert email.supports_identity and not email.required


def test_a_member_without_an_email_is_matched_by_first_and_last_name(sandbox, http, destination):
    records = [
        {"Email": None, "FirstName": "Grace", "LastName": "Hopper", "Company": "Navy"},
        {"Email": "", "FirstName": "Ada", "LastName": "Lovelace", "Title": "Analyst"},
        {"Email": "  ", "FirstName": "Nobody"},  # neither an e-mail nor a full name
    ]
    added = destination.write(USER_AUDIENCE, "create", records, identity_field="Email")
    assert [(r.outcome, r.operation) for r in added.results] == [
        ("accepted", "insert"),
        ("accepted", "insert"),
        ("rejected", "insert"),
    ]
    assert [r.identity for r in added.results] == ["", "", "  "]
    assert "first and last name" in added.results[2].message
    by_name = [m for m in stored(sandbox, http, "segment_users") if "userIds" not in m]
    assert sorted((m["firstName"], m["lastName"], m.get("company")) for m in by_name) == [
        ("Ada", "Lovelace", None),
        ("Grace", "Hopper", "Navy"),
    ]

    # A removal without an e-mail names the member the same way, so LinkedIn can find them.
    removed = destination.write(USER_AUDIENCE, "remove", records[:1], identity_field="Email")
    assert [(r.outcome, r.operation) for r in removed.results] == [("accepted", "delete")]
    remaining = [m for m in stored(sandbox, http, "segment_users") if "userIds" not in m]
    assert [m["firstName"] for m in remaining] == ["Ada"]


def test_a_company_without_the_identity_field_is_matched_by_its_other_identifiers(
    sandbox, http, destination
):
    http.delete(f"{sandbox.url}/_sandbox/requests")
    batch = destination.write(
        COMPANY_AUDIENCE,
        "create",
        [{"CompanyDomain": None, "CompanyName": "Vandelay Industries"}, {"CompanyDomain": ""}],
        identity_field="CompanyDomain",
    )
    assert [r.outcome for r in batch.results] == ["accepted", "rejected"]
    assert "No company identifier" in batch.results[1].message
    names = {c.get("companyName") for c in stored(sandbox, http, "segment_companies")}
    assert "Vandelay Industries" in names
    assert request_log(sandbox, http)["counts"]["POST linkedinads.segment_companies"] == 1
