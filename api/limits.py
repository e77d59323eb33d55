"""The API's limits: a body size (413) and a request rate per API key (429 with Retry-After).

Body size. Django's DATA_UPLOAD_MAX_MEMORY_SIZE is checked only when something reads
`request.body`; DRF's parsers read the request as a stream, so an oversized JSON body would be
read whole and parsed. The middleware refuses it first, from its Content-Length, before any
view, parser or session runs. (Under WSGI a body without Content-Length is read as empty.)

Rate. Each API key may make SYNCLINE_API_RATE_LIMIT requests ("LIMIT/SECONDS") in any stretch
of that many seconds, counted by the destinations' sliding log
(connections/destinations/ratelimit.py): in Redis when RATE_LIMIT_REDIS_URL is set, so every
web process shares one count, else in the app database. A request over it gets 429 with
Retry-After, the seconds until it would fit, which Polytomic's clients wait for and retry
(reference/polytomic-api.md §1.6).
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from api.errors import error_body
from connections.destinations.ratelimit import (
    Counter,
    DatabaseCounter,
    RateLimit,
    RedisCounter,
)

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


class RequestBodyLimitMiddleware:
    """413 in the contract's error shape for an /api request whose body is too large."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            refusal = _too_large(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)


def _too_large(request: HttpRequest) -> HttpResponse | None:
    limit = int(settings.SYNCLINE_API_MAX_BODY_BYTES)
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        return JsonResponse(
            error_body(400, f"The Content-Length header must be a number of bytes, not '{raw}'."),
            status=400,
        )
    if length <= limit:
        return None
    message = (
        f"The request body is {length:,} bytes; the API takes at most {limit:,} bytes in one "
        "request, and nothing was done. Send less at once (for example fewer identities)."
    )
    return JsonResponse(
        error_body(413, message, metadata={"limit_bytes": limit, "body_bytes": length}),
        status=413,
    )


def api_rate_limit() -> RateLimit | None:
    """SYNCLINE_API_RATE_LIMIT as a RateLimit; None when it is empty (no limit)."""
    text = str(getattr(settings, "SYNCLINE_API_RATE_LIMIT", "") or "").strip()
    return RateLimit.parse(text) if text else None


def _counter() -> Counter:
    url = getattr(settings, "RATE_LIMIT_REDIS_URL", "")
    # Not durable: a request under ATOMIC_REQUESTS (or a test) is already in a transaction.
    return _redis_counter(url) if url else DatabaseCounter(durable=False)


@functools.lru_cache(maxsize=4)
def _redis_counter(url: str) -> RedisCounter:
    """One client (and connection pool) per URL for the process, not one per request."""
    return RedisCounter(url)


class ApiKeyRateThrottle(BaseThrottle):
    """DRF's throttle hook (after authentication): one count per API key."""

    def __init__(self) -> None:
        self._wait = 0.0

    def allow_request(self, request: Request, view: Any) -> bool:
        api_key = getattr(request, "auth", None)
        rate = api_rate_limit()
        if api_key is None or rate is None:  # no key: the answer is a 401 anyway
            return True
        try:
            self._wait = _counter().take(
                f"api-key:{api_key.pk}",
                cost=1,
                limit=rate.limit,
                span=rate.window,
                clock=time.time,
            )
        except Exception:
            # The counter's store is down: serving the request beats failing every request.
            logger.exception("API rate limit not counted for key %s", api_key.pk)
            return True
        return self._wait <= 0

    def wait(self) -> float | None:
        # Whole seconds, rounded up: a client waiting the Retry-After given always fits.
        return float(max(1, math.ceil(self._wait)))
