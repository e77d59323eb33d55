"""social-auth backends for the four tools, every URL and key read from settings.VENDORS.

They run the authorization-code grant only; revoking on delete is connections.oauth.vendors'.

social-core's own LinkedIn and Salesforce backends hard-code the vendors' hosts and fetch a user
profile; ours take the hosts from configuration (so the sandbox and the vendor are one code path)
and fetch nothing: these accounts never sign anyone in to Syncline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from django.conf import settings
from requests.auth import AuthBase
from social_core.backends.linkedin import LinkedinOAuth2
from social_core.backends.oauth import BaseOAuth2, OAuthAuth
from social_core.backends.salesforce import SalesforceOAuth2
from social_core.exceptions import AuthCredentialError, ErrorStage, SocialAuthBaseException

from connections.oauth.pending import pending_credentials, pending_get
from connections.oauth.vendors import salesforce_login_url


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


class SalesloftOAuth2(VendorURLs, BaseOAuth2):
    """https://developers.salesloft.com/docs/platform/api-basics/oauth-authentication/"""

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


class GongOAuth2(VendorURLs, BaseOAuth2):
    """https://help.gong.io/docs/create-an-app-for-gong — the token endpoint wants HTTP Basic
    client credentials and answers with the customer's own API host."""

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


class LinkedInAdsOAuth2(VendorURLs, LinkedinOAuth2):
    """https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow"""

    name = "linkedinads"
    vendor = "linkedinads"
    title = "LinkedIn Ads"
    DEFAULT_SCOPE: ClassVar[list[str]] = ["r_ads", "rw_dmp_segments", "r_basicprofile"]

    def get_provider_error(
        self,
        data: object,
        *,
        stage: ErrorStage = "callback",
        status_code: int | None = None,
        retry_after: str | None = None,
    ) -> SocialAuthBaseException | None:
        error = super().get_provider_error(
            data, stage=stage, status_code=status_code, retry_after=retry_after
        )
        # LinkedIn answers a bad, used or expired code with invalid_request, not invalid_grant.
        if (
            error is not None
            and stage == "token_exchange"
            and error.provider_code == "invalid_request"
        ):
            return AuthCredentialError(
                self,
                error.detail,
                code="authorization_code_rejected",
                source="provider_response",
                stage=stage,
                provider_code=error.provider_code,
                status_code=status_code,
            )
        return error

    def request_access_token(
        self,
        url: str,
        method: Literal["GET", "POST", "DELETE"] = "GET",
        headers: Mapping[str, str | bytes] | None = None,
        data: dict | None = None,
        json: dict | None = None,
        auth: tuple[str, str] | AuthBase | None = None,
        params: dict | None = None,
        *,
        stage: ErrorStage = "token_exchange",
    ) -> dict[Any, Any]:
        # social-core repeats the form in the query string, which puts the client secret in
        # every proxy and server log on the way; LinkedIn reads the form body.
        return BaseOAuth2.request_access_token(
            self,
            url,
            method=method,
            headers=headers,
            data=data,
            json=json,
            auth=auth,
            params=params,
            stage=stage,
        )


class SalesforceConnectionOAuth2(VendorURLs, SalesforceOAuth2):
    """https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm

    The login host is the connection's `domain` (My Domain, test.salesforce.com) or the
    configured default; with connect_mode "api" the connection's own connected app is used.
    """

    name = "salesforce"
    vendor = "salesforce"
    title = "Salesforce"
    DEFAULT_SCOPE: ClassVar[list[str]] = ["api", "refresh_token"]

    def _login_url(self) -> str:
        pending = pending_get(self.strategy.request.session, self.name)
        return salesforce_login_url(pending.configuration if pending else {})

    def authorization_url(self) -> str:
        return f"{self._login_url()}/services/oauth2/authorize"

    def access_token_url(self) -> str:
        return f"{self._login_url()}/services/oauth2/token"

    def get_key_and_secret(self) -> tuple[str, str]:
        own = pending_credentials(self.strategy.request.session, self.name)
        return own or super().get_key_and_secret()


BACKENDS: dict[str, type[BaseOAuth2]] = {
    backend.name: backend
    for backend in (SalesloftOAuth2, GongOAuth2, LinkedInAdsOAuth2, SalesforceConnectionOAuth2)
}
