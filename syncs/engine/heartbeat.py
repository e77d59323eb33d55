"""A running execution's pulse: a thread stamps heartbeat_at while the run works (a batch can
wait minutes on a vendor's rate limit), so the reaper can tell a slow run from a dead worker."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from django.db import DatabaseError, connection
from django.utils import timezone

from syncs.models import SyncExecution

logger = logging.getLogger(__name__)


@contextmanager
def heartbeat(execution_id: UUID | str, *, every: float) -> Iterator[None]:
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    SyncExecution.objects.filter(
                        pk=execution_id, status__in=["running", "canceling"]
                    ).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    # One refused stamp (a restart of the database, a dropped connection) must
                    # not stop the pulse for the rest of the run: the reaper would take a live
                    # run for a dead one. Reconnect at the next beat.
                    logger.warning("heartbeat of %s missed a beat", execution_id, exc_info=True)
                    connection.close()
        finally:
            connection.close()  # this thread's own database connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{execution_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
