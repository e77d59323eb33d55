"""Secrets used as markers, and a search for them in whatever Syncline shows, says or keeps.

A marker is a secret value a test planted or Syncline stored (a password, an API key, an OAuth
token). It is looked for as written and in the encodings a leak would most likely take on its
way out: percent-encoded (a query string, a form body) and base64 (an Authorization: Basic
header, a token folded into a longer encoded blob, at any of base64's three alignments).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

# Shorter values (a port, "demo") would be found by chance in any page.
SHORTEST_MARKER = 12


def _base64_forms(value: str) -> set[str]:
    """The part of base64(… + value + …) that spells value whatever comes before or after it.

    Base64 packs 3 bytes into 4 characters, so a value's encoding depends on its offset in the
    encoded bytes (0, 1 or 2 mod 3); the characters touched by its neighbours are dropped.
    """
    raw = value.encode()
    forms = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode().rstrip("=")
        start = 0 if offset == 0 else (offset * 4 + 2) // 3
        end = 4 * (len(raw) + offset) // 3  # the last characters made of the value's bits only
        core = encoded[start:end]
        if len(core) >= SHORTEST_MARKER:
            forms.add(core)
            forms.add(core.replace("+", "-").replace("/", "_"))  # urlsafe
    return forms


def encoded_forms(value: str) -> dict[str, str]:
    """The value as written and as it would look encoded: {form name: text}."""
    forms = {"as written": value}
    for name, encoded in (
        ("percent-encoded", quote(value, safe="")),
        ("form-encoded", quote_plus(value)),
    ):
        if encoded != value:
            forms[name] = encoded
    for index, encoded in enumerate(sorted(_base64_forms(value))):
        forms[f"base64 #{index + 1}"] = encoded
    return forms


@dataclass
class Markers:
    """Labelled secret values; `hits` says which of them a text holds, and in what form."""

    values: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, value: Any) -> None:
        text = "" if value is None else str(value)
        if len(text) >= SHORTEST_MARKER and text not in self.values.values():
            self.values[label] = text

    def add_secrets(self, label: str, secrets: Mapping[str, Any]) -> None:
        """Every secret value of a mapping (a connection's decrypted secrets)."""
        for key, value in secrets.items():
            if isinstance(value, str):
                self.add(f"{label} {key}", value)
                if "BEGIN" in value:  # a PEM: each line of its body is a marker of its own
                    for number, line in enumerate(value.splitlines()):
                        if "BEGIN" not in line and "END" not in line:
                            self.add(f"{label} {key} line {number}", line.strip())

    def _forms(self) -> list[tuple[str, str, str]]:
        if getattr(self, "_cache_key", None) != tuple(self.values.items()):
            self._cache = [
                (label, form, text)
                for label, value in self.values.items()
                for form, text in encoded_forms(value).items()
            ]
            self._cache_key = tuple(self.values.items())
        return self._cache

    def hits(self, text: str) -> list[str]:
        """ "label (form)" for each marker the text holds."""
        return [f"{label} ({form})" for label, form, value in self._forms() if value in text]


def connection_markers(connections: Iterable[Any], markers: Markers | None = None) -> Markers:
    """The decrypted secrets Syncline stored on these connections, as markers."""
    markers = markers or Markers()
    for connection in connections:
        markers.add_secrets(f"{connection.type} “{connection.name}”", connection.secrets)
    return markers
