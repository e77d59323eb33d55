"""The sandbox state: records per vendor and object, ids and OAuth grants; optionally on disk."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any


class Store:
    """Plain JSON-able dicts behind one re-entrant lock; requests are served one at a time."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.collections: dict[str, dict[str, dict[str, Any]]] = {}
        self.sequences: dict[str, int] = {}
        self.oauth: dict[str, dict[str, dict[str, Any]]] = {
            "codes": {},
            "access": {},
            "refresh": {},
        }
        self.dirty = False

    def table(self, vendor: str, name: str) -> dict[str, dict[str, Any]]:
        """Records of one object type, by id (ids are strings, as in JSON)."""
        return self.collections.setdefault(f"{vendor}/{name}", {})

    def tables(self) -> list[str]:
        return sorted(self.collections)

    def next_id(self, vendor: str, name: str, start: int = 1) -> int:
        key = f"{vendor}/{name}"
        value = max(self.sequences.get(key, start - 1) + 1, start)
        self.sequences[key] = value
        return value

    def clear_records(self) -> None:
        self.collections.clear()
        self.sequences.clear()
        self.dirty = True

    def clear_oauth(self) -> None:
        self.oauth = {"codes": {}, "access": {}, "refresh": {}}
        self.dirty = True

    def to_json(self) -> dict[str, Any]:
        return {"collections": self.collections, "sequences": self.sequences, "oauth": self.oauth}

    def load(self, path: Path) -> bool:
        """Read a state file written by save(); False if there is none yet."""
        if not path.exists():
            return False
        data = json.loads(path.read_text())
        self.collections = data.get("collections", {})
        self.sequences = data.get("sequences", {})
        self.oauth = data.get("oauth", {"codes": {}, "access": {}, "refresh": {}})
        return True

    def save(self, path: Path) -> None:
        with self.lock:
            payload = json.dumps(self.to_json(), separators=(",", ":"))
            self.dirty = False
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(payload)
        temporary.replace(path)  # atomic: a crash never leaves half a file
