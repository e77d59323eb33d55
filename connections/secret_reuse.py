"""When a warehouse connection's saved secrets may be reused: only where they were saved for.

Forms never show a saved password; leaving its box empty keeps it. That must not let anyone
who can edit the connection point it at a server of their own and have Syncline send the saved
password there. So the settings that decide where a secret goes, or who can read it on the
way, are compared with the saved ones; when one changed, saved secrets are not sent and the
person must type them again:

- Snowflake: the account (it makes the host), host, port, protocol (http sends it in clear)
  and the username (another user's password for this one would be a guess by Syncline).
- PostgreSQL: host, port, username, and a weaker SSL mode (a stronger one is safe). The
  database is not among them: the password goes to the same server, which already checks it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

# libpq's modes, weakest first (https://www.postgresql.org/docs/current/libpq-ssl.html).
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _lower(value: Any) -> str:
    return _text(value).lower()


@dataclass(frozen=True)
class Setting:
    """A setting that decides where a secret goes; `read` gives its comparable value."""

    label: str
    read: Callable[[Mapping[str, Any]], str]
    weaker_only: bool = False  # a change counts only when it weakens (the SSL mode)


def _key(name: str, default: str = "", *, lower: bool = True) -> Callable[[Mapping[str, Any]], str]:
    def read(configuration: Mapping[str, Any]) -> str:
        value = _lower(configuration.get(name)) if lower else _text(configuration.get(name))
        return value or default

    return read


def _username(configuration: Mapping[str, Any]) -> str:
    # The sources read `username`, falling back to `user`.
    return _text(configuration.get("username") or configuration.get("user"))


def _ssl_rank(configuration: Mapping[str, Any]) -> str:
    mode = _lower(configuration.get("sslmode")) or "prefer"
    return str(SSL_MODES.index(mode)) if mode in SSL_MODES else "0"


# Per warehouse type, the settings naming who receives its secrets ("destination" is kept for
# the tools Syncline syncs into). The defaults are the sources' own, so "left empty" and "the
# default typed" compare equal.
RECIPIENT_SETTINGS: dict[str, tuple[Setting, ...]] = {
    "snowflake": (
        Setting("account", _key("account")),
        Setting("host", _key("host")),
        Setting("port", _key("port", "443")),
        Setting("protocol", _key("protocol", "https")),
        Setting("username", _username),
    ),
    "postgresql": (
        Setting("host", _key("host", "127.0.0.1")),
        Setting("port", _key("port", "5432")),
        Setting("username", _username),
        Setting("SSL mode", _ssl_rank, weaker_only=True),
    ),
}


def recipient_changes(
    type_key: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """Labels of the settings that send secrets to another recipient than `before` did."""
    changed = []
    for setting in RECIPIENT_SETTINGS.get(type_key, ()):
        old, new = setting.read(before), setting.read(after)
        if setting.weaker_only:
            if int(new) < int(old):
                changed.append(setting.label)
        elif old != new:
            changed.append(setting.label)
    return changed


def _join(labels: list[str]) -> str:
    named = [f"the {label}" for label in labels]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


class SecretsNeeded(ValidationError):
    """Saved secrets may not go where the new settings point: they must be typed again."""

    def __init__(self, type_key: str, changes: list[str]) -> None:
        self.changes = changes
        also = " (or paste the private key again)" if type_key == "snowflake" else ""
        super().__init__(
            f"You changed {_join(changes)}, so enter the password again{also}: Syncline sends "
            "a saved password only to the server it was saved for.",
            code="secrets_needed",
        )


def secrets_to_use(
    *,
    type_key: str,
    saved_configuration: Mapping[str, Any],
    saved_secrets: Mapping[str, Any],
    configuration: Mapping[str, Any],
    typed: Mapping[str, Any],
) -> dict[str, Any]:
    """The secrets to connect with: the typed ones over the saved ones — or, when the
    settings now point elsewhere, the typed ones only (SecretsNeeded when none were typed
    but some are saved)."""
    typed = {key: value for key, value in typed.items() if value not in (None, "")}
    saved = {key: value for key, value in saved_secrets.items() if value not in (None, "")}
    changes = recipient_changes(type_key, saved_configuration, configuration)
    if not changes:
        return {**saved, **typed}
    if not typed and saved:
        raise SecretsNeeded(type_key, changes)
    return typed
