"""The HTTP client for one Salesloft connection: base URL, credentials, the team's rate limit.

- OAuth: https://developers.salesloft.com/docs/platform/api-basics/oauth-authentication/ —
  access tokens live 2 h and every refresh rotates the refresh token (ConnectionTokens saves it).
- API keys are sent exactly like access tokens (`Authorization: Bearer ak...`) and never expire.
- Rate limits: https://developers.salesloft.com/docs/platform/api-basics/rate-limits/ — 600 cost
  per minute per *team*, shared by every integration on it; pages past 100 cost more (page_cost);
  every answer carries `x-ratelimit-endpoint-cost` and `x-ratelimit-remaining-minute` (what the
  team has left "for the minute the request was made"; no reset header is documented), and a
  429 carries no Retry-After. The shared limiter reads the remaining count, so Syncline holds
  back when other integrations on the team have spent the minute.
- Errors: `{"error": "..."}` for 401/403/404, `{"errors": {"field": ["msg"]}}` for 422.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from django.conf import settings

from connections.destinations.errors import DestinationError
from connections.destinations.http import Auth, OAuthBearer, StaticHeaders, VendorHTTP
from connections.destinations.ratelimit import RateLimit, WindowLimiter, configured_rate_limit
from connections.destinations.tokens import ConnectionTokens
from connections.models import Connection

VENDOR = "Salesloft"
RATE_LIMIT = RateLimit(600, 60)
_TEAM_CONTEXT = re.compile(r"/teams/(\d+)")


def auth_method(connection: Connection) -> str:
    """ "oauth" or "api_key": as configured, else whichever credential is saved."""
    configured = str(connection.configuration.get("auth_method") or "").strip().lower()
    if configured in {"oauth", "api_key"}:
        return configured
    has_key = connection.secrets.get("api_key")
    return "api_key" if has_key and not connection.secrets.get("access_token") else "oauth"


def team_bucket(connection: Connection) -> str:
    """The rate-limit key. Salesloft counts per team, so the team id is best: saved as
    `team_id`, or read from the OAuth redirect's `context` ("/teams/<id>"). Without either, the
    connection itself: correct for one connection per team, merely optimistic for more."""
    configuration = connection.configuration
    team = configuration.get("team_id")
    if not team:
        match = _TEAM_CONTEXT.search(str(configuration.get("context") or ""))
        team = match.group(1) if match else None
    return f"salesloft:team:{team}" if team else f"salesloft:connection:{connection.pk}"


def page_cost(page: int) -> int:
    """What a list call for that page costs: Salesloft charges deep pages more ("Parameter
    Based Rate Limits", https://developers.salesloft.com/docs/platform/api-basics/rate-limits/:
    pages 101-150 cost 3, 151-250 cost 8, 251-500 cost 10, 501 and beyond 30)."""
    for first_page, cost in ((501, 30), (251, 10), (151, 8), (101, 3)):
        if page >= first_page:
            return cost
    return 1


def remaining_this_minute(response: httpx.Response) -> int | None:
    """The team's budget left, from `x-ratelimit-remaining-minute` (same rate-limits page)."""
    value = response.headers.get("x-ratelimit-remaining-minute", "").strip()
    try:
        return int(value) if value else None
    except ValueError:
        return None  # unreadable: the limiter goes by its own log


def _auth(connection: Connection) -> Auth:
    if auth_method(connection) == "api_key":
        key = connection.secrets.get("api_key")
        if not key:
            raise DestinationError(
                f"{connection.name} has no Salesloft API key saved. Paste one from Salesloft "
                "(Settings > API Keys), or connect with OAuth instead."
            )
        return StaticHeaders({"Authorization": f"Bearer {key}"})
    from connections.destinations.salesloft.provider import SalesloftProvider

    return OAuthBearer(ConnectionTokens(connection, SalesloftProvider().refresher(connection)))


def team_allowance(default: RateLimit) -> RateLimit:
    """Salesloft's 600 a minute, unless SYNCLINE_SALESLOFT_RATE_LIMIT says the team was granted
    another allowance (the demo's sandbox grants ten times that, so its walkthrough is quick)."""
    text = str(settings.VENDORS["salesloft"].get("rate_limit") or "")
    return RateLimit.parse(text) if text else default


def salesloft_http(connection: Connection, *, rate: RateLimit) -> VendorHTTP:
    # Salesloft has one API host for every team: the configured one (SYNCLINE_SALESLOFT_API_URL,
    # the sandbox's in tests), never a host saved on a connection, where the key would go too.
    return VendorHTTP(
        vendor=VENDOR,
        base_url=str(settings.VENDORS["salesloft"]["api_url"]),
        auth=_auth(connection),
        bucket=team_bucket(connection),
        rate=configured_rate_limit(
            connection.configuration, team_allowance(rate), connection_name=connection.name
        ),
        limiter=WindowLimiter(),
        remaining=remaining_this_minute,
        connection=connection,
    )


def vendor_message(response: httpx.Response) -> str:
    """Salesloft's own words: "email_address: is invalid; domain: has already been taken"."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text.strip()[:300]
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, dict):
            parts = []
            for field, messages in errors.items():
                listed = messages if isinstance(messages, list) else [messages]
                text = ", ".join(str(message) for message in listed)
                parts.append(text if field == "base" else f"{field}: {text}")
            return "; ".join(parts)
        if isinstance(errors, list):
            return "; ".join(str(message) for message in errors)
        if body.get("error"):
            return str(body["error"])
    return str(body)[:300]


def failure(response: httpx.Response, doing: str) -> DestinationError:
    """A whole-call failure as a sentence a sales-ops person can act on."""
    status = response.status_code
    said = vendor_message(response)
    # No 401 comes here: VendorHTTP raises NeedsReauthorization for it (and marks needs_auth).
    if status == 403:
        return DestinationError(
            f"Salesloft refused permission while {doing} ({said}). The connected Salesloft user "
            "needs access to people, accounts and cadences (scopes people:write, accounts:write, "
            "cadences:write); reconnect with a user who has them.",
            status=status,
        )
    if status == 404:
        return DestinationError(
            f"Salesloft could not find what Syncline asked for while {doing} ({said}); it may "
            "have been deleted.",
            status=status,
        )
    if status >= 500:
        return DestinationError(
            f"Salesloft had an internal error ({status}) while {doing}. Nothing was lost: the "
            "affected records will be sent on the next run.",
            permanent=False,
            status=status,
        )
    return DestinationError(
        f"Salesloft refused the request while {doing} ({status}: {said}).", status=status
    )
