"""The isolation matrix's table: for every URL pattern of the project (keyed as
tests/isolation/patterns.py names them), how to call it with another organization's ids and
keys, or why it is not organization-scoped.

A new URL gets an entry here, or test_every_url_refuses_another_organizations_ids.py fails and
says so. Markers in kwargs, data and queries: "{sync}" is *their* sync's id (theirs: the other
organization, see world.py), "{ours.sync}" ours; "{link_token}" their auth_url's token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What a refusal may look like. Console and API: "not found" (their object doesn't exist for
# us), or 405 for a method the view doesn't take. Admin: 403, 404, or Django's redirect to
# the index with "doesn't exist" for a missing object.
NOT_FOUND = (404, 405)
ADMIN_REFUSED = (302, 403, 404)
A_PAGE = (200,)


@dataclass(frozen=True)
class Try:
    method: str = "GET"
    data: Any = None  # a form's fields (console, admin) or a JSON body (API)
    query: str = ""
    statuses: tuple[int, ...] | None = None  # else the case's
    first: str = ""  # a page to open first (the builder's draft starts there)
    kwargs: dict[str, str] | None = None  # else the case's
    # Admin add: the posted organization is ignored and the row is ours, never theirs.
    may_add_ours: bool = False


@dataclass(frozen=True)
class Case:
    """Call the URL as `who` of our organization with `kwargs` filled from theirs."""

    who: str  # "person" (a console admin), "api" (our key), "staff" (admin, not superuser)
    kwargs: dict[str, str] = field(default_factory=dict)
    tries: tuple[Try, ...] = (Try(),)
    statuses: tuple[int, ...] = NOT_FOUND


@dataclass(frozen=True)
class NotScoped:
    """Shows and changes nothing of any organization's."""

    reason: str


@dataclass(frozen=True)
class Elsewhere:
    """Needs a flow of its own, tested by `test`."""

    test: str
    reason: str


def page(**kwargs: str) -> Case:
    """One of our pages, ids of ours or none: shows nothing of theirs."""
    return Case("person", kwargs, (Try(),), A_PAGE)


def theirs(*tries: Try, **kwargs: str) -> Case:
    return Case("person", kwargs, tries or (Try(), Try("POST")))


def api(*tries: Try, **kwargs: str) -> Case:
    return Case("api", kwargs, tries, (404,))


SYNC_BODY = {
    "name": "Planted",
    "mode": "updateOrCreate",
    "identity": {
        "source": {"field": "email", "model_id": "{model}"},
        "target": "email_address",
        "function": "Equality",
    },
    "fields": [{"source": {"field": "first_name", "model_id": "{model}"}, "target": "first_name"}],
    "schedule": {"frequency": "manual"},
    "target": {"connection_id": "{tool}", "object": "cadence:1001"},
}
# Our model into their tool, and their model into our tool: both are "not found".
SYNC_INTO_THEIR_TOOL = {
    **SYNC_BODY,
    "identity": {**SYNC_BODY["identity"], "source": {"field": "email", "model_id": "{ours.model}"}},
    "fields": [
        {"source": {"field": "first_name", "model_id": "{ours.model}"}, "target": "first_name"}
    ],
}
SYNC_FROM_THEIR_MODEL = {**SYNC_BODY, "target": {"connection_id": "{ours.tool}", "object": "x"}}
MODEL_BODY = {
    "name": "Planted",
    "connection_id": "{warehouse}",
    "configuration": {"query": "SELECT 1"},
}
CONNECTION_BODY = {"name": "Planted", "configuration": {}}
WEBHOOK_BODY = {"endpoint": "https://planted.example/hook", "secret": "planted-secret"}
EXECUTION = {"sync_id": "{sync}", "execution_id": "{running}"}

CASES: dict[str, Case | NotScoped | Elsewhere] = {
    "favicon.ico": NotScoped("a redirect to the logo"),
    "login": NotScoped("the sign-in page"),
    "logout": NotScoped("signs the caller out"),
    # -- connections -------------------------------------------------------------------------
    "connections:list": page(),
    "connections:new": page(),
    "connections:create": page(type_key="postgresql"),
    "connections:detail": theirs(connection_id="{warehouse}"),
    "connections:delete": theirs(connection_id="{warehouse}"),
    "connections:check": theirs(connection_id="{warehouse}"),
    "connections:reconnect": theirs(connection_id="{tool}"),
    "connections:accounts": theirs(connection_id="{tool}"),
    "connections:done": theirs(connection_id="{tool}"),
    # -- OAuth -------------------------------------------------------------------------------
    "social:complete": Case(
        "person",
        {"backend": "salesloft"},
        (Try(query="state=forged&code=forged"),),
        (302, 400),
    ),
    "social:link": Elsewhere(
        "tests/isolation/test_oauth_flows_stay_with_the_session_and_link_that_started_them.py",
        "a bearer link by design: whoever holds it may consent for its connection, which is "
        "theirs; nothing of the person who opens it changes",
    ),
    "social:link_done": theirs(Try(), link_id="{link}"),
    # -- models ------------------------------------------------------------------------------
    "models:list": page(),
    "models:new": Case(
        "person",
        {},
        (
            Try(),
            # Their warehouse as our model's source: refused, nothing made.
            Try("POST", {"name": "Planted", "source": "{warehouse}", "query": "SELECT 1"}),
        ),
        A_PAGE,
    ),
    "models:detail": theirs(model_id="{model}"),
    "models:delete": theirs(model_id="{model}"),
    # -- the sync builder --------------------------------------------------------------------
    "builder:new": Case(
        "person",
        {},
        # Their model in the link: ignored, the draft starts at the model step.
        (Try(query="model={model}", statuses=(302,)),),
    ),
    "builder:new_step": Case(
        "person",
        {"step": "model"},
        (
            Try(first="/syncs/new/"),
            Try("POST", {"model": "{model}"}, first="/syncs/new/"),
            # Our model chosen, then their tool as the destination: refused.
            Try(
                "POST",
                {"connection": "{tool}"},
                kwargs={"step": "destination"},
                first="/syncs/new/?model={ours.model}",
            ),
        ),
        A_PAGE,
    ),
    "builder:edit": theirs(Try(), sync_id="{sync}"),
    "builder:edit_step": theirs(
        Try(),
        Try("POST", {"name": "Planted", "active": "paused"}),
        # Editing ours, their tool as its destination: refused on the step, nothing saved.
        Try(
            "POST",
            {"connection": "{tool}"},
            kwargs={"sync_id": "{ours.sync}", "step": "destination"},
            first="/syncs/{ours.sync}/edit/",
            statuses=A_PAGE,
        ),
        sync_id="{sync}",
        step="review",
    ),
    # -- syncs and runs ----------------------------------------------------------------------
    "syncs:list": page(),
    "syncs:detail": theirs(sync_id="{sync}"),
    "syncs:progress": theirs(sync_id="{sync}"),
    "syncs:run": theirs(Try(), Try("POST", {"how": "run"}), sync_id="{sync}"),
    "syncs:active": theirs(Try(), Try("POST", {"active": "false"}), sync_id="{sync}"),
    "syncs:delete": theirs(sync_id="{sync}"),
    "syncs:execution": theirs(execution_id="{execution}"),
    "syncs:cancel": theirs(execution_id="{running}"),
    "syncs:errors_csv": theirs(execution_id="{execution}"),
    # -- organization pages ------------------------------------------------------------------
    "console:home": page(),
    "console:audit": page(),
    "console:walkthroughs": page(),
    "console:notifications": Case(
        "person",
        {},
        (
            Try(),
            # Their person as a recipient of our e-mails: refused, nothing saved.
            Try("POST", {"recipients": ["{person}"], "on_failure": "on"}),
        ),
        A_PAGE,
    ),
    "console:organization": Case(
        "person",
        {},
        (
            Try(),
            # Takes no id: it is always the signed-in person's organization. (Renaming ours as
            # theirs is refused without naming them: tests/console/
            # test_admins_change_the_organizations_name_and_time_zone.py.)
            Try("POST", {"name": "", "time_zone": "Mars/Olympus"}),
        ),
        A_PAGE,
    ),
    "console:members": Case(
        "person",
        {},
        (
            Try(statuses=A_PAGE),
            Try("POST", {"action": "role", "member": "{membership}", "role": "member"}),
            Try("POST", {"action": "remove", "member": "{membership}"}),
            Try("POST", {"action": "revoke", "invitation": "{invitation}"}),
        ),
        (404,),
    ),
    "console:invitation": Elsewhere(
        "tests/console/test_admins_invite_people_who_join_with_a_link.py",
        "a bearer link by design: whoever holds it may join as the address it invites (it works "
        "once, until it expires); someone signed in who opens it is told it is for someone else "
        "and nothing changes (test_someone_signed_in_is_told_the_link_is_for_someone_else)",
    ),
    "console:api_keys": Case(
        "person",
        {},
        (Try(statuses=A_PAGE), Try("POST", {"action": "revoke", "key": "{api_key}"})),
        (404,),
    ),
    # -- the REST API ------------------------------------------------------------------------
    "api:schema": NotScoped("the OpenAPI document: the same for everyone"),
    "api:types": NotScoped("the catalogue of connection types: the same for everyone"),
    "api:type": NotScoped("one connection type's schema: the same for everyone"),
    "api:event-types": NotScoped("the list of event names: the same for everyone"),
    "api/.*$": NotScoped("any other /api address: a 404 in the contract's shape"),
    # Creating takes no ids (a refused body changes nothing); ids in bodies: models, syncs.
    "api:connections": Case("api", {}, (Try(), Try("POST", {}, statuses=(400, 422))), A_PAGE),
    "api:connection": api(
        Try(),
        Try("PUT", CONNECTION_BODY),
        Try("POST", CONNECTION_BODY),
        Try("DELETE", query="force=true"),
        connection_id="{warehouse}",
    ),
    "api:connection-parameter-values": api(Try(), connection_id="{tool}"),
    "api:target-objects": api(Try(), Try("POST"), connection_id="{tool}"),
    "api:target-property": api(Try(), connection_id="{tool}", property_id="account"),
    "api:target-fields": api(Try(query="target=cadence:1001"), connection_id="{tool}"),
    "api:models": Case(
        "api",
        {},
        (Try(statuses=A_PAGE), Try("POST", MODEL_BODY)),
        (404,),
    ),
    "api:model-preview": api(Try("POST", MODEL_BODY)),
    "api:model": api(
        Try(),
        Try("PUT", MODEL_BODY),
        Try("DELETE"),
        # Our model moved onto their warehouse: refused.
        Try("PUT", MODEL_BODY, kwargs={"model_id": "{ours.model}"}, statuses=(400, 404, 422)),
        model_id="{model}",
    ),
    "api:model-sample": api(Try(), model_id="{model}"),
    "api:syncs": Case(
        "api",
        {},
        (
            Try(statuses=A_PAGE),
            Try("POST", SYNC_BODY),
            Try("POST", SYNC_INTO_THEIR_TOOL),
            Try("POST", SYNC_FROM_THEIR_MODEL),
        ),
        (404,),
    ),
    "api:sync-schedules": Case("api", {}, (Try(),), A_PAGE),
    "api:sync": api(
        Try(),
        Try("PUT", SYNC_BODY),
        Try("PATCH", {"name": "Planted"}),
        Try("DELETE"),
        # Our sync pointed at their model and tool: refused.
        Try("PUT", SYNC_BODY, kwargs={"sync_id": "{ours.sync}"}, statuses=(400, 404, 422)),
        Try("PATCH", SYNC_BODY, kwargs={"sync_id": "{ours.sync}"}, statuses=(400, 404, 422)),
        sync_id="{sync}",
    ),
    "api:sync-activate": api(Try("POST", {"active": False}), sync_id="{sync}"),
    "api:sync-cancel": api(Try("POST"), sync_id="{sync}"),
    "api:sync-status": api(Try(), sync_id="{sync}"),
    "api:executions": api(Try(), Try("POST", {}), sync_id="{sync}"),
    "api:execution": api(Try(), **EXECUTION),
    "api:execution-cancel": api(Try("POST"), **EXECUTION),
    "api:execution-logs": api(
        Try(), sync_id="{sync}", execution_id="{execution}", log_type="errors"
    ),
    "api:execution-log-file": api(
        Try(),
        sync_id="{sync}",
        execution_id="{execution}",
        log_type="errors",
        filename="errors.json",
    ),
    "api:events": Case("api", {}, (Try(), Try(query="sync_id={sync}")), A_PAGE),
    # Ours has its webhook already: a second is refused, and theirs is never touched.
    "api:webhooks": Case(
        "api", {}, (Try(), Try("POST", WEBHOOK_BODY, statuses=(400, 409, 422))), A_PAGE
    ),
    "api:webhook": api(Try(), Try("PUT", WEBHOOK_BODY), Try("DELETE"), webhook_id="{webhook}"),
    "api:webhook-enable": api(Try("POST"), webhook_id="{webhook}"),
    "api:webhook-disable": api(Try("POST"), webhook_id="{webhook}"),
}
