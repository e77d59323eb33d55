"""Issue 9's last fault with real parts: two worker processes run two syncs into the same
Salesloft team at once. Salesloft's budget is the team's, shared by every integration on it
(https://developers.salesloft.com/docs/platform/api-basics/rate-limits/), so the workers share one
rate-limit log in Redis; the sandbox, counting on its own clock in rolling windows, never sees
the pair go over it."""

from __future__ import annotations

import pytest

from config.services_probe import redis_url
from connections.destinations.salesloft.client import team_bucket
from syncs.models import SyncExecution
from tests.integration.oauth import salesloft_oauth
from tests.integration.runs import busiest_window, request_log, stored
from tests.integration.worker import worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
]

BUDGET, WINDOW = 30, 3.0  # the team's cost per rolling window, tightened from 600 a minute
EACH = 60
VALID = (
    "email LIKE '%_@_%.%' AND email NOT LIKE '% %' AND email NOT LIKE '%@@%' "
    "AND email NOT LIKE '%..%'"
)


def people(order: str) -> str:
    """EACH people, from one end of the address book or the other: two syncs, no overlap."""
    return (
        "SELECT email, first_name FROM users WHERE email IN (SELECT DISTINCT email FROM users "
        f"WHERE {VALID} ORDER BY email {order} LIMIT {EACH})"
    )


def test_two_workers_syncing_into_one_team_never_exceed_its_budget_together(
    organization, vendors, make_sync, warehouse, http, sandbox, tmp_path
):
    syncs = []
    for name, order in (("Salesloft (Riley)", "ASC"), ("Salesloft (Sam)", "DESC")):
        connection = salesloft_oauth(organization, vendors, http, name=name)
        # Each connection is told the team's allowance; the budget is the team's, not theirs.
        connection.configuration = {
            **connection.configuration,
            "rate_limit": f"{BUDGET}/{WINDOW:g}",
        }
        connection.save()
        syncs.append(
            make_sync(
                source=warehouse,
                query=people(order),
                target_connection=connection,
                target="people",
                mode="updateOrCreate",  # one upsert call, cost 1, per person
                identity=("email", "email_address"),
                fields=[("first_name", "first_name")],
            )
        )
    # Both consents were for team 1 (the redirect's context): one bucket for both connections.
    assert {team_bucket(sync.target_connection) for sync in syncs} == {"salesloft:team:1"}
    seeded = {p["email_address"] for p in stored(http, sandbox, "salesloft", "people")}
    sandbox.app.faults.update({"budgets": {"salesloft": f"{BUDGET}/{WINDOW:g}"}})
    http.delete(f"{sandbox.url}/_sandbox/requests")
    shared = {"RATE_LIMIT_REDIS_URL": redis_url() or ""}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        worker(broker=redis_url(), sandbox_url=sandbox.url, tmp_path=tmp_path / "a", **shared) as a,
        worker(broker=redis_url(), sandbox_url=sandbox.url, tmp_path=tmp_path / "b", **shared) as b,
    ):
        executions = [
            SyncExecution.objects.create(sync=sync, status=SyncExecution.Status.QUEUED)
            for sync in syncs
        ]
        a.send(executions[0])
        b.send(executions[1])
        done = [a.wait(executions[0], timeout=90), b.wait(executions[1], timeout=90)]

    assert [e.status for e in done] == ["completed", "completed"], [e.errors for e in done]
    # They ran at the same time: each started before the other finished.
    assert done[0].started_at < done[1].completed_at and done[1].started_at < done[0].completed_at
    created = {p["email_address"] for p in stored(http, sandbox, "salesloft", "people")} - seeded
    assert len(created) == 2 * EACH
    calls = [
        call
        for call in request_log(http, sandbox, "salesloft")
        if call["endpoint"] != "POST salesloft.oauth_token"
    ]
    refused = [call for call in calls if call["status"] == 429]
    taken = [call for call in calls if call["status"] != 429]
    # Not one refused: a worker on a bucket of its own would still mostly hold back, told by
    # the remaining count on every answer, but only after the other worker's calls had spent it.
    assert refused == [], f"{len(refused)} calls were refused for the team's rate"
    busiest = busiest_window(taken, WINDOW)
    assert busiest <= BUDGET
    # Together they wanted more than the budget: the shared limit, not the work, set the pace.
    assert busiest >= BUDGET * 0.8, busiest
