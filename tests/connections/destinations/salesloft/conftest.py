"""A Salesloft connection made the way the connect button makes one, against the sandbox."""

from __future__ import annotations

import time

import pytest

from connections.destinations.salesloft.destination import SalesloftDestination
from connections.services import connection_create
from tests.sandbox.helpers import REDIRECT_URI, consent


@pytest.fixture
def oauth(vendors, http):
    """Tokens from the sandbox's consent page and token endpoint, as the connect button gets."""
    salesloft = vendors["salesloft"]
    query = consent(http, salesloft["authorize_url"])
    answer = http.post(
        salesloft["token_url"],
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": REDIRECT_URI,
            "client_id": salesloft["client_id"],
            "client_secret": salesloft["client_secret"],
        },
    )
    assert answer.status_code == 200, answer.text
    return {**answer.json(), "context": query["context"]}


@pytest.fixture
def connection(organization, oauth):
    connection = connection_create(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        values={
            "auth_method": "oauth",
            "context": oauth["context"],
            "access_token": oauth["access_token"],
            "refresh_token": oauth["refresh_token"],
        },
    )
    # As the OAuth code saves it: the expiry sits with the tokens.
    connection.secrets = {**connection.secrets, "expires_at": time.time() + oauth["expires_in"]}
    connection.save()
    return connection


@pytest.fixture
def destination(connection):
    destination = SalesloftDestination(connection)
    yield destination
    destination.close()
