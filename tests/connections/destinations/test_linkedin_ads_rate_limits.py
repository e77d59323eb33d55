"""LinkedIn's member batches wait for the rate limit the destination declares for each stream, or
the one the connection configures instead."""

from __future__ import annotations

import pytest

from connections.destinations.errors import DestinationError
from connections.destinations.linkedin_ads.destination import LinkedInAdsDestination
from connections.destinations.ratelimit import DatabaseCounter, RateLimit, WindowLimiter
from connections.models import RateLimitWindow
from sandbox.vendors.linkedinads import MEMBER_URN
from tests.connections.destinations.linkedin_support import (
    COMPANY_AUDIENCE,
    USER_AUDIENCE,
    linkedin_connection,
    linkedin_tokens,
)
from tests.connections.limiter_helpers import FakeTime

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


@pytest.fixture
def counter() -> DatabaseCounter:
    return DatabaseCounter()


@pytest.fixture
def build(organization, vendors, http, clock, counter):
    tokens = linkedin_tokens(http, vendors)
    built: list[LinkedInAdsDestination] = []

    def make(cls=LinkedInAdsDestination, **configuration) -> LinkedInAdsDestination:
        destination = cls(linkedin_connection(organization, tokens, **configuration))
        destination.batch_size = 1  # one member batch per record
        destination.limiter = WindowLimiter(counter, clock=clock.clock, sleep=clock.sleep)
        built.append(destination)
        return destination

    yield make
    for destination in built:
        destination.close()


def _users(count: int) -> list[dict]:
    return [{"Email": f"person{n}@example.com"} for n in range(count)]


def test_the_connections_rate_limit_paces_user_batches(build, clock, counter):
    destination = build(rate_limit="2/60")
    batch = destination.write(USER_AUDIENCE, "create", _users(3), identity_field="Email")
    assert len(batch.accepted) == 3
    # Two calls fit the configured window; the third waited for the first to age out...
    assert len(clock.slept) == 1 and clock.slept[0] >= 60
    # ... in the member's /users bucket, and only there.
    assert set(RateLimitWindow.objects.values_list("key", flat=True)) == {
        f"linkedinads:{MEMBER_URN}:users"
    }


def test_the_connections_company_rate_limit_paces_company_batches(build, clock):
    destination = build(company_rate_limit="1/60", rate_limit="1/60")
    companies = [{"CompanyDomain": "one.example"}, {"CompanyDomain": "two.example"}]
    batch = destination.write(COMPANY_AUDIENCE, "create", companies, identity_field="CompanyDomain")
    assert len(batch.accepted) == 2
    assert len(clock.slept) == 1


def test_without_a_setting_the_declared_limits_are_used(build, clock):
    class Slow(LinkedInAdsDestination):
        rate_limit = RateLimit(1, 60)
        company_rate_limit = RateLimit(2, 60)

    destination = build(Slow)
    assert (
        len(destination.write(USER_AUDIENCE, "create", _users(2), identity_field="Email").accepted)
        == 2
    )
    assert len(clock.slept) == 1
    assert destination.client.rates == {"users": RateLimit(1, 60), "companies": RateLimit(2, 60)}
    # LinkedIn's own (600 and 300 a minute) leave these few calls unpaced.
    default = build()
    assert default.client.rates == {"users": RateLimit(600, 60), "companies": RateLimit(300, 60)}
    default.write(USER_AUDIENCE, "create", _users(3), identity_field="Email")
    assert len(clock.slept) == 1


def test_a_malformed_rate_limit_setting_is_refused_with_the_expected_form(build):
    destination = build(company_rate_limit="fast")
    with pytest.raises(DestinationError, match="company_rate_limit.*LIMIT/SECONDS"):
        destination.write(USER_AUDIENCE, "create", _users(1), identity_field="Email")
