"""A clock tests move by hand, and the two places a rate-limit log can live."""

from __future__ import annotations

import threading
import uuid

import pytest

from config.services_probe import redis_url
from connections.destinations.ratelimit import Counter, DatabaseCounter, RedisCounter

# Both stores behave the same; Redis tests skip (or fail in CI) without a server.
STORES = [pytest.param("database", id="database"), pytest.param("redis", marks=pytest.mark.redis)]


def counter_for(store: str) -> Counter:
    if store == "redis":
        return RedisCounter(redis_url() or "")
    return DatabaseCounter()


def bucket() -> str:
    """A bucket no other test (or helper sharing the Redis database) uses."""
    return f"test:{uuid.uuid4().hex}"


class FakeTime:
    """Seconds since the epoch that only move when someone sleeps (or a test says so)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds
