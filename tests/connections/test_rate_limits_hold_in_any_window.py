"""No stretch of the vendor's window ever holds more than its limit, however the vendor counts."""

from __future__ import annotations

import threading

import pytest
from django.db import connection as db_connection

from connections.destinations.http import StaticHeaders, VendorHTTP
from connections.destinations.ratelimit import DatabaseCounter, RateLimit, WindowLimiter
from connections.models import RateLimitWindow
from sandbox.ratelimit import WindowBudget
from sandbox.vendors.salesloft import DEMO_API_KEY
from tests.connections.limiter_helpers import STORES, FakeTime, bucket, counter_for

pytestmark = pytest.mark.django_db


def _busiest_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if end - window < t <= end) for end in times)


@pytest.mark.parametrize("store", STORES)
def test_a_burst_straddling_a_window_boundary_is_spread_over_two_windows(store):
    key, rate = bucket(), RateLimit(10, 10)
    time = FakeTime(9.5)  # half a second before our clock's next multiple of 10
    limiter = WindowLimiter(counter_for(store), clock=time.clock, sleep=time.sleep)
    sent = []
    for _ in range(30):
        limiter.acquire(key, rate)
        sent.append(time.clock())
    assert _busiest_window(sent, rate.window) <= rate.limit
    # And nothing is held back needlessly: three windows' worth in three windows (and margins).
    assert sent[-1] - sent[0] < 2 * (rate.window + 0.25) + 0.2


@pytest.mark.postgres  # SQLite's in-memory test database cannot serve concurrent writers
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", STORES)
def test_workers_in_many_threads_never_take_more_than_the_limit(store):
    key, now = bucket(), 1_000_000.0
    waits, lock = [], threading.Lock()

    def take() -> None:
        try:
            wait = counter_for(store).take(key, cost=1, limit=5, span=10, clock=lambda: now)
            with lock:
                waits.append(wait)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits)[:5] == [0.0] * 5  # five went...
    assert all(wait == 10 for wait in sorted(waits)[5:])  # ...three wait for the window


@pytest.mark.parametrize("windows", ["rolling", "fixed"])
def test_the_client_stays_within_a_vendor_budget_counted_either_way(windows):
    # The vendor counts on a clock of its own: its fixed windows start 5.2 s into ours.
    time = FakeTime(9.5)
    vendor = WindowBudget(10, 10, windows, clock=lambda: time.clock() - 5.2)
    limiter = WindowLimiter(DatabaseCounter(), clock=time.clock, sleep=time.sleep)
    key, arrived = bucket(), 0.0
    for n in range(40):
        limiter.acquire(key, RateLimit(10, 10))
        # Each call reaches the vendor a little later; some take a while.
        arrived = max(arrived, time.clock() + (0.2 if n % 3 else 0.01))
        decision = vendor.consume("team", now=arrived - 5.2)
        assert decision.allowed, f"call {n} at {arrived} was refused"


def test_a_refused_acquisition_spends_nothing():
    key, rate, time = bucket(), RateLimit(3, 10), FakeTime()
    limiter = WindowLimiter(DatabaseCounter(), clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        limiter.acquire(key, rate)
    spent_while_waiting = []

    def sleep(seconds: float) -> None:
        spent_while_waiting.append(RateLimitWindow.objects.get(key=key).used)
        time.sleep(seconds)

    WindowLimiter(DatabaseCounter(), clock=time.clock, sleep=sleep).acquire(key, rate)

    assert spent_while_waiting == [3]  # the refused try recorded nothing
    assert RateLimitWindow.objects.get(key=key).used == 1  # the three aged out, it went


@pytest.mark.parametrize("budget", ["3/0.5", "3/0.5/fixed"])
def test_calls_through_the_client_never_meet_the_sandboxs_429(sandbox, http, budget):
    # The sandbox counts on its own clock, rolling by default: a client that only kept to
    # windows aligned like its own would collect 429s here.
    sandbox.app.faults.update({"budgets": {"salesloft": budget}})
    client = VendorHTTP(
        vendor="Salesloft",
        base_url=sandbox.vendor_url("salesloft"),
        auth=StaticHeaders({"Authorization": f"Bearer {DEMO_API_KEY}"}),
        bucket=bucket(),
        rate=RateLimit(3, 0.5),
        # Room for a loaded test machine between the limiter's clock and the sandbox's.
        limiter=WindowLimiter(margin=0.1),
    )
    for _ in range(7):
        assert client.request("GET", "/v2/cadences").status_code == 200
    statuses = http.get(f"{sandbox.url}/_sandbox/requests").json()["statuses"]
    assert statuses == {"200": 7}
    client.close()
