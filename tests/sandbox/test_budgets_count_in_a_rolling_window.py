"""Sandbox budgets count on its own clock: rolling by default, fixed windows on request."""

from __future__ import annotations

import time

import pytest

from sandbox.__main__ import parse_args
from sandbox.faults import Faults
from sandbox.ratelimit import WindowBudget
from sandbox.vendors.salesloft import DEMO_API_KEY


def test_a_burst_straddling_a_window_boundary_is_refused_by_default():
    budget = WindowBudget(5, 10, clock=lambda: 0.0)
    assert all(budget.consume("team", now=9.9).allowed for _ in range(5))
    # A new clock-aligned window would start at 10: a rolling one still holds the five.
    refused = budget.consume("team", now=10.1)
    assert not refused.allowed
    assert refused.remaining == 0
    assert refused.retry_after == 10  # 9.8 s until the first of them ages out, rounded up
    assert budget.consume("team", now=19.95).allowed


def test_fixed_windows_are_an_option_and_start_on_the_sandboxs_own_clock():
    budget = WindowBudget(5, 10, "fixed", clock=lambda: 0.0)
    assert all(budget.consume("team", now=9.9).allowed for _ in range(5))
    assert all(budget.consume("team", now=10.1).allowed for _ in range(5))
    assert not budget.consume("team", now=10.2).allowed
    # Not the wall clock a client on this machine reads: windows aren't aligned like the client's.
    assert WindowBudget(5, 10).clock is time.monotonic


def test_the_budget_setting_says_which_windows_to_count_in():
    faults = Faults()
    faults.update({"budgets": {"salesloft": "600/60/fixed", "gong": "3/1"}})
    assert faults.budgets == {"salesloft": "600/60/fixed", "gong": "3/1"}
    with pytest.raises(ValueError, match="rolling or fixed"):
        faults.update({"budgets": {"salesloft": "600/60/sliding"}})
    args = parse_args(["--budget", "salesloft=600/6/fixed"])
    assert dict(args.budget) == {"salesloft": "600/6/fixed"}


def test_a_salesloft_429_says_what_the_call_cost_and_what_is_left(sandbox, http):
    sandbox.app.faults.update({"budgets": {"salesloft": "5/60"}})
    people = f"{sandbox.vendor_url('salesloft')}/v2/people"
    key = {"Authorization": f"Bearer {DEMO_API_KEY}"}
    first = http.get(people, headers=key, params={"page": 120})  # pages 101-150 cost 3
    assert first.headers["x-ratelimit-remaining-minute"] == "2"

    refused = http.get(people, headers=key, params={"page": 120})

    assert refused.status_code == 429
    assert refused.headers["x-ratelimit-endpoint-cost"] == "3"
    assert refused.headers["x-ratelimit-remaining-minute"] == "2"
    assert "Retry-After" not in refused.headers  # Salesloft documents none
