"""The token refresh keeps its row lock, and nothing else shares that transaction or waits on it
longer than it must."""

from __future__ import annotations

import httpx
import pytest
from django.db import transaction

from connections.destinations.ratelimit import DatabaseCounter, RateLimit, WindowLimiter
from connections.destinations.tokens import ConnectionTokens, token_refresher
from connections.services import connection_create
from tests.connections.limiter_helpers import FakeTime, bucket

pytestmark = pytest.mark.django_db

SQLITE_LOCK_WAIT_SECONDS = 20  # config/settings.py: how long a writer waits for SQLite's lock


def test_a_token_refresh_never_joins_a_callers_transaction(organization):
    connection = connection_create(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        values={"access_token": "old", "refresh_token": "rotating"},
    )
    spent = []
    tokens = ConnectionTokens(connection, lambda secrets, _: spent.append(1) or {})
    # Inside a caller's transaction the lock would last as long as the caller, and a rollback
    # would lose a refresh token the vendor had already replaced: refused before the vendor call.
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        tokens.refresh(stale="old")
    assert spent == []


def test_the_rate_limit_log_is_never_written_inside_a_callers_transaction():
    time = FakeTime()
    limiter = WindowLimiter(DatabaseCounter(), clock=time.clock, sleep=time.sleep)
    # Its row lock would stall every worker on the bucket until the caller commits.
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        limiter.acquire(bucket(), RateLimit(5, 1))


def test_the_token_call_gives_up_before_other_writers_stop_waiting_for_the_lock(monkeypatch):
    asked = {}

    def post(url, **kwargs):
        asked.update(kwargs)
        return httpx.Response(200, json={"access_token": "new", "expires_in": 7200})

    monkeypatch.setattr(httpx, "post", post)
    refresh = token_refresher(
        token_url="https://vendor.example/token", client_id="a", client_secret="b"
    )

    refresh({"refresh_token": "r"}, {})

    assert asked["timeout"] <= SQLITE_LOCK_WAIT_SECONDS / 2
