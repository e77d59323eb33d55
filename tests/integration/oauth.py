"""OAuth connections made the way the connect button makes them, and what the sandbox's token
server thinks of refresh tokens, for the integration tests."""

from __future__ import annotations

import time
from typing import Any

import httpx

from connections.models import Connection
from connections.services import connection_create
from organizations.models import Organization
from sandbox.server import RunningSandbox
from tests.sandbox.helpers import REDIRECT_URI, consent


def salesloft_oauth(
    organization: Organization, vendors: dict[str, Any], http: httpx.Client, *, name: str
) -> Connection:
    """A Salesloft connection from the consent page and the token endpoint; the redirect's
    `context` names the team, so its rate-limit bucket is the team's."""
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
    tokens = answer.json()
    connection = connection_create(
        organization=organization,
        name=name,
        type="salesloft",
        values={
            "auth_method": "oauth",
            "context": query["context"],
            "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
        },
    )
    connection.secrets = {**connection.secrets, "expires_at": time.time() + tokens["expires_in"]}
    connection.save()
    return connection


def live_refresh_tokens(sandbox: RunningSandbox, vendor: str) -> list[str]:
    """The vendor's refresh tokens that still work, as its token server keeps them."""
    with sandbox.app.store.lock:
        refresh = sandbox.app.store.oauth["refresh"]
        return [
            token
            for token, entry in refresh.items()
            if entry["vendor"] == vendor and not entry["revoked"]
        ]


def refresh_with(
    http: httpx.Client, vendors: dict[str, Any], vendor: str, refresh_token: str
) -> httpx.Response:
    """The vendor's refresh grant, sent as Syncline sends it (Gong: client auth as Basic)."""
    settings = vendors[vendor]
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    if vendor == "gong":
        auth = (settings["client_id"], settings["client_secret"])
        return http.post(settings["token_url"], data=data, auth=auth)
    data.update(client_id=settings["client_id"], client_secret=settings["client_secret"])
    return http.post(settings["token_url"], data=data)
