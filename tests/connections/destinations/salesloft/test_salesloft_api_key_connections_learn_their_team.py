"""Salesloft counts its rate limit per team: checking an API-key connection saves the team the
key belongs to, so it shares the team's bucket with OAuth connections of the same team."""

from __future__ import annotations

import pytest

from connections.destinations.registry import destination_for
from connections.destinations.salesloft.client import team_bucket
from connections.services import connection_create
from sandbox.vendors.salesloft import DEMO_API_KEY, TEAM_ID

pytestmark = pytest.mark.django_db


def test_checking_an_api_key_connection_saves_its_team(organization, vendors):
    connection = connection_create(
        organization=organization,
        name="Salesloft key",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": DEMO_API_KEY},
    )
    assert team_bucket(connection) == f"salesloft:connection:{connection.pk}"
    destination = destination_for(connection)
    destination.check()
    destination.close()
    connection.refresh_from_db()
    assert connection.configuration["team_id"] == str(TEAM_ID)
    assert team_bucket(connection) == f"salesloft:team:{TEAM_ID}"
