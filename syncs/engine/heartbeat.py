"""A running execution's pulse: a thread stamps heartbeat_at while the run works (a batch can
wait minutes on a vendor's rate limit), so the reaper can tell a slow run from a dead worker."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from django.db import connection
from django.utils import timezone

from syncs.models import SyncExecution


@contextmanager
def heartbeat(execution_id: UUID | str, *, every: float) -> Iterator[None]:
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                SyncExecution.objects.filter(
                    pk=execution_id, status__in=["running", "canceling"]
                ).update(heartbeat_at=timezone.now())
        finally:
            connection.close()  # this thread's own database connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{execution_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
