"""Soak (issue 13): 200 executions across 20 syncs into Salesloft, Gong, LinkedIn and Salesforce,
three `celery worker` processes on Redis and PostgreSQL, one SIGKILLed halfway and replaced,
sandbox faults on (5xx, 429, hangs past the client's timeout, lost answers, tokens that expire
and that vendors end), tight budgets.

    .venv/bin/python bench/soak.py [--syncs 20] [--executions 200] [--workers 3] [--seed 13]

The driver, the invariants and the figures are tests/integration/soak.py's, which the test suite
runs small (tests/integration/test_a_soak_with_three_workers_…py); this runs it at full size on
an app database of its own (bench/support.py), the models in a scratch schema of the local
PostgreSQL server, the sandbox in a thread, and Redis database 15 (SYNCLINE_BENCH_REDIS for
another), flushed first. Prints the figures; exits non-zero on any breach.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
REDIS = os.environ.get("SYNCLINE_BENCH_REDIS", "redis://127.0.0.1:6379/15")
os.environ["CELERY_BROKER_URL"] = REDIS
os.environ["RATE_LIMIT_REDIS_URL"] = REDIS
from bench.support import Warehouse, environment  # noqa: E402

environment()

import httpx  # noqa: E402
import redis  # noqa: E402
from django.conf import settings  # noqa: E402

from config.vendors import vendor_settings  # noqa: E402
from organizations.models import Organization  # noqa: E402
from sandbox.server import running_sandbox  # noqa: E402
from tests.integration.soak import Plan, Tables, soak  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--syncs", type=int, default=20)
    parser.add_argument("--executions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    plan = Plan(syncs=args.syncs, executions=args.executions, workers=args.workers, seed=args.seed)
    redis.Redis.from_url(REDIS).flushdb()
    logs = Path(tempfile.mkdtemp(prefix="syncline-soak-"))
    warehouse = Warehouse()
    try:
        with running_sandbox() as sandbox, httpx.Client(timeout=30) as http:
            settings.VENDORS = vendor_settings(sandbox.url, environ={})
            report = soak(
                plan,
                organization=Organization.objects.create(name="Soak"),
                vendors=settings.VENDORS,
                http=http,
                sandbox=sandbox,
                tables=Tables(warehouse.schema, warehouse.admin, warehouse.settings),
                broker=REDIS,
                logs=logs,
            )
    finally:
        warehouse.drop()
    print("\n".join(report.lines()))
    print(f"worker logs: {logs}")
    if report.breaches:
        print("NOT OK")
        return 1
    print("OK: every run ended, each record delivered once, every budget held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
