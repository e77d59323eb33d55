"""The demo warehouse: a Snowflake-compatible local server (fakesnow) with the walkthroughs' data.

Syncline's Snowflake source talks to it with the real ``snowflake-connector-python`` over
Snowflake's HTTP wire protocol, so the demo exercises the same code path as production; only the
server is fake. The rows come from :mod:`sandbox.warehouse_data` (deterministic, no downloads).

Where the data lives: fakesnow keeps one DuckDB file per Snowflake database, so the ``DEMO``
database is ``<data_dir>/DEMO.db``. Stock fakesnow only persists when a *client* sends the
non-Snowflake session parameter ``FAKESNOW_DB_PATH``, which Syncline never would; so this module
points fakesnow's shared instance at the data directory instead, and every ordinary login sees
the seeded tables. DuckDB locks the file, so one process serves a data directory at a time:
re-seed a running warehouse over the wire (``seed --port``), not through the directory.

CLI::

    python -m sandbox.warehouse serve --host 127.0.0.1 --port 8901 --data-dir var/warehouse
    python -m sandbox.warehouse seed --data-dir var/warehouse        # server stopped
    python -m sandbox.warehouse seed --host 127.0.0.1 --port 8901    # server running
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib
import json
import logging
import signal
import socket
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox import warehouse_data

if TYPE_CHECKING:
    from snowflake.connector import SnowflakeConnection

logger = logging.getLogger(__name__)

DATABASE = "DEMO"
SCHEMA = "PUBLIC"
ACCOUNT = "demo"
USER = "demo"
PASSWORD = "demo"  # noqa: S105 - fakesnow accepts any credentials; this is a label, not a secret
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8901
DEFAULT_DATA_DIR = Path("var/warehouse")
TABLES = ("users", "salesforce_contacts")
# The walkthroughs' own Snowflake settings (reference/seeds/: account uc193736182, username
# "user", password "secret", dbname "database") log in too, their database meaning DEMO: the
# requests work here exactly as written.
SEED_USER = "user"
SEED_PASSWORD = "secret"  # noqa: S105 - the seeds' published placeholder, not a secret
DATABASE_ALIASES = {"DATABASE": DATABASE}
# Rows per INSERT: the connector folds an executemany into one multi-row statement, and the
# server parses it with sqlglot, so moderate chunks keep each request well under the timeout.
INSERT_CHUNK = 500
STARTUP_TIMEOUT = 10.0

_CREATE_USERS = """
CREATE OR REPLACE TABLE users (
    email VARCHAR,
    first_name VARCHAR,
    last_name VARCHAR,
    plan VARCHAR,
    last_activity_date DATE
)
"""
_INSERT_USERS = (
    "INSERT INTO users (email, first_name, last_name, plan, last_activity_date) "
    "VALUES (%s, %s, %s, %s, %s)"
)
_CREATE_CONTACTS = """
CREATE OR REPLACE TABLE salesforce_contacts (
    contact_id VARCHAR(18),
    email VARCHAR,
    first_name VARCHAR,
    last_name VARCHAR,
    subscription_plan VARCHAR
)
"""
_INSERT_CONTACTS = (
    "INSERT INTO salesforce_contacts (contact_id, email, first_name, last_name, subscription_plan) "
    "VALUES (%s, %s, %s, %s, %s)"
)
_COUNT_ROWS = {
    "users": "SELECT COUNT(*) FROM users",
    "salesforce_contacts": "SELECT COUNT(*) FROM salesforce_contacts",
}
_SEEDED_TABLES = (
    "SELECT COUNT(*) FROM information_schema.tables "
    "WHERE table_schema = 'PUBLIC' AND table_name IN ('USERS', 'SALESFORCE_CONTACTS')"
)

# fakesnow's server keeps its sessions and shared database in module globals, so a process can
# host one demo warehouse at a time.
_one_per_process = threading.Lock()


class WarehouseBusyError(RuntimeError):
    """The data directory is locked by another process (probably a running ``serve``)."""


class RequireDemoLogin:
    """ASGI wrapper: refuse a wrong user name or password, as Snowflake does.

    fakesnow accepts any credentials; without this check Syncline's "wrong password" message
    could never be seen (or tested) against the demo warehouse. Key-pair (JWT) logins are let
    through for the demo user without verifying the key.
    """

    def __init__(self, app: Any, user: str = USER, password: str = PASSWORD) -> None:
        self.app = app
        self.logins = {(user.lower(), password), (SEED_USER, SEED_PASSWORD)}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/session/v1/login-request":
            await self.app(scope, receive, send)
            return
        messages, body, more = [], b"", True
        while more:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = dict(scope.get("headers") or [])
        raw = gzip.decompress(body) if headers.get(b"content-encoding") == b"gzip" else body
        data = (json.loads(raw or b"{}") or {}).get("data") or {}
        user = str(data.get("LOGIN_NAME", "")).lower()
        secret_ok = (
            data.get("AUTHENTICATOR") == "SNOWFLAKE_JWT" and user in {u for u, _ in self.logins}
        ) or (user, data.get("PASSWORD")) in self.logins
        if not secret_ok:
            from starlette.responses import JSONResponse

            refusal = JSONResponse(
                {
                    "data": {"nextAction": "RETRY_LOGIN", "authnMethod": "USERNAME_PASSWORD"},
                    "code": "390100",
                    "message": "Incorrect username or password was specified.",
                    "success": False,
                }
            )
            await refusal(scope, receive, send)
            return

        async def replay() -> dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.request", "body": b""}

        await self.app({**scope, "query_string": _aliased(scope)}, replay, send)


def _aliased(scope: dict[str, Any]) -> bytes:
    """The login's query string with an aliased database name (the seeds' "database") replaced
    by the demo database; fakesnow reads the session's database from `databaseName`."""
    from urllib.parse import parse_qsl, urlencode

    pairs = parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True)
    return urlencode(
        [
            (key, DATABASE_ALIASES.get(value.upper(), value) if key == "databaseName" else value)
            for key, value in pairs
        ]
    ).encode()


def connection_settings(host: str, port: int) -> dict[str, Any]:
    """Keyword arguments for ``snowflake.connector.connect`` that reach the demo warehouse.

    Besides what a person types into Syncline's Snowflake form, these switch off what would
    leave the machine: out-of-band telemetry, and the cloud-metadata probes (AWS/GCP/Azure
    endpoints) the connector runs at login unless ``platform_detection_timeout_seconds`` is 0.
    """
    return {
        "account": ACCOUNT,
        "user": USER,
        "password": PASSWORD,
        "database": DATABASE,
        "schema": SCHEMA,
        "host": host,
        "port": port,
        "protocol": "http",
        "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
        "platform_detection_timeout_seconds": 0.0,
        "login_timeout": 10,
        "network_timeout": 10,
    }


def connect(settings: dict[str, Any]) -> SnowflakeConnection:
    """A real connector session to a demo warehouse (settings from :func:`running_warehouse`)."""
    import snowflake.connector

    return snowflake.connector.connect(**settings)


def _chunks(rows: Sequence[tuple[Any, ...]], size: int) -> Iterator[Sequence[tuple[Any, ...]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def seed_connection(conn: SnowflakeConnection) -> dict[str, int]:
    """Replace the demo tables through an open connection; returns row counts per table.

    Tables are created with ``CREATE OR REPLACE``, so re-seeding is idempotent. There is no
    wrapping transaction: fakesnow records table metadata in a second DuckDB database, and a
    DuckDB transaction may write to only one, so a reader during a re-seed can see a partial
    table. Uses the connector's default ``pyformat`` paramstyle (values inlined client-side).
    """
    users = [
        (row.email, row.first_name, row.last_name, row.plan, row.last_activity_date)
        for row in warehouse_data.demo_users()
    ]
    contacts = [
        (c.contact_id, c.email, c.first_name, c.last_name, c.subscription_plan)
        for c in warehouse_data.salesforce_contacts()
    ]
    cur = conn.cursor()
    try:
        cur.execute(_CREATE_USERS)
        for chunk in _chunks(users, INSERT_CHUNK):
            cur.executemany(_INSERT_USERS, chunk)
        cur.execute(_CREATE_CONTACTS)
        for chunk in _chunks(contacts, INSERT_CHUNK):
            cur.executemany(_INSERT_CONTACTS, chunk)
        counts = {}
        for table, query in _COUNT_ROWS.items():
            cur.execute(query)
            (counts[table],) = cur.fetchone()
        return counts
    finally:
        cur.close()


def seed_running_warehouse(settings: dict[str, Any]) -> dict[str, int]:
    """(Re)seed a warehouse that is already serving, over the wire; returns row counts."""
    conn = connect(settings)
    try:
        return seed_connection(conn)
    finally:
        conn.close()


def seed_warehouse(data_dir: Path | str) -> dict[str, int]:
    """(Re)seed the data directory of a warehouse that is not running; returns row counts.

    It starts a private server on a free loopback port and seeds through the real connector, so
    the rows are written exactly as a served session would see them.
    """
    with running_warehouse(data_dir, seed=False) as settings:
        return seed_running_warehouse(settings)


def _client_host(host: str) -> str:
    """Where a local client should connect when the server listens on every interface."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104


def _bind(host: str, port: int) -> socket.socket:
    """Bind before starting uvicorn, so a busy port fails here and port 0 reports its number."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


@contextlib.contextmanager
def running_warehouse(
    data_dir: Path | str,
    host: str = DEFAULT_HOST,
    port: int = 0,
    *,
    seed: bool | None = None,
    log_level: str = "warning",
) -> Iterator[dict[str, Any]]:
    """Serve the data directory on host:port (0 = any free port) in a thread; yields connect kwargs.

    ``seed=None`` seeds only when the tables are missing (a fresh directory), ``True`` always
    re-seeds, ``False`` never does. On exit the server stops, open sessions are closed and the
    DuckDB file is checkpointed and detached, so the same directory can be served again, in
    this process or another.
    """
    import uvicorn
    from duckdb import IOException
    from fakesnow.instance import FakeSnow

    # Not `from fakesnow import server`: the package exports a function of that name, which the
    # submodule shadows only once something has imported it.
    fakesnow_server = importlib.import_module("fakesnow.server")

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    if not _one_per_process.acquire(blocking=False):
        raise RuntimeError("a demo warehouse is already running in this process")
    previous_instance = fakesnow_server.shared_fs
    sessions_before = set(fakesnow_server.sessions)
    instance = FakeSnow(db_path=str(data_dir))
    anchor = None
    try:
        try:
            # Attaching DEMO.db up front means clients that connect without naming a
            # database can still query DEMO.PUBLIC.users.
            anchor = instance.connect(DATABASE, SCHEMA)
        except IOException as exc:
            raise WarehouseBusyError(
                f"{data_dir} is in use by another process; stop that server, or re-seed it over "
                f"the wire with `python -m sandbox.warehouse seed --port <its port>` ({exc})"
            ) from exc
        # From here on a login names what exists, as on Snowflake: stock fakesnow creates any
        # database and schema a client names, so a misspelt one would look healthy.
        instance.create_database_on_connect = False
        instance.create_schema_on_connect = False
        fakesnow_server.shared_fs = instance
        # fakesnow logs every login at INFO through uvicorn's handlers; follow the server's level.
        fakesnow_server.logger.setLevel(log_level.upper())
        sock = _bind(host, port)
        config = uvicorn.Config(
            RequireDemoLogin(fakesnow_server.app),
            log_level=log_level,
            lifespan="off",
            access_log=log_level == "debug",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="demo warehouse", daemon=True
        )
        thread.start()
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while thread.is_alive() and not server.started and time.monotonic() < deadline:
                time.sleep(0.02)
            if not server.started:
                raise RuntimeError(f"the demo warehouse failed to start on {host}:{port}")
            settings = connection_settings(_client_host(host), sock.getsockname()[1])
            anchor_cur = anchor.cursor()
            anchor_cur.execute(_SEEDED_TABLES)
            (present,) = anchor_cur.fetchone()
            if seed or (seed is None and present < len(TABLES)):
                counts = seed_running_warehouse(settings)
                logger.info("seeded the demo warehouse in %s: %s", data_dir, counts)
            yield settings
        finally:
            server.should_exit = True
            thread.join(STARTUP_TIMEOUT)
            if thread.is_alive():  # a client is holding a request open: stop waiting for it
                server.force_exit = True
                thread.join(STARTUP_TIMEOUT)
            sock.close()
    finally:
        for token in set(fakesnow_server.sessions) - sessions_before:
            with contextlib.suppress(Exception):
                fakesnow_server.sessions.pop(token).close()
        if anchor is not None:
            anchor.close()
        # Closing the parent connection would leave DEMO.db attached (and locked) for as long as
        # any cursor lives; checkpoint and detach explicitly so the file is complete and free.
        for statement in (f"CHECKPOINT {DATABASE}", f"DETACH {DATABASE}"):
            with contextlib.suppress(Exception):
                instance.duck_conn.execute(statement)
        instance.duck_conn.close()
        fakesnow_server.shared_fs = previous_instance
        _one_per_process.release()


def describe_settings(settings: dict[str, Any]) -> str:
    """What a person enters in Syncline's Snowflake connection form to reach this warehouse."""
    return "\n".join(
        [
            "Snowflake connection settings for Syncline:",
            f"  account    {settings['account']}",
            f"  user       {settings['user']}",
            f"  password   {settings['password']}   (any user/password is accepted)",
            f"  database   {settings['database']}",
            f"  schema     {settings['schema']}",
            "  warehouse  (any; ignored)",
            f"  host       {settings['host']}",
            f"  port       {settings['port']}",
            f"  protocol   {settings['protocol']}",
        ]
    )


def serve_warehouse(
    host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, data_dir: Path | str = DEFAULT_DATA_DIR
) -> None:
    """Serve until SIGINT/SIGTERM, seeding first if the data directory has no tables yet."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda _signum, _frame: stop.set())
    with running_warehouse(data_dir, host, port, seed=None, log_level="info") as settings:
        print(f"Demo warehouse (fakesnow) serving {data_dir} on http://{host}:{settings['port']}")
        print(describe_settings(settings))
        print("Press Ctrl+C to stop.", flush=True)
        while not stop.wait(0.5):
            pass


def _print_counts(counts: dict[str, int]) -> None:
    for table, count in counts.items():
        print(f"{DATABASE}.{SCHEMA}.{table.upper()}: {count} rows")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sandbox.warehouse {serve,seed}``; returns the process exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.warehouse",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the demo warehouse (seeds an empty data dir)")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    seed = commands.add_parser(
        "seed", help="(re)seed the data dir, or with --port a warehouse that is serving"
    )
    seed.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    seed.add_argument("--host", default=DEFAULT_HOST, help="with --port: the running server")
    seed.add_argument("--port", type=int, help="re-seed the server running on this port")
    args = parser.parse_args(argv)
    from snowflake.connector.errors import Error as SnowflakeError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    logger.setLevel(logging.INFO)
    # fakesnow logs through uvicorn's handlers already; propagating would print every line twice.
    logging.getLogger("fakesnow.server").propagate = False
    # DuckDB nags about a copy fakesnow makes for every result; harmless at this size.
    warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)

    try:
        if args.command == "serve":
            serve_warehouse(args.host, args.port, args.data_dir)
        elif args.port is not None:
            _print_counts(seed_running_warehouse(connection_settings(args.host, args.port)))
        else:
            _print_counts(seed_warehouse(args.data_dir))
    except (WarehouseBusyError, OSError, SnowflakeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
