"""A password typed for Test, kept for the Save that follows — server-side, encrypted, briefly.

Password boxes are never filled back in (DESIGN.md §9), so after a successful Test the box is
empty and Save would ask for it again. Instead the secrets typed are kept in the person's
session (server-side rows in the app database), encrypted with FIELD_ENCRYPTION_KEYS like a
connection's secrets, for one form (a connection, or a new one of a type), for
KEEP_SECONDS, and only for the settings they were typed for: pointing the form at another
host, port, user (see secret_reuse) drops them. A save or a log-out forgets them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from connections.encryption import SecretDecryptionError, decrypt_json, encrypt_json
from connections.secret_reuse import recipient_changes

SESSION_KEY = "connections.kept_secrets"
KEEP_SECONDS = 15 * 60


class KeptSecrets:
    """The secrets kept for one connection form in one session."""

    def __init__(self, session: Any, *, type_key: str, connection_id: object = None) -> None:
        self.session = session
        self.type_key = type_key
        self.slot = f"{type_key}:{connection_id or 'new'}"

    def _entries(self) -> dict[str, Any]:
        return dict(self.session.get(SESSION_KEY) or {})

    def keep(self, *, configuration: Mapping[str, Any], secrets: Mapping[str, Any]) -> None:
        secrets = {key: value for key, value in secrets.items() if value not in (None, "")}
        if not secrets:
            return
        entries = self._entries()
        entries[self.slot] = {
            "configuration": {key: str(value) for key, value in configuration.items()},
            "secrets": encrypt_json(secrets),
            "until": time.time() + KEEP_SECONDS,
        }
        # Another form's expired entries go too: the session never collects old secrets.
        self.session[SESSION_KEY] = {
            slot: entry for slot, entry in entries.items() if entry["until"] > time.time()
        }

    def recall(self, *, configuration: Mapping[str, Any]) -> dict[str, Any]:
        """The secrets kept for these settings; empty when none, expired or pointed elsewhere."""
        entry = self._entries().get(self.slot)
        if not entry or entry["until"] <= time.time():
            return {}
        if recipient_changes(self.type_key, entry["configuration"], configuration):
            return {}
        try:
            return dict(decrypt_json(entry["secrets"]))
        except SecretDecryptionError:  # the keys were rotated meanwhile: ask again
            return {}

    def forget(self) -> None:
        entries = self._entries()
        if entries.pop(self.slot, None) is not None:
            self.session[SESSION_KEY] = entries
