"""A tool's health after a check: refused credentials mean someone must reconnect it."""

from __future__ import annotations

import pytest

from connections.services import connection_check, connection_create
from sandbox.vendors.salesloft import DEMO_API_KEY

pytestmark = pytest.mark.django_db


def test_a_working_api_key_is_healthy_and_a_revoked_one_needs_reconnecting(organization, vendors):
    good = connection_create(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": DEMO_API_KEY},
    )
    assert connection_check(connection=good).status == "healthy"
    revoked = connection_create(
        organization=organization,
        name="Old key",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": "ak" + "0" * 64},
    )
    checked = connection_check(connection=revoked)
    assert checked.status == "needs_auth"
    assert "Paste a new API key" in checked.status_error
