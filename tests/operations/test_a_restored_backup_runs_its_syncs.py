"""docs/operations.md's backup and restore, done: the app database dumped with pg_dump and
restored into a fresh database, the encryption keys kept apart; a Syncline pointed at the
restored database with those keys runs a sync from it. Without the keys the saved connection
secrets can't be read, and the run says so."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from tests.integration.runs import stored
from tests.integration.worker import database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def restored():
    """A fresh database holding what pg_dump wrote of the test database; dropped after."""
    source = database_url()
    name = f"syncline_restored_{uuid.uuid4().hex[:8]}"
    admin = _with_database(source, "postgres")
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    yield source, _with_database(source, name)
    subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


def _manage(*args: str, database: str, sandbox_url: str, var: Path, **env: str):
    environment = {
        **{k: v for k, v in os.environ.items() if k != "FIELD_ENCRYPTION_KEYS"},
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database,
        "SYNCLINE_VAR_DIR": str(var),  # a new host: nothing under var/ from the old one
        "SYNCLINE_SANDBOX_URL": sandbox_url,
        "SYNCLINE_ALLOW_PRIVATE_HOSTS": "true",
        "CELERY_BROKER_URL": "filesystem://",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_a_dump_restored_into_a_fresh_database_runs_a_sync_with_the_saved_keys(
    restored, make_sync, warehouse, salesloft, sandbox, http, tmp_path
):
    sync = make_sync(
        source=warehouse,
        query="SELECT DISTINCT email, first_name FROM users WHERE email LIKE '%@%.%' "
        "AND email NOT LIKE '% %' AND email NOT LIKE '%@@%' AND email NOT LIKE '%..%' "
        "ORDER BY email LIMIT 25",
        target_connection=salesloft,
        target="people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=[("first_name", "first_name")],
    )
    source, target = restored
    dump = tmp_path / "syncline.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], check=True)
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={target}", str(dump)], check=True)
    keys = ",".join(settings.FIELD_ENCRYPTION_KEYS)  # kept apart from the dump, as the doc says
    before = {p["email_address"] for p in stored(http, sandbox, "salesloft", "people")}

    without_keys = _manage(
        "sync_run", str(sync.pk), database=target, sandbox_url=sandbox.url, var=tmp_path / "a"
    )
    assert without_keys.returncode != 0
    said = without_keys.stdout + without_keys.stderr
    assert "can't read the saved credentials" in said and "FIELD_ENCRYPTION_KEYS" in said
    assert "Traceback" not in said  # the run ended failed, in words; none was left running

    ran = _manage(
        "sync_run",
        str(sync.pk),
        database=target,
        sandbox_url=sandbox.url,
        var=tmp_path / "b",
        FIELD_ENCRYPTION_KEYS=keys,
    )

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "completed" in ran.stdout and "rejected 0" in ran.stdout
    after = {p["email_address"] for p in stored(http, sandbox, "salesloft", "people")}
    assert len(after - before) == 25
    assert not sync.executions.exists()  # the run is the restored database's, not this one's
