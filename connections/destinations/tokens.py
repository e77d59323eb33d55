"""OAuth access tokens of a connection: refreshed before expiry and on a 401, saved atomically.

Vendors that rotate refresh tokens (Salesloft, Gong) invalidate the old one the moment they issue
the next, so two workers must never refresh with the same token: the refresh runs under a row lock
on the Connection, and a worker that waited finds the token its neighbour just saved.

That transaction holds the lock across the vendor's token call, so nothing else may share it: it
is durable (never part of a caller's transaction, which would keep the lock, or roll back a
rotated token the vendor already issued), the needs_auth mark is written after it, and the rate
limiter's steps are transactions of their own. The token call's timeout stays below how long
other writers wait for a lock (SQLite locks the whole database for it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from connections.destinations.errors import DestinationError, NeedsReauthorization
from connections.models import Connection
from connections.registry import CONNECTION_TYPES

EXPIRY_SKEW_SECONDS = 60
# The token call runs under the Connection's row lock (on SQLite, the database's write lock);
# other writers wait up to 20 s for a lock (config/settings.py), so a slow vendor must give up
# well before they do.
REFRESH_TIMEOUT_SECONDS = 10.0


class RefreshRefused(Exception):
    """The vendor said no to the refresh token (invalid_grant): only a person can fix it."""


# Takes the connection's secrets and configuration; returns the new values from the vendor's
# token response (access_token, refresh_token?, expires_at?, and e.g. instance_url).
Refresher = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


class ConnectionTokens:
    def __init__(self, connection: Connection, refresher: Refresher) -> None:
        self.connection_id = connection.pk
        self.type = connection.type
        self.name = connection.name
        self.secrets = dict(connection.secrets)
        self.configuration = dict(connection.configuration)
        self.refresher = refresher

    def _expiring(self, secrets: dict[str, Any]) -> bool:
        expires_at = secrets.get("expires_at")
        return bool(expires_at) and float(expires_at) - EXPIRY_SKEW_SECONDS < time.time()

    def access_token(self) -> str:
        token = self.secrets.get("access_token")
        if not token or self._expiring(self.secrets):
            return self.refresh(stale=token)
        return str(token)

    def refresh(self, *, stale: str | None) -> str:
        """A fresh access token; `stale` is the one that was refused or is about to expire."""
        refused: RefreshRefused | None = None
        # durable: the rotated refresh token must be committed now; inside an outer transaction
        # a rollback would lose it after the vendor already invalidated the old one.
        with transaction.atomic(durable=True):
            connection = Connection.objects.select_for_update().get(pk=self.connection_id)
            secrets = dict(connection.secrets)
            current = secrets.get("access_token")
            if current and current != stale and not self._expiring(secrets):
                # Another worker refreshed while we waited for the lock.
                self.secrets, self.configuration = secrets, dict(connection.configuration)
                return str(current)
            if not secrets.get("refresh_token"):
                refused = RefreshRefused("no refresh token is saved")
            else:
                try:
                    new = self.refresher(secrets, dict(connection.configuration))
                except RefreshRefused as error:
                    refused = error
                else:
                    secret_keys = (*CONNECTION_TYPES[connection.type].secret_keys, "expires_at")
                    connection.secrets = {
                        **secrets,
                        **{k: v for k, v in new.items() if k in secret_keys and v},
                    }
                    if not new.get("expires_at"):
                        # No lifetime given (Salesforce): forget the old one, or every call
                        # would think the new token expired and refresh again.
                        connection.secrets.pop("expires_at", None)
                    connection.configuration = {
                        **connection.configuration,
                        **{k: v for k, v in new.items() if k not in secret_keys and v},
                    }
                    if connection.status == Connection.Status.NEEDS_AUTH:
                        # Working access again; other problems (an error) stay until checked.
                        connection.status = Connection.Status.HEALTHY
                        connection.status_error = ""
                    connection.save()
                    self.secrets = dict(connection.secrets)
                    self.configuration = dict(connection.configuration)
                    return str(self.secrets["access_token"])
        # Outside the transaction, so the needs_auth mark is not rolled back with the error.
        reason = str(refused).rstrip(".")
        message = (
            f"{CONNECTION_TYPES[self.type].name} no longer accepts Syncline's access "
            f"({reason}). Reconnect {self.name} to continue."
        )
        connection_needs_auth(connection=Connection(pk=self.connection_id), message=message)
        raise NeedsReauthorization(message)


def connection_needs_auth(*, connection: Connection, message: str) -> None:
    """Record that only a person can restore access; every page offers Reconnect then."""
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.NEEDS_AUTH, status_error=message, updated_at=timezone.now()
    )


def expires_at_from(response: dict[str, Any]) -> float | None:
    """Absolute expiry from a token response's expires_in (None when the vendor gives none)."""
    expires_in = response.get("expires_in")
    if expires_in in (None, ""):
        return None
    try:
        return time.time() + float(expires_in)
    except (TypeError, ValueError) as error:
        raise DestinationError(
            f"The token response had an unreadable expires_in: {expires_in!r}"
        ) from error


def token_refresher(
    *,
    token_url: str,
    client_id: str,
    client_secret: str,
    basic_auth: bool = False,
    keep: tuple[str, ...] = (),
    timeout: float = REFRESH_TIMEOUT_SECONDS,
) -> Refresher:
    """The refresh_token grant most vendors share (RFC 6749 §6).

    `basic_auth` sends the client credentials as HTTP Basic (Gong) instead of form fields;
    `keep` names extra fields of the answer to save (Salesforce's instance_url, Gong's API base).
    """
    import httpx

    def refresh(secrets: dict[str, Any], configuration: dict[str, Any]) -> dict[str, Any]:
        data = {"grant_type": "refresh_token", "refresh_token": secrets["refresh_token"]}
        auth = None
        if basic_auth:
            auth = (client_id, client_secret)
        else:
            data.update(client_id=client_id, client_secret=client_secret)
        try:
            response = httpx.post(token_url, data=data, auth=auth, timeout=timeout)
        except httpx.HTTPError as error:
            raise DestinationError(
                f"Could not reach {token_url} to refresh the access token ({error}).",
                permanent=False,
            ) from error
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code in (400, 401) and body.get("error") in {
            "invalid_grant",
            "invalid_token",
            "unauthorized_client",
            "invalid_request",
        }:
            raise RefreshRefused(body.get("error_description") or body["error"])
        if response.status_code >= 400 or "access_token" not in body:
            raise DestinationError(
                f"Refreshing the access token failed ({response.status_code}).",
                permanent=response.status_code < 500,
                status=response.status_code,
            )
        new = {"access_token": body["access_token"], "expires_at": expires_at_from(body)}
        if body.get("refresh_token"):
            new["refresh_token"] = body["refresh_token"]  # rotated: the old one is dead now
        new.update({name: body[name] for name in keep if body.get(name)})
        return new

    return refresh
