"""`Authorization: Bearer <key>`: the key's organization scopes everything the request does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from organizations.audit import actor_for_api_key, api_actor_set
from organizations.models import ApiKey, Organization
from organizations.selectors import api_key_for_raw_key
from organizations.services import api_key_mark_used


@dataclass(frozen=True)
class ApiCaller:
    """Who a request acts as: an API key of one organization (DRF's request.user)."""

    api_key: ApiKey

    is_authenticated = True
    is_anonymous = False

    @property
    def organization(self) -> Organization:
        return self.api_key.organization


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiCaller, ApiKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None  # IsAuthenticated then answers 401 with WWW-Authenticate
        scheme, _, raw_key = header.partition(" ")
        raw_key = raw_key.strip()
        if scheme.lower() != "bearer" or not raw_key:
            raise exceptions.AuthenticationFailed(
                "Send the API key as 'Authorization: Bearer <key>'."
            )
        api_key = api_key_for_raw_key(raw_key=raw_key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(
                "This API key is not valid: it is unknown or was revoked. Create a new one in "
                "the console (Settings → API keys) or with `manage.py apikey create`."
            )
        api_key_mark_used(api_key=api_key)
        api_actor_set(actor_for_api_key(api_key))  # the audit trail names the key
        return ApiCaller(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes the key (drf-spectacular)."""

    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}
