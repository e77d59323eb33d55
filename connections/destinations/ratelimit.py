"""Per-account rate limits shared by every worker: a sliding log of the calls of the last window.

A vendor allows `limit` cost per `window` seconds (Salesloft 600 a minute per team, Gong 3 a
second per company, ...), counted in windows of its own that Syncline can't see: aligned to the
vendor's clock, or rolling. The one rule safe under both readings is that no stretch of `window`
seconds ever holds more than `limit` of our cost. Clock-aligned windows of our own break it: a
burst at the end of one of our windows and another at the start of the next land in one window
of the vendor's (twice the limit). So each bucket keeps a log of the calls of the last window,
stretched by a small margin for the time a call takes to reach the vendor (and for clocks of
workers on different machines that differ a little), and a call goes out only when its cost
still fits in the log. A call that doesn't fit records nothing and waits until enough of the log
has aged out.

Beside the log each bucket keeps a "blocked until": a throttle answer seen by one worker (a 429
with Retry-After) pauses every worker on the bucket until then. A throttle without Retry-After,
or a vendor saying how little it has left (Salesloft's `x-ratelimit-remaining-minute`, which
also counts the other integrations on the team), is recorded in the log as cost used elsewhere,
so every worker holds back until that much has aged out of a window.

The log lives in Redis when one is configured (production: a sorted set changed by one Lua script
per step, so each step is atomic), else in the app database (the embedded default: one row per
bucket, changed under its row lock in a short transaction of its own).
"""

from __future__ import annotations

import bisect
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

Clock = Callable[[], float]
# The margin added to a vendor's window: long enough for a call's trip to the vendor and small
# clock differences between workers, short enough to cost little of the vendor's allowance.
MAX_MARGIN_SECONDS = 0.25
MARGIN_SHARE = 0.1  # of the window, for windows so short that 0.25 s would be a large part


@dataclass(frozen=True)
class RateLimit:
    limit: int  # cost per window
    window: float  # seconds

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window <= 0:
            raise ValueError(
                f"a rate limit needs at least 1 call per a positive number of seconds, not "
                f"{self.limit}/{self.window}"
            )

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """'600/60' → 600 cost per 60 seconds (the sandbox's budget notation)."""
        limit, window = text.split("/", 1)
        return cls(int(limit), float(window))


def configured_rate_limit(
    configuration: dict[str, object], default: RateLimit, *, connection_name: str
) -> RateLimit:
    """The vendor's limit, or the connection's own `rate_limit` ("LIMIT/SECONDS") when an
    account has a different allowance (or shares it with other tools and wants to leave room)."""
    from connections.destinations.errors import DestinationError

    text = configuration.get("rate_limit")
    if not text:
        return default
    try:
        return RateLimit.parse(str(text))
    except ValueError as error:
        raise DestinationError(
            f"The rate limit setting {text!r} of {connection_name} is not LIMIT/SECONDS with at "
            f"least 1 call (for example {default.limit}/{default.window:g})."
        ) from error


class Counter(Protocol):
    """Where a bucket's log and "blocked until" live, shared by every worker."""

    def take(self, key: str, *, cost: int, limit: int, span: float, clock: Clock) -> float:
        """Record `cost` at clock() if the bucket isn't blocked and the calls of the last `span`
        seconds leave room for it: returns 0. Else records nothing and returns the seconds until
        it may fit."""

    def note_remaining(
        self, key: str, *, remaining: int, limit: int, span: float, clock: Clock
    ) -> None:
        """The vendor says only `remaining` is left: record what it counts beyond our log as
        used at clock()."""

    def block(self, key: str, *, seconds: float, clock: Clock) -> None:
        """No call of the bucket for `seconds` from clock(); a block ending later wins."""


def _wait_for_room(log: list[list[float]], excess: float, span: float, now: float) -> float:
    """Seconds until the oldest entries of the log, ageing out, free `excess` cost."""
    freed = 0.0
    for at, cost in log:
        freed += cost
        if freed >= excess:
            return max(0.0, at + span - now)
    return span


class DatabaseCounter:
    """The log in the app database, one row per bucket; its row lock makes workers take turns.

    Each step is a transaction of its own (durable: never part of a caller's transaction, which
    would hold the bucket's lock, and stall every worker on it, until the caller commits). The
    clock is read under the lock, so a worker that waited for it counts at the time it got it,
    never at an older time read before waiting.

    `durable=False` lets a step run as a savepoint when the caller is already in a transaction
    (an API request under ATOMIC_REQUESTS or a test); workers keep the durable default.
    """

    def __init__(self, *, durable: bool = True) -> None:
        self.durable = durable

    def take(self, key: str, *, cost: int, limit: int, span: float, clock: Clock) -> float:
        with transaction.atomic(durable=self.durable):
            row = self._locked(key)
            now = clock()
            if row.blocked_until > now:
                return row.blocked_until - now
            pruned = self._prune(row, now - span)
            if row.used + cost <= limit:
                bisect.insort(row.log, [now, cost])
                row.used += cost
                row.save(update_fields=["log", "used"])
                return 0.0
            if pruned:
                row.save(update_fields=["log", "used"])
            return _wait_for_room(row.log, row.used + cost - limit, span, now)

    def note_remaining(
        self, key: str, *, remaining: int, limit: int, span: float, clock: Clock
    ) -> None:
        with transaction.atomic(durable=self.durable):
            row = self._locked(key)
            now = clock()
            pruned = self._prune(row, now - span)
            elsewhere = limit - row.used - remaining
            if elsewhere > 0:
                bisect.insort(row.log, [now, elsewhere])
                row.used += elsewhere
            if pruned or elsewhere > 0:
                row.save(update_fields=["log", "used"])

    def block(self, key: str, *, seconds: float, clock: Clock) -> None:
        with transaction.atomic(durable=self.durable):
            row = self._locked(key)
            until = clock() + seconds
            if until > row.blocked_until:
                row.blocked_until = until
                row.save(update_fields=["blocked_until"])

    @staticmethod
    def _locked(key: str) -> Any:
        from connections.models import RateLimitWindow

        row, _ = RateLimitWindow.objects.select_for_update().get_or_create(key=key)
        return row

    @staticmethod
    def _prune(row: Any, cutoff: float) -> bool:
        """Forget the calls at or before `cutoff`: only ever the oldest ones, whatever the
        clock of the worker doing it says."""
        end = bisect.bisect_right(row.log, [cutoff, float("inf")])
        if not end:
            if not row.log and row.used:
                row.used = 0  # nothing logged, nothing used
                return True
            return False
        row.used = max(0, row.used - sum(int(cost) for _, cost in row.log[:end]))
        row.log = row.log[end:]
        return True


# One script for both steps, so pruning, counting and recording are one atomic Redis operation.
# KEYS: the log (sorted set: member "<cost>:<unique>", score the time), the sum of its costs,
# the blocked-until time. ARGV: step ("take" | "note"), now, span, limit, cost or remaining,
# a unique member suffix, the keys' lifetime in milliseconds.
_LOG_SCRIPT = """
local log, used_key, blocked_key = KEYS[1], KEYS[2], KEYS[3]
local step, now, span = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local limit, amount, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[7]
local function cost_of(member) return tonumber(string.match(member, '^(%d+):')) end
if step == 'take' then
  local blocked = tonumber(redis.call('GET', blocked_key) or '0')
  if blocked > now then return tostring(blocked - now) end
end
local cutoff = now - span
local used = tonumber(redis.call('GET', used_key) or '0')
local expired = redis.call('ZRANGEBYSCORE', log, '-inf', cutoff)
for _, member in ipairs(expired) do used = used - cost_of(member) end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', log, '-inf', cutoff) end
if redis.call('ZCARD', log) == 0 or used < 0 then used = 0 end
local add = 0
if step == 'take' then
  if used + amount <= limit then add = amount end
else
  add = limit - used - amount
end
if add > 0 then
  redis.call('ZADD', log, ARGV[2], string.format('%d:%s', add, ARGV[6]))
  used = used + add
  redis.call('PEXPIRE', log, ttl)
end
redis.call('SET', used_key, string.format('%d', used), 'PX', ttl)
if step ~= 'take' or add > 0 then return '0' end
local excess = used + amount - limit
local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
local freed = 0
for i = 1, #entries, 2 do
  freed = freed + cost_of(entries[i])
  if freed >= excess then
    local wait = tonumber(entries[i + 1]) + span - now
    if wait < 0 then wait = 0 end
    return tostring(wait)
  end
end
return tostring(span)
"""
_BLOCK_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1
"""


class RedisCounter:
    """The log in Redis, shared by every worker on every machine."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self._log = self.client.register_script(_LOG_SCRIPT)
        self._block = self.client.register_script(_BLOCK_SCRIPT)

    @staticmethod
    def _keys(key: str) -> list[str]:
        # The braces keep a bucket's keys in one slot of a Redis Cluster (one script, one node).
        base = f"syncline:ratelimit:{{{key}}}"
        return [f"{base}:log", f"{base}:used", f"{base}:blocked"]

    def _run(self, step: str, key: str, amount: int, limit: int, span: float, now: float) -> float:
        ttl_ms = int((span + 1) * 1000)
        answer = self._log(
            keys=self._keys(key),
            args=[step, repr(now), repr(span), limit, amount, uuid.uuid4().hex, ttl_ms],
        )
        return float(answer)

    def take(self, key: str, *, cost: int, limit: int, span: float, clock: Clock) -> float:
        return self._run("take", key, cost, limit, span, clock())

    def note_remaining(
        self, key: str, *, remaining: int, limit: int, span: float, clock: Clock
    ) -> None:
        self._run("note", key, remaining, limit, span, clock())

    def block(self, key: str, *, seconds: float, clock: Clock) -> None:
        ttl_ms = int((max(0.0, seconds) + 1) * 1000)
        self._block(keys=[self._keys(key)[2]], args=[repr(clock() + seconds), ttl_ms])


def default_counter() -> Counter:
    url = getattr(settings, "RATE_LIMIT_REDIS_URL", "")
    return RedisCounter(url) if url else DatabaseCounter()


class WindowLimiter:
    """Holds each call back until its cost fits the bucket's log (see the module docstring)."""

    def __init__(
        self,
        counter: Counter | None = None,
        *,
        clock: Clock = time.time,
        sleep: Callable[[float], None] = time.sleep,
        margin: float | None = None,
    ) -> None:
        self.counter = counter or default_counter()
        self.clock = clock  # wall-clock time: the same on every worker (NTP), unlike monotonic
        self.sleep = sleep
        self.margin = margin  # seconds added to the vendor's window; None: the default rule

    def span(self, rate: RateLimit) -> float:
        """How far back the log looks: the vendor's window and a margin."""
        if self.margin is not None:
            return rate.window + self.margin
        return rate.window + min(MAX_MARGIN_SECONDS, rate.window * MARGIN_SHARE)

    def acquire(self, key: str, rate: RateLimit, cost: int = 1) -> float:
        """Block until `cost` fits the bucket (and no throttle blocks it); returns the seconds
        waited. The cost is recorded only when the call may go."""
        if cost > rate.limit:
            # It would never fit: waiting forever helps nobody.
            raise ValueError(f"a call costing {cost} can never fit a limit of {rate.limit}")
        waited = 0.0
        span = self.span(rate)
        while True:
            wait = self.counter.take(key, cost=cost, limit=rate.limit, span=span, clock=self.clock)
            if wait <= 0:
                return waited
            # A little jitter, so workers waiting for the same moment don't all come at once.
            pause = wait + random.uniform(0.005, 0.05)  # noqa: S311
            self.sleep(pause)
            waited += pause

    def throttled(self, key: str, rate: RateLimit, *, retry_after: float | None) -> None:
        """The vendor refused a call for the rate: every worker on the bucket holds back until
        its reset. With Retry-After that is a time; without (Salesloft, LinkedIn), the vendor's
        window is taken as full from now on and calls resume as it ages out."""
        if retry_after is not None:
            self.counter.block(key, seconds=retry_after, clock=self.clock)
        else:
            self.note_remaining(key, rate, 0)

    def note_remaining(self, key: str, rate: RateLimit, remaining: int) -> None:
        """The vendor says only `remaining` of its window is left (other integrations on the
        account spend it too): what it counts beyond our log is recorded as used now."""
        span = self.span(rate)
        left = max(0, remaining)
        self.counter.note_remaining(
            key, remaining=left, limit=rate.limit, span=span, clock=self.clock
        )
