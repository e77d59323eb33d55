"""What every tool's social-auth backend shares: every URL and key read from settings.VENDORS.

Each vendor's backend lives in its package (`connections/destinations/<vendor>/oauth.py`) and is
named by its provider description (`oauth_backend`). They run the authorization-code grant only;
revoking on delete is the provider's `revocation`.

social-core's own LinkedIn and Salesforce backends hard-code the vendors' hosts and fetch a user
profile; ours take the hosts from configuration (so the sandbox and the vendor are one code path)
and fetch nothing: these accounts never sign anyone in to Syncline.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from social_core.backends.oauth import OAuthAuth


class VendorURLs(OAuthAuth):
    """URLs and the OAuth app's credentials from settings.VENDORS[vendor]."""

    vendor: ClassVar[str]  # the connection type, and the key in settings.VENDORS
    # Vendors compare redirect_uri exactly; the state travels in the `state` parameter.
    REDIRECT_STATE = False
    STATE_PARAMETER = True

    def vendor_settings(self) -> dict[str, Any]:
        return settings.VENDORS[self.vendor]

    def authorization_url(self) -> str:
        return self.vendor_settings()["authorize_url"]

    def access_token_url(self) -> str:
        return self.vendor_settings()["token_url"]

    def get_key_and_secret(self) -> tuple[str, str]:
        vendor = self.vendor_settings()
        return vendor["client_id"], vendor["client_secret"]

    def user_data(self, access_token: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # No profile: nobody signs in with these accounts, and each call is one more place a
        # token could travel. The destination's check() proves the token works.
        return {}

    def get_user_details(self, response: dict[str, Any]) -> dict[str, Any]:
        return {}

    def get_user_id(self, details: dict[str, Any], response: dict[str, Any]) -> str:
        return ""
