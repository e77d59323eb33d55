"""P4 (DESIGN.md §10): server time of the console's and the admin's list pages over 1,000 syncs,
100,000 executions and 1,000,000 rejected records, on PostgreSQL.

    .venv/bin/python bench/console_pages.py [--requests 40] [--reseed]

The data is seeded once into a database of its own, `syncline_bench_console` on the local
PostgreSQL server (SYNCLINE_BENCH_POSTGRES for another server, SYNCLINE_BENCH_CONSOLE_DB for
another name), and kept: later runs measure the same rows without seeding again (--reseed
starts over). Rows go in through COPY. One organization holds everything (the worst case for
its pages): 1,000 syncs, 100 executions each, one execution with 100,000 rejected records and
900 more with 1,000 each.

Each page is requested through Django's test Client in this process (no network, no web
server: the time is Django's, the templates' and the database's) `--requests` times after two
warm-up requests; the figures are the median and the 95th percentile, with the SQL queries of
one request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("SYNCLINE_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")
DATABASE = os.environ.get("SYNCLINE_BENCH_CONSOLE_DB", "syncline_bench_console")
SYNCS = 1_000
RUNS_PER_SYNC = 100
BIG_RUN_ERRORS = 100_000
OTHER_ERROR_RUNS = 900
ERRORS_PER_RUN = 1_000
TARGET_MS = 250.0


def _admin_connection(dbname: str) -> Any:
    import psycopg

    url = urlsplit(SERVER)
    return psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        dbname=dbname,
        user=url.username,
        password=url.password,
        autocommit=True,
    )


def _database(reseed: bool) -> None:
    server_db = urlsplit(SERVER).path.lstrip("/") or "postgres"
    with _admin_connection(server_db) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]
        ).fetchone()
        if exists and reseed:
            admin.execute(f'DROP DATABASE "{DATABASE}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ["DATABASE_URL"] = urlsplit(SERVER)._replace(path=f"/{DATABASE}").geturl()
    os.environ.setdefault("SYNCLINE_VAR_DIR", str(ROOT / "var" / "bench-console"))
    Path(os.environ["SYNCLINE_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# -- seeding ------------------------------------------------------------------------------------


def _copy(table: Any, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        names = ", ".join(f'"{c}"' for c in columns)
        with raw.copy(f'COPY "{table._meta.db_table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _seeded() -> bool:
    from syncs.models import RecordError, Sync, SyncExecution

    return (
        Sync.objects.count() >= SYNCS
        and SyncExecution.objects.count() >= SYNCS * RUNS_PER_SYNC
        and RecordError.objects.count() >= BIG_RUN_ERRORS + OTHER_ERROR_RUNS * ERRORS_PER_RUN
    )


def _seed() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from connections.models import Connection
    from models_app.models import SqlModel
    from organizations.models import Membership, Organization
    from syncs.models import RecordError, Sync, SyncExecution

    started = time.monotonic()
    rng = random.Random(4)  # noqa: S311 - benchmark data
    organization = Organization.objects.create(name="Bench console")
    user = get_user_model().objects.create_superuser(
        "bench@example.com", "bench@example.com", "bench-password"
    )
    Membership.objects.create(user=user, organization=organization, role="admin")
    warehouse = Connection.objects.create(
        organization=organization,
        name="Warehouse",
        type="postgresql",
        configuration={"host": "127.0.0.1", "database": "analytics"},
    )
    tools = [
        Connection.objects.create(
            organization=organization,
            name=name,
            type=kind,
            status=status,
            status_error="The access was revoked." if status == "needs_auth" else "",
        )
        for name, kind, status in (
            ("Salesloft", "salesloft", "healthy"),
            ("Gong", "gong", "needs_auth"),
            ("LinkedIn Ads", "linkedinads", "healthy"),
            ("Salesforce", "salesforce", "error"),
        )
    ]
    models = SqlModel.objects.bulk_create(
        SqlModel(
            organization=organization,
            name=f"Model {n}",
            source=warehouse,
            query="SELECT email, first_name FROM users",
            fields=[{"name": "email", "type": "string"}, {"name": "first_name", "type": "string"}],
        )
        for n in range(20)
    )
    frequencies = [
        {"frequency": "manual"},
        {"frequency": "daily", "hour": "9", "minute": "0"},
        {"frequency": "hourly", "minute": "15"},
        {"frequency": "custom", "expression": "30 9 * * 1-5"},
    ]
    syncs = Sync.objects.bulk_create(
        Sync(
            organization=organization,
            name=f"Sync {n:04d}",
            model=models[n % len(models)],
            target_connection=tools[n % len(tools)],
            target_object="people",
            mode="updateOrCreate",
            schedule=frequencies[n % len(frequencies)],
            active=n % 10 != 0,
        )
        for n in range(SYNCS)
    )
    now = timezone.now()
    execution_ids: list[list[uuid.UUID]] = []
    statuses = ["completed"] * 8 + ["failed", "canceled"]

    def executions() -> Iterator[tuple[Any, ...]]:
        for index, sync in enumerate(syncs):
            ids = []
            for number in range(RUNS_PER_SYNC):
                pk = uuid.uuid4()
                ids.append(pk)
                # The newest run of every fifth sync failed within the last day.
                newest = number == RUNS_PER_SYNC - 1
                status = "failed" if newest and index % 5 == 0 else rng.choice(statuses)
                created = now - dt.timedelta(hours=(RUNS_PER_SYNC - number) * 6 + index % 6)
                finished = created + dt.timedelta(seconds=rng.randint(5, 900))
                errors = ["The run stopped while sending to Salesloft: it answered 503."]
                yield (
                    pk,
                    sync.pk,
                    status,
                    "schedule",
                    False,
                    False,
                    "[]",
                    "",
                    json.dumps({"rows_read": 1000, "rows_sent": 40}),
                    json.dumps([{"event": "phase", "phase": "extract"}]),
                    "{}",
                    created,
                    created,
                    finished,
                    finished,
                    1000,
                    30,
                    10,
                    0,
                    2,
                    950,
                    0,
                    0,
                    json.dumps(errors if status == "failed" else []),
                )
            execution_ids.append(ids)

    columns = [
        "id", "sync_id", "status", "trigger", "resync", "test", "identities", "phase",
        "progress", "log", "report", "created_at", "started_at", "completed_at",
        "heartbeat_at", "total_count", "insert_count", "update_count", "upsert_count",
        "delete_count", "unchanged_count", "error_count", "warning_count", "errors",
    ]  # fmt: skip
    count = _copy(SyncExecution, columns, executions())
    print(f"seeded {count:,} executions in {time.monotonic() - started:.0f} s", flush=True)

    big = execution_ids[0][-2]  # a completed run of the first sync: the 100k page
    error_runs = [(big, BIG_RUN_ERRORS)] + [
        (execution_ids[1 + n][rng.randrange(RUNS_PER_SYNC)], ERRORS_PER_RUN)
        for n in range(OTHER_ERROR_RUNS)
    ]
    SyncExecution.objects.filter(pk=big).update(
        status="completed", error_count=BIG_RUN_ERRORS, errors=[]
    )

    def record_errors() -> Iterator[tuple[Any, ...]]:
        for execution_id, errors in error_runs:
            for number in range(errors):
                email = f"person{number}@example"
                yield (
                    execution_id,
                    email,
                    "upsert",
                    "email_address: is invalid" if number % 3 else "email_address: is taken",
                    json.dumps({"email_address": email, "first_name": f"First {number}"}),
                    now,
                )

    count = _copy(
        RecordError,
        ["execution_id", "identity_value", "operation", "message", "payload", "created_at"],
        record_errors(),
    )
    for ids in [[e for e, _ in error_runs[1:]]]:
        SyncExecution.objects.filter(pk__in=ids).update(error_count=ERRORS_PER_RUN)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {count:,} record errors in {time.monotonic() - started:.0f} s", flush=True)


# -- measuring ----------------------------------------------------------------------------------


def _pages() -> list[tuple[str, str]]:
    from django.urls import reverse

    from syncs.models import RecordError, Sync, SyncExecution

    big = SyncExecution.objects.filter(error_count=BIG_RUN_ERRORS).order_by("created_at").first()
    assert big is not None
    sync = Sync.objects.get(pk=big.sync_id)
    middle = (
        RecordError.objects.filter(execution=big)
        .order_by("id")
        .values_list("id", flat=True)[BIG_RUN_ERRORS // 2]
    )
    execution = reverse("syncs:execution", args=[big.pk])
    return [
        ("home", reverse("console:home")),
        ("syncs list", reverse("syncs:list")),
        ("syncs list, failed only", reverse("syncs:list") + "?status=failed"),
        ("syncs list, page 20", reverse("syncs:list") + "?page=20"),
        ("sync page", reverse("syncs:detail", args=[sync.pk])),
        ("sync live panel", reverse("syncs:progress", args=[sync.pk])),
        ("execution, 100k rejected", execution),
        ("execution, rejected page 1,000", f"{execution}?after={middle}"),
        ("execution, rejected search", f"{execution}?q=person99999@"),
        ("admin syncs", reverse("admin:syncs_sync_changelist")),
        ("admin executions", reverse("admin:syncs_syncexecution_changelist")),
        (
            "admin executions of a sync",
            reverse("admin:syncs_syncexecution_changelist") + f"?sync__id__exact={sync.pk}",
        ),
        (
            "admin executions, failed",
            reverse("admin:syncs_syncexecution_changelist") + "?status__exact=failed",
        ),
        ("admin record errors", reverse("admin:syncs_recorderror_changelist")),
        (
            "admin record errors of the run",
            reverse("admin:syncs_recorderror_changelist") + f"?execution__id__exact={big.pk}",
        ),
    ]


def _measure(requests: int) -> list[dict[str, Any]]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # 'testserver' allowed, DEBUG off as in production
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench@example.com"))
    results = []
    for name, url in _pages():
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        captured: list[str] = []

        def count(execute: Any, sql: str, *args: Any, seen: list[str] = captured) -> Any:
            seen.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            client.get(url)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        results.append(
            {
                "page": name,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95, 1),
                "queries": len(captured),
            }
        )
        print(
            f"{name:34} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
            f"{len(captured):3} queries   {'ok' if p95 <= TARGET_MS else 'OVER'}",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    _database(args.reseed)
    if not _seeded():
        if not args.reseed:
            from syncs.models import Sync

            if Sync.objects.exists():
                sys.exit(f"{DATABASE} holds partial data; run again with --reseed.")
        _seed()
    from django.db import connection

    print(f"PostgreSQL {connection.pg_version}, database {DATABASE}", flush=True)
    results = _measure(args.requests)
    worst = max(result["p95_ms"] for result in results)
    print(json.dumps({"target_p95_ms": TARGET_MS, "worst_p95_ms": worst, "pages": results}))


if __name__ == "__main__":
    main()
