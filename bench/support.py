"""What the engine benchmarks share: a PostgreSQL app database of their own, Django on it, a
scratch schema for model tables, the sandbox, and the peak memory of a process.

A benchmark calls `environment()` before importing anything of Django's: it creates a fresh app
database (dropped when the benchmark ends) and a scratch var/ directory, and points this process
and the children it starts at them, so two measurements can run in separate processes (each
with its own high-water mark of memory) on the same data.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("SYNCLINE_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")
# Set in the children a benchmark starts: they reuse its database instead of making their own.
CHILD = "SYNCLINE_BENCH_CHILD"


def _admin(dbname: str | None = None) -> Any:
    import psycopg

    url = urlsplit(SERVER)
    return psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        dbname=dbname or url.path.lstrip("/"),
        user=url.username,
        password=url.password,
        autocommit=True,
    )


def environment() -> None:
    """A fresh app database and var/ directory for this benchmark, then Django on them."""
    sys.path.insert(0, str(ROOT))
    if not os.environ.get(CHILD):
        name = f"syncline_bench_{uuid.uuid4().hex[:8]}"
        with _admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = urlsplit(SERVER)
        os.environ["DATABASE_URL"] = url._replace(path=f"/{name}").geturl()
        var = tempfile.mkdtemp(prefix="syncline-bench-var-")
        os.environ["SYNCLINE_VAR_DIR"] = var
        os.environ[CHILD] = "1"  # inherited by the children only
        atexit.register(_drop, name, var)
        # Stopped with SIGTERM (kill), the benchmark still drops what it made.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        _django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    else:
        _django()


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("SYNCLINE_ALLOW_PRIVATE_HOSTS", "true")
    import django

    django.setup()


def _drop(name: str, var: str) -> None:
    from django.db import connections

    connections.close_all()
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(var, ignore_errors=True)


class Warehouse:
    """A schema of its own in the local PostgreSQL server for the model's tables, dropped by
    `drop()`; `settings` are a PostgreSQL connection's."""

    def __init__(self) -> None:
        url = urlsplit(SERVER)
        self.schema = f"bench_{uuid.uuid4().hex[:8]}"
        self.settings = {
            "host": url.hostname or "127.0.0.1",
            "port": url.port or 5432,
            "database": url.path.lstrip("/") or "test",
            "username": url.username or "postgres",
            "password": url.password or "",
        }
        self.admin = _admin()
        self.admin.execute(f"CREATE SCHEMA {self.schema}")

    def people(self, table: str, rows: int, *, first: int = 1) -> str:
        """A table of `rows` people (email, first_name, last_name, plan, last_activity_date),
        numbered from `first`; returns its qualified name."""
        name = f"{self.schema}.{table}"
        self.admin.execute(
            f"CREATE TABLE {name} AS SELECT 'person' || n || '@example.com' AS email, "
            "'First' || n AS first_name, 'Last' || n AS last_name, "
            "(ARRAY['free','pro','gold'])[1 + n % 3] AS plan, "
            "DATE '2026-01-01' + n % 300 AS last_activity_date "
            f"FROM generate_series({int(first)}, {int(first) + int(rows) - 1}) n"
        )
        self.admin.execute(f"ANALYZE {name}")
        return name

    def drop(self) -> None:
        self.admin.execute(f"DROP SCHEMA {self.schema} CASCADE")
        self.admin.close()


def peak_rss_mb() -> float:
    """This process's high-water mark of resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
