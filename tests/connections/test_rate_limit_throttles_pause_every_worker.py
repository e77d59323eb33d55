"""A throttle one worker sees holds every worker on that bucket back until the vendor's reset."""

from __future__ import annotations

import threading

import pytest
from django.db import connection as db_connection

from connections.destinations.ratelimit import RateLimit, WindowLimiter
from tests.connections.limiter_helpers import STORES, FakeTime, bucket, counter_for


@pytest.mark.django_db
@pytest.mark.parametrize("store", STORES)
def test_a_429_with_retry_after_pauses_the_other_workers_until_then(store):
    key, rate, time = bucket(), RateLimit(100, 60), FakeTime()
    first = WindowLimiter(counter_for(store), clock=time.clock, sleep=time.sleep)
    second = WindowLimiter(counter_for(store), clock=time.clock, sleep=time.sleep)
    assert first.acquire(key, rate) == 0
    first.throttled(key, rate, retry_after=7)  # the vendor said: come back in 7 s

    waited = second.acquire(key, rate)

    assert 7 <= waited < 7.1  # the other worker didn't send into the vendor's refusal
    assert second.acquire(key, rate) == 0  # and afterwards the bucket is open again


@pytest.mark.django_db
@pytest.mark.parametrize("store", STORES)
def test_a_429_without_retry_after_holds_back_until_the_vendors_window_ages_out(store):
    key, rate, time = bucket(), RateLimit(10, 60), FakeTime()
    first = WindowLimiter(counter_for(store), clock=time.clock, sleep=time.sleep, margin=0)
    second = WindowLimiter(counter_for(store), clock=time.clock, sleep=time.sleep, margin=0)
    for _ in range(2):
        assert first.acquire(key, rate) == 0
    time.advance(30)
    # Salesloft and LinkedIn send no Retry-After: the vendor's window counts as full from now.
    first.throttled(key, rate, retry_after=None)

    waited = second.acquire(key, rate)

    # Our own two calls age out first (30 s later); the vendor's unseen rest a window later.
    assert 30 <= waited < 30.1


@pytest.mark.postgres  # SQLite's in-memory test database cannot serve concurrent writers
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", STORES)
def test_workers_in_other_threads_see_the_throttle_at_once(store):
    key, rate = bucket(), RateLimit(100, 60)
    throttled, waits = threading.Event(), []

    def worker(sees_the_429: bool) -> None:
        time = FakeTime()  # each worker's own clock, all reading the same time
        try:
            limiter = WindowLimiter(counter_for(store), clock=time.clock, sleep=time.sleep)
            if sees_the_429:
                limiter.acquire(key, rate)
                limiter.throttled(key, rate, retry_after=5)
                throttled.set()
            else:
                throttled.wait(10)
                waits.append(limiter.acquire(key, rate))
        finally:
            db_connection.close()

    threads = [threading.Thread(target=worker, args=(flag,)) for flag in (False, True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(waits) == 2 and all(wait >= 5 for wait in waits)
