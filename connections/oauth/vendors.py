"""Each vendor's OAuth facts (destination-apis.md §1 to §4): what a token response leaves on the
Connection, where Salesforce logs in, and how access is revoked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from connections.destinations.errors import DestinationError
from connections.destinations.gong.hosts import api_base_from_token as gong_api_base_from_token
from connections.destinations.tokens import expires_at_from


def salesforce_login_url(configuration: dict[str, Any]) -> str:
    """Where a Salesforce connection signs in: the same rule its token refreshes follow (the
    operator's login URL when it isn't the public default, else the connection's `domain`)."""
    from connections.destinations.salesforce.client import login_url

    return login_url(
        str(configuration.get("domain") or ""), str(settings.VENDORS["salesforce"]["login_url"])
    )


# Fields without which the connection cannot work (every API call goes to that host).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {"salesforce": ("instance_url",)}


def token_values(type: str, response: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(secrets, configuration) to save from a token response.

    Gong and Salesforce name the API host in the answer and every later call must go there.
    """
    secrets: dict[str, Any] = {"access_token": response["access_token"]}
    if response.get("refresh_token"):
        secrets["refresh_token"] = response["refresh_token"]
    expires_at = expires_at_from(response)
    if expires_at is not None:
        secrets["expires_at"] = expires_at
    configuration: dict[str, Any] = {}
    if type == "salesloft":
        configuration["auth_method"] = "oauth"
        team = str(response.get("context") or "").rstrip("/").rpartition("/teams/")[2]
        if team.isdigit():
            configuration["team_id"] = team  # the rate-limit bucket is the team's
    elif type == "gong":
        configuration["api_base_url"] = gong_api_base_from_token(response)  # Gong's hosts only
    elif type == "salesforce":
        from connections.destinations.salesforce.client import trusted_instance_url

        login = str(settings.VENDORS["salesforce"]["login_url"])
        if not trusted_instance_url(str(response.get("instance_url") or ""), login):
            raise DestinationError(
                "Salesforce answered with an instance URL that is not a Salesforce host, so "
                "nothing was connected."
            )
        configuration["instance_url"] = response["instance_url"]
        if response.get("id"):
            configuration["id"] = response["id"]  # the identity URL: org and user ids
    elif type == "linkedinads":
        refresh_expires_at = expires_at_from(
            {"expires_in": response.get("refresh_token_expires_in")}
        )
        if refresh_expires_at is not None:
            # LinkedIn's refresh tokens die 365 days after consent, however often refreshed.
            configuration["refresh_token_expires_at"] = int(refresh_expires_at)
    return secrets, configuration


@dataclass(frozen=True)
class Revocation:
    url: str
    data: dict[str, str]


def revocation_for(
    type: str, configuration: dict[str, Any], secrets: dict[str, Any]
) -> Revocation | None:
    """The request that revokes Syncline's access, or None where the vendor has no way
    (Gong), none is configured, or there is no OAuth token (a Salesloft API key)."""
    if type == "salesforce":
        # Revoking the refresh token ends every access token issued from it.
        token = secrets.get("refresh_token") or secrets.get("access_token")
        if not token:
            return None
        url = f"{salesforce_login_url(configuration)}/services/oauth2/revoke"
        return Revocation(url, {"token": token})
    vendor = settings.VENDORS.get(type, {})
    url = vendor.get("revoke_url", "")
    token = secrets.get("access_token")
    if not url or not token:
        return None
    # RFC 7009: the token and the client's credentials, form-encoded.
    data = {
        "token": token,
        "client_id": vendor.get("client_id", ""),
        "client_secret": vendor.get("client_secret", ""),
    }
    return Revocation(url, data)
