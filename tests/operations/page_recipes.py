"""Every page Syncline serves, found by walking the URL resolver, with its ids filled in.

A URL's ids are filled by the name of its argument (every connection for `connection_id`, …),
or by a recipe for that URL when it needs more (pairs of ids, a query string). A URL whose
arguments nothing fills makes the sweep fail with the URL's name, so a new page is covered from
the day it is added: give it a recipe in RECIPES (or, with a reason, in SKIPPED). A recipe
gets the scenario (tests/operations/secrets_scenario.py) and may make what its page needs, e.g.

    "console:invitation": lambda s: [{"token": invitation_create(...).token}],

A page without arguments needs nothing: it is opened as it is. Each page is opened as the
organization's admin and as a member; ALSO_FINE lists the answers, other than a page, a
redirect or a refused GET, that are right for a URL.

The Django admin's model pages (changelist, add, change, history, delete of every registered
model) are generated from admin.site's registry instead, for the first rows of every model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.views.executions import LOG_TYPES
from connections.destinations.registry import PROVIDERS, destination_for
from connections.models import Connection, OAuthLink
from connections.registry import CONNECTION_TYPES
from models_app.models import SqlModel
from syncs.builder_services import STEP_NAMES
from syncs.models import Sync, SyncExecution, Webhook

# Rows per admin model whose change, history and delete pages are opened.
ADMIN_ROWS_PER_MODEL = 30


@dataclass(frozen=True)
class Page:
    name: str  # the URL's name, namespace included ("syncs:detail")
    url: str
    api: bool = False


Fill = Callable[[Any], list[dict[str, Any]]]  # the scenario → kwargs (and "?" for a query)


def _ids(queryset: Any) -> list[str]:
    return [str(pk) for pk in queryset.values_list("pk", flat=True)]


def _executions(scenario: Any) -> list[SyncExecution]:
    return list(SyncExecution.objects.filter(sync__organization=scenario.organization))


def _tools(scenario: Any) -> list[str]:
    rows = Connection.objects.filter(organization=scenario.organization, type__in=PROVIDERS)
    return _ids(rows.exclude(status=Connection.Status.NEEDS_AUTH))


# Filled by argument name, for any URL that has only these arguments.
BY_ARGUMENT: dict[str, Callable[[Any], list[str]]] = {
    "connection_id": lambda s: _ids(Connection.objects.filter(organization=s.organization)),
    "model_id": lambda s: _ids(SqlModel.objects.filter(organization=s.organization)),
    "sync_id": lambda s: _ids(Sync.objects.filter(organization=s.organization)),
    "execution_id": lambda s: [str(e.pk) for e in _executions(s)],
    "webhook_id": lambda s: _ids(Webhook.objects.filter(organization=s.organization)),
    "type_key": lambda s: list(CONNECTION_TYPES),
    "step": lambda s: list(STEP_NAMES),
}


def _execution_pairs(scenario: Any) -> list[dict[str, Any]]:
    return [{"sync_id": str(e.sync_id), "execution_id": str(e.pk)} for e in _executions(scenario)]


def _target_properties(scenario: Any) -> list[dict[str, Any]]:
    kwargs = []
    for connection in Connection.objects.filter(pk__in=_tools(scenario)):
        destination = destination_for(connection)
        try:
            for prop in destination.target_creation():
                kwargs.append({"connection_id": str(connection.pk), "property_id": prop.id})
        finally:
            destination.close()
    return kwargs


def _link(scenario: Any) -> list[dict[str, Any]]:
    return [{"token": urlsplit(scenario.auth_link).path.rstrip("/").rsplit("/", 1)[-1]}]


def _invitation_token(scenario: Any) -> str:
    from organizations.members import invitation_create

    _, token = invitation_create(
        organization=scenario.organization,
        email="invited@sweep.test",
        role="member",
        invited_by=scenario.admin,
    )
    return token


RECIPES: dict[str, Fill] = {
    "connections:done": lambda s: [{"connection_id": pk} for pk in _tools(s)],
    "connections:accounts": lambda s: [
        {"connection_id": pk}
        for pk in _ids(Connection.objects.filter(organization=s.organization, type="linkedinads"))
    ],
    "social:complete": lambda s: [{"backend": key} for key in PROVIDERS],
    "social:link": _link,
    "social:link_done": lambda s: [{"link_id": pk} for pk in _ids(OAuthLink.objects.all())],
    "builder:edit_step": lambda s: [
        {"sync_id": sync, "step": step} for sync in BY_ARGUMENT["sync_id"](s) for step in STEP_NAMES
    ],
    "api:target-objects": lambda s: [
        {"connection_id": pk, "?": "include_target_creation_values=true"} for pk in _tools(s)
    ],
    "api:target-fields": lambda s: [
        {"connection_id": str(sync.target_connection_id), "?": f"target={sync.target_object}"}
        for sync in Sync.objects.filter(organization=s.organization)
    ],
    "api:target-property": _target_properties,
    "api:connection-parameter-values": lambda s: [{"connection_id": pk} for pk in _tools(s)],
    "api:execution": _execution_pairs,
    "api:execution-cancel": _execution_pairs,
    "api:execution-logs": lambda s: [
        {**pair, "log_type": log} for pair in _execution_pairs(s) for log in LOG_TYPES
    ],
    "api:execution-log-file": lambda s: [
        {**pair, "log_type": log, "filename": f"{log}.json"}
        for pair in _execution_pairs(s)
        for log in LOG_TYPES
    ],
    "api:events": lambda s: [{"?": ""}, {"?": "type=sync.failed"}],
    "admin:app_list": lambda s: [
        {"app_label": label} for label in {m._meta.app_label for m in admin.site._registry}
    ],
    "console:invitation": lambda s: [{"token": _invitation_token(s)}],
    "admin:auth_user_password_change": lambda s: [
        {"id": pk} for pk in _ids(get_user_model().objects.all())
    ],
}

# Answers other than a page, a redirect or a GET refused on a POST-only URL that are right here.
ALSO_FINE: dict[str, set[int]] = {
    # The model over the Snowflake connection whose password was changed to a wrong one.
    "api:model-sample": {400},
    # The sign-in link was used (by the sweep's browser): gone, and its consent is not this
    # session's.
    "social:link": {410},
    "social:link_done": {404},
    # Opened signed in (as the admin, as the member): "this invitation is for someone else".
    "console:invitation": {403},
}

SKIPPED: dict[str, str] = {
    "admin:autocomplete": "answers the admin's autocomplete widgets only, for a named field",
    "admin:view_on_site": "a redirect to an object's console page, each of which is walked",
    "admin:?": "the admin's catch-all and its models' bare-id redirects to the change pages",
    "api:?": "the API's catch-all (an error in the contract's shape for any unknown path)",
    "logout": "GET is refused; logging out would end the sweep's session",
    "admin:logout": "GET is refused; logging out would end the sweep's session",
}


def _patterns(
    resolver: URLResolver, namespace: tuple[str, ...] = ()
) -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            spaces = namespace + ((pattern.namespace,) if pattern.namespace else ())
            yield from _patterns(pattern, spaces)
        else:
            yield ":".join((*namespace, pattern.name or "?")), pattern


def _arguments(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.regex.groupindex)


def _admin_model_pages() -> tuple[list[Page], set[str]]:
    """Every registered model's pages, for its first rows; and the URL names they cover."""
    pages, covered = [], set()
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        covered |= {
            f"{info}_{view}" for view in ("changelist", "add", "change", "history", "delete")
        }
        pages += [Page(f"{info}_changelist", reverse(f"{info}_changelist"))]
        pages += [Page(f"{info}_add", reverse(f"{info}_add"))]
        for pk in model._default_manager.values_list("pk", flat=True)[:ADMIN_ROWS_PER_MODEL]:
            for view in ("change", "history", "delete"):
                pages.append(Page(f"{info}_{view}", reverse(f"{info}_{view}", args=[pk])))
    return pages, covered


def pages(scenario: Any) -> tuple[list[Page], list[str]]:
    """Every page to open, and the URL names nothing can fill (each a sentence to act on)."""
    found, covered = _admin_model_pages()
    unfilled = []
    for name, pattern in _patterns(get_resolver()):
        if name in covered or name in SKIPPED:
            continue
        arguments = _arguments(pattern)
        if pattern.name is None and (name != "?" or arguments):
            unfilled.append(
                f"{name} ({pattern.pattern}) has no name to open it by: name it, or add a "
                "reason to SKIPPED in tests/operations/page_recipes.py"
            )
            continue
        if name in RECIPES:
            fills = RECIPES[name](scenario)
        elif not arguments:
            fills = [{}]
        elif len(arguments) == 1 and next(iter(arguments)) in BY_ARGUMENT:
            argument = next(iter(arguments))
            fills = [{argument: value} for value in BY_ARGUMENT[argument](scenario)]
        else:
            unfilled.append(
                f"{name} ({pattern.pattern}): nothing fills {', '.join(sorted(arguments))}; add "
                "a recipe to RECIPES (or a reason to SKIPPED) in tests/operations/page_recipes.py"
            )
            continue
        if not fills:
            unfilled.append(f"{name}: its recipe found nothing to open; make what it needs")
        for kwargs in fills:
            kwargs = dict(kwargs)
            query = kwargs.pop("?", "")
            # The one unnamed page is at the top (favicon.ico).
            url = (
                "/" + str(pattern.pattern) if pattern.name is None else reverse(name, kwargs=kwargs)
            )
            found.append(Page(name, url + (f"?{query}" if query else ""), name.startswith("api:")))
    return found, unfilled
