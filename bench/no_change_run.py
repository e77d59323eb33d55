"""P1 (DESIGN.md §10): a no-change run of a 1,000,000-row PostgreSQL model, against streaming the
same rows through the same connector; peak memory of each; the first full run's diff time.

    .venv/bin/python bench/no_change_run.py [--rows 1000000] [--repeat 3]

Everything runs against the local PostgreSQL server (127.0.0.1:5432, database `test`, user
postgres; SYNCLINE_BENCH_POSTGRES to change): the model's table in a scratch schema, the app
database a fresh database of its own; both are dropped at the end. The destination is
Salesloft people in the sandbox (a no-change run sends it nothing).

The sync's state is seeded, not delivered: the rows go through the engine's own extract into a
spool (the same normalising and hashing a run does) and the spool's hashes are copied into
SyncState, as a first run that delivered every row would have left them. A first run that sent
1,000,000 people to the sandbox one call each would take hours and measure the sandbox.

Each measurement runs in a process of its own (so each has its own high-water mark of memory,
VmHWM), and the two alternate, `--repeat` times each, so a noisy neighbour slows both alike:
  stream   `PostgresSource.stream(model query)`, every row read, nothing else;
  no-change the engine's whole run (claim, extract, diff, load of nothing, finish), in-process as
            a worker runs it;
  first    once: a dry run (test=True) of the same sync with no state, i.e. the first full
            run's extract and diff, 1,000,000 creates found, nothing sent;
  one-change once, at the end: a dry run after one row of the model changed.

SYNCLINE_BENCH_PROFILE=<kind> prints a cProfile of that kind's child.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.support import Warehouse, environment, median, peak_rss_mb

environment()

from django.db import connection as app_db  # noqa: E402

from connections.destinations.registry import destination_for  # noqa: E402
from connections.services import connection_create  # noqa: E402
from connections.sources.registry import source_for  # noqa: E402
from models_app.services import sql_model_create  # noqa: E402
from organizations.models import Organization  # noqa: E402
from sandbox.server import running_sandbox  # noqa: E402
from sandbox.vendors.salesloft import DEMO_API_KEY  # noqa: E402
from syncs.engine.extract import collector_paused  # noqa: E402
from syncs.engine.plan import SyncPlan  # noqa: E402
from syncs.engine.run import Run  # noqa: E402
from syncs.engine.spool import Spool  # noqa: E402
from syncs.models import Sync, SyncExecution, SyncState  # noqa: E402
from syncs.services import sync_execution_run  # noqa: E402


def make_sync(warehouse: Warehouse, table: str) -> Sync:
    organization = Organization.objects.create(name="Bench")
    source = connection_create(
        organization=organization, name="Warehouse", type="postgresql", values=warehouse.settings
    )
    salesloft = connection_create(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": DEMO_API_KEY},
    )
    model = sql_model_create(
        organization=organization,
        name="People",
        source=source,
        query=f"SELECT email, first_name, last_name, plan, last_activity_date FROM {table}",
    )
    ref = str(model.pk)
    return Sync.objects.create(
        organization=organization,
        name="People into Salesloft",
        model=model,
        target_connection=salesloft,
        target_object="people",
        mode="updateOrCreate",
        identity={"source": {"field": "email", "model_id": ref}, "target": "email_address"},
        fields=[
            {"source": {"field": column, "model_id": ref}, "target": target}
            for column, target in (
                ("first_name", "first_name"),
                ("last_name", "last_name"),
                ("plan", "title"),
                ("last_activity_date", "custom_fields.last_activity_date"),
            )
        ],
    )


def seed_state(sync: Sync) -> int:
    """SyncState as a first run that delivered every row leaves it: the engine's own extract
    (normalising, hashing) into a spool, its hashes copied into SyncState."""
    execution = SyncExecution.objects.create(sync=sync, status=SyncExecution.Status.RUNNING)
    plan = SyncPlan.from_sync(sync)
    run = Run(execution)
    with Spool() as spool:
        with collector_paused():
            run._extract(
                plan, source_for(sync.model.source), destination_for(sync.target_connection), spool
            )
        spool.rows_count()  # the rows grouped by identity, as the diff reads them
        rows = spool.db.execute("SELECT identity, hash, row_hash FROM rows WHERE conflict = 0")
        with app_db.cursor() as cursor:
            copy_sql = (
                f"COPY {SyncState._meta.db_table} (sync_id, identity_key, values_hash, "
                "destination_id, in_doubt, row_hash, updated_at) FROM STDIN"
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for n, (identity, values_hash, row_hash) in enumerate(rows, 1):
                    copy.write_row((sync.pk, identity, values_hash, str(n), False, row_hash, "now"))
    execution.delete()
    Sync.objects.filter(pk=sync.pk).update(state_fingerprint=plan.fingerprint)
    return SyncState.objects.filter(sync=sync).count()


# -- the measurements, each in a child process -------------------------------------------------
def measure(kind: str, sync_id: str) -> dict[str, object]:
    sync = Sync.objects.select_related("model__source").get(pk=sync_id)
    started = time.perf_counter()
    if kind == "stream":
        rows = sum(len(chunk) for chunk in source_for(sync.model.source).stream(sync.model.query))
        return {"seconds": time.perf_counter() - started, "rows": rows, "rss_mb": peak_rss_mb()}
    execution = SyncExecution.objects.create(
        sync=sync, status=SyncExecution.Status.QUEUED, test=kind in {"first", "one-change"}
    )
    sync_execution_run(execution_id=execution.pk)
    seconds = time.perf_counter() - started
    execution.refresh_from_db()
    assert execution.status == "completed", execution.errors
    phases = {e["phase"]: e["at"] for e in execution.log if e.get("event") == "phase"}
    diff = next(e for e in execution.log if e.get("event") == "diff")
    return {
        "seconds": seconds,
        "rss_mb": peak_rss_mb(),
        "phases": phases,
        "finished": execution.completed_at.isoformat(),
        "started": execution.started_at.isoformat() if execution.started_at else "",
        "unchanged": execution.unchanged_count,
        "creates": diff.get("create", 0),
        "updates": diff.get("update", 0),
        "by_digest": bool(diff.get("by_digest")),
    }


def child(kind: str, sync_id: object) -> dict[str, object]:
    answer = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--sync", str(sync_id)],
        capture_output=True,
        text=True,
        env=os.environ,
    )
    if answer.returncode:
        raise SystemExit(f"the {kind} measurement failed:\n{answer.stderr}")
    if os.environ.get("SYNCLINE_BENCH_PROFILE") == kind:
        print(answer.stderr[-12_000:])
    return json.loads(answer.stdout.strip().splitlines()[-1])


def phase_seconds(result: dict[str, object]) -> dict[str, float]:
    """Seconds per phase of a run, from its log's phase timestamps."""
    import datetime as dt

    phases = result["phases"]
    assert isinstance(phases, dict)
    marks = sorted((dt.datetime.fromisoformat(at), name) for name, at in phases.items())
    marks.append((dt.datetime.fromisoformat(str(result["finished"])), "end"))
    return {name: (marks[i + 1][0] - at).total_seconds() for i, (at, name) in enumerate(marks[:-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=["stream", "no-change", "first", "one-change"])
    parser.add_argument("--sync")
    args = parser.parse_args()
    if args.child:
        if os.environ.get("SYNCLINE_BENCH_PROFILE") == args.child:  # where a child's time goes
            import cProfile
            import pstats

            profile = cProfile.Profile()
            result = profile.runcall(measure, args.child, args.sync)
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        else:
            result = measure(args.child, args.sync)
        print(json.dumps(result, default=str))
        return

    with running_sandbox() as sandbox:
        os.environ["SYNCLINE_SANDBOX_URL"] = sandbox.url
        warehouse = Warehouse()
        try:
            started = time.perf_counter()
            table = warehouse.people("users", args.rows)
            print(f"model table of {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
            sync = make_sync(warehouse, table)

            first = child("first", sync.pk)
            split = phase_seconds(first)
            print(
                f"first full run (dry run, no state): {first['seconds']:.1f} s for "
                f"{first['creates']:,} creates (extract {split.get('extract', 0):.1f} s, diff "
                f"{split.get('diff', 0):.1f} s); peak RSS {first['rss_mb']:.0f} MB"
            )
            started = time.perf_counter()
            seeded = seed_state(sync)
            print(f"state seeded: {seeded:,} records in {time.perf_counter() - started:.1f} s")
            if seeded != args.rows:
                raise SystemExit("the state wasn't seeded for every row: a run would send them all")

            streams: list[float] = []
            runs: list[float] = []
            stream_rss: list[float] = []
            run_rss: list[float] = []
            for attempt in range(1, args.repeat + 1):
                stream = child("stream", sync.pk)
                run = child("no-change", sync.pk)
                assert run["unchanged"] == args.rows, run
                streams.append(float(stream["seconds"]))
                runs.append(float(run["seconds"]))
                stream_rss.append(float(stream["rss_mb"]))
                run_rss.append(float(run["rss_mb"]))
                split = phase_seconds(run)
                print(
                    f"#{attempt}: stream {stream['seconds']:.2f} s ({stream['rss_mb']:.0f} MB), "
                    f"no-change run {run['seconds']:.2f} s ({run['rss_mb']:.0f} MB; "
                    f"{'by digest' if run['by_digest'] else 'every row read'}; extract "
                    f"{split.get('extract', 0):.2f} s, diff {split.get('diff', 0):.2f} s, load "
                    f"{split.get('load', 0):.2f} s): ratio {runs[-1] / streams[-1]:.2f}"
                )
            print(
                f"median: stream {median(streams):.2f} s, no-change run {median(runs):.2f} s, "
                f"ratio {median(runs) / median(streams):.2f} (target <= 2); peak RSS stream "
                f"{max(stream_rss):.0f} MB, run {max(run_rss):.0f} MB (target <= 300)"
            )
            # What a run costs when the digests differ: one row changed, only the buckets
            # whose sums differ read (a dry run, so nothing is sent and the state stays seeded).
            warehouse.admin.execute(
                f"UPDATE {table} SET first_name = 'Changed' WHERE email = 'person1@example.com'"
            )
            changed = child("one-change", sync.pk)
            split = phase_seconds(changed)
            print(
                f"one row changed (dry run): {changed['seconds']:.1f} s, "
                f"{float(changed['seconds']) / median(streams):.1f}x the median stream, "
                f"{changed['updates']:,} update (extract {split.get('extract', 0):.1f} s, diff "
                f"{split.get('diff', 0):.1f} s); peak RSS {changed['rss_mb']:.0f} MB"
            )
        finally:
            warehouse.drop()


if __name__ == "__main__":
    main()
