"""The audit trail: services say what changed; who did it comes from the request being served.

AuditActorMiddleware (console, admin) and the API's key authentication put the acting person or
key in a context variable for the length of a request; a Celery task has none, so what it does
is Syncline's own doing ("Syncline", e.g. a schedule starting a run). Services may also name the
actor themselves.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

from organizations.models import AuditEntry, Organization


@dataclass(frozen=True)
class Actor:
    user: Any = None  # a User, or None for a key or Syncline itself
    label: str = "Syncline"


SYSTEM = Actor()
_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "audit_request", default=None
)
_api_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "audit_api_actor", default=None
)


def actor_for_user(user: Any) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return SYSTEM
    if getattr(user, "api_key", None) is not None:  # the API's caller (api/authentication.py)
        return actor_for_api_key(user.api_key)
    return Actor(user=user, label=user.get_username())


def actor_for_api_key(api_key: Any) -> Actor:
    creator = api_key.created_by
    return Actor(user=creator, label=f"API key “{api_key.name}” ({api_key.prefix}…)")


def api_actor_set(actor: Actor) -> None:
    """The API's authentication names the key acting for this request."""
    _api_actor.set(actor)


def current_actor() -> Actor:
    api = _api_actor.get()
    if api is not None:
        return api
    request = _request.get()
    if request is None:
        return SYSTEM
    return actor_for_user(getattr(request, "user", None))


def acting_person() -> Any:
    """The signed-in person the request being served is for (console, admin), or None: an API
    key (it acts with admin rights), a Celery task or a management command acts for no one."""
    if _api_actor.get() is not None:
        return None
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "api_key", None) is not None:
        return None
    return user


class AuditActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_token = _request.set(request)
        api_token = _api_actor.set(None)
        try:
            return self.get_response(request)
        finally:
            _request.reset(request_token)
            _api_actor.reset(api_token)


def audit_record(
    *,
    organization: Organization | Any,
    action: str,
    object_type: str,
    object_id: Any,
    object_name: str,
    changes: Mapping[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditEntry:
    actor = actor or current_actor()
    user = actor.user if getattr(actor.user, "pk", None) else None
    return AuditEntry.objects.create(
        organization_id=getattr(organization, "pk", organization),
        actor=user,
        actor_label=actor.label[:300],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_name=str(object_name)[:300],
        changes=dict(changes or {}),
    )


def changes_between(
    before: Mapping[str, Any], after: Mapping[str, Any], *, secret: Iterable[str] = ()
) -> dict[str, Any]:
    """{setting: [before, after]} for what differs; a secret shows only that it changed."""
    hidden = set(secret)
    found: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        found[key] = "changed" if key in hidden else [_plain(old), _plain(new)]
    return found


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)
