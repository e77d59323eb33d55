"""Salesforce's social-auth backend: the connection's login host, and its own connected app.

https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm

The login host is the connection's `domain` (My Domain, test.salesforce.com) or the configured
default; with connect_mode "api" the connection's own connected app is used.
"""

from __future__ import annotations

from typing import ClassVar

from social_core.backends.salesforce import SalesforceOAuth2

from connections.destinations.salesforce.provider import SalesforceProvider, salesforce_login_url
from connections.oauth.backends import VendorURLs
from connections.oauth.pending import PendingAuthorization, pending_get


class SalesforceConnectionOAuth2(VendorURLs, SalesforceOAuth2):
    name = "salesforce"
    vendor = "salesforce"
    title = "Salesforce"
    DEFAULT_SCOPE: ClassVar[list[str]] = ["api", "refresh_token"]

    def _pending(self) -> PendingAuthorization | None:
        return pending_get(self.strategy.request.session, self.name)

    def _login_url(self) -> str:
        pending = self._pending()
        return salesforce_login_url(pending.configuration if pending else {})

    def authorization_url(self) -> str:
        return f"{self._login_url()}/services/oauth2/authorize"

    def access_token_url(self) -> str:
        return f"{self._login_url()}/services/oauth2/token"

    def get_key_and_secret(self) -> tuple[str, str]:
        """The connection's own connected app when it has one, else Syncline's."""
        pending = self._pending()
        if pending is not None and SalesforceProvider().uses_own_app(pending.configuration):
            client_id = str(pending.configuration.get("client_id", ""))
            client_secret = str(pending.secrets.get("client_secret", ""))
            if client_id and client_secret:
                return client_id, client_secret
        return super().get_key_and_secret()
