"""Per-account rate limits shared by every worker: clock-aligned windows, as the vendors count.

A vendor allows `limit` cost per `window` seconds (Salesloft 600 per minute per team, Gong 3 per
second per company, ...). Each call first reserves its cost in the current window; when the
window is spent it waits for the next one instead of collecting a 429. The count lives in Redis
when one is configured (production), else in the app database (the embedded default).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction


@dataclass(frozen=True)
class RateLimit:
    limit: int  # cost per window
    window: float  # seconds

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window <= 0:
            raise ValueError(
                f"a rate limit needs at least 1 call per a positive number of seconds, not "
                f"{self.limit}/{self.window}"
            )

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """'600/60' → 600 cost per 60 seconds (the sandbox's budget notation)."""
        limit, window = text.split("/", 1)
        return cls(int(limit), float(window))


def configured_rate_limit(
    configuration: dict[str, object], default: RateLimit, *, connection_name: str
) -> RateLimit:
    """The vendor's limit, or the connection's own `rate_limit` ("LIMIT/SECONDS") when an
    account has a different allowance (or shares it with other tools and wants to leave room)."""
    from connections.destinations.errors import DestinationError

    text = configuration.get("rate_limit")
    if not text:
        return default
    try:
        return RateLimit.parse(str(text))
    except ValueError as error:
        raise DestinationError(
            f"The rate limit setting {text!r} of {connection_name} is not LIMIT/SECONDS with at "
            f"least 1 call (for example {default.limit}/{default.window:g})."
        ) from error


class Counter(Protocol):
    def add(self, key: str, window_number: int, cost: int, ttl: float) -> int:
        """Add cost to the key's count in that window; returns the new count."""


class DatabaseCounter:
    """Counts in the app database; a row lock makes concurrent workers count in turn."""

    def add(self, key: str, window_number: int, cost: int, ttl: float) -> int:
        from connections.models import RateLimitWindow

        with transaction.atomic():
            row, _ = RateLimitWindow.objects.select_for_update().get_or_create(
                key=key, defaults={"window": window_number, "used": 0}
            )
            if row.window != window_number:
                row.window, row.used = window_number, 0
            row.used += cost
            row.save(update_fields=["window", "used"])
            return row.used


class RedisCounter:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    def add(self, key: str, window_number: int, cost: int, ttl: float) -> int:
        name = f"syncline:ratelimit:{key}:{window_number}"
        pipeline = self.client.pipeline()
        pipeline.incrby(name, cost)
        pipeline.expire(name, max(1, int(ttl) + 1))
        used, _ = pipeline.execute()
        return int(used)


def default_counter() -> Counter:
    url = getattr(settings, "RATE_LIMIT_REDIS_URL", "")
    return RedisCounter(url) if url else DatabaseCounter()


class WindowLimiter:
    def __init__(
        self,
        counter: Counter | None = None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.counter = counter or default_counter()
        self.clock = clock
        self.sleep = sleep

    def acquire(self, key: str, rate: RateLimit, cost: int = 1) -> float:
        """Block until `cost` fits in a window; returns the seconds waited."""
        if cost > rate.limit:
            # It would never fit: waiting forever helps nobody.
            raise ValueError(f"a call costing {cost} can never fit a limit of {rate.limit}")
        waited = 0.0
        while True:
            now = self.clock()
            number = int(now // rate.window)
            if self.counter.add(key, number, cost, rate.window) <= rate.limit:
                return waited
            # Spent: wait for the next window, plus a little jitter so workers don't stampede.
            pause = (number + 1) * rate.window - now + random.uniform(0.005, 0.05)  # noqa: S311
            self.sleep(pause)
            waited += pause

    def seconds_to_next_window(self, rate: RateLimit) -> float:
        now = self.clock()
        return (int(now // rate.window) + 1) * rate.window - now
