"""What every API view shares: the caller's organization, the `{"data": ...}` envelope, the
served version header and Idempotency-Key. Views stay thin: they read the request, call a
service or selector, and shape the answer (DESIGN.md §3, §11)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import idempotency
from api.errors import ApiError
from api.models import IdempotentRequest
from organizations.models import Organization

VERSIONS = ("2025-09-18", "2024-02-08", "2023-04-25", "2022-12-12", "2021-05-23")
VERSION_HEADER = "X-Polytomic-Version"


def served_version(request: Any) -> str:
    """The version asked for when it is one we know, else the newest; never a refusal."""
    asked = request.META.get("HTTP_X_POLYTOMIC_VERSION", "").strip()
    return asked if asked in VERSIONS else VERSIONS[0]


class _Replay(Exception):
    def __init__(self, record: IdempotentRequest) -> None:
        self.record = record


class ApiView(APIView):
    _idempotency: IdempotentRequest | None = None

    @property
    def organization(self) -> Organization:
        return self.request.user.organization

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        key = request.META.get(idempotency.HEADER, "")
        if key and request.method in idempotency.METHODS:
            record, earlier = idempotency.idempotency_begin(
                organization=self.organization,
                key=key,
                method=request.method,
                path=request.get_full_path(),
            )
            if earlier is not None:
                raise _Replay(earlier)
            self._idempotency = record

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            return Response(exc.record.body, status=exc.record.status)
        return super().handle_exception(exc)

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        response[VERSION_HEADER] = served_version(request)
        record, self._idempotency = self._idempotency, None
        if record is not None:
            body = getattr(response, "data", None)
            idempotency.idempotency_finish(record=record, status=response.status_code, body=body)
        return response

    # -- answers -------------------------------------------------------------------------------
    @staticmethod
    def ok(data: Any, **siblings: Any) -> Response:
        return Response({"data": data, **siblings})

    @staticmethod
    def no_content() -> Response:
        return Response(status=204)

    def body(self) -> dict[str, Any]:
        """The JSON body as an object (an array or a number is a 400, not a 500)."""
        data = self.request.data
        if not isinstance(data, dict):
            raise ApiError(400, "The request body must be a JSON object, e.g. {}.")
        return data

    def flag(self, name: str, default: bool = False) -> bool:
        """A boolean query parameter: true/false (also 1/0)."""
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            return default
        value = raw.strip().lower()
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        raise ApiError(400, f"{name} must be true or false, not '{raw}'.")
