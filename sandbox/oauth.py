"""OAuth 2.0 authorization-code grants, refresh and revocation, with each vendor's token policy.

Vendors differ on refresh (destination-apis.md §0): Salesloft issues a new refresh token and
revokes all older ones, Gong's are single-use, LinkedIn's are not rotated and expire 365 days
after the first authorization, Salesforce's are long-lived. Vendor modules format the responses.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sandbox.faults import Faults
from sandbox.store import Store


class Rotation(StrEnum):
    NONE = "none"  # the same refresh token keeps working
    SINGLE_USE = "single_use"  # a refresh token works once; the response carries the next one
    REVOKE_OLDER = "revoke_older"  # each refresh issues a new one and revokes every older one


@dataclass(frozen=True)
class OAuthPolicy:
    access_ttl: int  # seconds an access token lives
    rotation: Rotation
    refresh_ttl: int | None = None  # fixed lifetime from the first authorization (LinkedIn)
    code_ttl: int = 600


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    name: str = "Syncline"
    # Registered redirect URIs; empty accepts any loopback URI (the demo client).
    redirect_uris: tuple[str, ...] = ()

    def accepts_redirect(self, uri: str) -> bool:
        if self.redirect_uris:
            return uri in self.redirect_uris
        parts = urlsplit(uri)
        return parts.scheme in {"http", "https"} and parts.hostname in {
            "127.0.0.1",
            "localhost",
            "::1",
        }


DEMO_CLIENT = Client("syncline-demo", "syncline-demo-secret", "Syncline (demo)")


class OAuthError(Exception):
    """An OAuth error response: RFC 6749 `error` code and a description."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class TokenError(Exception):
    """A bearer token the API refuses; `reason` is missing, invalid, expired or revoked."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Grant:
    access_token: str
    refresh_token: str | None
    expires_in: int
    refresh_expires_in: int | None
    scope: str
    account: str
    issued_at: float = field(default_factory=time.time)


class OAuthServer:
    def __init__(self, store: Store, faults: Faults, clients: list[Client]) -> None:
        self.store = store
        self.faults = faults
        self.clients = {client.client_id: client for client in clients}

    # -- authorize -------------------------------------------------------------------------
    def check_authorize(self, client_id: str, redirect_uri: str) -> Client:
        """Errors here are shown to the person, never redirected (RFC 6749 §4.1.2.1)."""
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", f"Unknown client_id {client_id!r}.")
        if not redirect_uri or not client.accepts_redirect(redirect_uri):
            raise OAuthError(
                "invalid_request", f"redirect_uri {redirect_uri!r} is not registered for this app."
            )
        return client

    def issue_code(
        self,
        *,
        vendor: str,
        policy: OAuthPolicy,
        client_id: str,
        redirect_uri: str,
        scope: str,
        account: str,
    ) -> str:
        code = secrets.token_urlsafe(24)
        self.store.oauth["codes"][code] = {
            "vendor": vendor,
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "account": account,
            "expires_at": time.time() + policy.code_ttl,
            "used": False,
        }
        self.store.dirty = True
        return code

    # -- token endpoint --------------------------------------------------------------------
    def _client(self, client_id: str, client_secret: str) -> Client:
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(client.client_secret, client_secret or ""):
            raise OAuthError("invalid_client", "Client authentication failed.", status=401)
        return client

    def exchange_code(
        self,
        *,
        vendor: str,
        policy: OAuthPolicy,
        client_id: str,
        client_secret: str,
        code: str,
        redirect_uri: str,
    ) -> Grant:
        self._client(client_id, client_secret)
        entry = self.store.oauth["codes"].get(code)
        if entry is None or entry["vendor"] != vendor or entry["client_id"] != client_id:
            raise OAuthError("invalid_grant", "The authorization code is invalid.")
        if entry["used"]:
            # A replayed code: refuse, and (as RFC 6749 §4.1.2 advises) revoke what it issued.
            self._revoke_family(entry.get("family"))
            raise OAuthError("invalid_grant", "The authorization code has already been used.")
        if entry["expires_at"] < time.time():
            raise OAuthError("invalid_grant", "The authorization code has expired.")
        if entry["redirect_uri"] != redirect_uri:
            raise OAuthError(
                "invalid_grant", "redirect_uri does not match the authorization request."
            )
        family = secrets.token_hex(8)
        entry["used"] = True
        entry["family"] = family
        refresh_expires_at = time.time() + policy.refresh_ttl if policy.refresh_ttl else None
        return self._issue(
            vendor, policy, client_id, entry["scope"], entry["account"], family, refresh_expires_at
        )

    def refresh(
        self,
        *,
        vendor: str,
        policy: OAuthPolicy,
        client_id: str,
        client_secret: str,
        refresh_token: str,
    ) -> Grant:
        self._client(client_id, client_secret)
        entry = self.store.oauth["refresh"].get(refresh_token)
        if entry is None or entry["vendor"] != vendor or entry["client_id"] != client_id:
            raise OAuthError("invalid_grant", "The refresh token is invalid.")
        if entry["revoked"]:
            raise OAuthError("invalid_grant", "The refresh token was revoked.")
        expires_at = entry.get("expires_at")
        if expires_at is not None and expires_at < time.time():
            raise OAuthError("invalid_grant", "The refresh token has expired.")
        if policy.rotation is Rotation.NONE:
            grant = self._issue(
                vendor,
                policy,
                client_id,
                entry["scope"],
                entry["account"],
                entry["family"],
                expires_at,
                reuse_refresh=refresh_token,
            )
            return grant
        if policy.rotation is Rotation.REVOKE_OLDER:
            for other in self.store.oauth["refresh"].values():
                if other["family"] == entry["family"]:
                    other["revoked"] = True
        entry["revoked"] = True
        return self._issue(
            vendor, policy, client_id, entry["scope"], entry["account"], entry["family"], expires_at
        )

    def _issue(
        self,
        vendor: str,
        policy: OAuthPolicy,
        client_id: str,
        scope: str,
        account: str,
        family: str,
        refresh_expires_at: float | None,
        reuse_refresh: str | None = None,
    ) -> Grant:
        now = time.time()
        ttl = self.faults.token_ttl if self.faults.token_ttl is not None else policy.access_ttl
        access = secrets.token_urlsafe(32)
        self.store.oauth["access"][access] = {
            "vendor": vendor,
            "client_id": client_id,
            "scope": scope,
            "account": account,
            "family": family,
            "expires_at": now + ttl,
            "revoked": False,
        }
        refresh = reuse_refresh or secrets.token_urlsafe(32)
        if reuse_refresh is None:
            self.store.oauth["refresh"][refresh] = {
                "vendor": vendor,
                "client_id": client_id,
                "scope": scope,
                "account": account,
                "family": family,
                "expires_at": refresh_expires_at,
                "revoked": False,
            }
        self.store.dirty = True
        return Grant(
            access_token=access,
            refresh_token=refresh,
            expires_in=int(ttl),
            refresh_expires_in=int(refresh_expires_at - now) if refresh_expires_at else None,
            scope=scope,
            account=account,
            issued_at=now,
        )

    # -- API side --------------------------------------------------------------------------
    def authenticate(self, vendor: str, token: str | None) -> dict[str, Any]:
        if not token:
            raise TokenError("missing")
        entry = self.store.oauth["access"].get(token)
        if entry is None or entry["vendor"] != vendor:
            raise TokenError("invalid")
        if entry["revoked"]:
            raise TokenError("revoked")
        if entry["expires_at"] < time.time():
            raise TokenError("expired")
        return entry

    def revoke(self, vendor: str, token: str) -> bool:
        """Revoke an access or refresh token and everything issued from the same consent."""
        for kind in ("access", "refresh"):
            entry = self.store.oauth[kind].get(token)
            if entry is not None and entry["vendor"] == vendor:
                self._revoke_family(entry["family"])
                return True
        return False

    def _revoke_family(self, family: str | None) -> None:
        if not family:
            return
        for kind in ("access", "refresh"):
            for entry in self.store.oauth[kind].values():
                if entry["family"] == family:
                    entry["revoked"] = True
        self.store.dirty = True

    def revoke_refresh_tokens(self, vendor: str | None = None) -> int:
        count = 0
        for entry in self.store.oauth["refresh"].values():
            if (vendor is None or entry["vendor"] == vendor) and not entry["revoked"]:
                entry["revoked"] = True
                count += 1
        self.store.dirty = True
        return count

    def expire_access_tokens(self, vendor: str | None = None) -> int:
        count = 0
        now = time.time()
        for entry in self.store.oauth["access"].values():
            if (vendor is None or entry["vendor"] == vendor) and entry["expires_at"] > now:
                entry["expires_at"] = now - 1
                count += 1
        self.store.dirty = True
        return count
