"""Every API error in the contract's shape (reference/polytomic-api.md §1.6):
``{"status": 404, "message": "...", "key": "not_found", "metadata": {}}`` — never DRF's
``{"detail": ...}``, never an HTML page, never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)

KEYS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    500: "internal_error",
}


class ApiError(exceptions.APIException):
    """An answer in the contract's shape, raised from a view."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        key: str = "",
        metadata: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.key = key or KEYS.get(status_code, "error")
        self.metadata = dict(metadata or {})
        self.headers = dict(headers or {})


def not_found(noun: str, identifier: object) -> ApiError:
    return ApiError(404, f"{noun} {identifier} not found", key="not_found")


def error_body(
    status_code: int, message: str, *, key: str = "", metadata: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "status": status_code,
        "message": message,
        "key": key or KEYS.get(status_code, "error"),
        "metadata": dict(metadata or {}),
    }


def _sentences(detail: Any, prefix: str = "") -> list[str]:
    """DRF's nested detail (dicts of lists of ErrorDetail) as 'field: sentence' lines."""
    if isinstance(detail, Mapping):
        lines = []
        for field, inner in detail.items():
            name = f"{prefix}.{field}" if prefix else str(field)
            lines.extend(_sentences(inner, prefix if field == "non_field_errors" else name))
        return lines
    if isinstance(detail, list):
        if all(not isinstance(item, Mapping | list) for item in detail):
            return [f"{prefix}: {item}" if prefix else str(item) for item in detail]
        lines = []
        for number, item in enumerate(detail):
            lines.extend(_sentences(item, f"{prefix}[{number}]"))
        return lines
    return [f"{prefix}: {detail}" if prefix else str(detail)]


def _plain(detail: Any) -> Any:
    if isinstance(detail, Mapping):
        return {str(k): _plain(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_plain(item) for item in detail]
    return str(detail)


def validation_metadata(error: DjangoValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error}
    return {}


def validation_message(error: DjangoValidationError) -> str:
    if hasattr(error, "error_dict"):
        lines = []
        for field, messages in error:
            lines.extend(f"{field}: {m}" if field != "__all__" else str(m) for m in messages)
        return " ".join(lines)
    return " ".join(str(m) for m in error.messages)


def api_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response:
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        body = error_body(exc.status_code, exc.message, key=exc.key, metadata=exc.metadata)
        headers = exc.headers
    elif isinstance(exc, exceptions.ValidationError):
        lines = _sentences(exc.detail)
        body = error_body(
            400,
            " ".join(lines) or "The request is not valid.",
            key="invalid",
            metadata={"errors": _plain(exc.detail)},
        )
    elif isinstance(exc, DjangoValidationError):
        body = error_body(
            422, validation_message(exc), key="invalid", metadata=validation_metadata(exc)
        )
    elif isinstance(exc, Http404 | exceptions.NotFound):
        body = error_body(404, "Not found: check the id in the path.")
    elif isinstance(exc, RequestDataTooBig):
        body = error_body(413, "The request body is too large.")
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        headers["Retry-After"] = str(max(wait, 1))
        body = error_body(429, f"Too many requests: try again in {max(wait, 1)} seconds.")
    elif isinstance(exc, exceptions.NotAuthenticated):
        body = error_body(401, "This request needs an API key: send 'Authorization: Bearer <key>'.")
    elif isinstance(exc, exceptions.APIException):
        code = exc.status_code
        body = error_body(code, str(exc.detail))
    else:
        view = context.get("view")
        logger.exception("API request failed in %s", type(view).__name__ if view else "?")
        body = error_body(
            500,
            "Something went wrong on Syncline's side; nothing more was done. Try again, and "
            "if it keeps happening tell your Syncline administrator.",
        )
    if body["status"] == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return Response(body, status=body["status"], headers=headers)


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Unknown paths under /api (and ids that are not UUIDs) answer in the same shape."""
    return JsonResponse(
        error_body(404, f"There is no API endpoint {request.method} {request.path}."),
        status=status.HTTP_404_NOT_FOUND,
    )
