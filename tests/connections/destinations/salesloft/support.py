"""Reading the Salesloft sandbox's state and request log from a test."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from connections.destinations.salesloft.destination import SalesloftDestination
from sandbox.server import RunningSandbox

CADENCE = "cadence:1001"


def stored(http: httpx.Client, sandbox: RunningSandbox, table: str) -> list[dict[str, Any]]:
    return http.get(f"{sandbox.url}/_sandbox/records/salesloft/{table}").json()["data"]


def request_counts(http: httpx.Client, sandbox: RunningSandbox) -> dict[str, int]:
    return http.get(f"{sandbox.url}/_sandbox/requests").json()["counts"]


def clear_log(http: httpx.Client, sandbox: RunningSandbox) -> None:
    http.delete(f"{sandbox.url}/_sandbox/requests")


def stored_person(http: httpx.Client, sandbox: RunningSandbox, email: str) -> dict[str, Any]:
    """The stored person with this e-mail, matched as Salesloft matches it (any case)."""
    people = stored(http, sandbox, "people")
    return next(p for p in people if (p["email_address"] or "").lower() == email.lower())


def settled_log(http: httpx.Client, sandbox: RunningSandbox, total: int) -> dict[str, int]:
    """The request counts once `total` requests are logged: a call the client gave up on is
    logged when the sandbox finally answers it."""
    deadline = time.monotonic() + 5
    while True:
        summary = http.get(f"{sandbox.url}/_sandbox/requests").json()
        if summary["total"] >= total or time.monotonic() > deadline:
            return summary["counts"]
        time.sleep(0.05)


def emulator(sandbox: RunningSandbox) -> Any:
    return sandbox.app.emulators["salesloft"]


def from_call(destination: SalesloftDestination, number: int, then: Callable[[], None]) -> None:
    """Run `then` (e.g. switch on a sandbox fault) just before the destination's n-th call."""
    calls = {"n": 0}
    real = destination.http.request

    def counting(method: str, path: str, **kwargs: Any) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == number:
            then()
        return real(method, path, **kwargs)

    destination.http.backoff_base = 0.01  # retries of an idempotent call are quick in tests
    destination.http.request = counting  # type: ignore[method-assign]
