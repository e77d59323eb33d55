"""A worker that read the clock before waiting its turn never wipes out a newer count."""

from __future__ import annotations

import pytest

from connections.destinations.ratelimit import RateLimit, WindowLimiter
from tests.connections.limiter_helpers import STORES, FakeTime, bucket, counter_for

pytestmark = pytest.mark.django_db


class GaveUp(Exception):
    pass


@pytest.mark.parametrize("store", STORES)
def test_a_worker_with_an_older_clock_reading_never_resets_a_newer_count(store):
    key, rate = bucket(), RateLimit(3, 10)
    counter = counter_for(store)
    # The first worker spends the whole allowance early in a window of 10 s...
    newer = FakeTime(110.0)
    for _ in range(3):
        assert WindowLimiter(counter, clock=newer.clock, sleep=newer.sleep).acquire(key, rate) == 0
    # ...then one whose clock still says the previous window (it read it before waiting on
    # the lock, or its machine runs a little behind) asks: it is told to wait, not let through.
    waits = []

    def give_up(seconds: float) -> None:
        waits.append(seconds)
        raise GaveUp

    with pytest.raises(GaveUp):
        WindowLimiter(counter, clock=lambda: 109.9, sleep=give_up).acquire(key, rate)
    assert waits and waits[0] > 10  # until the newer worker's first call has aged out
    # The newer worker's count survived: asking again, it still finds the allowance spent.
    later = FakeTime(110.5)
    assert WindowLimiter(counter, clock=later.clock, sleep=later.sleep).acquire(key, rate) > 0
