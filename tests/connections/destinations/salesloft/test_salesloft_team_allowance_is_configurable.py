"""Salesloft's published budget is 600 calls a minute per team; a team granted more (and the
demo's sandbox, which grants ten times that) is set with SYNCLINE_SALESLOFT_RATE_LIMIT, and a
connection's own rate_limit option still wins over both."""

from __future__ import annotations

import pytest

from connections.destinations.ratelimit import RateLimit
from connections.destinations.salesloft.destination import SalesloftDestination

pytestmark = pytest.mark.django_db


def _rate(connection) -> RateLimit:
    destination = SalesloftDestination(connection)
    try:
        return destination.http.rate
    finally:
        destination.close()


def test_the_published_budget_is_the_default(connection):
    assert _rate(connection) == RateLimit(600, 60)


def test_a_granted_allowance_replaces_it(connection, settings):
    settings.VENDORS = {
        **settings.VENDORS,
        "salesloft": {**settings.VENDORS["salesloft"], "rate_limit": "6000/60"},
    }
    assert _rate(connection) == RateLimit(6000, 60)
    connection.configuration = {**connection.configuration, "rate_limit": "100/60"}
    assert _rate(connection) == RateLimit(100, 60)
