"""Stream a 1,000,000-row PostgreSQL model through the source connector; print time and memory.

    .venv/bin/python bench/stream_postgres.py [--rows 1000000] [--url postgres://...]

Peak memory is the process's maximum resident set size, read before and after streaming: a
server-side cursor keeps it flat however many rows the model has.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
# The benchmark's PostgreSQL is on this machine: loopback, which the host policy refuses unless
# told (connections/hosts.py).
os.environ.setdefault("SYNCLINE_ALLOW_PRIVATE_HOSTS", "true")

import django

django.setup()

import psycopg  # noqa: E402

from connections.models import Connection  # noqa: E402
from connections.sources.postgres import PostgresSource  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=5_000)
    parser.add_argument(
        "--url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    url = urlsplit(args.url)
    settings = {
        "host": url.hostname,
        "port": url.port or 5432,
        "database": url.path.lstrip("/"),
        "username": url.username,
    }
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        dbname=settings["database"],
        user=url.username,
        password=url.password,
        autocommit=True,
    )
    admin.execute(f"CREATE SCHEMA {schema}")
    try:
        started = time.perf_counter()
        admin.execute(
            f"CREATE TABLE {schema}.users AS SELECT 'person' || n || '@example.com' AS email, "
            "'First' || n AS first_name, 'Last' || n AS last_name, "
            "(ARRAY['free','pro','gold'])[1 + n % 3] AS plan, "
            "DATE '2026-01-01' + n % 300 AS last_activity_date "
            f"FROM generate_series(1, {args.rows}) n"
        )
        print(f"table of {args.rows:,} rows created in {time.perf_counter() - started:.1f} s")
        source = PostgresSource(
            Connection(
                type="postgresql", configuration=settings, secrets={"password": url.password or ""}
            )
        )
        before = peak_rss_mb()
        started = time.perf_counter()
        rows = chunks = 0
        for chunk in source.stream(f"SELECT * FROM {schema}.users", chunk_rows=args.chunk):
            rows += len(chunk)
            chunks += 1
        elapsed = time.perf_counter() - started
        after = peak_rss_mb()
        print(
            f"streamed {rows:,} rows in {chunks} chunks of {args.chunk:,}: {elapsed:.1f} s "
            f"({rows / elapsed:,.0f} rows/s)"
        )
        print(
            f"peak RSS before streaming {before:.0f} MB, after {after:.0f} MB "
            f"(growth {after - before:.0f} MB)"
        )
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


if __name__ == "__main__":
    main()
