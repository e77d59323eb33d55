"""The soak (issue 13): many executions of syncs into the four destinations, run by several real
`celery worker` processes on Redis and PostgreSQL while the sandbox injects faults (5xx, 429,
hangs past the client's timeout, applied writes whose answer is lost) and access tokens die
every few seconds; one worker is SIGKILLed halfway and a fresh one started. Shared by
tests/integration/test_a_soak_with_three_workers_ends_every_run_and_delivers_each_record_once.py
(small) and bench/soak.py (200 executions, 20 syncs): one driver, so both check the same things.

The driver is this process. Each sync's model is a table of its own in a PostgreSQL schema; before
each run of a sync after its first, rows are added (and, for upserts, some changed), then a run
is started through `sync_execution_start`, as the API's start does, once the previous one ended.
Every second it does what beat does in production, faster: reaps runs whose heartbeat stopped
(resumed by the reaper) and starts again any that waited past the stale time with nothing
running (a task lost with the killed worker before it was claimed). After the runs, each sync
runs without random faults until it completes with nothing in doubt, then once more, which must
find everything unchanged and send nothing.

What `breaches()` checks, in the sandbox's own records and request log, not Syncline's word:
- every execution ended (none created, queued, running or canceling);
- per sync, the vendor holds each model row exactly once (by identity: e-mail, CRM id, hashed
  e-mail), nothing else of the sync's, and for upserts the row's latest values; no record was
  refused (a create sent twice is refused as taken), Syncline's state agrees, and the calm run
  sends nothing;
- no call was refused for a vendor's budget (the sandbox counts budgets in rolling windows on
  its own clock; the injected 429s are marked as faults in its log), and no connection lost
  its access through the token rotations.
"""

from __future__ import annotations

import hashlib
import os
import signal
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from celery import Celery
from django.db import transaction
from django.test import override_settings

from connections.models import Connection
from connections.services import connection_create
from organizations.models import Organization
from sandbox.server import RunningSandbox
from sandbox.vendors.gong import DEMO_FLOW_ID
from sandbox.vendors.linkedinads import USER_SEGMENT_ID
from syncs import services
from syncs.models import RecordError, Sync, SyncExecution, SyncState
from tests.connections.destinations.gong_support import gong_connection, gong_tokens
from tests.connections.destinations.linkedin_support import (
    USER_AUDIENCE,
    linkedin_connection,
    linkedin_tokens,
)
from tests.connections.destinations.salesforce_support import connection_for, oauth_tokens
from tests.engine_fixtures import sync_over_query
from tests.integration.oauth import salesloft_oauth
from tests.integration.runs import busiest_window, request_log
from tests.integration.worker import Worker, database_url

VENDORS = ("salesloft", "gong", "linkedinads", "salesforce")
FAULTS: dict[str, Any] = {
    "error_rate": 0.06,
    "rate_limit_rate": 0.05,
    "timeout_rate": 0.02,  # hangs past the client's timeout, then a 500: never applied
    "lost_answer_rate": 0.02,  # applied, then the answer comes too late
    "timeout_seconds": 1.2,
}
CALM = {"error_rate": 0, "rate_limit_rate": 0, "timeout_rate": 0, "lost_answer_rate": 0}
# Tight budgets, so that the limits bind: the sandbox's (rolling windows) and each connection's
# `rate_limit` say the same. Windows of 2 s and more give the limiter a margin of 0.2 s at least
# for a call's trip from its count to the vendor (Gong's real 3 a second leaves it 0.1 s, which
# a machine shared with test suites can spend waiting for a core). Salesforce has no short
# window (its limit is the org's calls per 24 hours, which the client reads from every answer):
# a daily budget far below its default.
BUDGETS = {
    "salesloft": "20/2",
    "gong": "4/2",
    "linkedinads_users": "3/3",
    "salesforce": "5000/86400",
}
# The endpoints each budget counts, by the sandbox's log's endpoint names.
BUDGETED: dict[str, Callable[[str], bool]] = {
    "salesloft": lambda endpoint: "oauth" not in endpoint,
    "gong": lambda endpoint: "oauth" not in endpoint,
    "linkedinads": lambda endpoint: endpoint.startswith("POST") and "segment_users" in endpoint,
}
# Access tokens live 63 s; Syncline refreshes a minute before expiry, so every 3 s or so, and
# rotates Salesloft's and Gong's refresh tokens each time (three workers share each connection).
# Every few seconds one vendor also ends all its access tokens at once (Salesforce gives no
# lifetime: its tokens die only so), learnt from the next call's 401.
TOKEN_TTL = 63
EXPIRE_EVERY_SECONDS = 5.0
HEARTBEAT_SECONDS, STALE_SECONDS = 1.0, 6.0
WORKER_ENV = {
    "SYNCLINE_DESTINATION_TIMEOUT_SECONDS": "0.5",  # gives up on a hang before it ends
    "SYNCLINE_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
    "SYNCLINE_HEARTBEAT_STALE_SECONDS": str(STALE_SECONDS),
}


@dataclass(frozen=True)
class Plan:
    syncs: int = 20  # over the four destinations in turn
    executions: int = 200
    workers: int = 3
    rows: int = 8  # each model's rows at its first run
    grow: int = 3  # rows added before each later run
    change: int = 2  # rows whose values change before each later run
    seed: int = 13
    timeout: float = 1200.0


@dataclass(frozen=True)
class Tables:
    """Where the models live: a schema on a PostgreSQL server, an autocommit admin connection
    to it, and the connection settings a PostgreSQL source takes."""

    schema: str
    admin: Any
    settings: dict[str, Any]


@dataclass
class Target:
    sync: Sync
    vendor: str
    table: str
    upsert: bool  # the latest values must be at the vendor, not only the records
    next_row: int = 0


@dataclass
class Report:
    plan: Plan
    seconds: float = 0.0
    executions: int = 0  # the soak's runs (the driver's starts and the reaper's resumptions)
    settling: int = 0  # runs after them, without random faults, until nothing was in doubt
    statuses: Counter[str] = field(default_factory=Counter)
    durations: list[float] = field(default_factory=list)
    killed_at: int = 0  # executions ended when a worker was SIGKILLed
    reaped: int = 0
    restarted_stranded: int = 0
    faults: Counter[str] = field(default_factory=Counter)  # injected, by kind
    statuses_seen: Counter[str] = field(default_factory=Counter)  # answers, by status
    refreshes: Counter[str] = field(default_factory=Counter)  # token calls, per vendor
    busiest: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    breaches: list[str] = field(default_factory=list)
    delivered: dict[str, int] = field(default_factory=dict)  # records at the vendor, per vendor

    def lines(self) -> list[str]:
        durations = sorted(self.durations) or [0.0]
        budgets = ", ".join(
            f"{vendor} {used}/{limit} per {window:g} s"
            for vendor, (used, limit, window) in self.busiest.items()
        )
        return [
            f"{self.executions} executions over {self.plan.syncs} syncs, {self.plan.workers} "
            f"workers (one SIGKILLed after {self.killed_at} had ended, a new one started), "
            f"in {self.seconds:.0f} s; then {self.settling} runs without random faults",
            f"ended: {dict(self.statuses)}; reaped and resumed {self.reaped}; sent again "
            f"after waiting {STALE_SECONDS:g} s with nothing running {self.restarted_stranded} "
            "(a task lost with the killed worker, or only queued behind the others)",
            f"run time: median {statistics.median(durations):.1f} s, max {durations[-1]:.1f} s",
            f"faults injected: {dict(self.faults)}; answers: {dict(self.statuses_seen)}",
            f"token calls: {dict(self.refreshes)}",
            f"busiest rolling window on the sandbox's clock: {budgets}",
            f"records delivered: {self.delivered}",
            "breaches: " + ("none" if not self.breaches else "; ".join(self.breaches)),
        ]


# -- the syncs ---------------------------------------------------------------------------------


def _key(target: Target, index: int, n: int) -> str:
    if target.vendor == "gong":
        return f"003SK{index:02d}{n:011d}"  # a Salesforce Contact id Gong's CRM knows
    return f"soak{index:02d}.{n:05d}@example.com"


def _connections(
    organization: Organization, vendors: dict[str, Any], http: httpx.Client, sandbox: Any
) -> dict[str, Connection]:
    salesloft = salesloft_oauth(organization, vendors, http, name="Salesloft (soak)")
    salesloft.configuration = {**salesloft.configuration, "rate_limit": BUDGETS["salesloft"]}
    salesloft.save()
    return {
        "salesloft": salesloft,
        "gong": gong_connection(
            organization, gong_tokens(vendors, http), rate_limit=BUDGETS["gong"]
        ),
        "linkedinads": linkedin_connection(
            organization,
            linkedin_tokens(http, vendors),
            accounts=["512630692"],
            rate_limit=BUDGETS["linkedinads_users"],
        ),
        "salesforce": connection_for(organization, oauth_tokens(http, sandbox)),
    }


def _targets(
    plan: Plan, organization: Organization, tables: Tables, connections: dict[str, Connection]
) -> list[Target]:
    source = connection_create(
        organization=organization, name="Soak warehouse", type="postgresql", values=tables.settings
    )
    targets = []
    for index in range(plan.syncs):
        vendor = VENDORS[index % len(VENDORS)]
        table = f"{tables.schema}.soak_{index:02d}"
        tables.admin.execute(
            f"CREATE TABLE {table} (key text PRIMARY KEY, first_name text, last_name text)"
        )
        # Every other sync of a vendor writes plain creates (the riskiest writes); the others
        # upsert, and their changed rows must arrive too.
        upsert = (index // len(VENDORS)) % 2 == 0 and vendor in ("salesloft", "salesforce")
        people = f"SELECT key AS email, first_name, last_name FROM {table}"
        common: dict[str, Any] = {"source": source, "name": f"Soak {index:02d} {vendor}"}
        if vendor == "salesloft":
            sync = sync_over_query(
                organization,
                query=people,
                target_connection=connections[vendor],
                target="people",
                mode="updateOrCreate" if upsert else "create",
                identity=("email", "email_address"),
                fields=[("first_name", "first_name"), ("last_name", "last_name")],
                **common,
            )
        elif vendor == "gong":
            sync = sync_over_query(
                organization,
                query=f"SELECT key AS contact_id FROM {table}",
                target_connection=connections[vendor],
                target=DEMO_FLOW_ID,
                mode="updateOrCreate",
                identity=("contact_id", "Id"),
                fields=[],
                **common,
            )
        elif vendor == "linkedinads":
            sync = sync_over_query(
                organization,
                query=people,
                target_connection=connections[vendor],
                target=USER_AUDIENCE,
                mode="create",
                identity=("email", "Email"),
                fields=[("first_name", "FirstName"), ("last_name", "LastName")],
                **common,
            )
        else:
            sync = sync_over_query(
                organization,
                query=people,
                target_connection=connections[vendor],
                target="Contact",
                mode="updateOrCreate" if upsert else "create",
                identity=("email", "External_Id__c" if upsert else "Email"),
                fields=[("email", "Email"), ("last_name", "LastName")]
                if upsert
                else [("last_name", "LastName")],
                # Small batches: a run makes several collection calls, each may fail alone.
                target_configuration={"ingestion_api": "rest", "rest_batch_size": 5},
                **common,
            )
        targets.append(Target(sync=sync, vendor=vendor, table=table, upsert=upsert))
    return targets


def _grow(tables: Tables, target: Target, index: int, rows: int, change: int, run: int) -> None:
    """Rows for the sync's next run: `rows` new ones, and `change` earlier ones renamed."""
    new = [
        (_key(target, index, target.next_row + n), f"First{n}", f"Last{target.next_row + n}")
        for n in range(rows)
    ]
    target.next_row += rows
    with tables.admin.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {target.table} VALUES (%s, %s, %s)", new)
        if change and target.next_row > rows:
            cursor.execute(
                f"UPDATE {target.table} SET first_name = %s, last_name = %s "
                f"WHERE key IN (SELECT key FROM {target.table} ORDER BY key LIMIT %s "
                f"OFFSET %s)",
                [
                    f"Changed{run}",
                    f"Changed{run}",
                    change,
                    (run * change) % max(1, target.next_row),
                ],
            )


def _prepare_gong_crm(sandbox: RunningSandbox, targets: list[Target], plan: Plan) -> None:
    """Gong assigns only prospects its linked CRM knows: every id the models will hold."""
    most = plan.rows + plan.grow * (plan.executions // plan.syncs + 2)
    emulator = sandbox.app.emulators["gong"]
    with sandbox.app.store.lock:
        crm = emulator.table("crm_prospects")
        for index, target in enumerate(targets):
            if target.vendor == "gong":
                for n in range(most):
                    crm_id = _key(target, index, n)
                    crm[crm_id] = {"crmProspectId": crm_id, "objectType": "Contact"}


# -- the workers and the driver ----------------------------------------------------------------


class Queue:
    """The soak's own queue on the broker: the workers read it, and every run enqueued in this
    process (the driver's starts, the reaper's resumptions) is sent to it."""

    def __init__(self, broker: str) -> None:
        self.broker = broker
        self.name = f"soak-{uuid.uuid4().hex[:12]}"
        self.client = Celery("soak-driver", broker=broker)

    def send(self, execution: SyncExecution) -> None:
        self.client.send_task("syncline.execute_sync", args=[str(execution.pk)], queue=self.name)

    @contextmanager
    def as_the_apps_queue(self) -> Iterator[None]:
        """services._enqueue sends to this queue while the soak runs (this process's app may be
        configured for another broker); the workers' own hand-overs use it through their
        CELERY_TASK_DEFAULT_QUEUE."""
        original = services._enqueue

        def enqueue(execution: SyncExecution) -> None:
            transaction.on_commit(lambda: self.send(execution))

        services._enqueue = enqueue
        try:
            yield
        finally:
            services._enqueue = original
            self.client.close()


def _worker(queue: Queue, sandbox: RunningSandbox, logs: Path, number: int) -> Worker:
    env = {
        **os.environ,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": queue.broker,
        "CELERY_RESULT_BACKEND": queue.broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue.name,
        "RATE_LIMIT_REDIS_URL": queue.broker,  # one limiter log for every worker
        "SYNCLINE_SANDBOX_URL": sandbox.url,
        "SYNCLINE_ALLOW_PRIVATE_HOSTS": "true",
        **WORKER_ENV,
    }
    worker = Worker(queue.broker, queue.name, env, logs / f"worker-{number}.log")
    worker.start()
    return worker


def _active(sync: Sync) -> SyncExecution | None:
    return (
        SyncExecution.objects.filter(sync=sync)
        .exclude(status__in=SyncExecution.TERMINAL)
        .order_by("created_at")
        .first()
    )


def _drive(
    plan: Plan,
    tables: Tables,
    targets: list[Target],
    queue: Queue,
    workers: list[Worker],
    start_worker: Callable[[int], Worker],
    sandbox: RunningSandbox,
    report: Report,
) -> None:
    per_sync = plan.executions // plan.syncs
    syncs = [target.sync for target in targets]
    deadline = time.monotonic() + plan.timeout
    killed = False
    last_reap = last_expiry = 0.0
    expiring = 0
    sent_again: dict[Any, float] = {}
    while True:
        now = time.monotonic()
        if now > deadline:
            raise AssertionError(f"the soak did not end within {plan.timeout:.0f} s")
        if now - last_reap >= 1.0:  # beat's reaper, every second instead of every minute
            last_reap = now
            report.reaped += len(services.sync_execution_reap())
        if now - last_expiry >= EXPIRE_EVERY_SECONDS:
            last_expiry = now
            vendor = VENDORS[expiring % len(VENDORS)]
            expiring += 1
            with sandbox.app.store.lock:
                sandbox.app.oauth.expire_access_tokens(vendor)
        counts = Counter(
            SyncExecution.objects.filter(sync__in=syncs).values_list("sync_id", flat=True)
        )
        ended = SyncExecution.objects.filter(
            sync__in=syncs, status__in=SyncExecution.TERMINAL
        ).count()
        running = SyncExecution.objects.filter(sync__in=syncs, status="running").count()
        # Halfway, at a moment every worker holds a claimed run: the victim's is interrupted.
        if not killed and ended >= plan.executions // 2 and running >= len(workers):
            killed = True
            workers.pop(0).stop(signal.SIGKILL)
            report.killed_at = ended
            workers.append(start_worker(len(workers) + 1 + plan.workers))
        busy = False
        for index, target in enumerate(targets):
            active = _active(target.sync)
            if active is not None:
                busy = True
                waited = (time.time() - active.created_at.timestamp()) > STALE_SECONDS
                resent = sent_again.get(active.pk, 0.0)
                if (
                    active.status in SyncExecution.WAITING
                    and waited
                    and now - resent > STALE_SECONDS
                ):
                    # As a scheduled start would: sent again when nothing runs for the sync.
                    if services._stranded(active):
                        sent_again[active.pk] = now
                        report.restarted_stranded += 1
                        queue.send(active)
                continue
            done = counts[target.sync.pk]
            if done >= per_sync:
                continue
            busy = True
            first = done == 0
            _grow(
                tables,
                target,
                index,
                plan.rows if first else plan.grow,
                0 if first or not target.upsert else plan.change,
                done,
            )
            services.sync_execution_start(sync=target.sync)
        if not busy:
            return
        time.sleep(0.3)


def _settle(targets: list[Target], *, most: int = 15, timeout: float = 120) -> int:
    """Runs, one sync at a time in parallel, until each completed with nothing in doubt."""
    runs = 0
    pending = {target.sync.pk: target.sync for target in targets}
    rounds = 0
    while pending and rounds < most:
        rounds += 1
        started = {pk: services.sync_execution_start(sync=sync) for pk, sync in pending.items()}
        runs += len(started)
        deadline = time.monotonic() + timeout
        for pk, execution in started.items():
            while True:
                execution.refresh_from_db()
                if execution.is_terminal:
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"a settling run is still {execution.status}")
                services.sync_execution_reap()
                time.sleep(0.2)
            doubtful = SyncState.objects.filter(sync_id=pk, in_doubt=True).exists()
            if execution.status == "completed" and not doubtful:
                pending.pop(pk)
    if pending:
        raise AssertionError(f"{len(pending)} syncs still not settled after {most} runs")
    return runs


# -- what the vendor holds ---------------------------------------------------------------------


def _hashed(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _held(http: httpx.Client, sandbox: RunningSandbox, target: Target) -> Counter[str]:
    """The sync's records at the vendor, by identity, with their latest values for upserts:
    Counter of 'identity|values'."""

    def records(vendor: str, table: str) -> list[dict[str, Any]]:
        return http.get(f"{sandbox.url}/_sandbox/records/{vendor}/{table}").json()["data"]

    held: Counter[str] = Counter()
    if target.vendor == "salesloft":
        for person in records("salesloft", "people"):
            held[f"{person['email_address']}|{person.get('first_name')}"] += 1
    elif target.vendor == "gong":
        for instance in records("gong", "flow_instances"):
            if instance["flowId"] == DEMO_FLOW_ID:
                held[f"{instance['crmProspectId']}|"] += 1
    elif target.vendor == "linkedinads":
        for member in records("linkedinads", "segment_users"):
            if member["segment"] == USER_SEGMENT_ID:
                for user_id in member.get("userIds", []):
                    held[f"{user_id['idValue']}|"] += 1
    else:
        for contact in records("salesforce", "Contact"):
            if contact.get("Email"):
                held[f"{contact['Email'].lower()}|{contact.get('LastName')}"] += 1
    return held


def _expected(tables: Tables, target: Target) -> dict[str, str]:
    """The model's rows as the vendor should hold them: identity → values ('' if unchecked)."""
    query = f"SELECT key, first_name, last_name FROM {target.table}"
    rows = tables.admin.execute(query).fetchall()
    if target.vendor == "gong":
        return {key: "" for key, _, _ in rows}
    if target.vendor == "linkedinads":
        return {_hashed(key): "" for key, _, _ in rows}
    if target.vendor == "salesloft":
        return {key: first if target.upsert else "" for key, first, _ in rows}
    return {key.lower(): last if target.upsert else "" for key, _, last in rows}


def _check_records(
    http: httpx.Client,
    sandbox: RunningSandbox,
    tables: Tables,
    targets: list[Target],
    report: Report,
) -> None:
    held_by_vendor: dict[str, Counter[str]] = {}
    for target in targets:
        if target.vendor not in held_by_vendor:
            held_by_vendor[target.vendor] = _held(http, sandbox, target)
        held = held_by_vendor[target.vendor]
        expected = _expected(tables, target)
        by_identity: Counter[str] = Counter()
        values: dict[str, set[str]] = {}
        for entry, n in held.items():
            identity, value = entry.split("|", 1)
            if identity in expected:
                by_identity[identity] += n
                values.setdefault(identity, set()).add(value)
        name = target.sync.name
        missing = [i for i in expected if not by_identity[i]]
        twice = [i for i, n in by_identity.items() if n > 1]
        stale = [
            i
            for i, value in expected.items()
            if target.upsert and by_identity[i] == 1 and values[i] != {value}
        ]
        if missing:
            report.breaches.append(f"{name}: {len(missing)} of {len(expected)} rows not delivered")
        if twice:
            report.breaches.append(f"{name}: {len(twice)} records held more than once")
        if stale:
            report.breaches.append(f"{name}: {len(stale)} records with older values")
        states = SyncState.objects.filter(sync=target.sync, in_doubt=False).count()
        if states != len(expected):
            report.breaches.append(
                f"{name}: state says {states} delivered, model has {len(expected)}"
            )
        report.delivered[target.vendor] = report.delivered.get(target.vendor, 0) + sum(
            by_identity.values()
        )
    refused = RecordError.objects.filter(execution__sync__in=[t.sync for t in targets])
    if refused.exists():
        sample = list(refused.values_list("identity_value", "message")[:3])
        report.breaches.append(f"{refused.count()} records refused, e.g. {sample}")


def _check_limits(
    http: httpx.Client, sandbox: RunningSandbox, connections: dict[str, Connection], report: Report
) -> None:
    time.sleep(FAULTS["timeout_seconds"] + 0.2)  # hanging calls are logged when answered
    budget_names = {"linkedinads": "linkedinads_users"}
    for vendor in VENDORS:
        log = request_log(http, sandbox, vendor)
        report.faults.update(entry["fault"] for entry in log if entry["fault"])
        report.statuses_seen.update(str(entry["status"]) for entry in log)
        report.refreshes[vendor] = sum(1 for e in log if "oauth_token" in e["endpoint"])
        throttle = 403 if vendor == "salesforce" else 429
        refused = [e for e in log if e["status"] == throttle and not e["fault"]]
        if vendor == "salesforce":
            refused = [e for e in refused if "oauth" not in e["endpoint"]]
        if refused:
            report.breaches.append(
                f"{vendor}: {len(refused)} calls refused for its budget "
                f"({BUDGETS[budget_names.get(vendor, vendor)]})"
            )
        if vendor in BUDGETED:
            limit, window = BUDGETS[budget_names.get(vendor, vendor)].split("/")[:2]
            taken = [
                e
                for e in log
                if BUDGETED[vendor](e["endpoint"])
                and e["fault"] in ("", "lost_answer")
                and e["status"] != 429
            ]
            report.busiest[vendor] = (
                busiest_window(taken, float(window)),
                int(limit),
                float(window),
            )
    for connection in connections.values():
        connection.refresh_from_db()
        if connection.status == Connection.Status.NEEDS_AUTH:
            report.breaches.append(f"{connection.name} lost its access: {connection.status_error}")


# -- the soak ----------------------------------------------------------------------------------


def soak(
    plan: Plan,
    *,
    organization: Organization,
    vendors: dict[str, Any],
    http: httpx.Client,
    sandbox: RunningSandbox,
    tables: Tables,
    broker: str,
    logs: Path,
) -> Report:
    report = Report(plan=plan)
    sandbox.app.faults.update({"budgets": BUDGETS, "token_ttl": TOKEN_TTL})
    connections = _connections(organization, vendors, http, sandbox)
    targets = _targets(plan, organization, tables, connections)
    _prepare_gong_crm(sandbox, targets, plan)
    http.delete(f"{sandbox.url}/_sandbox/requests")
    sandbox.app.faults.update({**FAULTS, "seed": plan.seed})
    queue = Queue(broker)
    logs.mkdir(parents=True, exist_ok=True)
    workers = [_worker(queue, sandbox, logs, n) for n in range(1, plan.workers + 1)]
    syncs = [target.sync for target in targets]
    started = time.monotonic()
    try:
        with (
            queue.as_the_apps_queue(),
            override_settings(SYNCLINE_HEARTBEAT_STALE_SECONDS=STALE_SECONDS),
        ):
            _drive(
                plan,
                tables,
                targets,
                queue,
                workers,
                lambda n: _worker(queue, sandbox, logs, n),
                sandbox,
                report,
            )
            report.seconds = time.monotonic() - started
            soaked = SyncExecution.objects.filter(sync__in=syncs)
            report.executions = soaked.count()
            report.statuses = Counter(soaked.values_list("status", flat=True))
            report.durations = [
                (e.completed_at - e.started_at).total_seconds()
                for e in soaked
                if e.started_at and e.completed_at
            ]
            unfinished = soaked.exclude(status__in=SyncExecution.TERMINAL).count()
            if unfinished:
                report.breaches.append(f"{unfinished} executions did not end")
            _check_limits(http, sandbox, connections, report)
            sandbox.app.faults.update(CALM)
            report.settling = _settle(targets)
            http.delete(f"{sandbox.url}/_sandbox/requests")
            calm = [services.sync_execution_start(sync=sync) for sync in syncs]
            for execution in calm:
                _wait(execution)
            report.settling += len(calm)
    finally:
        for worker in workers:
            worker.stop()
    for execution in calm:
        if execution.status != "completed" or execution.insert_count or execution.update_count:
            report.breaches.append(
                f"the calm run of {execution.sync.name} was {execution.status} and sent "
                f"{execution.insert_count + execution.update_count + execution.upsert_count}"
            )
    writes = [
        e
        for vendor in VENDORS
        for e in request_log(http, sandbox, vendor)
        if e["method"] != "GET" and "oauth" not in e["endpoint"] and "query" not in e["endpoint"]
    ]
    if writes:
        report.breaches.append(f"the calm runs wrote {len(writes)} times: {writes[:3]}")
    _check_records(http, sandbox, tables, targets, report)
    return report


def _wait(execution: SyncExecution, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution.refresh_from_db()
        if execution.is_terminal:
            return
        time.sleep(0.2)
    raise AssertionError(f"{execution.sync.name}'s run is still {execution.status}")
