"""A new audience's sourcePlatform is the value LinkedIn issued to this install's app: a setting
with no made-up default, supplied by the sandbox's settings, and asked for when it is missing."""

from __future__ import annotations

import pytest

from config.vendors import vendor_settings
from connections.destinations.errors import DestinationError
from connections.destinations.linkedin_ads.destination import LinkedInAdsDestination
from tests.connections.destinations.linkedin_support import (
    ACME,
    USER_AUDIENCE,
    linkedin_connection,
    linkedin_tokens,
    request_log,
    stored,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def destination(organization, vendors, http):
    destination = LinkedInAdsDestination(
        linkedin_connection(organization, linkedin_tokens(http, vendors), accounts=["512630692"])
    )
    yield destination
    destination.close()


def test_the_real_api_has_no_default_and_the_environment_or_sandbox_supplies_one():
    assert vendor_settings("", environ={})["linkedinads"]["source_platform"] == ""
    configured = {"SYNCLINE_LINKEDINADS_SOURCE_PLATFORM": "ACME_DMP"}
    assert vendor_settings("", environ=configured)["linkedinads"]["source_platform"] == "ACME_DMP"
    sandbox = vendor_settings("http://127.0.0.1:8900", environ={})
    assert sandbox["linkedinads"]["source_platform"] == "SYNCLINE"


def test_a_new_audience_carries_the_configured_source_platform(sandbox, http, vendors, destination):
    vendors["linkedinads"]["source_platform"] = "ACME_DMP"
    target = destination.create_target(
        {"account": ACME, "type": "user_audience", "name": "Partner-issued"}
    )
    segment_id = int(target.id.rsplit(".", 1)[1])
    segment = {s["id"]: s for s in stored(sandbox, http, "segments")}[segment_id]
    assert segment["sourcePlatform"] == "ACME_DMP"


def test_without_one_creating_an_audience_says_what_to_configure_and_sends_nothing(
    sandbox, http, vendors, destination
):
    vendors["linkedinads"]["source_platform"] = ""
    http.delete(f"{sandbox.url}/_sandbox/requests")
    with pytest.raises(DestinationError) as raised:
        destination.create_target({"account": ACME, "type": "user_audience", "name": "New"})
    assert "SYNCLINE_LINKEDINADS_SOURCE_PLATFORM" in raised.value.message
    assert "POST linkedinads.dmp_segments" not in request_log(sandbox, http)["counts"]
    # Existing audiences don't need it.
    batch = destination.write(
        USER_AUDIENCE, "create", [{"Email": "a@example.com"}], identity_field="Email"
    )
    assert [r.outcome for r in batch.results] == ["accepted"]
