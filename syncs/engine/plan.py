"""What one sync asks the engine to do, read once from the Sync row (Polytomic's shapes)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from syncs.models import Sync

# Raise when the engine turns a model row into a record differently (extract, values): every
# row digest stored before then stops matching, and each sync's next run reads every row once.
ROW_DIGEST_VERSION = 1


class PlanError(Exception):
    """The sync's settings can't be run as they are; the message says what to change."""


@dataclass(frozen=True)
class FieldMap:
    source: str  # the model column, as the sync names it (matched case-insensitively)
    target: str  # the destination field


@dataclass(frozen=True)
class SyncPlan:
    target: str
    mode: str
    identity_source: str | None
    identity_target: str | None
    identity_function: str
    fields: tuple[FieldMap, ...]
    overrides: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """The model columns the run reads: the identity first, then each mapped one once."""
        wanted = [self.identity_source] if self.identity_source else []
        wanted += [m.source for m in self.fields]
        return list(dict.fromkeys(wanted))

    @property
    def fingerprint(self) -> str:
        """What delivered state belongs to: another target, mode or identity starts afresh."""
        key = {
            "target": self.target,
            "mode": self.mode,
            "identity": [
                (self.identity_source or "").lower(),
                self.identity_target or "",
                self.identity_function.lower(),
            ],
        }
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]

    @property
    def row_seed(self) -> str:
        """What salts the source's row digests (Source.row_digest): everything that makes a
        model row into the record sent. A row digested under other settings (another mapping,
        override or option; another way of normalising values) never matches a delivered one,
        so the run reads every row instead of trusting the old digests."""
        key = {
            "version": ROW_DIGEST_VERSION,
            "fingerprint": self.fingerprint,
            "fields": [(m.source, m.target) for m in self.fields],
            "overrides": self.overrides,
            "options": self.options,
        }
        text = json.dumps(key, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @classmethod
    def from_sync(cls, sync: Sync) -> SyncPlan:
        identity = sync.identity or {}
        source = (identity.get("source") or {}).get("field") if identity else None
        fields = []
        overrides: dict[str, Any] = {}
        for mapping in sync.fields or []:
            target = mapping.get("target")
            if not target:
                raise PlanError("A field mapping has no target field; remove or complete it.")
            column = (mapping.get("source") or {}).get("field")
            if column:
                fields.append(FieldMap(str(column), str(target)))
            elif "override_value" in mapping:
                overrides[str(target)] = mapping["override_value"]
        for override in sync.override_fields or []:
            if override.get("target"):
                overrides[str(override["target"])] = override.get("override_value")
        if not sync.target_object:
            raise PlanError("The sync has no target yet: pick one, or let its first run create it.")
        return cls(
            target=sync.target_object,
            mode=sync.mode,
            identity_source=str(source) if source else None,
            identity_target=str(identity.get("target")) if identity.get("target") else None,
            identity_function=str(identity.get("function") or "Equality"),
            fields=tuple(fields),
            overrides=overrides,
            options=dict(sync.target_configuration or {}),
        )
