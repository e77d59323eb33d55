"""A real `celery worker` process on the test's own database, broker and sandbox."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from celery import Celery
from django.db import connection

from syncs.models import SyncExecution

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database as a URL the worker can open (PostgreSQL only: SQLite's test
    database lives in this process's memory)."""
    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@dataclass
class Worker:
    broker: str
    queue: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--loglevel=info",
                    "-Q",
                    self.queue,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def send(self, execution: SyncExecution) -> None:
        client = Celery("test-client", broker=self.broker)
        try:
            client.send_task("syncline.execute_sync", args=[str(execution.pk)], queue=self.queue)
        finally:
            client.close()

    def wait(self, execution: SyncExecution, *, timeout: float = 120) -> SyncExecution:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            execution.refresh_from_db()
            if execution.is_terminal:
                return execution
            time.sleep(0.2)
        raise AssertionError(
            f"execution still {execution.status} after {timeout} s; worker log:\n"
            + self.log.read_text()[-5000:]
        )


@contextmanager
def worker(
    *, broker: str, sandbox_url: str, tmp_path: Path, queue: str = "", **env: str
) -> Iterator[Worker]:
    """A worker on a queue of its own, or on `queue`: the app's default one, for tests whose
    executions the app enqueues itself (the console's Run button, the API)."""
    queue = queue or f"test-{uuid.uuid4().hex}"
    environment = {
        **os.environ,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "SYNCLINE_SANDBOX_URL": sandbox_url,
        "SYNCLINE_ALLOW_PRIVATE_HOSTS": "true",
        **env,
    }
    running = Worker(broker, queue, environment, tmp_path / "worker.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()
