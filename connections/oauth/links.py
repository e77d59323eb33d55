"""`auth_url`: a link that finishes a connection's OAuth consent in any browser, no login needed.

The REST API creates an OAuth connection (status `needs_auth`) and answers with
`auth_url_for(connection, redirect_url)`. Whoever opens it (an engineer's script hands it to
the person who owns the vendor account) goes straight to the vendor's consent page; the same
pipeline as the console wizard's saves the tokens on that connection and checks them; the
browser lands on a plain page saying the connection is ready, or on `redirect_url`.

The URL is a signed (django.core.signing), expiring reference to an OAuthLink row; opening it
marks the row used with a conditional update, so a link works once even if it is copied.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from django.utils import timezone

from connections.models import Connection, OAuthLink

SALT = "syncline.connections.oauth.link"

EXPIRED = (
    "This sign-in link has expired, so nothing was changed. Ask whoever sent it to you for a "
    "new one."
)
USED = (
    "This sign-in link was already used, so nothing was changed: each link works once. If the "
    "connection still isn't working, ask whoever sent it to you for a new one."
)
INVALID = (
    "This sign-in link is not valid (it may have been cut off when it was copied), so nothing "
    "was changed. Open the whole link again, or ask whoever sent it to you for a new one."
)
GONE = "The connection this sign-in link was for no longer exists, so there is nothing to connect."
REDIRECT_URL = (
    "redirect_url must be a full http:// or https:// address, such as https://example.com/connected"
)


class LinkRefused(Exception):
    """A link that can't be used, said in a sentence for the person holding it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def link_lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SYNCLINE_AUTH_LINK_SECONDS)


def redirect_url_clean(redirect_url: str | None) -> str:
    """The API's `redirect_url`, or ""; anything but an absolute http(s) URL is refused (a
    javascript: or data: URL would run in our page's place)."""
    if not redirect_url:
        return ""
    value = str(redirect_url).strip()
    parts = urlsplit(value)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or len(value) > 2000
        or any(ch.isspace() or ord(ch) < 32 for ch in value)
    ):
        raise ValidationError({"redirect_url": [REDIRECT_URL]})
    return value


def public_url() -> str:
    """Where browsers reach this Syncline (SYNCLINE_PUBLIC_URL)."""
    url = str(settings.SYNCLINE_PUBLIC_URL).rstrip("/")
    if not url:
        raise ImproperlyConfigured(
            "SYNCLINE_PUBLIC_URL is not set: the address people open Syncline at (e.g. "
            "https://syncline.example.com) is needed to make sign-in links."
        )
    return url


def auth_url_for(connection: Connection, redirect_url: str | None) -> str:
    """A new single-use sign-in link for this connection's OAuth consent.

    Raises ValidationError({"redirect_url": [...]}) for a redirect that isn't http(s).
    """
    target = redirect_url_clean(redirect_url)
    link = OAuthLink.objects.create(
        connection=connection,
        redirect_url=target,
        expires_at=timezone.now() + link_lifetime(),
    )
    token = signing.dumps(str(link.pk), salt=SALT)
    return public_url() + reverse("social:link", args=[token])


def oauth_link_open(*, token: str) -> OAuthLink:
    """Check a link and mark it used (once: the conditional update is the claim).

    Raises LinkRefused for a tampered, expired, used or orphaned link; nothing changes then.
    """
    try:
        link_id = UUID(
            str(signing.loads(token, salt=SALT, max_age=link_lifetime().total_seconds()))
        )
    except signing.SignatureExpired as error:
        raise LinkRefused(EXPIRED) from error
    except (signing.BadSignature, ValueError) as error:
        raise LinkRefused(INVALID) from error
    now = timezone.now()
    claimed = OAuthLink.objects.filter(pk=link_id, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now
    )
    link = OAuthLink.objects.select_related("connection").filter(pk=link_id).first()
    if link is None:
        raise LinkRefused(GONE)  # the connection (and with it the link) was deleted
    if not claimed:
        raise LinkRefused(EXPIRED if link.used_at is None else USED)
    return link


def oauth_link_for_pending(*, link_id: str, connection_id: str | None) -> OAuthLink | None:
    """The used link a consent in progress was started by, if its connection still exists."""
    return (
        OAuthLink.objects.select_related("connection", "connection__organization")
        .filter(pk=link_id, connection_id=connection_id, used_at__isnull=False)
        .first()
    )


# A link's row is kept a week past its expiry, so its "done" page can still say what happened,
# then deleted (the beat's "prune-oauth-links"): links are made on every OAuth create or update
# through the API, and nothing else would ever remove them.
LINK_KEPT_AFTER_EXPIRY = dt.timedelta(days=7)


def oauth_links_prune(*, now: dt.datetime | None = None) -> int:
    """Delete links that expired over LINK_KEPT_AFTER_EXPIRY ago; returns how many."""
    cutoff = (now or timezone.now()) - LINK_KEPT_AFTER_EXPIRY
    deleted, _ = OAuthLink.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
