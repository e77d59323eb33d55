"""On the embedded SQLite file, a worker and the web read and write at once without
"database is locked".

Both sides are real processes started with the real settings (``config.settings``) on one
SQLite file: the worker holds a long read open (as streaming a sync's state does) while the web
commits, then both write in read-then-write transactions at the same time.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRITES = 25  # transactions per process in the second phase
HOLD = 15  # at most this long the worker keeps its read open waiting for the web's commit

SCRIPT = """
import json, sys, time
from pathlib import Path

import django

django.setup()
from django.db import transaction
from organizations.models import Organization

role, flags, writes, hold = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])


def wait_for(name, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (flags / name).exists():
            return True
        time.sleep(0.01)
    return False


def insert(prefix, count):
    for n in range(count):
        with transaction.atomic():  # a read, then a write: the shape of every service
            name = f"{prefix} {n}"
            if not Organization.objects.filter(name=name).exists():
                Organization.objects.create(name=name)


report = {}
if role == "worker":
    Organization.objects.bulk_create([Organization(name=f"seed {n}") for n in range(5)])
    rows = Organization.objects.filter(name__startswith="seed").iterator(chunk_size=1)
    next(rows)  # the read stays open until every row is fetched
    (flags / "reading").touch()
    report["web_committed_while_worker_read"] = wait_for("web-committed", hold)
    sum(1 for _ in rows)
    (flags / "go").touch()
    insert("worker", writes)
else:
    if not wait_for("reading", 60):
        sys.exit("the worker never started reading")
    insert("web while the worker reads", 1)
    (flags / "web-committed").touch()
    wait_for("go", 60)
    insert("web", writes)
print(json.dumps(report))
"""


def _env(tmp_path: Path, database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SYNCLINE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{database}",
    }


def _start(role: str, env: dict[str, str], flags: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, role, str(flags), str(WRITES), str(HOLD)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def sqlite_file(tmp_path):
    """A migrated SQLite file, as `make demo` leaves under var/."""
    database = (tmp_path / "syncline.sqlite3").resolve()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity=0"],
        cwd=ROOT,
        env=_env(tmp_path, database),
        check=True,
        timeout=120,
    )
    return database


def test_the_web_commits_and_writes_while_a_worker_reads_and_writes(tmp_path, sqlite_file):
    flags = tmp_path / "flags"
    flags.mkdir()
    env = _env(tmp_path, sqlite_file)
    worker, web = _start("worker", env, flags), _start("web", env, flags)
    outputs = {}
    for role, process in (("worker", worker), ("web", web)):
        stdout, stderr = process.communicate(timeout=120)
        outputs[role] = stdout, stderr
        assert "database is locked" not in stderr, f"the {role} was locked out:\n{stderr}"
        assert process.returncode == 0, f"the {role} failed:\n{stderr}"

    report = json.loads(outputs["worker"][0].strip().splitlines()[-1])
    assert report["web_committed_while_worker_read"], (
        "the web's commit waited for the worker's read to end"
    )
    with sqlite3.connect(sqlite_file) as database:
        (count,) = database.execute("SELECT COUNT(*) FROM organizations_organization").fetchone()
        (mode,) = database.execute("PRAGMA journal_mode").fetchone()
    assert count == 5 + 1 + 2 * WRITES
    assert mode == "wal"
