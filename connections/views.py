"""Console pages for connections: the list with health, type cards, a form per warehouse type.

Tools (Salesloft, Gong, LinkedIn Ads, Salesforce) are connected through the wizard in
connections/wizard.py; the pages here hand over to it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from connections import wizard
from connections.destinations.registry import PROVIDERS, tool_providers
from connections.forms import SOURCE_FORMS, SourceConnectionForm
from connections.kept_secrets import KeptSecrets
from connections.models import Connection
from connections.registry import CONNECTION_TYPES
from connections.secret_reuse import SecretsNeeded
from connections.selectors import (
    connection_facts,
    connection_get,
    connection_list,
    warehouse_facts,
)
from connections.services import (
    CHANGE,
    connection_check,
    connection_create,
    connection_delete,
    connection_test,
    connection_update,
    connection_usages,
)
from connections.sources.base import SourceError
from console.decorators import admin_required, admins_only_page, organization_required
from models_app.models import SqlModel
from organizations.roles import admins_sentence
from syncs.models import Sync


@organization_required
def connection_index(request: HttpRequest) -> HttpResponse:
    """Everyone sees the connections (syncs are built on them); only admins change them."""
    return render(
        request,
        "connections/list.html",
        {
            "connections": connection_list(organization=request.organization),
            **_admins_only_note(request),
        },
    )


def _admins_only_note(request: HttpRequest) -> dict[str, Any]:
    """For a member: the sentence saying who can change connections; admins get buttons."""
    can_change = request.membership.role == "admin"
    return {
        "can_change": can_change,
        "admins_only": ""
        if can_change
        else admins_sentence(organization=request.organization, what=CHANGE),
    }


def connection_read_only(request: HttpRequest, connection: Connection) -> HttpResponse:
    """A connection as a member sees it: health and settings (secrets only as "saved"), no
    buttons that change it."""
    facts = (
        connection_facts(connection=connection)
        if connection.type in PROVIDERS
        else warehouse_facts(connection=connection)
    )
    return render(
        request,
        "connections/read_only.html",
        {
            "connection": connection,
            "spec": CONNECTION_TYPES[connection.type],
            "facts": facts,
            **_admins_only_note(request),
        },
    )


@admin_required(what=CHANGE)
def connection_new(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "connections/new.html",
        {
            "cards": [CONNECTION_TYPES[key] for key in SOURCE_FORMS],
            "tool_cards": tool_providers(),
        },
    )


def _connection_form(
    request: HttpRequest, type_key: str, connection: Connection | None
) -> HttpResponse:
    """One page for new and saved warehouse connections: Test runs the check, Save checks first.

    Nothing is saved unless the check passes, so no half-made connection is left behind. The
    secrets typed for a Test are kept (encrypted, in the session) for the Save that follows,
    since password boxes are never filled back in.
    """
    kept = KeptSecrets(
        request.session, type_key=type_key, connection_id=connection.pk if connection else None
    )
    form = SOURCE_FORMS[type_key](request.POST or None, connection=connection, kept=kept)
    result = None
    if request.method == "POST" and form.is_valid():
        kept.keep(configuration=form.configuration(), secrets=form.typed_secrets())
        form.mark_kept(form.typed_secrets())
        try:
            connection_test(type=type_key, values=form.values(), existing=connection)
        except SourceError as error:
            result = ("error", error.message, error.detail)
        except ValidationError as error:  # the form checks the same; this is the backstop
            result = ("error", error.messages[0], "")
        else:
            result = (
                "success",
                "Connection works: Syncline reached the warehouse and ran a query.",
            )
        if request.POST.get("action") == "save" and result[0] == "success":
            try:
                if connection is None:
                    connection = connection_create(
                        organization=request.organization,
                        name=form.cleaned_data["name"],
                        type=type_key,
                        values=form.values(),
                        created_by=request.user,
                    )
                else:
                    connection = connection_update(
                        connection=connection,
                        name=form.cleaned_data["name"],
                        values=form.values(),
                    )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                kept.forget()
                connection_check(connection=connection)
                messages.success(request, f"{connection.name} is connected.")
                return redirect("connections:list")
    return render(
        request,
        "connections/form.html",
        {
            "form": form,
            "spec": CONNECTION_TYPES[type_key],
            "result": result,
            "connection": connection,
        },
    )


def _add_errors(form: SourceConnectionForm, error: ValidationError) -> None:
    """A service's refusal on the field it names (the name, when it names none)."""
    if isinstance(error, SecretsNeeded):  # the settings changed meanwhile
        form.add_error(form.secret_fields[0], error)
    elif hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error("name", error.messages[0])


@admin_required(what=CHANGE)
def connection_create_view(request: HttpRequest, type_key: str) -> HttpResponse:
    if type_key in PROVIDERS:
        return wizard.tool_start(request, type_key)
    if type_key not in SOURCE_FORMS:
        raise Http404("Unknown connection type")
    return _connection_form(request, type_key, None)


@organization_required
def connection_detail(request: HttpRequest, connection_id: str) -> HttpResponse:
    connection = connection_get(organization=request.organization, connection_id=connection_id)
    if connection is None:
        raise Http404("No such connection")
    if request.membership.role != "admin":
        # Members build syncs on connections: they read them, admins change them.
        if request.method != "GET":
            return admins_only_page(request, what=CHANGE)
        return connection_read_only(request, connection)
    if connection.type in PROVIDERS:
        return wizard.tool_detail(request, connection)
    if connection.type not in SOURCE_FORMS:
        raise Http404("No such connection")
    return _connection_form(request, connection.type, connection)


@admin_required(what=CHANGE)
def connection_delete_view(request: HttpRequest, connection_id: str) -> HttpResponse:
    """A confirmation page; deleting also revokes Syncline's access at the vendor."""
    connection = connection_get(organization=request.organization, connection_id=connection_id)
    if connection is None:
        raise Http404("No such connection")
    usages = connection_usages(connection=connection)
    error = ""
    if request.method == "POST":
        try:
            deleted = connection_delete(connection=connection)
        except ValidationError as problem:
            error = problem.messages[0]
        else:
            messages.success(request, f"{deleted.name} is deleted.")
            if deleted.revoked:
                messages.success(
                    request, f"{CONNECTION_TYPES[deleted.type].name} revoked Syncline's access."
                )
            elif deleted.revoke_problem:
                messages.warning(request, deleted.revoke_problem)
            return redirect("connections:list")
    return render(
        request,
        "connections/delete.html",
        {
            "connection": connection,
            "spec": CONNECTION_TYPES[connection.type],
            "usages": usages,
            "used_models": list(
                SqlModel.objects.filter(source=connection).only("pk", "name").order_by("name")
            ),
            "used_syncs": list(
                Sync.objects.filter(target_connection=connection)
                .only("pk", "name")
                .order_by("name")
            ),
            "error": error,
        },
    )
