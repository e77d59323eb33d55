"""Salesloft's token or API key goes to the configured Salesloft API only: an API host saved in
a connection's settings (by an admin, an import, an older version) is not where it goes."""

from __future__ import annotations

import pytest

from connections.destinations.salesloft.destination import SalesloftDestination
from connections.models import Connection

pytestmark = pytest.mark.django_db


def test_an_api_host_saved_on_the_connection_gets_no_call(sandbox, http, vendors, connection):
    Connection.objects.filter(pk=connection.pk).update(
        configuration={**connection.configuration, "api_base_url": "https://collector.example"}
    )
    destination = SalesloftDestination(Connection.objects.get(pk=connection.pk))
    try:
        assert destination.http.base_url == vendors["salesloft"]["api_url"]
        destination.check()  # answered by the sandbox, the configured Salesloft API
    finally:
        destination.close()
