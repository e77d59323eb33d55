"""Running a sync through a real worker until it is done, and reading what the sandbox saw."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from sandbox.server import RunningSandbox
from syncs.models import Sync, SyncExecution, SyncState
from tests.integration.worker import Worker


def run_until_done(
    running: Worker, sync: Sync, *, most: int, timeout: float = 60
) -> list[SyncExecution]:
    """Executions of the sync, one after the other, until one completes with nothing in doubt:
    a run stops when a batch fails after its retries (or a create may have been applied) and
    the next run resumes from the committed state. At most `most` runs."""
    executions = []
    for _ in range(most):
        execution = SyncExecution.objects.create(sync=sync, status=SyncExecution.Status.QUEUED)
        running.send(execution)
        executions.append(running.wait(execution, timeout=timeout))
        doubtful = SyncState.objects.filter(sync=sync, in_doubt=True).exists()
        if executions[-1].status == "completed" and not doubtful:
            return executions
    summary = [(e.status, e.errors[-1:] if e.errors else "") for e in executions]
    raise AssertionError(f"not done after {most} runs: {summary}")


def request_log(http: httpx.Client, sandbox: RunningSandbox, vendor: str) -> list[dict[str, Any]]:
    return http.get(f"{sandbox.url}/_sandbox/requests", params={"vendor": vendor}).json()[
        "requests"
    ]


def settled_log(http: httpx.Client, sandbox: RunningSandbox, vendor: str) -> list[dict[str, Any]]:
    """The vendor's request log once the calls hanging in the sandbox have been answered (the
    client gave up on them long ago; the sandbox logs a call when it answers), then cleared."""
    faults = sandbox.app.faults
    if faults.timeout_rate or faults.lost_answer_rate:
        time.sleep(faults.timeout_seconds + 0.2)
    log = request_log(http, sandbox, vendor)
    http.delete(f"{sandbox.url}/_sandbox/requests")
    return log


def stored(http: httpx.Client, sandbox: RunningSandbox, vendor: str, table: str) -> list[Any]:
    return http.get(f"{sandbox.url}/_sandbox/records/{vendor}/{table}").json()["data"]


@contextmanager
def after_calls(
    sandbox: RunningSandbox, *, method: str, path_contains: str, then: Callable[[int], None]
) -> Iterator[None]:
    """Each matching request is answered by the sandbox as usual, then `then(n)` runs (n counts
    the matching calls from 1) before the answer leaves: a fault on chosen calls, not random."""
    app = sandbox.server.app
    seen = 0

    def wrapped(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        nonlocal seen
        answer = app(environ, start_response)
        if environ["REQUEST_METHOD"] == method and path_contains in environ["PATH_INFO"]:
            seen += 1
            then(seen)
        return answer

    sandbox.server.app = wrapped
    try:
        yield
    finally:
        sandbox.server.app = app


@contextmanager
def answers_lost(
    sandbox: RunningSandbox, *, method: str, path_contains: str, calls: set[int]
) -> Iterator[list[int]]:
    """The sandbox's lost_answer fault on chosen calls instead of random ones: the n-th matching
    request (n in `calls`) is applied as usual and its answer then held past the client's
    timeout. Yields the numbers of the calls whose answers were lost, as they are."""
    lost: list[int] = []

    def lose(n: int) -> None:
        if n in calls:
            lost.append(n)
            time.sleep(sandbox.app.faults.timeout_seconds)

    with after_calls(sandbox, method=method, path_contains=path_contains, then=lose):
        yield lost


def busiest_window(calls: list[dict[str, Any]], window: float) -> int:
    """The most calls the sandbox took within any `window` seconds, by when each reached it
    (the log's answer time less the call's duration: the sandbox's clock, not a worker's)."""
    arrivals = sorted(call["at"] - call["duration_ms"] / 1000 for call in calls)
    busiest, first = 0, 0
    for last, arrived in enumerate(arrivals):
        while arrived - arrivals[first] >= window:
            first += 1
        busiest = max(busiest, last - first + 1)
    return busiest
