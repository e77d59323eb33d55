"""social-auth's exceptions, told as a person would want to hear them on the wizard page."""

from __future__ import annotations

from social_core.exceptions import (
    AuthCanceled,
    AuthConfigurationError,
    AuthCredentialError,
    AuthInputError,
    AuthProviderError,
    AuthSessionError,
    SocialAuthBaseException,
)

# Vendors' own names for "the person pressed Deny" (LinkedIn: user_cancelled_authorize).
DECLINED = {"access_denied", "user_cancelled_authorize", "user_cancelled_login", "cancelled"}
BAD_CLIENT = {"invalid_client", "invalid_client_id", "unauthorized_client"}


def oauth_error_message(error: SocialAuthBaseException, vendor: str, *, own_app: bool) -> str:
    """`own_app`: the client id and secret were typed by the person (Salesforce "api" mode)."""
    provider_code = str(error.provider_code or "")
    said = f" {vendor} said: “{error.detail}”." if error.detail else ""
    if isinstance(error, AuthCanceled) or provider_code in DECLINED:
        return (
            f"You chose not to allow access in {vendor}, so nothing was connected. "
            f"To connect, start again and press Allow on {vendor}'s page."
        )
    if provider_code in BAD_CLIENT:
        if own_app:
            return (
                f"{vendor} did not accept the client ID and client secret you entered.{said} "
                "Copy them again from your connected app and retry."
            )
        return (
            f"{vendor} did not accept Syncline's app credentials (client ID or secret), so "
            f"nothing was connected.{said} An administrator needs to check Syncline's "
            f"{vendor} OAuth settings."
        )
    if isinstance(error, AuthCredentialError):
        return (
            f"{vendor}'s sign-in code had expired or was already used, so nothing was "
            "connected. Please start again."
        )
    if isinstance(error, AuthSessionError | AuthInputError):
        return (
            f"This sign-in to {vendor} could not be matched to your Syncline session (it may "
            "have expired, or been started in another window), so nothing was connected. "
            "Please start again."
        )
    if isinstance(error, AuthProviderError):
        if error.code in {"connection_failed", "timeout", "tls_error"}:
            return (
                f"Syncline could not reach {vendor}, so nothing was connected. Check the "
                "network connection and try again."
            )
        if error.code in {"unavailable", "rate_limited"}:
            return (
                f"{vendor} is busy or temporarily unavailable, so nothing was connected. "
                "Please try again in a few minutes."
            )
        status = f" (HTTP {error.status_code})" if error.status_code else ""
        return f"{vendor} refused the request{status}, so nothing was connected.{said}"
    if isinstance(error, AuthConfigurationError):
        return (
            f"{vendor} refused Syncline's request, so nothing was connected.{said} An "
            f"administrator needs to check Syncline's {vendor} OAuth settings."
        )
    return f"Connecting to {vendor} did not work, so nothing was connected.{said} Please try again."
