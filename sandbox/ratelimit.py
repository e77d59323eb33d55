"""Fixed-window budgets, as the vendors count them (per minute, per second, per day)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    reset_in: float  # seconds until the window resets

    @property
    def retry_after(self) -> int:
        """Whole seconds to wait, as a Retry-After header carries them (at least 1)."""
        return max(1, math.ceil(self.reset_in))


class WindowBudget:
    """`limit` cost per `window` seconds per key, windows aligned to the clock as vendors do."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._used: dict[str, tuple[int, int]] = {}  # key -> (window number, cost used)

    def consume(self, key: str, cost: int = 1, *, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        number = int(now // self.window)
        reset_in = (number + 1) * self.window - now
        window_number, used = self._used.get(key, (number, 0))
        if window_number != number:
            used = 0
        if used + cost > self.limit:
            self._used[key] = (number, used)
            return Decision(False, max(0, self.limit - used), reset_in)
        used += cost
        self._used[key] = (number, used)
        return Decision(True, self.limit - used, reset_in)

    def used(self, key: str, *, now: float | None = None) -> int:
        now = time.time() if now is None else now
        window_number, used = self._used.get(key, (-1, 0))
        return used if window_number == int(now // self.window) else 0
