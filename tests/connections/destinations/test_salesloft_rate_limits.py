"""Salesloft's rate limit as Salesloft counts it: deep pages cost more, and the team's budget is
shared with every other integration on it, which Salesloft reports on each answer."""

from __future__ import annotations

import pytest

from connections.destinations.ratelimit import RateLimit, WindowLimiter
from connections.destinations.salesloft.client import RATE_LIMIT, page_cost, salesloft_http
from connections.destinations.salesloft.writes import SalesloftWriter
from connections.services import connection_create
from sandbox.vendors.salesloft import DEMO_API_KEY

pytestmark = pytest.mark.django_db

KEY = {"Authorization": f"Bearer {DEMO_API_KEY}"}


@pytest.fixture
def connection(organization, vendors):
    return connection_create(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": DEMO_API_KEY},
    )


class RecordingLimiter(WindowLimiter):
    def __init__(self) -> None:
        super().__init__()
        self.costs: list[int] = []

    def acquire(self, key: str, rate: RateLimit, cost: int = 1) -> float:
        self.costs.append(cost)
        return super().acquire(key, rate, cost)


def test_page_costs_are_salesloft_s_published_ones():
    # https://developers.salesloft.com/docs/platform/api-basics/rate-limits/ ("Parameter Based
    # Rate Limits": 101-150 cost 3, 151-250 cost 8, 251-500 cost 10, 501+ cost 30).
    pages = [1, 100, 101, 150, 151, 250, 251, 500, 501, 5000]
    assert [page_cost(page) for page in pages] == [1, 1, 3, 3, 8, 8, 10, 10, 30, 30]


def test_deep_pages_are_reserved_at_what_salesloft_charges(sandbox, connection, monkeypatch):
    emulator = sandbox.app.emulators["salesloft"]
    with sandbox.app.store.lock:
        for n in range(100):  # with the seed's two: 102 people, one per page below
            emulator._insert_person({"email_address": f"page{n}@example.com"})
    monkeypatch.setattr("connections.destinations.salesloft.writes.PER_PAGE", 1)
    http = salesloft_http(connection, rate=RATE_LIMIT)
    http.limiter = limiter = RecordingLimiter()
    charged: list[int] = []
    reads_remaining = http.remaining

    def remaining(response):
        charged.append(int(response.headers["x-ratelimit-endpoint-cost"]))
        return reads_remaining(response) if reads_remaining else None

    http.remaining = remaining

    people = list(SalesloftWriter(http).pages("v2/people", [], "listing people"))

    assert len(people) == 102
    assert limiter.costs == charged  # what Syncline reserved is what the sandbox charged
    assert charged[-3:] == [1, 3, 3]  # pages 100, 101 and 102
    http.close()


def test_a_team_budget_spent_by_another_integration_holds_syncline_back(sandbox, http, connection):
    sandbox.app.faults.update({"budgets": {"salesloft": "5/0.5"}})
    connection.configuration = {**connection.configuration, "rate_limit": "5/0.5"}
    base = sandbox.vendor_url("salesloft")
    # Another integration on the same team spends four of the five.
    for _ in range(4):
        assert http.get(f"{base}/v2/cadences", headers=KEY).status_code == 200
    client = salesloft_http(connection, rate=RATE_LIMIT)

    statuses = [client.request("GET", "v2/cadences").status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    # The first answer said nothing is left, so the second waited instead of collecting a 429.
    assert client.calls[0].waited_ms == 0 and client.calls[1].waited_ms > 0
    assert http.get(f"{sandbox.url}/_sandbox/requests").json()["statuses"] == {"200": 7}
    client.close()
