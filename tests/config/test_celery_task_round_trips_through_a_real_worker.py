"""A task sent to the broker is run by a separate `celery worker` process and answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from celery import Celery

from config.embedded import celery_filesystem_transport_options
from config.services_probe import redis_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.worker


@contextmanager
def _worker(env: dict[str, str], log: Path, queue: str) -> Iterator[None]:
    with log.open("w") as output:
        process = subprocess.Popen(
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
                queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _round_trip(client: Celery, env: dict[str, str], log: Path) -> None:
    payload = uuid.uuid4().hex
    # A queue of its own, so no other worker on the same broker (a demo) takes the task.
    queue = f"test-{payload}"
    with _worker(env, log, queue):
        result = client.send_task("syncline.ping", args=[payload], queue=queue)
        try:
            answer = result.get(timeout=60)
        except Exception:
            print(log.read_text())
            raise
    assert answer["payload"] == payload
    assert answer["pid"] != str(os.getpid())  # answered by the worker process, not by us


def _worker_env(tmp_path: Path, broker: str, backend: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SYNCLINE_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": backend,
    }


def test_a_task_round_trips_through_a_worker_on_the_filesystem_broker(tmp_path, monkeypatch):
    # Celery lets these variables override the URLs given to the app (CI exports a Redis one).
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    backend = f"file://{tmp_path / 'celery' / 'results'}"
    client = Celery("test-client", broker="filesystem://", backend=backend)
    client.conf.broker_transport_options = celery_filesystem_transport_options(tmp_path)
    _round_trip(client, _worker_env(tmp_path, "filesystem://", backend), tmp_path / "worker.log")


@pytest.mark.redis
def test_a_task_round_trips_through_a_worker_on_redis(tmp_path, monkeypatch):
    url = redis_url()
    assert url is not None
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    client = Celery("test-client", broker=url, backend=url)
    _round_trip(client, _worker_env(tmp_path, url, url), tmp_path / "worker.log")
