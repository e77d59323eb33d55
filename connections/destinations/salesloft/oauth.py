"""Salesloft's social-auth backend: the authorization-code grant, the team kept with the tokens.

https://developers.salesloft.com/docs/platform/api-basics/oauth-authentication/
"""

from __future__ import annotations

from typing import Any

from social_core.backends.oauth import BaseOAuth2

from connections.oauth.backends import VendorURLs


class SalesloftOAuth2(VendorURLs, BaseOAuth2):
    name = "salesloft"
    vendor = "salesloft"
    title = "Salesloft"
    # Scopes are chosen on the app registration, not in the authorize URL.

    def request_access_token(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        # The redirect names the team (`context=/teams/<id>`); keep it with the tokens so all
        # connections of one team share its rate limit (600 cost a minute per team).
        response = super().request_access_token(*args, **kwargs)
        if self.data.get("context"):
            response.setdefault("context", self.data["context"])
        return response
