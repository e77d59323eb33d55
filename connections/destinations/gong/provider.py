"""Gong's provider description (connections/destinations/provider.py).

OAuth (https://help.gong.io/docs/create-an-app-for-gong): the token endpoint takes the client
credentials as HTTP Basic, refresh tokens are single-use, and every token response — the first
consent's and each refresh's — names the customer's own API host in `api_base_url_for_customer`.
Both pass through gong/hosts.py, which decides which host may receive the tokens.
"""

from __future__ import annotations

from typing import Any

from connections.destinations.gong.client import API_BASE
from connections.destinations.gong.hosts import (
    CUSTOMER_API_HOST,
    api_base_from_token,
    refreshed_api_base,
)
from connections.destinations.provider import ToolProvider
from connections.destinations.tokens import Refresher, token_refresher
from connections.models import Connection


class GongProvider(ToolProvider):
    key = "gong"
    oauth_backend = "connections.destinations.gong.oauth.GongOAuth2"
    tagline = "Assign prospects to Engage flows"
    consent = (
        "You will sign in to Gong and allow Syncline to read and assign Engage flows. The "
        "person who allows it must be a Gong technical administrator."
    )

    def refresher(self, connection: Connection) -> Refresher:
        """The shared refresh grant with Basic client auth, saving the (possibly new) API host
        under the configuration key the rest of Syncline reads."""
        vendor = self.vendor_settings()
        refresh = token_refresher(
            token_url=vendor["token_url"],
            client_id=vendor["client_id"],
            client_secret=vendor["client_secret"],
            basic_auth=True,
            keep=(CUSTOMER_API_HOST,),
        )

        def refresh_for_gong(
            secrets: dict[str, Any], configuration: dict[str, Any]
        ) -> dict[str, Any]:
            new = refresh(secrets, configuration)
            # A refresh answer naming another host keeps the saved one: Gong's refresh tokens
            # are single-use, so refusing the answer would lose the new one.
            host = refreshed_api_base(new)
            new.pop(CUSTOMER_API_HOST, None)
            if host:
                new[API_BASE] = host
            return new

        return refresh_for_gong

    def token_configuration(self, response: dict[str, Any]) -> dict[str, Any]:
        # Only Gong's own hosts (or the configured one) may receive the tokens: refused here,
        # nothing is connected.
        return {API_BASE: api_base_from_token(response)}

    def facts(self, connection: Connection) -> list[tuple[str, str]]:
        return [("API host", connection.configuration.get(API_BASE, "—"))]
