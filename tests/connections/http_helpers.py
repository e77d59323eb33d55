"""A saved Salesloft connection with real sandbox tokens, and a VendorHTTP for it."""

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
