from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection as db

from connections.models import Connection
from connections.services import connection_create, connection_update
from tests.factories import ConnectionFactory

MARKER = "marker-secret-123"
ROOT = Path(__file__).resolve().parents[2]


def _raw_row(connection_id: object) -> tuple[str, ...]:
    table = Connection._meta.db_table
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT configuration, secrets FROM {table} WHERE id = %s",
            [Connection._meta.pk.get_db_prep_value(connection_id, db)],
        )
        return tuple(str(value) for value in cursor.fetchone())


@pytest.mark.django_db
def test_secrets_read_back_after_a_round_trip_through_the_database(organization):
    created = connection_create(
        organization=organization,
        name="Warehouse",
        type="snowflake",
        values={"account": "acme-xy123", "username": "loader", "password": MARKER},
    )
    stored = Connection.objects.get(pk=created.pk)
    assert stored.secrets == {"password": MARKER}
    assert stored.configuration == {"account": "acme-xy123", "username": "loader"}


@pytest.mark.django_db
def test_the_raw_database_columns_hold_no_plaintext_secret(organization):
    created = connection_create(
        organization=organization, name="Warehouse", type="postgresql", values={"password": MARKER}
    )
    configuration, secrets = _raw_row(created.pk)
    assert MARKER not in configuration
    assert MARKER not in secrets
    assert secrets.startswith("gAAAA")  # a Fernet token


@pytest.mark.django_db
def test_an_update_without_a_secret_keeps_the_saved_one(organization):
    created = ConnectionFactory(organization=organization, secrets={"password": MARKER})
    # Another database on the same server: the password still goes where it was saved for
    # (a new host would need it again: test_saved_secrets_go_only_where_they_were_saved.py).
    connection_update(connection=created, values={"database": "reporting", "password": ""})
    stored = Connection.objects.get(pk=created.pk)
    assert stored.secrets == {"password": MARKER}
    assert stored.configuration["database"] == "reporting"


def test_a_connection_saved_with_a_password_leaves_no_trace_in_the_database_file(tmp_path):
    """The issue's own check, on a real SQLite file written by a separate process."""
    database = tmp_path / "syncline.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "SYNCLINE_VAR_DIR": str(tmp_path / "var"),
    }
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from organizations.models import Organization\n"
        "from connections.services import connection_create\n"
        "org = Organization.objects.create(name='Acme')\n"
        f"connection_create(organization=org, name='Warehouse', type='postgresql', "
        f"values={{'host': 'db', 'password': '{MARKER}'}})\n"
        "from connections.models import Connection\n"
        f"assert Connection.objects.get().secrets['password'] == '{MARKER}'\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)
    written = b"".join(path.read_bytes() for path in tmp_path.glob("syncline.sqlite3*"))
    assert b"host" in written  # the file holds the connection's configuration...
    assert MARKER.encode() not in written  # ...but not its password
