"""existing_target: the audience an earlier create with the same properties made is found again
(same name, type and account, made with this install's source platform), so a run that died
after creating it never creates a second one; anything else is not taken for it."""

from __future__ import annotations

import pytest

from connections.destinations.linkedin_ads.destination import LinkedInAdsDestination
from tests.connections.destinations.linkedin_support import (
    ACME,
    EMEA,
    linkedin_connection,
    linkedin_tokens,
)

pytestmark = pytest.mark.django_db

NEW = {"account": ACME, "type": "user_audience", "name": "Active Users"}


@pytest.fixture
def destination(organization, vendors, http):
    destination = LinkedInAdsDestination(
        linkedin_connection(
            organization, linkedin_tokens(http, vendors), accounts=["512630692", "512630693"]
        )
    )
    yield destination
    destination.close()


def test_the_audience_a_create_made_is_found_by_its_properties(destination):
    assert destination.existing_target(NEW) is None
    created = destination.create_target(NEW)
    found = destination.existing_target({**NEW, "name": " Active Users "})
    assert found is not None
    assert (found.id, found.name) == (created.id, "User Audience: Active Users")


def test_the_newest_of_two_with_those_properties_is_taken(destination):
    destination.create_target(NEW)
    newest = destination.create_target(NEW)
    found = destination.existing_target(NEW)
    assert found is not None and found.id == newest.id


@pytest.mark.parametrize(
    "other",
    [
        {"name": "Active Users 2"},
        {"type": "company_audience"},
        {"account": EMEA},
    ],
    ids=["another name", "another type", "another account"],
)
def test_an_audience_differing_in_a_property_is_not_it(destination, other):
    destination.create_target(NEW)
    assert destination.existing_target({**NEW, **other}) is None


def test_a_list_uploaded_under_the_same_name_is_not_it(destination):
    # The seeded "Trial Signups" was uploaded in Campaign Manager (sourcePlatform LIST_UPLOAD).
    assert destination.existing_target({**NEW, "name": "Trial Signups"}) is None
