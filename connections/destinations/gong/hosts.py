"""Which API base a Gong connection may send its bearer token to.

Gong's token responses name the customer's own API host in `api_base_url_for_customer`, e.g.
`https://us-12345.api.gong.io`, and every later call must go there
(https://help.gong.io/docs/create-an-app-for-gong ; destination-apis.md §2.1). Syncline saves
it and sends the access token to it on every call, so a host that is not Gong's would receive
the tokens: only https hosts under gong.io are accepted, or the origin of the configured Gong
API (settings.VENDORS["gong"]["api_url"]: the sandbox, or a proxy an operator set up).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from connections.destinations.errors import DestinationError

GONG_DOMAIN = "gong.io"
CUSTOMER_API_HOST = "api_base_url_for_customer"  # in Gong's token responses

logger = logging.getLogger(__name__)


def is_gong_host(url: str) -> bool:
    """https on gong.io or one of its subdomains, with no credentials or odd port in the URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # an unreadable port or host
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    return (
        parts.scheme == "https"
        and not parts.username
        and not parts.password
        and port in (None, 443)
        and (host == GONG_DOMAIN or host.endswith("." + GONG_DOMAIN))
    )


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url.strip())
    return parts.scheme.lower(), parts.netloc.lower()


def trusted_api_base(url: str) -> bool:
    """A Gong host, or the same origin as the configured Gong API (the sandbox)."""
    if not url:
        return False
    if is_gong_host(url):
        return True
    configured = str(settings.VENDORS["gong"]["api_url"])
    return _origin(url) == _origin(configured) and bool(_origin(url)[1])


def checked_api_base(url: str) -> str:
    """The saved API base to build the client on; raises when it is not a trusted host."""
    if not trusted_api_base(url):
        raise DestinationError(
            f"This connection's saved API host {url!r} is not a Gong host, so Syncline will "
            "not send its tokens there. Reconnect it to Gong."
        )
    return url.strip().rstrip("/")


def api_base_from_token(response: Mapping[str, Any]) -> str:
    """The API base to save from a token response (the configured default when it names none);
    raises when it names a host that is not Gong's, so nothing is connected."""
    named = str(response.get(CUSTOMER_API_HOST) or "").strip()
    if not named:
        return str(settings.VENDORS["gong"]["api_url"])
    if not trusted_api_base(named):
        raise DestinationError(
            f"Gong named {named!r} as the API host, which is not a Gong host, so nothing was "
            "connected and no token was sent there. Try again; if it keeps happening, tell "
            "your Syncline administrator."
        )
    return named.rstrip("/")


def refreshed_api_base(response: Mapping[str, Any]) -> str | None:
    """The API base a refresh answer names, if trusted. An untrusted one is dropped, not raised:
    Gong's refresh tokens are single-use, so the new tokens must still be saved; the connection
    keeps its old (trusted) base and the tokens never go to the named host."""
    named = str(response.get(CUSTOMER_API_HOST) or "").strip()
    if not named:
        return None
    if not trusted_api_base(named):
        logger.warning("Ignored an untrusted Gong API host from a token refresh: %r", named)
        return None
    return named.rstrip("/")
