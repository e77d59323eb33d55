"""Embedded defaults for a bare machine: generated keys and broker folders under var/."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet
from django.core.management.utils import get_random_secret_key


def embedded_secret(path: Path, *, kind: str) -> str:
    """Read a key kept under var/, generating it on first use (readable by the owner only)."""
    if path.exists():
        return path.read_text().strip()
    value = Fernet.generate_key().decode() if kind == "fernet" else get_random_secret_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: when two processes start at once, the second reads what the first wrote.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def celery_filesystem_transport_options(var_dir: Path) -> dict[str, str]:
    """Folders for Celery's filesystem transport; web and workers on one host share them."""
    queue = var_dir / "celery" / "queue"
    processed = var_dir / "celery" / "processed"
    # Broadcast (control) messages, which kombu would otherwise put in ./control.
    control = var_dir / "celery" / "control"
    for folder in (queue, processed, control, var_dir / "celery" / "results"):
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "store_processed": False,
        "control_folder": str(control),
    }
