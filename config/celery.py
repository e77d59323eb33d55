"""The Celery app: configured from Django settings (``CELERY_*``), tasks found in each app."""

from __future__ import annotations

import os
import socket

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("syncline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="syncline.ping")
def ping(payload: str) -> dict[str, str]:
    """Answer with the payload and who answered: proves a worker is consuming the broker."""
    return {"payload": payload, "hostname": socket.gethostname(), "pid": str(os.getpid())}
