"""Any ad-account role but VIEWER may manage audiences, as LinkedIn documents: a Creative Manager
can list, create and fill audiences; a Viewer is told which role to ask for."""

from __future__ import annotations

import pytest

from connections.destinations.errors import DestinationError
from connections.destinations.linkedin_ads.destination import LinkedInAdsDestination
from tests.connections.destinations.linkedin_support import (
    EMEA,
    EMEA_USER_AUDIENCE,
    PARTNER_AUDIENCE,
    emulator,
    linkedin_connection,
    linkedin_tokens,
    stored,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def destination(sandbox, organization, vendors, http):
    # The member is a Creative Manager on Acme EMEA, and still only a Viewer on the partner's.
    emulator(sandbox).table("ad_account_users")["512630693"]["role"] = "CREATIVE_MANAGER"
    destination = LinkedInAdsDestination(
        linkedin_connection(organization, linkedin_tokens(http, vendors))
    )
    yield destination
    destination.close()


def test_a_creative_manager_account_is_offered_and_its_audiences_listed(destination):
    accounts = [value["value"] for value in destination.parameter_values()["accounts"]]
    assert "512630693" in accounts
    assert "512630694" not in accounts  # VIEWER
    assert EMEA_USER_AUDIENCE in {target.id for target in destination.target_objects()}
    destination.check()


def test_a_creative_manager_can_create_and_fill_an_audience(sandbox, http, destination):
    batch = destination.write(
        EMEA_USER_AUDIENCE, "create", [{"Email": "ines@example.com"}], identity_field="Email"
    )
    assert [r.outcome for r in batch.results] == ["accepted"]
    target = destination.create_target(
        {"account": EMEA, "type": "company_audience", "name": "EMEA expansion"}
    )
    segment_id = int(target.id.rsplit(".", 1)[1])
    created = {s["id"]: s for s in stored(sandbox, http, "segments")}[segment_id]
    assert created["account"] == "urn:li:sponsoredAccount:512630693"


def test_a_viewer_is_refused_and_told_to_ask_for_another_role(destination):
    with pytest.raises(DestinationError) as raised:
        destination.write(
            PARTNER_AUDIENCE, "create", [{"Email": "lee@example.com"}], identity_field="Email"
        )
    assert raised.value.status == 403
    assert "any role other than Viewer" in raised.value.message
    with pytest.raises(DestinationError, match="any role other than Viewer"):
        destination.create_target(
            {"account": "512630694", "type": "user_audience", "name": "Not allowed"}
        )


def test_a_member_who_only_views_every_account_fails_the_check(sandbox, destination):
    for entry in emulator(sandbox).table("ad_account_users").values():
        entry["role"] = "VIEWER"
    with pytest.raises(DestinationError, match="can only view its ad accounts"):
        destination.check()
