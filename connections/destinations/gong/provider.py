"""Gong's provider description (connections/destinations/provider.py).

OAuth (https://help.gong.io/docs/create-an-app-for-gong): the token endpoint takes the client
credentials as HTTP Basic, refresh tokens are single-use, and every token response — the first
consent's and each refresh's — names the customer's own API host in `api_base_url_for_customer`.
Both pass through `customer_api_host`, the one place that decides which host is saved.
"""

from __future__ import annotations

from typing import Any

from connections.destinations.gong.client import API_BASE, CUSTOMER_API_HOST
from connections.destinations.provider import ToolProvider
from connections.destinations.tokens import Refresher, token_refresher
from connections.models import Connection


def customer_api_host(response: dict[str, Any]) -> str | None:
    """The API host a Gong token response names, or None when it names none.

    Every token response Syncline stores comes through here — the consent's (via
    `token_configuration`, from the OAuth pipeline) and each refresh's (via `refresher`) — so
    this is the one place to decide whether the host may receive Syncline's tokens. Raising
    DestinationError here refuses the answer: nothing is connected, or the refresh fails.
    """
    host = response.get(CUSTOMER_API_HOST)
    # The check that the host is one of Gong's belongs here, before it is returned.
    return str(host) if host else None


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
            host = customer_api_host(new)
            new.pop(CUSTOMER_API_HOST, None)
            if host:
                new[API_BASE] = host
            return new

        return refresh_for_gong

    def token_configuration(self, response: dict[str, Any]) -> dict[str, Any]:
        return {API_BASE: customer_api_host(response) or self.vendor_settings()["api_url"]}

    def facts(self, connection: Connection) -> list[tuple[str, str]]:
        return [("API host", connection.configuration.get(API_BASE, "—"))]
