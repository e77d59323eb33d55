"""Faults the sandbox injects on demand: 5xx, 429, slow responses, timeouts, short-lived tokens."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sandbox.ratelimit import ROLLING, WINDOW_KINDS


@dataclass
class Faults:
    # Fractions (0..1) of API requests answered with the vendor's 5xx / 429 error.
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    # Every API response is delayed this long.
    slow_ms: int = 0
    # A fraction of API requests hang this long before answering (the client should time out).
    timeout_rate: float = 0.0
    timeout_seconds: float = 30.0
    # A fraction of API requests applied as usual whose answer then hangs timeout_seconds: the
    # vendor did the work but the client gave up waiting (a create that may have been applied).
    lost_answer_rate: float = 0.0
    # Access tokens issued from now on expire after this many seconds (None: the vendor's lifetime).
    token_ttl: int | None = None
    # Vendors the rates above apply to; empty means every vendor.
    vendors: list[str] = field(default_factory=list)
    # Rate-limit budgets overriding a vendor's own, e.g. {"salesloft": "600/6"} (cost per seconds,
    # in a rolling window; "600/6/fixed" counts in fixed windows of the sandbox's clock instead).
    budgets: dict[str, str] = field(default_factory=dict)
    seed: int | None = None

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - fault injection, not security

    def applies_to(self, vendor: str) -> bool:
        return not self.vendors or vendor in self.vendors

    def roll(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate

    def update(self, values: dict[str, Any]) -> None:
        """Change settings at runtime; unknown names are refused with the list of known ones."""
        known = {item.name for item in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"Unknown fault setting(s) {unknown}; known: {sorted(known)}")
        for name, value in values.items():
            setattr(self, name, value)
        if "seed" in values:
            self._random = random.Random(self.seed)  # noqa: S311
        self.validate()

    def validate(self) -> None:
        for name in ("error_rate", "rate_limit_rate", "timeout_rate", "lost_answer_rate"):
            value = getattr(self, name)
            if not 0 <= float(value) <= 1:
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
        for vendor, budget in self.budgets.items():
            parse_budget(budget, label=f"budget for {vendor}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_budget(text: str, *, label: str = "budget") -> tuple[int, float, str]:
    """'600/60' → (600, 60.0, "rolling"): that much cost (or that many calls) in any stretch of
    that many seconds; '600/60/fixed' counts in fixed windows instead (see sandbox/ratelimit.py)."""
    parts = text.split("/")
    windows = parts.pop().strip().lower() if len(parts) == 3 else ROLLING
    try:
        limit, window = parts
        parsed = int(limit), float(window)
    except ValueError as error:
        raise ValueError(
            f"{label} must look like LIMIT/SECONDS or LIMIT/SECONDS/fixed (e.g. 600/6), not "
            f"{text!r}"
        ) from error
    if parsed[0] <= 0 or parsed[1] <= 0:
        raise ValueError(f"{label} must be positive, not {text!r}")
    if windows not in WINDOW_KINDS:
        raise ValueError(
            f"{label} counts in {' or '.join(WINDOW_KINDS)} windows, not {windows!r} ({text!r})"
        )
    return parsed[0], parsed[1], windows
