"""What the wizard remembers between "Connect with …" and the vendor's redirect back.

It lives in the person's session, keyed by connection type (two tabs connecting two tools don't
collide). The organization comes from here, never from the callback's query string. A secret
typed before the consent step (Salesforce's own client secret) is kept encrypted, as at rest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from connections.encryption import decrypt_json, encrypt_json

PENDING_KEY = "syncline_oauth_pending"
LINK_DONE_KEY = "syncline_oauth_links_done"
ERROR_KEY = "syncline_wizard_errors"


@dataclass
class PendingAuthorization:
    type: str
    organization_id: str
    name: str
    # Set when reconnecting: the tokens replace that connection's, nothing new is made.
    connection_id: str | None = None
    configuration: dict[str, Any] = field(default_factory=dict)
    encrypted_secrets: str = ""  # encrypt_json of secrets typed before consent
    # Set when the consent was started by an auth_url (connections/oauth/links.py): nobody is
    # signed in, and the organization is the link's connection's, checked when it was opened.
    link_id: str | None = None

    @property
    def secrets(self) -> dict[str, Any]:
        return decrypt_json(self.encrypted_secrets) if self.encrypted_secrets else {}


def pending_start(
    session: SessionBase,
    *,
    type: str,
    organization_id: str,
    name: str,
    connection_id: str | None = None,
    configuration: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    link_id: str | None = None,
) -> PendingAuthorization:
    pending = PendingAuthorization(
        type=type,
        organization_id=str(organization_id),
        name=name,
        connection_id=str(connection_id) if connection_id else None,
        configuration=dict(configuration or {}),
        encrypted_secrets=encrypt_json(secrets) if secrets else "",
        link_id=link_id,
    )
    session[PENDING_KEY] = {**session.get(PENDING_KEY, {}), type: asdict(pending)}
    return pending


def pending_get(session: SessionBase, type: str) -> PendingAuthorization | None:
    data = session.get(PENDING_KEY, {}).get(type)
    return PendingAuthorization(**data) if data else None


def pending_pop(session: SessionBase, type: str) -> PendingAuthorization | None:
    pending = pending_get(session, type)
    if pending is not None:
        remaining = {k: v for k, v in session.get(PENDING_KEY, {}).items() if k != type}
        session[PENDING_KEY] = remaining
    return pending


def wizard_error_set(session: SessionBase, page: str, message: str) -> None:
    """A message for the wizard page the person is sent back to (a type, or a connection id)."""
    session[ERROR_KEY] = {**session.get(ERROR_KEY, {}), page: message}


def wizard_error_pop(session: SessionBase, page: str) -> str:
    errors = dict(session.get(ERROR_KEY, {}))
    message = errors.pop(page, "")
    if message:
        session[ERROR_KEY] = errors
    return message


def link_done_remember(session: SessionBase, link: Any) -> None:
    """The auth_url consents this browser finished: only they may show their result page."""
    done = [str(link.pk), *session.get(LINK_DONE_KEY, [])]
    session[LINK_DONE_KEY] = done[:20]


def link_done_seen(session: SessionBase, link_id: str) -> bool:
    return str(link_id) in session.get(LINK_DONE_KEY, [])
