"""Where each destination vendor lives: OAuth and API URLs and the OAuth app's credentials.

Every URL is configuration (DESIGN.md §6): the real vendors by default, the sandbox when
SYNCLINE_SANDBOX_URL is set (e.g. http://127.0.0.1:8900), and any single URL can be overridden
with SYNCLINE_<VENDOR>_<KEY> (e.g. SYNCLINE_SALESLOFT_TOKEN_URL).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sandbox.oauth import DEMO_CLIENT

REAL: dict[str, dict[str, str]] = {
    "salesloft": {
        "authorize_url": "https://accounts.salesloft.com/oauth/authorize",
        "token_url": "https://accounts.salesloft.com/oauth/token",
        "revoke_url": "https://accounts.salesloft.com/oauth/revoke",
        "api_url": "https://api.salesloft.com",
        # A team's allowance when Salesloft granted it more than 600 a minute ("LIMIT/SECONDS";
        # empty: Salesloft's published default). A connection's own rate_limit option wins.
        "rate_limit": "",
    },
    "gong": {
        "authorize_url": "https://app.gong.io/oauth2/authorize",
        "token_url": "https://app.gong.io/oauth2/generate-customer-token",
        "revoke_url": "",
        # Only a fallback: the token response names the customer's own API host.
        "api_url": "https://api.gong.io",
    },
    "linkedinads": {
        "authorize_url": "https://www.linkedin.com/oauth/v2/authorization",
        "token_url": "https://www.linkedin.com/oauth/v2/accessToken",
        "revoke_url": "https://www.linkedin.com/oauth/v2/revoke",
        "api_url": "https://api.linkedin.com/rest",
        "api_version": "202611",
        # The `sourcePlatform` LinkedIn issues to a partner app with the Audiences program
        # (SYNCLINE_LINKEDINADS_SOURCE_PLATFORM); no default: a made-up one would be refused.
        "source_platform": "",
    },
    "salesforce": {
        # The login host; a connection's `domain` option (e.g. test.salesforce.com) replaces it.
        "login_url": "https://login.salesforce.com",
        "api_version": "v59.0",
    },
}


def _sandboxed(sandbox_url: str) -> dict[str, dict[str, str]]:
    s = sandbox_url.rstrip("/")
    return {
        "salesloft": {
            "authorize_url": f"{s}/salesloft/oauth/authorize",
            "token_url": f"{s}/salesloft/oauth/token",
            "revoke_url": "",
            "api_url": f"{s}/salesloft",
            "rate_limit": "",
        },
        "gong": {
            "authorize_url": f"{s}/gong/oauth2/authorize",
            "token_url": f"{s}/gong/oauth2/generate-customer-token",
            "revoke_url": "",
            "api_url": f"{s}/gong/api",
        },
        "linkedinads": {
            "authorize_url": f"{s}/linkedinads/oauth/v2/authorization",
            "token_url": f"{s}/linkedinads/oauth/v2/accessToken",
            "revoke_url": "",
            "api_url": f"{s}/linkedinads/rest",
            "api_version": "202611",
            "source_platform": "SYNCLINE",  # the value the sandbox issues to the demo app
        },
        "salesforce": {"login_url": f"{s}/salesforce", "api_version": "v59.0"},
    }


def vendor_settings(
    sandbox_url: str = "", environ: Mapping[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """The VENDORS setting: URLs plus client_id / client_secret for each vendor."""
    environ = os.environ if environ is None else environ
    base = _sandboxed(sandbox_url) if sandbox_url else REAL
    vendors: dict[str, dict[str, Any]] = {}
    for vendor, urls in base.items():
        prefix = f"SYNCLINE_{vendor.upper()}_"
        values: dict[str, Any] = {
            key: environ.get(prefix + key.upper(), url) for key, url in urls.items()
        }
        default_id = DEMO_CLIENT.client_id if sandbox_url else ""
        default_secret = DEMO_CLIENT.client_secret if sandbox_url else ""
        values["client_id"] = environ.get(prefix + "CLIENT_ID", default_id)
        values["client_secret"] = environ.get(prefix + "CLIENT_SECRET", default_secret)
        vendors[vendor] = values
    return vendors


# -- the walkthroughs as written (reference/seeds/), in sandbox mode only ----------------------
# The seeds create Snowflake with {"account": "uc193736182", "username": "user", "password":
# "secret", "dbname": "database"} (no host) and Salesforce with a domain such as
# http://instance.my.salesforce.com. Against the sandbox both must reach the local emulators.

DEMO_WAREHOUSE_URL = "http://127.0.0.1:8901"  # `make demo`'s WAREHOUSE_PORT


def sandbox_warehouse_url(sandbox_url: str, environ: Mapping[str, str] | None = None) -> str:
    """Where Snowflake connections without a `host` go in sandbox mode
    (SYNCLINE_SANDBOX_WAREHOUSE_URL); "" outside sandbox mode, whatever the environment says."""
    environ = os.environ if environ is None else environ
    if not sandbox_url:
        return ""
    return environ.get("SYNCLINE_SANDBOX_WAREHOUSE_URL", DEMO_WAREHOUSE_URL).rstrip("/")


def sandbox_warehouse() -> tuple[str, int, str] | None:
    """(host, port, protocol) of the demo warehouse when sandbox mode points Snowflake there."""
    from django.conf import settings

    url = str(getattr(settings, "SYNCLINE_SANDBOX_WAREHOUSE_URL", "") or "")
    if not url or not getattr(settings, "SYNCLINE_SANDBOX_URL", ""):
        return None
    parts = urlsplit(url)
    scheme = parts.scheme or "http"
    return parts.hostname or "127.0.0.1", parts.port or (443 if scheme == "https" else 80), scheme


def sandbox_answers_for_salesforce_domain(domain: str) -> bool:
    """In sandbox mode any My Domain host (*.my.salesforce.com, http or https, as the seeds
    write it) is the sandbox's Salesforce; never outside sandbox mode."""
    from django.conf import settings

    if not getattr(settings, "SYNCLINE_SANDBOX_URL", ""):
        return False
    value = domain.strip()
    parts = urlsplit(value if "://" in value else f"https://{value}")
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and host.endswith(".my.salesforce.com")
