"""Gong's social-auth backend: the authorization-code grant with HTTP Basic client credentials.

https://help.gong.io/docs/create-an-app-for-gong — the token endpoint wants the client
credentials as HTTP Basic and answers with the customer's own API host.
"""

from __future__ import annotations

from typing import ClassVar

from social_core.backends.oauth import BaseOAuth2

from connections.oauth.backends import VendorURLs


class GongOAuth2(VendorURLs, BaseOAuth2):
    name = "gong"
    vendor = "gong"
    title = "Gong"
    USE_BASIC_AUTH = True
    DEFAULT_SCOPE: ClassVar[list[str]] = ["api:flows:read", "api:flows:write", "api:users:read"]

    def auth_complete_params(self, state: str | None = None) -> dict[str, str]:
        # Gong's examples send client_id next to the Basic credentials; it checks they agree.
        params = super().auth_complete_params(state)
        params["client_id"] = self.get_key_and_secret()[0]
        return params
