"""The one HTTP client every destination uses (DESIGN.md §5.5).

It owns: the per-account rate limit (shared by every worker, see ratelimit.py), retries with
exponential backoff and full jitter on 429 / 5xx / timeouts honouring Retry-After, OAuth refresh
before expiry and once on a 401, marking the connection needs_auth when the vendor refuses its
credentials for good, sending credentials to the connection's own API host only, timeouts, and a
record of each call for the execution log.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from connections.destinations.errors import DestinationError, NeedsReauthorization
from connections.destinations.ratelimit import RateLimit, WindowLimiter
from connections.destinations.tokens import ConnectionTokens, connection_needs_auth
from connections.models import Connection

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 120.0


class Auth(Protocol):
    def headers(self) -> dict[str, str]: ...

    def refresh(self) -> bool:
        """Get a new credential after a 401; False when there is nothing to refresh."""


class OAuthBearer:
    def __init__(self, tokens: ConnectionTokens) -> None:
        self.tokens = tokens
        self._current: str | None = None

    def headers(self) -> dict[str, str]:
        self._current = self.tokens.access_token()
        return {"Authorization": f"Bearer {self._current}"}

    def refresh(self) -> bool:
        self.tokens.refresh(stale=self._current)
        return True


@dataclass
class StaticHeaders:
    """An API key (Bearer) or Basic credentials: nothing to refresh."""

    values: dict[str, str]

    def headers(self) -> dict[str, str]:
        return dict(self.values)

    def refresh(self) -> bool:
        return False


@dataclass
class CallRecord:
    method: str
    path: str
    status: int | None
    duration_ms: float
    retries: int
    waited_ms: float = 0.0  # time spent waiting for the rate limit or backing off

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 1),
            "retries": self.retries,
            "waited_ms": round(self.waited_ms, 1),
        }


@dataclass(frozen=True)
class SharedLimit:
    """One account's rate limit as the request loop uses it."""

    limiter: WindowLimiter
    bucket: str
    rate: RateLimit

    def acquire(self, cost: int) -> float:
        return self.limiter.acquire(self.bucket, self.rate, cost)

    def observe(
        self, response: httpx.Response, remaining: Callable[[httpx.Response], int | None] | None
    ) -> None:
        """Tell the limiter how much the vendor says is left, when it says."""
        left = remaining(response) if remaining else None
        if left is not None:
            self.limiter.note_remaining(self.bucket, self.rate, left)

    def throttled(self, retry_after: float | None) -> None:
        self.limiter.throttled(self.bucket, self.rate, retry_after=retry_after)


def _throttled_by_429(response: httpx.Response) -> bool:
    return response.status_code == 429


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default_port = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default_port


def vendor_words(response: httpx.Response) -> str:
    """The vendor's own short explanation from an error answer, in the shapes vendors use:
    {"error_description"|"message"|"error": ...}, {"errors": [...]}, [{"errorCode", "message"}]."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text.strip()[:200] or f"HTTP {response.status_code}"
    if isinstance(body, list) and body and isinstance(body[0], dict):
        code, message = body[0].get("errorCode") or "", body[0].get("message") or ""
        return f"{code}: {message}"[:200] if code and message else str(code or message)[:200]
    if isinstance(body, dict):
        for name in ("error_description", "message", "error"):
            if isinstance(body.get(name), str) and body[name]:
                return body[name][:200]
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return "; ".join(str(error) for error in errors)[:200]
    return str(body)[:200]


@dataclass
class VendorHTTP:
    vendor: str  # the vendor's name, for messages
    base_url: str
    auth: Auth
    bucket: str | None = None  # the rate-limit key: one per destination account
    rate: RateLimit | None = None
    limiter: WindowLimiter | None = None
    # Seconds to wait for a vendor's answer (SYNCLINE_DESTINATION_TIMEOUT_SECONDS).
    timeout: float = field(default_factory=lambda: settings.SYNCLINE_DESTINATION_TIMEOUT_SECONDS)
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    # Vendors that throttle with something other than 429 (Salesforce: 403 REQUEST_LIMIT_EXCEEDED).
    is_throttled: Callable[[httpx.Response], bool] = _throttled_by_429
    sleep: Callable[[float], None] = time.sleep
    transport: httpx.BaseTransport | None = None
    calls: list[CallRecord] = field(default_factory=list)
    # How much of the account's budget the vendor says is left, read from an answer (Salesloft:
    # x-ratelimit-remaining-minute), or None when it doesn't say. Other integrations on the
    # account spend it too, so the shared limiter holds back when little is left.
    remaining: Callable[[httpx.Response], int | None] | None = None
    # Whose credentials these are: a 401 that survives a refresh, or a refused API key, marks
    # this connection needs_auth (when it is saved) so a person is asked to reconnect it.
    connection: Connection | None = None

    def __post_init__(self) -> None:
        self.client = httpx.Client(
            base_url=self.base_url.rstrip("/") + "/",
            timeout=self.timeout,
            transport=self.transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self.client.close()

    def drain_calls(self) -> list[CallRecord]:
        """The calls recorded since the last drain, forgotten here: the engine moves them into
        the execution log after each batch, so a long run doesn't keep one record per call.
        Cleared in place, so clients sharing one list (LinkedIn's streams) stay shared."""
        drained = list(self.calls)
        self.calls.clear()
        return drained

    def request(
        self,
        method: str,
        path: str,
        *,
        cost: int = 1,
        idempotent: bool | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send with retries; returns the final response (4xx included) or raises
        DestinationError when the vendor stayed unreachable or kept failing, and
        NeedsReauthorization when it refused the credentials for good.

        A POST is not idempotent unless the caller says so (upserts, assignments): after a
        timeout or a 500/502/504 the vendor may have applied it, so it is only retried when it
        certainly was not (the connection failed, or a 429/503 refusal).

        Credentials, the rate limit and the 401 handling are for the connection's own API host
        only: an absolute URL elsewhere (a vendor's "next" link, a result file on a storage
        host) is fetched without the Authorization header.
        """
        if idempotent is None:
            idempotent = method.upper() != "POST"
        url = path if httpx.URL(path).is_absolute_url else path.lstrip("/")
        own_host = _origin(self.client.build_request(method, url).url) == _origin(
            self.client.base_url
        )
        shared = self._shared_limit() if own_host else None
        headers = dict(kwargs.pop("headers", None) or {})
        started = time.perf_counter()
        attempt, retries, waited, refreshed = 0, 0, 0.0, False
        last_problem = ""
        while True:
            if shared:
                if own_host:
                    # A token refresh due now happens before the call takes its slot: the slot
                    # is counted when taken, and a refresh in between would make the call reach
                    # the vendor later than counted, crowding its window with the next calls.
                    self.auth.headers()
                waited += shared.acquire(cost)
            sent = {**headers, **self.auth.headers()} if own_host else headers
            may_have_applied = throttled = False
            try:
                response = self.client.request(method, url, headers=sent, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                last_problem = f"{self.vendor} could not be reached ({error.__class__.__name__})"
                response = None
            except httpx.TimeoutException:
                last_problem = f"{self.vendor} did not answer within {self.timeout:g} s"
                response, may_have_applied = None, True
            except httpx.TransportError as error:
                last_problem = f"{self.vendor} could not be reached ({error.__class__.__name__})"
                response, may_have_applied = None, True
            if response is not None:
                if shared:
                    shared.observe(response, self.remaining)
                if response.status_code == 401 and own_host:
                    if not refreshed and self.auth.refresh():
                        # One refresh per call, and the call with the new credential is an
                        # attempt of its own, even after the last failed one.
                        refreshed = True
                        continue
                    self._record(method, url, 401, started, retries, waited)
                    raise self._refused(response, refreshed=refreshed)
                throttled = self.is_throttled(response)
                if not throttled and response.status_code not in RETRYABLE_STATUSES:
                    self._record(method, url, response.status_code, started, retries, waited)
                    return response
                last_problem = f"{self.vendor} answered {response.status_code}"
                may_have_applied = not throttled and response.status_code not in (429, 503)
                if throttled and shared:
                    # Every worker on the bucket holds back until the vendor's reset.
                    shared.throttled(retry_after_seconds(response))
            attempt += 1
            if may_have_applied and not idempotent:
                last_problem += (
                    " to a request that may already have been applied, so it was not sent again"
                )
                break
            if attempt >= self.max_attempts:
                last_problem += f"; gave up after {self.max_attempts} attempts"
                break
            # After a throttle the shared limiter already holds the next attempt back.
            pause = 0.0 if throttled and shared else self._pause(attempt - 1, response)
            self.sleep(pause)
            waited += pause
            retries += 1
        status = response.status_code if response is not None else None
        self._record(method, url, status, started, retries, waited)
        if may_have_applied and not idempotent:
            # The vendor may have applied it: sending it again could create it twice.
            raise DestinationError(
                f"{last_problem}. Syncline will check whether {self.vendor} applied it before "
                "sending the affected records again.",
                permanent=False,
                status=status,
                in_doubt=True,
            )
        raise DestinationError(
            f"{last_problem}. Nothing was lost: the affected records will be sent on the next run.",
            permanent=False,
            status=status,
        )

    def _shared_limit(self) -> SharedLimit | None:
        if self.limiter is None or self.rate is None or not self.bucket:
            return None
        return SharedLimit(self.limiter, self.bucket, self.rate)

    def _refused(self, response: httpx.Response, *, refreshed: bool) -> NeedsReauthorization:
        """A 401 no refresh can cure: only a person can, so the connection says so."""
        said = vendor_words(response)
        who = f"the {self.vendor} connection" if self.connection is None else self.connection.name
        if refreshed:
            message = (
                f"{self.vendor} refused {who}'s access even after Syncline renewed its token "
                f"({said}). Reconnect {who} to continue."
            )
        else:
            message = (
                f"{self.vendor} refused {who}'s credentials ({said}). Paste a new API key into "
                f"{who}, or reconnect it, to continue."
            )
        if self.connection is not None and not self.connection._state.adding:
            # Settings being tried before they are saved (a new API key) mark nothing.
            connection_needs_auth(connection=self.connection, message=message)
        return NeedsReauthorization(message)

    def _pause(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            retry_after = retry_after_seconds(response)
            if retry_after is not None:
                return retry_after + random.uniform(0, 0.25)  # noqa: S311
        # Full jitter: anywhere up to the exponential bound.
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**attempt))  # noqa: S311

    def _record(
        self,
        method: str,
        url: str,
        status: int | None,
        started: float,
        retries: int,
        waited: float,
    ) -> None:
        path = urlsplit(url).path or url
        self.calls.append(
            CallRecord(
                method, path, status, (time.perf_counter() - started) * 1000, retries, waited * 1000
            )
        )


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Retry-After as seconds (a number or an HTTP date), capped; None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None  # unreadable: back off as if it were absent
    return max(0.0, min(seconds, MAX_RETRY_AFTER_SECONDS))
