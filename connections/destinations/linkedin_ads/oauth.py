"""LinkedIn's social-auth backend, hosts from configuration, the client secret kept out of URLs.

https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from requests.auth import AuthBase
from social_core.backends.linkedin import LinkedinOAuth2
from social_core.backends.oauth import BaseOAuth2
from social_core.exceptions import AuthCredentialError, ErrorStage, SocialAuthBaseException

from connections.oauth.backends import VendorURLs


class LinkedInAdsOAuth2(VendorURLs, LinkedinOAuth2):
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
