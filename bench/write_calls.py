"""P2 (DESIGN.md §10): write calls for N records to send, per vendor, counted in the sandbox's
request log after a real engine run, beside what the vendor's batching says they must be.

    .venv/bin/python bench/write_calls.py [--records 500] [--batched 12001]

The syncs are those of tests/syncs/engine/vendor_syncs.py (the test there asserts the same for
a small N): Salesloft people and a Salesloft cadence (no batch endpoint: --records records),
a Gong flow, a LinkedIn audience, Salesforce Contacts through REST collections and through
Bulk API 2.0 jobs of 200 (--batched records). The model is a PostgreSQL query (the local server,
as the other benchmarks), the app database one of its own; each sync runs once in this process
as a worker runs it, then once more to show that unchanged records take no call.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.support import Warehouse, environment

environment()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402

from config.vendors import vendor_settings  # noqa: E402
from connections.services import connection_create  # noqa: E402
from organizations.models import Organization  # noqa: E402
from sandbox.server import running_sandbox  # noqa: E402
from syncs.models import SyncExecution  # noqa: E402
from syncs.services import sync_execution_run  # noqa: E402
from tests.syncs.engine.vendor_syncs import (  # noqa: E402
    cases,
    endpoints,
    prepare_sandbox,
    write_calls,
)

ONE_PER_RECORD = {"Salesloft people", "Salesloft cadence"}


def run(sync: object) -> SyncExecution:
    execution = SyncExecution.objects.create(sync=sync, status=SyncExecution.Status.QUEUED)
    sync_execution_run(execution_id=execution.pk)
    execution.refresh_from_db()
    return execution


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=500, help="for Salesloft")
    parser.add_argument("--batched", type=int, default=12_001, help="for the batching vendors")
    args = parser.parse_args()
    warehouse = Warehouse()  # only for its connection settings: the models need no table
    try:
        with running_sandbox() as sandbox, httpx.Client(timeout=30) as http:
            settings.VENDORS = vendor_settings(sandbox.url, environ={})
            prepare_sandbox(sandbox, args.batched)
            organization = Organization.objects.create(name="Bench")
            source = connection_create(
                organization=organization,
                name="Warehouse",
                type="postgresql",
                values=warehouse.settings,
            )
            every = cases(
                organization=organization,
                source=source,
                vendors=settings.VENDORS,
                http=http,
                sandbox=sandbox,
                n=args.batched,
            )
            print(f"{'vendor':<20}{'records':>9}{'expected':>10}{'counted':>9}  rule; calls")
            for case in every:
                n = args.records if case.name in ONE_PER_RECORD else args.batched
                if n != args.batched:
                    case.sync.model.query = f"SELECT * FROM ({case.sync.model.query}) m LIMIT {n}"
                    case.sync.model.save()
                sandbox.app.clear_log()
                started = time.perf_counter()
                first = run(case.sync)
                seconds = time.perf_counter() - started
                counted = write_calls(sandbox, case.vendor)
                calls = endpoints(sandbox, case.vendor)
                sandbox.app.clear_log()
                again = run(case.sync)
                verdict = "ok" if counted == case.expected(n) else "MISMATCH"
                print(
                    f"{case.name:<20}{n:>9,}{case.expected(n):>10,}{counted:>9,}  {verdict}: "
                    f"{case.rule}; {first.status} in {seconds:.1f} s, {first.error_count} "
                    f"errors; {calls}; a second run: {write_calls(sandbox, case.vendor)} writes, "
                    f"{again.unchanged_count:,} unchanged"
                )
    finally:
        warehouse.drop()


if __name__ == "__main__":
    main()
