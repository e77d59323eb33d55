"""Vendor budgets (per minute, per second, per day), counted on the sandbox's own clock.

Vendors rarely say how they count "600 per minute": in windows aligned to their clock, or in a
rolling window. The sandbox counts the stricter way by default, **rolling**: no stretch of
`window` seconds may hold more than `limit` cost, wherever it starts. A budget can ask for
**fixed** windows instead ("600/60/fixed"), which the sandbox starts where its own monotonic
clock says, not where a client's wall clock does: a client that only stays within windows
aligned like its own would pass by construction, and must not.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic

ROLLING, FIXED = "rolling", "fixed"
WINDOW_KINDS = (ROLLING, FIXED)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    reset_in: float  # seconds until the cost asked for (refused) or the first cost (allowed) frees

    @property
    def retry_after(self) -> int:
        """Whole seconds to wait, as a Retry-After header carries them (at least 1)."""
        return max(1, math.ceil(self.reset_in))


class WindowBudget:
    """`limit` cost per `window` seconds per key, rolling (default) or in fixed windows."""

    def __init__(
        self,
        limit: int,
        window: float,
        windows: str = ROLLING,
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if windows not in WINDOW_KINDS:
            raise ValueError(f"windows must be one of {WINDOW_KINDS}, not {windows!r}")
        self.limit = limit
        self.window = window
        self.windows = windows
        self.clock = clock or monotonic  # the sandbox's own, never the client's
        self._fixed: dict[str, tuple[int, int]] = {}  # key -> (window number, cost used)
        self._rolling: dict[str, deque[tuple[float, int]]] = {}  # key -> [(time, cost)]
        self._totals: dict[str, int] = {}  # key -> the cost in its rolling log

    def consume(self, key: str, cost: int = 1, *, now: float | None = None) -> Decision:
        now = self.clock() if now is None else now
        if self.windows == FIXED:
            return self._consume_fixed(key, cost, now)
        return self._consume_rolling(key, cost, now)

    def used(self, key: str, *, now: float | None = None) -> int:
        now = self.clock() if now is None else now
        if self.windows == FIXED:
            number, used = self._fixed.get(key, (-1, 0))
            return used if number == int(now // self.window) else 0
        self._recent(key, now)
        return self._totals.get(key, 0)

    # -- fixed windows ---------------------------------------------------------------------
    def _consume_fixed(self, key: str, cost: int, now: float) -> Decision:
        number = int(now // self.window)
        reset_in = (number + 1) * self.window - now
        window_number, used = self._fixed.get(key, (number, 0))
        if window_number != number:
            used = 0
        if used + cost > self.limit:
            self._fixed[key] = (number, used)
            return Decision(False, max(0, self.limit - used), reset_in)
        used += cost
        self._fixed[key] = (number, used)
        return Decision(True, self.limit - used, reset_in)

    # -- a rolling window ------------------------------------------------------------------
    def _recent(self, key: str, now: float) -> deque[tuple[float, int]]:
        """The key's calls of the last window, oldest first (older ones forgotten)."""
        log = self._rolling.setdefault(key, deque())
        while log and log[0][0] <= now - self.window:
            self._totals[key] -= log.popleft()[1]
        return log

    def _consume_rolling(self, key: str, cost: int, now: float) -> Decision:
        log = self._recent(key, now)
        used = self._totals.setdefault(key, 0)
        if used + cost > self.limit:
            return Decision(False, max(0, self.limit - used), self._frees(log, used + cost, now))
        log.append((now, cost))
        self._totals[key] = used + cost
        return Decision(True, self.limit - used - cost, log[0][0] + self.window - now)

    def _frees(self, log: deque[tuple[float, int]], wanted: int, now: float) -> float:
        """Seconds until the oldest calls, ageing out, leave room for `wanted` in all."""
        freed = 0
        for at, cost in log:
            freed += cost
            if wanted - freed <= self.limit:
                return max(0.0, at + self.window - now)
        return self.window
