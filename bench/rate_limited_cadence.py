"""P3 (DESIGN.md §10): records into a Salesloft cadence against a tightened team budget, alone and
as two syncs on the same team at once; time against the theoretical minimum, 429s, nothing lost.

    .venv/bin/python bench/rate_limited_cadence.py [--records 2000] [--budget 120/10]
        [--scenario both|one|two]

Each record is two calls (upsert the person, add them to the cadence), so N records are 2N
calls and the fastest any client can go is calls / B x window (120 per 10 s: 2,000 records,
4,000 calls, 333 s). The sandbox counts the budget in rolling windows on its own clock and
answers 429 past it; the Salesloft connections say the same budget (`rate_limit`), share one
team (`team_id`, so one bucket), and the limiter keeps its log in Redis (RATE_LIMIT_REDIS_URL,
default redis://127.0.0.1:6379/11), as workers on several machines would.

Each sync runs in a process of its own, as a worker runs it (`sync_execution_run`); "two" runs
two syncs of --records each (different people, cadences 1001 and 1002) at the same time. The
time is from the first execution's start to the last one's end, as the app database records
them; the calls and 429s are counted in the sandbox's request log.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

os.environ.setdefault("RATE_LIMIT_REDIS_URL", "redis://127.0.0.1:6379/11")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.support import Warehouse, environment

environment()

from connections.destinations.ratelimit import RateLimit  # noqa: E402
from connections.services import connection_create  # noqa: E402
from models_app.services import sql_model_create  # noqa: E402
from organizations.models import Organization  # noqa: E402
from sandbox.server import running_sandbox  # noqa: E402
from sandbox.vendors.salesloft import DEMO_API_KEY  # noqa: E402
from syncs.models import Sync, SyncExecution, SyncState  # noqa: E402
from syncs.services import sync_execution_run  # noqa: E402

CADENCES = ("1001", "1002")


def make_sync(
    organization: Organization, source: object, table: str, cadence: str, budget: str, team: str
) -> Sync:
    values = {
        "auth_method": "api_key",
        "api_key": DEMO_API_KEY,
        "team_id": team,  # both connections on one team: one bucket
    }
    if budget:
        values["rate_limit"] = budget  # the team's allowance, as its admin would set it
    salesloft = connection_create(
        organization=organization,
        name=f"Salesloft for cadence {cadence}",
        type="salesloft",
        values=values,
    )
    model = sql_model_create(
        organization=organization,
        name=f"People for cadence {cadence}",
        source=source,
        query=f"SELECT email, first_name, last_name FROM {table}",
    )
    ref = str(model.pk)
    return Sync.objects.create(
        organization=organization,
        name=f"People into cadence {cadence}",
        model=model,
        target_connection=salesloft,
        target_object=f"cadence:{cadence}",
        mode="updateOrCreate",
        identity={"source": {"field": "email", "model_id": ref}, "target": "email_address"},
        fields=[
            {"source": {"field": column, "model_id": ref}, "target": column}
            for column in ("first_name", "last_name")
        ],
    )


def run_scenario(
    sandbox: object, syncs: list[Sync], records: int, rate: RateLimit
) -> dict[str, float]:
    app = sandbox.app  # type: ignore[attr-defined]
    app.clear_log()
    executions = [
        SyncExecution.objects.create(sync=sync, status=SyncExecution.Status.QUEUED)
        for sync in syncs
    ]
    started = time.perf_counter()
    workers = [
        subprocess.Popen([sys.executable, __file__, "--child", str(e.pk)], env=os.environ)
        for e in executions
    ]
    for worker in workers:
        worker.wait()
    wall = time.perf_counter() - started
    for execution in executions:
        execution.refresh_from_db()
    first = min(e.started_at for e in executions if e.started_at)
    last = max(e.completed_at for e in executions if e.completed_at)
    seconds = (last - first).total_seconds()
    log = [entry for entry in app.log if entry["vendor"] == "salesloft"]
    calls = sum(1 for entry in log if entry["status"] != 429)
    throttled = sum(1 for entry in log if entry["status"] == 429)
    minimum = calls / rate.limit * rate.window
    emails = {p["id"]: p["email_address"] for p in app.store.table("salesloft", "people").values()}
    lost = 0
    for sync, execution in zip(syncs, executions, strict=True):
        cadence = int(sync.target_object.split(":")[1])
        on_cadence = {
            emails.get(m["person_id"])
            for m in app.store.table("salesloft", "cadence_memberships").values()
            if int(m["cadence_id"]) == cadence
        }
        wanted = {f"person{n}@example.com" for n in sync_people(sync, records)}
        lost += len(wanted - on_cadence)
        delivered = SyncState.objects.filter(sync=sync, in_doubt=False).count()
        added = execution.insert_count + execution.upsert_count
        print(
            f"  {sync.name}: {execution.status}, {added:,} added, "
            f"{execution.error_count} errors, {delivered:,} in sync state, "
            f"{(execution.completed_at - execution.started_at).total_seconds():.0f} s"
        )
    print(
        f"  {len(syncs)} sync(s), {records * len(syncs):,} records: {seconds:.1f} s (wall "
        f"{wall:.1f} s) for {calls:,} calls; minimum {minimum:.1f} s; ratio "
        f"{seconds / minimum:.3f} (target <= 1.15); 429s {throttled} of {len(log):,} requests "
        f"({throttled / max(1, len(log)):.2%}, target <= 1%); records lost {lost}"
    )
    return {"seconds": seconds, "minimum": minimum, "throttled": throttled, "lost": lost}


def sync_people(sync: Sync, records: int) -> range:
    first = 1 + CADENCES.index(sync.target_object.split(":")[1]) * records
    return range(first, first + records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=2_000, help="records per sync")
    parser.add_argument("--budget", default="120/10", help="the team's cost per window, B/seconds")
    parser.add_argument("--scenario", choices=["both", "one", "two"], default="both")
    parser.add_argument(
        "--unconfigured",
        action="store_true",
        help="leave the connections' rate_limit unset: the limiter goes by Salesloft's 600/60 "
        "and the sandbox's x-ratelimit-remaining-minute answers",
    )
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        sync_execution_run(execution_id=args.child)
        return
    rate = RateLimit.parse(args.budget)
    with running_sandbox() as sandbox:
        os.environ["SYNCLINE_SANDBOX_URL"] = sandbox.url
        sandbox.app.faults.update({"budgets": {"salesloft": args.budget}})
        warehouse = Warehouse()
        try:
            organization = Organization.objects.create(name="Bench")
            source = connection_create(
                organization=organization,
                name="Warehouse",
                type="postgresql",
                values=warehouse.settings,
            )
            team = f"bench-{uuid.uuid4().hex[:8]}"  # a bucket no earlier run has used
            syncs = [
                make_sync(
                    organization,
                    source,
                    warehouse.people(f"people_{cadence}", args.records, first=1 + i * args.records),
                    cadence,
                    "" if args.unconfigured else args.budget,
                    team,
                )
                for i, cadence in enumerate(CADENCES)
            ]
            told = "not told to the connections" if args.unconfigured else "told to the connections"
            print(
                f"budget {rate.limit} per {rate.window:g} s (rolling, {told}), "
                f"{args.records:,} records"
            )
            if args.scenario in ("both", "one"):
                print("one sync:")
                run_scenario(sandbox, syncs[:1], args.records, rate)
            if args.scenario in ("both", "two"):
                if args.scenario == "both":
                    # The second scenario starts with the team's window empty, as the first did.
                    time.sleep(rate.window + 1)
                    for sync in syncs:  # and from nothing delivered
                        SyncState.objects.filter(sync=sync).delete()
                    sandbox.app.reset()
                    sandbox.app.faults.update({"budgets": {"salesloft": args.budget}})
                print("two syncs on the same team at once:")
                run_scenario(sandbox, syncs, args.records, rate)
        finally:
            warehouse.drop()


if __name__ == "__main__":
    main()
