"""The demo warehouse: fakesnow in server mode, read by the real Snowflake connector over HTTP."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
import snowflake.connector
from snowflake.connector.connection import SnowflakeConnection
from snowflake.connector.cursor import DictCursor

from sandbox import warehouse, warehouse_data

pytestmark = pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result:UserWarning")

REPO = Path(__file__).resolve().parents[2]
SALESLOFT_QUERY = (
    "SELECT MAX(last_activity_date) AS last_activity_date, plan, first_name, last_name, email "
    "FROM users GROUP BY plan, first_name, last_name, email"
)
GONG_QUERY = "SELECT contact_id FROM salesforce_contacts WHERE subscription_plan = 'gold'"
LINKEDIN_QUERY = "SELECT first_name, last_name, email FROM users"
# Good enough to tell the seeded broken addresses from the good ones; not an RFC 5322 parser.
PLAUSIBLE_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


@pytest.fixture(scope="module")
def seeded_dir(tmp_path_factory):
    """A data dir seeded the way `serve` does it: start on an empty dir, seed over the wire."""
    data_dir = tmp_path_factory.mktemp("warehouse")
    with warehouse.running_warehouse(data_dir):
        pass
    return data_dir


@pytest.fixture
def warehouse_settings(seeded_dir):
    with warehouse.running_warehouse(seeded_dir, seed=False) as served:
        yield {**served, "network_timeout": 5, "login_timeout": 5}


@pytest.fixture
def conn(warehouse_settings):
    conn = snowflake.connector.connect(**warehouse_settings)
    yield conn
    conn.close()


def query(conn, sql):
    cur = conn.cursor()
    cur.execute(sql)
    return [column.name for column in cur.description], cur.fetchall()


def test_the_real_snowflake_connector_reads_the_seeded_users_over_the_wire(
    conn, warehouse_settings
):
    assert type(conn) is SnowflakeConnection
    assert warehouse_settings["protocol"] == "http"
    assert warehouse_settings["host"] == "127.0.0.1"

    columns, rows = query(conn, LINKEDIN_QUERY)

    assert columns == ["FIRST_NAME", "LAST_NAME", "EMAIL"]
    expected = [(u.first_name, u.last_name, u.email) for u in warehouse_data.demo_users()]
    assert sorted(rows) == sorted(expected)
    assert 2_000 < len(rows) < 5_000


def test_unquoted_identifiers_come_back_upper_cased_as_snowflake_does(conn):
    cur = conn.cursor(DictCursor)
    cur.execute("SELECT email, plan FROM users LIMIT 1")
    assert set(cur.fetchone()) == {"EMAIL", "PLAN"}

    _, tables = query(
        conn,
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'PUBLIC' ORDER BY table_name",
    )
    assert tables == [("SALESFORCE_CONTACTS",), ("USERS",)]
    _, rows = query(conn, "SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()")
    assert rows == [("DEMO", "PUBLIC")]


def test_the_salesloft_query_collapses_each_person_to_their_latest_activity(conn):
    latest: dict[tuple[str, str, str, str], datetime.date] = defaultdict(lambda: datetime.date.min)
    for u in warehouse_data.demo_users():
        key = (u.plan, u.first_name, u.last_name, u.email)
        latest[key] = max(latest[key], u.last_activity_date)

    columns, rows = query(conn, SALESLOFT_QUERY)

    assert columns == ["LAST_ACTIVITY_DATE", "PLAN", "FIRST_NAME", "LAST_NAME", "EMAIL"]
    assert {tuple(row[1:]): row[0] for row in rows} == latest
    assert len(rows) == warehouse_data.PEOPLE < len(warehouse_data.demo_users())
    assert all(isinstance(row[0], datetime.date) for row in rows)
    assert {row[1] for row in rows} == set(warehouse_data.USER_PLANS)


def test_some_seeded_emails_are_invalid_so_rejections_can_be_demoed(conn):
    _, rows = query(conn, "SELECT DISTINCT email FROM users")
    emails = {email for (email,) in rows}

    invalid = {email for email in emails if not PLAUSIBLE_EMAIL.match(email)}

    assert invalid == set(warehouse_data.invalid_user_emails())
    assert 0.01 < len(invalid) / len(emails) < 0.03
    assert any(email.endswith("@") for email in invalid)
    assert any("@@" in email for email in invalid)
    assert any("@" not in email for email in invalid)
    domains = {email.rsplit("@", 1)[1] for email in emails - invalid}
    reserved = re.compile(r"(^|\.)example\.(com|org|net)$")  # RFC 2606: never a real mailbox
    assert all(reserved.search(domain) for domain in domains), domains


def test_the_gong_query_returns_gold_contact_ids_a_few_of_them_unknown_to_the_crm(conn):
    _, rows = query(conn, GONG_QUERY)
    gold = {contact_id for (contact_id,) in rows}

    expected = {
        c.contact_id for c in warehouse_data.salesforce_contacts() if c.subscription_plan == "gold"
    }
    assert gold == expected
    assert len(gold) > 200, "more than one Gong assign batch (max 200 prospects per request)"
    assert all(len(i) == 18 and i.startswith("003") for i in gold)
    crm = set(warehouse_data.gong_crm_contact_ids())
    assert gold - crm == set(warehouse_data.stale_contact_ids())
    assert len(gold - crm) == 3


def test_the_salesforce_seed_matches_the_crm_ids_gong_knows():
    records = warehouse_data.salesforce_contact_records()
    contacts = warehouse_data.salesforce_contacts()

    assert [r["Id"] for r in records] == list(warehouse_data.gong_crm_contact_ids())
    assert len(records) == len(contacts) - 3
    ids = [c.contact_id for c in contacts]
    assert len({i.lower() for i in ids}) == len(ids), "unique even case-insensitively"
    users = {(u.email, u.first_name, u.last_name) for u in warehouse_data.demo_users()}
    assert {(c.email, c.first_name, c.last_name) for c in contacts} <= users
    assert {c.subscription_plan for c in contacts} == {"gold", "silver", "bronze"}
    assert warehouse_data.salesforce_contacts() == contacts, "deterministic"


def test_a_client_that_names_no_database_can_still_query_the_demo_tables(warehouse_settings):
    bare = {k: v for k, v in warehouse_settings.items() if k not in ("database", "schema")}
    conn = snowflake.connector.connect(**bare)
    try:
        _, rows = query(conn, "SELECT COUNT(*) FROM DEMO.PUBLIC.salesforce_contacts")
    finally:
        conn.close()
    assert rows == [(warehouse_data.CONTACTS,)]


def test_what_a_person_types_into_the_snowflake_form_is_accepted(warehouse_settings):
    """Lower-case names, a warehouse and role, session parameters: all ignored or normalised."""
    typed = {
        **warehouse_settings,
        "user": "DEMO",  # user names are case-insensitive, as in Snowflake
        "database": "demo",
        "schema": "public",
        "warehouse": "COMPUTE_WH",
        "role": "ANALYST",
        "port": str(warehouse_settings["port"]),
        "application": "Syncline",
        "session_parameters": {
            **warehouse_settings["session_parameters"],
            "STATEMENT_TIMEOUT_IN_SECONDS": 300,
            "QUERY_TAG": "syncline",
        },
    }
    conn = snowflake.connector.connect(**typed)
    try:
        columns, rows = query(conn, SALESLOFT_QUERY + " ORDER BY email LIMIT 3")
    finally:
        conn.close()
    assert columns[0] == "LAST_ACTIVITY_DATE"
    assert len(rows) == 3


def test_a_wrong_password_is_refused_as_snowflake_refuses_it(warehouse_settings):
    with pytest.raises(snowflake.connector.errors.DatabaseError) as refused:
        snowflake.connector.connect(**{**warehouse_settings, "password": "not-the-password"})
    assert refused.value.errno == 390100
    assert "Incorrect username or password" in str(refused.value)


def test_the_connector_talks_to_nothing_but_the_local_server(warehouse_settings, monkeypatch):
    looked_up = []
    real_getaddrinfo = socket.getaddrinfo

    def recording_getaddrinfo(host, *args, **kwargs):
        looked_up.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    conn = snowflake.connector.connect(**warehouse_settings)
    try:
        query(conn, GONG_QUERY)
    finally:
        conn.close()

    assert looked_up
    assert set(looked_up) == {"127.0.0.1"}


def test_reseeding_replaces_the_tables_with_the_same_rows(seeded_dir, tmp_path, capsys):
    data_dir = tmp_path / "warehouse"
    shutil.copytree(seeded_dir, data_dir)
    with warehouse.running_warehouse(data_dir, seed=False) as served:
        conn = snowflake.connector.connect(**served)
        conn.cursor().execute(
            "INSERT INTO users (email, first_name, last_name, plan) "
            "VALUES ('extra@example.com', 'Extra', 'Row', 'free')"
        )
        conn.cursor().execute("DELETE FROM salesforce_contacts WHERE subscription_plan = 'bronze'")
        conn.close()

    assert warehouse.main(["seed", "--data-dir", str(data_dir)]) == 0

    users, contacts = len(warehouse_data.demo_users()), warehouse_data.CONTACTS
    out = capsys.readouterr().out
    assert f"DEMO.PUBLIC.USERS: {users} rows" in out
    assert f"DEMO.PUBLIC.SALESFORCE_CONTACTS: {contacts} rows" in out
    with warehouse.running_warehouse(data_dir, seed=False) as served:
        conn = snowflake.connector.connect(**served)
        _, extra = query(conn, "SELECT COUNT(*) FROM users WHERE email = 'extra@example.com'")
        _, counts = query(
            conn,
            "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM salesforce_contacts)",
        )
        conn.close()
    assert extra == [(0,)]
    assert counts == [(users, contacts)]


def test_the_data_persists_across_a_server_restart(seeded_dir, tmp_path):
    data_dir = tmp_path / "warehouse"
    shutil.copytree(seeded_dir, data_dir)
    email = warehouse_data.invalid_user_emails()[0]
    with warehouse.running_warehouse(data_dir) as served:
        conn = snowflake.connector.connect(**served)
        cur = conn.cursor()
        cur.execute("UPDATE users SET plan = 'enterprise' WHERE email = %s", (email,))
        assert cur.rowcount >= 1
        conn.close()

    with warehouse.running_warehouse(data_dir) as served:
        conn = snowflake.connector.connect(**served)
        cur = conn.cursor()
        cur.execute("SELECT DISTINCT plan FROM users WHERE email = %s", (email,))
        rows = cur.fetchall()
        _, count = query(conn, "SELECT COUNT(*) FROM users")
        conn.close()

    assert rows == [("enterprise",)]
    assert count == [(len(warehouse_data.demo_users()),)]


def test_the_serve_command_prints_the_connection_settings_and_stops_on_ctrl_c(seeded_dir, tmp_path):
    data_dir = tmp_path / "warehouse"
    shutil.copytree(seeded_dir, data_dir)
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    command = ["serve", "--port", "0", "--data-dir", str(data_dir)]
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "sandbox.warehouse", *command],
            cwd=REPO,
            stdout=stdout,
            stderr=stderr,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
    try:
        deadline = time.monotonic() + 20
        while "Press Ctrl+C" not in out.read_text() and process.poll() is None:
            assert time.monotonic() < deadline, err.read_text()
            time.sleep(0.05)
        printed = out.read_text()
        assert process.poll() is None, err.read_text()
        fields = dict(re.findall(r"^  (\w+) +(\S+)", printed, re.MULTILINE))
        assert {k: fields[k] for k in ("account", "database", "schema", "protocol")} == {
            "account": "demo",
            "database": "DEMO",
            "schema": "PUBLIC",
            "protocol": "http",
        }
        port = int(fields["port"])

        with pytest.raises(warehouse.WarehouseBusyError):
            warehouse.seed_warehouse(data_dir)

        conn = snowflake.connector.connect(
            **{**warehouse.connection_settings(fields["host"], port), "network_timeout": 5}
        )
        _, rows = query(conn, "SELECT COUNT(*) FROM users WHERE plan = 'gold'")
        conn.close()
        expected = sum(u.plan == "gold" for u in warehouse_data.demo_users())
        assert rows == [(expected,)]
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0, err.read_text()
