"""Salesforce's provider description (connections/destinations/provider.py).

OAuth: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm —
the login host is the connection's `domain` (or the operator's login URL), the connected app
Syncline's or the connection's own (connect_mode "api"), and the token response names the org's
API host in `instance_url`, accepted only on a Salesforce host. Revoking a refresh token
revokes its access tokens too:
https://developer.salesforce.com/docs/platform/mobile-sdk/guide/oauth-revoking-tokens.html
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from connections.destinations.errors import DestinationError
from connections.destinations.provider import Revocation, ToolProvider
from connections.destinations.salesforce.client import login_url, trusted_instance_url
from connections.destinations.salesforce.forms import SalesforceStartForm
from connections.destinations.salesforce.options import ConnectionOptions
from connections.destinations.tokens import Refresher, token_refresher
from connections.models import Connection

OWN_APP = "api"  # the connect_mode whose connected app is the connection's own


def salesforce_login_url(configuration: dict[str, Any]) -> str:
    """Where a Salesforce connection signs in: the same rule its token refreshes follow (the
    operator's login URL when it isn't the public default, else the connection's `domain`)."""
    return login_url(
        str(configuration.get("domain") or ""), str(settings.VENDORS["salesforce"]["login_url"])
    )


class SalesforceProvider(ToolProvider):
    key = "salesforce"
    oauth_backend = "connections.destinations.salesforce.oauth.SalesforceConnectionOAuth2"
    tagline = "Create and update records"
    consent = "You will sign in to Salesforce and allow Syncline to use its API for your org."
    start_form = SalesforceStartForm
    # Every API call goes to the org's host, so a token answer without it is useless.
    required_token_fields = ("instance_url",)

    def uses_own_app(self, configuration: dict[str, Any]) -> bool:
        return configuration.get("connect_mode") == OWN_APP

    def reconnect_settings(self, connection: Connection) -> tuple[dict[str, Any], dict[str, Any]]:
        # Salesforce signs in where, and as which app, the connection says.
        configuration = {
            key: connection.configuration[key]
            for key in ("domain", "connect_mode", "client_id")
            if key in connection.configuration
        }
        client_secret = connection.secrets.get("client_secret", "")
        return configuration, ({"client_secret": client_secret} if client_secret else {})

    def refresher(
        self, connection: Connection, *, options: ConnectionOptions | None = None
    ) -> Refresher:
        """The refresh grant at the connection's login host, as its connected app, keeping the
        (possibly moved) instance_url. `options`: the connection's, when already parsed."""
        if options is None:
            options = ConnectionOptions.parse(connection.configuration, connection.secrets)
        vendor = self.vendor_settings()
        if options.connect_mode == OWN_APP:
            client_id = options.client_id
            client_secret = str(connection.secrets.get("client_secret", ""))
        else:
            client_id, client_secret = str(vendor["client_id"]), str(vendor["client_secret"])
        login = login_url(options.domain, str(vendor["login_url"]))
        return token_refresher(
            token_url=f"{login}/services/oauth2/token",
            client_id=client_id,
            client_secret=client_secret,
            keep=("instance_url",),
        )

    def token_configuration(self, response: dict[str, Any]) -> dict[str, Any]:
        login = str(self.vendor_settings()["login_url"])
        if not trusted_instance_url(str(response.get("instance_url") or ""), login):
            raise DestinationError(
                "Salesforce answered with an instance URL that is not a Salesforce host, so "
                "nothing was connected."
            )
        configuration: dict[str, Any] = {"instance_url": response["instance_url"]}
        if response.get("id"):
            configuration["id"] = response["id"]  # the identity URL: org and user ids
        return configuration

    def revocation(
        self, configuration: dict[str, Any], secrets: dict[str, Any]
    ) -> Revocation | None:
        # Revoking the refresh token ends every access token issued from it.
        token = secrets.get("refresh_token") or secrets.get("access_token")
        if not token:
            return None
        url = f"{salesforce_login_url(configuration)}/services/oauth2/revoke"
        return Revocation(url, {"token": token})

    def facts(self, connection: Connection) -> list[tuple[str, str]]:
        configuration = connection.configuration
        facts = [
            ("Instance", configuration.get("instance_url", "—")),
            ("Login domain", configuration.get("domain") or "Syncline's default"),
            ("Connected app", "your own" if self.uses_own_app(configuration) else "Syncline's"),
        ]
        if configuration.get("enforce_api_limits"):
            facts.append(("Daily API call limit", str(configuration.get("daily_api_calls", ""))))
        return facts
