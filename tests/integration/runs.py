"""Running a sync through a real worker until it is done, and reading what the sandbox saw."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
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
def answers_lost(
    sandbox: RunningSandbox, *, method: str, path_ends: str, calls: set[int]
) -> Iterator[list[int]]:
    """The sandbox's lost_answer fault, on chosen calls instead of random ones: the `calls`-th
    (1-based) such request is applied as usual and its answer then held past the client's
    timeout. Yields the numbers of the calls whose answers were lost, as they are."""
    app = sandbox.server.app
    seen: list[int] = []
    lost: list[int] = []

    def losing(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        answer = app(environ, start_response)
        if environ["REQUEST_METHOD"] == method and environ["PATH_INFO"].endswith(path_ends):
            seen.append(1)
            if len(seen) in calls:
                lost.append(len(seen))
                time.sleep(sandbox.app.faults.timeout_seconds)
        return answer

    sandbox.server.app = losing
    try:
        yield lost
    finally:
        sandbox.server.app = app
