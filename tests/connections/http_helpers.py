"""Saved tool connections with real sandbox tokens, and a VendorHTTP for Salesloft's."""

from __future__ import annotations

import httpx

from connections.destinations.http import OAuthBearer, VendorHTTP
from connections.destinations.tokens import ConnectionTokens, token_refresher
from connections.models import Connection
from connections.services import connection_create
from sandbox.oauth import DEMO_CLIENT
from tests.sandbox.helpers import REDIRECT_URI, consent


def salesloft_oauth_connection(sandbox, http: httpx.Client, organization) -> Connection:
    base = sandbox.vendor_url("salesloft")
    code = consent(http, f"{base}/oauth/authorize")["code"]
    tokens = http.post(
        f"{base}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": DEMO_CLIENT.client_id,
            "client_secret": DEMO_CLIENT.client_secret,
        },
    ).json()
    return connection_create(
        organization=organization,
        name="Team Salesloft",
        type="salesloft",
        values={"access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"]},
    )


def oauth_client(sandbox, saved: Connection, **options) -> VendorHTTP:
    refresher = token_refresher(
        token_url=f"{sandbox.vendor_url('salesloft')}/oauth/token",
        client_id=DEMO_CLIENT.client_id,
        client_secret=DEMO_CLIENT.client_secret,
    )
    return VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),
        auth=OAuthBearer(ConnectionTokens(saved, refresher)),
        backoff_base=0.01,
        **options,
    )


def saved_tool_connection(type_key: str, sandbox, http, vendors, organization) -> Connection:
    """A saved connection of that tool with real sandbox tokens, as its wizard leaves it."""
    from tests.connections.destinations.gong_support import gong_connection, gong_tokens
    from tests.connections.destinations.linkedin_support import (
        linkedin_connection,
        linkedin_tokens,
    )
    from tests.connections.destinations.salesforce_support import connection_for, oauth_tokens

    if type_key == "salesloft":
        return salesloft_oauth_connection(sandbox, http, organization)
    if type_key == "gong":
        return gong_connection(organization, gong_tokens(vendors, http))
    if type_key == "linkedinads":
        return linkedin_connection(organization, linkedin_tokens(http, vendors))
    return connection_for(organization, oauth_tokens(http, sandbox))
