"""The HTTP client for one Gong connection: the customer's API host, OAuth, the company's limit.

- OAuth (https://help.gong.io/docs/create-an-app-for-gong): the token endpoint takes the client
  credentials as HTTP Basic, refresh tokens are single-use, and every token response names the
  customer's own API host in `api_base_url_for_customer`: calls must go there, tokens are
  refused elsewhere. It is saved as the connection's `api_base_url`, and used only while it is
  a Gong host (hosts.py): a saved value is checked again each time the client is built.
- Limits (the "Limits" section of Gong's API v2 reference; destination-apis.md §2.2): 3 calls a
  second and 10,000 a day per company; over it Gong answers 429 with Retry-After, which
  VendorHTTP honours.
- Errors: `{"requestId": "...", "errors": ["..."]}`.
"""

from __future__ import annotations

import httpx
from django.conf import settings

from connections.destinations.errors import DestinationError
from connections.destinations.gong.hosts import checked_api_base
from connections.destinations.http import OAuthBearer, VendorHTTP, vendor_words
from connections.destinations.ratelimit import RateLimit, WindowLimiter, configured_rate_limit
from connections.destinations.tokens import ConnectionTokens
from connections.models import Connection

VENDOR = "Gong"
RATE_LIMIT = RateLimit(3, 1)
API_BASE = "api_base_url"  # api_base_url_for_customer, in the connection's configuration


def api_base_url(connection: Connection) -> str:
    """Where this connection's calls (and its bearer token) go; raises for a host that is not
    Gong's, even one already saved (an older version or an admin may have stored it)."""
    saved = connection.configuration.get(API_BASE)
    return checked_api_base(str(saved or settings.VENDORS["gong"]["api_url"]))


def company_bucket(connection: Connection) -> str:
    """Gong counts per company; no API call names the company, so the connection stands for it
    unless a `company_id` was saved (several connections to one company then share the limit)."""
    company = connection.configuration.get("company_id")
    return f"gong:company:{company}" if company else f"gong:connection:{connection.pk}"


def gong_http(connection: Connection, *, rate: RateLimit) -> VendorHTTP:
    from connections.destinations.gong.provider import GongProvider  # it imports this module

    return VendorHTTP(
        vendor=VENDOR,
        base_url=api_base_url(connection),
        auth=OAuthBearer(ConnectionTokens(connection, GongProvider().refresher(connection))),
        bucket=company_bucket(connection),
        rate=configured_rate_limit(connection.configuration, rate, connection_name=connection.name),
        limiter=WindowLimiter(),
        connection=connection,
    )


def failure(response: httpx.Response, doing: str) -> DestinationError:
    """A whole-call failure as a sentence a sales-ops person can act on."""
    status = response.status_code
    said = vendor_words(response)  # Gong: {"requestId": ..., "errors": ["..."]}
    # No 401 comes here: VendorHTTP raises NeedsReauthorization for it (and marks needs_auth).
    if status == 403:
        return DestinationError(
            f"Gong refused permission while {doing} ({said}). The Gong app needs the scopes "
            "api:flows:read, api:flows:write and api:users:read, approved by a Gong technical "
            "administrator; reconnect with them.",
            status=status,
        )
    if status >= 500:
        return DestinationError(
            f"Gong had an internal error ({status}) while {doing}. Nothing was lost: the "
            "affected records will be sent on the next run.",
            permanent=False,
            status=status,
        )
    return DestinationError(
        f"Gong refused the request while {doing} ({status}: {said}).", status=status
    )
