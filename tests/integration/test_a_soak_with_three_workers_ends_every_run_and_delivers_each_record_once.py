"""Issue 13's soak, small: 32 executions of 8 syncs into Salesloft, Gong, LinkedIn and Salesforce
(plain creates and upserts), run by three `celery worker` processes while the sandbox answers
5xx, 429, hangs past the client's timeout and loses the answers of applied writes, tokens expire
and vendors end them, and one worker is SIGKILLed halfway and replaced. Every run ends; each
model row is at its vendor exactly once, with its latest values; no vendor's budget was
exceeded (the sandbox counts them on its own clock); no connection lost its access.
tests/integration/soak.py says how; bench/soak.py runs it at full size (200 executions)."""

from __future__ import annotations

import pytest

from config.services_probe import redis_url
from tests.integration.soak import Plan, Tables, soak

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
]

PLAN = Plan(syncs=8, executions=32, workers=3, rows=10, grow=5, change=2, timeout=240)


def test_three_workers_one_killed_end_every_run_and_deliver_each_record_once_within_budgets(
    organization, vendors, http, sandbox, postgres_warehouse, tmp_path
):
    tables = Tables(
        schema=postgres_warehouse["schema"],
        admin=postgres_warehouse["admin"],
        settings={k: v for k, v in postgres_warehouse.items() if k not in ("schema", "admin")},
    )
    report = soak(
        PLAN,
        organization=organization,
        vendors=vendors,
        http=http,
        sandbox=sandbox,
        tables=tables,
        broker=redis_url() or "",
        logs=tmp_path,
    )
    summary = "\n".join(report.lines())
    assert report.breaches == [], summary
    assert report.executions >= PLAN.executions, summary
    # The faults and the kill happened: a soak that met none of them proves nothing.
    assert report.faults["server_error"] and report.faults["rate_limited"], summary
    assert report.faults["timeout"] + report.faults["lost_answer"], summary
    assert report.killed_at, summary
    assert report.statuses["interrupted"] >= 1 and report.reaped >= 1, summary
    assert report.refreshes["salesloft"] > 1 and report.refreshes["gong"] > 1, summary
    # The limits bound: some window of the sandbox's came close to each budget.
    for vendor, (busiest, limit, _) in report.busiest.items():
        assert busiest >= limit * 0.6, (vendor, summary)
