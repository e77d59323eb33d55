"""Running one case of the matrix: fill the URL and bodies with their ids, send each try as
our person, key or staff member, and check the answer and the database."""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import resolve, reverse

from tests.api.conftest import assert_error
from tests.isolation.cases import Case, Try
from tests.isolation.patterns import Pattern
from tests.isolation.world import MARKER, World, added_rows, changes, snapshot

MARK = re.compile(r"\{([a-z_.]+)(?::([a-z_.]+))?\}")


def fill(value: Any, world: World) -> Any:
    """Markers → ids: "{sync}" theirs, "{ours.sync}" ours, "{link_token}", "{content_type:x.y}"."""
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name, argument = match.group(1), match.group(2)
        if name == "content_type":
            app_label, model = str(argument).split(".")
            return str(ContentType.objects.get(app_label=app_label, model=model).pk)
        if name == "link_token":
            return world.theirs.link_token
        side = world.theirs
        if name.startswith("ours."):
            side, name = world.ours, name.removeprefix("ours.")
        return str(side[name].pk)

    return MARK.sub(one, value)


def path_for(pattern: Pattern, kwargs: dict[str, str]) -> str:
    if pattern.key != pattern.route:
        return reverse(pattern.key, kwargs=kwargs)
    path = pattern.route
    for name, value in kwargs.items():
        path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
    return "/" + path


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _ours_only(world: World, added: dict[str, set[str]]) -> list[str]:
    """Rows an admin add may make (in our organization): any that are not ours, in words."""
    ours = world.ours.organization.pk
    people = set(world.ours.organization.memberships.values_list("user_id", flat=True))
    strays = []
    for table, pks in added.items():
        model = apps.get_model(table)
        if model is LogEntry:
            if LogEntry.objects.filter(pk__in=pks).exclude(user_id__in=people).exists():
                strays.append(table)
            continue
        if model._meta.auto_created:  # a many-to-many table: its rows point at checked ones
            continue
        lookup = getattr(admin.site._registry.get(model), "organization_lookup", None)
        if lookup is None or model.objects.filter(pk__in=pks).exclude(**{lookup: ours}).exists():
            strays.append(table)
    return strays


def send(world: World, case: Case, pattern: Pattern, attempt: Try) -> tuple[int, str]:
    kwargs = fill(attempt.kwargs if attempt.kwargs is not None else case.kwargs, world)
    path = path_for(pattern, kwargs)
    served = resolve(path)
    # The request reaches the view under test, not a catch-all that would 404 anyway.
    assert served.route == pattern.route, f"{path} is served by {served.route}, not {pattern.route}"
    query = fill(attempt.query, world)
    data = fill(attempt.data, world)
    if case.who == "api":
        response = world.api().send(
            attempt.method, f"{path}?{query}" if query else path, data if data is not None else None
        )
    else:
        client = world.staff_client() if case.who == "staff" else world.person()
        if attempt.first:
            client.get(fill(attempt.first, world))
        target = f"{path}?{query}" if query else path
        if attempt.method == "GET":
            response = client.get(target)
        else:
            response = client.generic(
                attempt.method, target, _form(data), "application/x-www-form-urlencoded"
            )
    body = _body(response)
    if case.who == "api" and response.status_code >= 400 and response.status_code != 405:
        assert_error(response, response.status_code)
    return response.status_code, body + " " + response.get("Location", "")


def _form(data: Any) -> str:
    from urllib.parse import urlencode

    if data is None:
        return ""
    return urlencode(
        {k: v if isinstance(v, (str, list)) else json.dumps(v) for k, v in data.items()},
        doseq=True,
    )


def run(world: World, case: Case, pattern: Pattern) -> None:
    for attempt in case.tries:
        before = snapshot()
        status, text = send(world, case, pattern, attempt)
        expected = attempt.statuses or case.statuses
        where = f"{attempt.method} {pattern.route} {attempt.query} {attempt.data or ''}"
        assert status in expected, f"{where}: {status}, expected one of {expected}"
        assert MARKER not in text.lower(), f"{where}: their data shows: {_around(text)}"
        if not _names_theirs(case, attempt):
            # A page asked about nothing of theirs names none of their objects, even by id.
            # (UUIDs only: a small integer id is in any page.)
            shown = [
                name
                for name, obj in world.theirs.objects.items()
                if isinstance(obj.pk, UUID) and str(obj.pk) in text
            ]
            assert not shown, f"{where}: their ids show: {shown}"
        after = snapshot()
        if attempt.may_add_ours:
            assert not _ours_only(world, added_rows(before, after)), (
                f"{where}: {changes(before, after)}"
            )
            assert not [c for c in changes(before, after) if "0 changed" not in c], where
        else:
            assert changes(before, after) == [], f"{where} changed: {changes(before, after)}"


def _names_theirs(case: Case, attempt: Try) -> bool:
    said = repr((case.kwargs, attempt.kwargs, attempt.query, attempt.data, attempt.first))
    return any(not match.group(1).startswith("ours.") for match in MARK.finditer(said))


def _around(text: str) -> str:
    at = text.lower().index(MARKER)
    return text[max(0, at - 120) : at + 80]
