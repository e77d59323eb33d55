"""Find the local services the test suite and `make demo` can use, without waiting on them."""

from __future__ import annotations

import os
import socket

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def postgres_url_if_reachable() -> str | None:
    return DEFAULT_POSTGRES_URL if port_open("127.0.0.1", 5432) else None


def redis_url() -> str | None:
    """The Redis to test against: REDIS_URL, a redis:// broker URL, or a local server."""
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        value = os.environ.get(name, "")
        if value.startswith("redis://"):
            return value
    return DEFAULT_REDIS_URL if port_open("127.0.0.1", 6379) else None
