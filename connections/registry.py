"""The connection types Syncline knows: a plain dict from type key to its description.

Source and destination connector classes register here in their own modules (DESIGN.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SOURCE = "source"
    DESTINATION = "destination"


@dataclass(frozen=True)
class ConnectionType:
    key: str
    name: str
    roles: tuple[Role, ...]
    # Configuration keys that are secrets: stored encrypted, never rendered back.
    secret_keys: tuple[str, ...]


CONNECTION_TYPES: dict[str, ConnectionType] = {
    spec.key: spec
    for spec in (
        ConnectionType(
            "snowflake",
            "Snowflake",
            (Role.SOURCE,),
            ("password", "private_key", "private_key_passphrase"),
        ),
        ConnectionType("postgresql", "PostgreSQL", (Role.SOURCE,), ("password",)),
        ConnectionType(
            "salesloft",
            "Salesloft",
            (Role.DESTINATION,),
            ("api_key", "access_token", "refresh_token"),
        ),
        ConnectionType("gong", "Gong", (Role.DESTINATION,), ("access_token", "refresh_token")),
        ConnectionType(
            "linkedinads", "LinkedIn Ads", (Role.DESTINATION,), ("access_token", "refresh_token")
        ),
        ConnectionType(
            "salesforce",
            "Salesforce",
            (Role.SOURCE, Role.DESTINATION),
            ("client_secret", "access_token", "refresh_token"),
        ),
    )
}

CONNECTION_TYPE_CHOICES = [(spec.key, spec.name) for spec in CONNECTION_TYPES.values()]
