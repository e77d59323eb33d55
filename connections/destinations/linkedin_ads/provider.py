"""LinkedIn Ads' provider description (connections/destinations/provider.py).

OAuth: https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
— the shared refresh grant; refresh tokens are not rotated and die 365 days after the consent
(shared/authentication/programmatic-refresh-tokens). After the consent the person chooses the
ad accounts Syncline works with.
"""

from __future__ import annotations

from typing import Any

from connections.destinations.linkedin_ads.forms import AdAccountsForm
from connections.destinations.provider import AccountChoice, ToolProvider
from connections.destinations.tokens import expires_at_from
from connections.models import Connection


class LinkedInAdsProvider(ToolProvider):
    key = "linkedinads"
    oauth_backend = "connections.destinations.linkedin_ads.oauth.LinkedInAdsOAuth2"
    tagline = "Fill Matched Audiences"
    consent = (
        "You will sign in to LinkedIn and allow Syncline to manage your Matched Audiences. "
        "Then you choose which ad accounts Syncline works with."
    )
    account_choice = AccountChoice(
        form=AdAccountsForm,
        step="Choose ad accounts",
        question="Which LinkedIn ad accounts should Syncline work with? Audiences are listed "
        "and created in these accounts.",
        none_found="LinkedIn lists no ad accounts for the person who signed in. Ask an account "
        "manager in LinkedIn Campaign Manager to give them a role, then reconnect.",
    )

    def token_configuration(self, response: dict[str, Any]) -> dict[str, Any]:
        refresh_expires_at = expires_at_from(
            {"expires_in": response.get("refresh_token_expires_in")}
        )
        if refresh_expires_at is None:
            return {}
        # LinkedIn's refresh tokens die 365 days after consent, however often refreshed.
        return {"refresh_token_expires_at": int(refresh_expires_at)}

    def facts(self, connection: Connection) -> list[tuple[str, str]]:
        accounts = connection.configuration.get("accounts") or []
        return [("Ad accounts", ", ".join(map(str, accounts)) or "none chosen yet")]
