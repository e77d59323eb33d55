"""Salesloft's provider description (connections/destinations/provider.py): OAuth or an API key.

OAuth: https://developers.salesloft.com/docs/platform/api-basics/oauth-authentication/ — the
shared refresh grant (every refresh rotates the refresh token; ConnectionTokens saves it). An API
key is the other way in, sent like an access token (client.py).
"""

from __future__ import annotations

from typing import Any

from connections.destinations.provider import API_KEY, AUTH_METHOD, ApiKeySignIn, ToolProvider
from connections.destinations.salesloft.forms import SalesloftApiKeyForm
from connections.models import Connection


class SalesloftProvider(ToolProvider):
    key = "salesloft"
    oauth_backend = "connections.destinations.salesloft.oauth.SalesloftOAuth2"
    tagline = "Add people to cadences"
    consent = (
        "You will sign in to Salesloft and allow Syncline to read and write people and cadences."
    )
    api_key = ApiKeySignIn(form=SalesloftApiKeyForm)

    def token_configuration(self, response: dict[str, Any]) -> dict[str, Any]:
        configuration: dict[str, Any] = {AUTH_METHOD: "oauth"}
        # The redirect's `context` (kept by the backend) is "/teams/<id>".
        team = str(response.get("context") or "").rstrip("/").rpartition("/teams/")[2]
        if team.isdigit():
            configuration["team_id"] = team  # the rate-limit bucket is the team's
        return configuration

    def facts(self, connection: Connection) -> list[tuple[str, str]]:
        method = connection.configuration.get(AUTH_METHOD)
        signs_in = "an API key" if method == API_KEY else "a Salesloft account (OAuth)"
        return [("Signs in with", signs_in)]
