"""Load (issue 13): the API and the console behind gunicorn on PostgreSQL, 50 clients for 60 s.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--workers 4] [--threads 2]

Sets up an app database of its own (bench/support.py), seeds one organization (a console user,
five API keys, a PostgreSQL warehouse, a Salesloft connection in the sandbox, ten syncs with
200 past executions each), then starts, each a process of its own:

- gunicorn with production settings (DEBUG off, whitenoise's manifest static files, the API's
  per-key rate limit counted in Redis), gthread workers: `--workers` processes of `--threads`
  threads each;
- a real `celery worker` on Redis, so the runs the clients start run (or coalesce);
- locust, headless, on loopback: `--users` clients for `--seconds`, three API clients
  (FastHttpUser) to each console user (bench/load_locust.py).

The API's limit (SYNCLINE_API_RATE_LIMIT, 600 a minute per key by default) is raised to
1,000,000 a minute for the run and still counted, as in production, so its cost is measured
but it refuses nothing: the clients share five keys and make some 100 requests a second.

Prints every request type's count, failures, requests per second, p50 and p99, and the runs
that were started; exits non-zero on any failed request or run. Redis database 14 by default
(SYNCLINE_BENCH_REDIS for another), flushed first.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REDIS = os.environ.get("SYNCLINE_BENCH_REDIS", "redis://127.0.0.1:6379/14")
# Secrets every process shares (the parent seeds encrypted connection secrets the web and the
# worker must read).
os.environ.setdefault("SECRET_KEY", "load-bench-" + Fernet.generate_key().decode())
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", Fernet.generate_key().decode())
os.environ["CELERY_BROKER_URL"] = REDIS
os.environ["RATE_LIMIT_REDIS_URL"] = REDIS

from bench.support import Warehouse, environment  # noqa: E402

environment()

import httpx  # noqa: E402
import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from config.vendors import vendor_settings  # noqa: E402
from connections.services import connection_create  # noqa: E402
from organizations.models import Membership, Organization  # noqa: E402
from organizations.services import api_key_create  # noqa: E402
from sandbox.server import running_sandbox  # noqa: E402
from sandbox.vendors.salesloft import DEMO_API_KEY  # noqa: E402
from syncs.models import SyncExecution  # noqa: E402
from tests.engine_fixtures import sync_over_query  # noqa: E402

BIN = Path(sys.executable).parent
EMAIL, PASSWORD = "load@example.com", "load-bench-password"
SYNCS, PAST_RUNS, KEYS = 10, 200, 5
STOPPED = "The run stopped while sending to Salesloft: it answered 503."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(warehouse: Warehouse) -> dict[str, str]:
    """The organization and what the clients act on, as the environment locust reads."""
    organization = Organization.objects.create(name="Load")
    user = get_user_model().objects.create_user(username=EMAIL, email=EMAIL, password=PASSWORD)
    Membership.objects.create(user=user, organization=organization, role="admin")
    keys = [api_key_create(organization=organization, name=f"load {n}")[1] for n in range(KEYS)]
    table = warehouse.people("people", SYNCS * 20)
    source = connection_create(
        organization=organization, name="Warehouse", type="postgresql", values=warehouse.settings
    )
    salesloft = connection_create(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": DEMO_API_KEY, "rate_limit": "6000/60"},
    )
    syncs = [
        sync_over_query(
            organization,
            source=source,
            query=f"SELECT email, first_name FROM {table} ORDER BY email LIMIT 20 OFFSET {n * 20}",
            target_connection=salesloft,
            target="people",
            mode="updateOrCreate",
            identity=("email", "email_address"),
            fields=[("first_name", "first_name")],
            name=f"Load sync {n}",
        )
        for n in range(SYNCS)
    ]
    now = timezone.now()
    past = [
        SyncExecution(
            sync=sync,
            status="completed" if n % 10 else "failed",
            trigger="schedule",
            started_at=now - dt.timedelta(hours=n + 1),
            completed_at=now - dt.timedelta(hours=n + 1) + dt.timedelta(seconds=30),
            total_count=20,
            unchanged_count=20,
            errors=[]
            if n % 10
            else ["The run stopped while sending to Salesloft: it answered 503."],
        )
        for sync in syncs
        for n in range(PAST_RUNS)
    ]
    SyncExecution.objects.bulk_create(past, batch_size=1000)
    reads = [f"{e.sync_id}:{e.pk}" for e in past[:: PAST_RUNS // 10]]
    return {
        "LOAD_API_KEYS": ",".join(keys),
        "LOAD_SYNCS": ",".join(str(sync.pk) for sync in syncs),
        "LOAD_EXECUTIONS": ",".join(reads),
        "LOAD_EMAIL": EMAIL,
        "LOAD_PASSWORD": PASSWORD,
    }


def production_env(sandbox_url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        # Plain http on loopback: what a TLS proxy in front would otherwise take care of.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SYNCLINE_API_RATE_LIMIT": "1000000/60",
        "SYNCLINE_SANDBOX_URL": sandbox_url,
        "SYNCLINE_ALLOW_PRIVATE_HOSTS": "true",
        "CELERY_RESULT_BACKEND": REDIS,
    }


def wait_until(ready: Any, what: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.3)
    sys.exit(f"{what} did not start within {timeout:.0f} s; its log:\n{log.read_text()[-3000:]}")


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as handle:
        return list(csv.DictReader(handle))


def read_failures(prefix: Path) -> list[dict[str, str]]:
    path = prefix.parent / f"{prefix.name}_failures.csv"
    if not path.exists():
        return []
    with path.open() as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    redis.Redis.from_url(REDIS).flushdb()
    logs = Path(tempfile.mkdtemp(prefix="syncline-load-"))
    warehouse = Warehouse()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with running_sandbox() as sandbox:
            sandbox.app.faults.update({"budgets": {"salesloft": "6000/60"}})
            settings.VENDORS = vendor_settings(sandbox.url, environ={})
            clients = seed(warehouse)
            port = free_port()
            env = production_env(sandbox.url, port)
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            web_log, worker_log = logs / "web.log", logs / "worker.log"
            with web_log.open("ab") as web_out, worker_log.open("ab") as worker_out:
                processes.append(
                    subprocess.Popen(
                        [
                            str(BIN / "gunicorn"),
                            "config.wsgi",
                            "--bind",
                            f"127.0.0.1:{port}",
                            "--worker-class",
                            "gthread",
                            "--workers",
                            str(args.workers),
                            "--threads",
                            str(args.threads),
                            "--access-logfile",
                            str(logs / "access.log"),
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=web_out,
                        stderr=subprocess.STDOUT,
                    )
                )
                processes.append(
                    subprocess.Popen(
                        [
                            *(sys.executable, "-m", "celery", "-A", "config", "worker"),
                            *("--loglevel=info", "--concurrency=2", "--without-gossip"),
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=worker_out,
                        stderr=subprocess.STDOUT,
                    )
                )
            host = f"http://127.0.0.1:{port}"
            wait_until(lambda: answers(f"{host}/login/"), "gunicorn", web_log)
            wait_until(lambda: "ready." in worker_log.read_text(), "the worker", worker_log)
            before = SyncExecution.objects.count()
            load_before = os.getloadavg()
            prefix = logs / "locust"
            started = time.monotonic()
            locust = subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "bench" / "load_locust.py"),
                    "--headless",
                    "-u",
                    str(args.users),
                    "-r",
                    "10",
                    "-t",
                    f"{args.seconds}s",
                    "--host",
                    host,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--stop-timeout",
                    "5",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={**os.environ, **clients},
                capture_output=True,
                text=True,
            )
            elapsed = time.monotonic() - started
            load_after = os.getloadavg()
            # The started runs (the seeded ones are "schedule"): a minute to finish the queue.
            started_by_clients = SyncExecution.objects.exclude(trigger="schedule")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and started_by_clients.filter(
                status__in=(*SyncExecution.WAITING, "running")
            ):
                time.sleep(1)
            runs: dict[str, int] = {}
            for status in started_by_clients.values_list("status", flat=True):
                runs[status] = runs.get(status, 0) + 1
            started_runs = SyncExecution.objects.count() - before
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        warehouse.drop()

    stats = read_stats(prefix)
    failures = read_failures(prefix)
    print(
        f"{args.users} users for {args.seconds} s ({elapsed:.0f} s with ramp-up and stop), "
        f"gunicorn gthread {args.workers} x {args.threads}; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (2 cores)"
    )
    print(f"{'request':<26}{'count':>8}{'fail':>6}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}")
    for row in stats:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        print(
            f"{name:<26}{int(row['Request Count']):>8}{int(row['Failure Count']):>6}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>8}{row['99%']:>8}"
        )
    print(f"runs started: {started_runs}; their statuses now: {runs}")
    for failure in failures:
        print(
            f"FAILED {failure['Method']} {failure['Name']}: {failure['Occurrences']} x "
            f"{failure['Error']}"
        )
    if locust.returncode not in (0, 1):
        print(locust.stdout[-3000:], locust.stderr[-3000:])
    failed = sum(int(row["Failure Count"]) for row in stats if row["Name"] != "Aggregated")
    bad_runs = {s: n for s, n in runs.items() if s not in ("completed",)}
    if failed or bad_runs or locust.returncode not in (0, 1):
        print(f"NOT OK: {failed} failed requests, runs not completed: {bad_runs}")
        return 1
    print("OK: no failed request, every started run completed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
