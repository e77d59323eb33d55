"""The console wizard for tools (Salesloft, Gong, LinkedIn Ads, Salesforce).

Choose the tool → its start page (a name; Salesforce's options; or a Salesloft API key) →
the vendor's consent page → back in Syncline (connections.oauth.pipeline saves the tokens and
checks them) → LinkedIn: choose the ad accounts → done, showing the connection's health.
Reconnect runs the same consent for a saved connection.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from connections.destinations.errors import DestinationError
from connections.forms import TOOL_START_FORMS, AdAccountsForm, SalesloftApiKeyForm
from connections.models import Connection
from connections.oauth.pending import pending_start, wizard_error_pop
from connections.oauth.views import oauth_begin
from connections.registry import CONNECTION_TYPES
from connections.selectors import connection_facts, connection_get
from connections.services import (
    connection_accounts_set,
    connection_api_key_save,
    connection_check,
    connection_name_check,
    connection_name_suggest,
)
from console.decorators import organization_required


def _posted(request: HttpRequest) -> Any:
    """The POST data for a form, also when empty (no box ticked is an answer too)."""
    return request.POST if request.method == "POST" else None


def wizard_steps(type_key: str, current: str) -> list[dict[str, Any]]:
    names = [
        ("choose", "Choose the tool"),
        ("sign_in", f"Sign in to {CONNECTION_TYPES[type_key].name}"),
        ("check", "Automatic check"),
    ]
    if type_key == "linkedinads":
        names.append(("accounts", "Choose ad accounts"))
    names.append(("done", "Done"))
    position = [key for key, _ in names].index(current)
    return [
        {"label": label, "state": "done" if i < position else "current" if i == position else ""}
        for i, (_, label) in enumerate(names)
    ]


def _oauth_app_missing(type_key: str, configuration: dict[str, Any]) -> str:
    """Why the consent can't start (no OAuth app configured), or ""."""
    if configuration.get("connect_mode") == "api" or settings.VENDORS[type_key].get("client_id"):
        return ""
    name = CONNECTION_TYPES[type_key].name
    prefix = f"SYNCLINE_{type_key.upper()}_"
    return (
        f"Syncline's {name} app is not set up yet. An administrator needs to set "
        f"{prefix}CLIENT_ID and {prefix}CLIENT_SECRET (see README.md, 'Configuration')."
    )


def tool_start(request: HttpRequest, type_key: str) -> HttpResponse:
    """The start page. POST "oauth" goes to the vendor; POST "api_key" (Salesloft) checks the
    key and saves the connection only if Salesloft accepts it."""
    organization = request.organization
    use_api_key = type_key == "salesloft" and (
        request.GET.get("method") == "api_key" or request.POST.get("action") == "api_key"
    )
    error = wizard_error_pop(request.session, type_key) if request.method == "GET" else ""
    initial = {"name": connection_name_suggest(organization=organization, type=type_key)}
    form_class = SalesloftApiKeyForm if use_api_key else TOOL_START_FORMS[type_key]
    form = form_class(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        try:
            connection_name_check(organization=organization, name=name)
            if use_api_key:
                connection = connection_api_key_save(
                    organization=organization,
                    name=name,
                    api_key=form.cleaned_data["api_key"],
                    created_by=request.user,
                )
                return redirect("connections:done", connection.pk)
        except ValidationError as problem:
            form.add_error("name", problem.messages[0])
        except DestinationError as problem:
            error = problem.message
        else:
            error = _oauth_app_missing(type_key, form.configuration())
            if not error:
                pending_start(
                    request.session,
                    type=type_key,
                    organization_id=str(organization.pk),
                    name=name,
                    configuration=form.configuration(),
                    secrets=form.secrets(),
                )
                return oauth_begin(request, type_key)
    return render(
        request,
        "connections/tool_start.html",
        {
            "spec": CONNECTION_TYPES[type_key],
            "form": form,
            "use_api_key": use_api_key,
            "error": error,
            "steps": wizard_steps(type_key, "sign_in"),
        },
    )


def tool_detail(request: HttpRequest, connection: Connection) -> HttpResponse:
    """A saved tool: its health, what is saved (secrets only as "saved"), Reconnect, Delete.
    A Salesloft API-key connection can take a new key here."""
    error = wizard_error_pop(request.session, str(connection.pk)) if request.method == "GET" else ""
    key_form = None
    if connection.type == "salesloft" and connection.configuration.get("auth_method") == "api_key":
        key_form = SalesloftApiKeyForm(_posted(request), initial={"name": connection.name})
        if request.method == "POST" and key_form.is_valid():
            try:
                connection_api_key_save(
                    organization=request.organization,
                    name=key_form.cleaned_data["name"],
                    api_key=key_form.cleaned_data["api_key"],
                    connection=connection,
                )
            except ValidationError as problem:
                key_form.add_error("name", problem.messages[0])
            except DestinationError as problem:
                error = problem.message
            else:
                messages.success(request, "The new API key works and is saved.")
                return redirect("connections:detail", connection.pk)
    return render(
        request,
        "connections/tool_detail.html",
        {
            "connection": connection,
            "spec": CONNECTION_TYPES[connection.type],
            "facts": connection_facts(connection=connection),
            "key_form": key_form,
            "error": error,
        },
    )


def _tool(request: HttpRequest, connection_id: str) -> Connection:
    connection = connection_get(organization=request.organization, connection_id=connection_id)
    if connection is None or connection.type not in TOOL_START_FORMS:
        raise Http404("No such connection")
    return connection


@require_POST
@organization_required
def tool_reconnect(request: HttpRequest, connection_id: str) -> HttpResponse:
    """The consent again, for this connection: new tokens replace its old ones."""
    connection = _tool(request, str(connection_id))
    if connection.configuration.get("auth_method") == "api_key":
        messages.info(request, "Enter a new Salesloft API key below.")
        return redirect("connections:detail", connection.pk)
    # Salesforce signs in where, and as which app, the connection says.
    configuration = {
        key: connection.configuration[key]
        for key in ("domain", "connect_mode", "client_id")
        if key in connection.configuration
    }
    secrets = {"client_secret": connection.secrets.get("client_secret", "")}
    problem = _oauth_app_missing(connection.type, configuration)
    if problem:
        messages.error(request, problem)
        return redirect("connections:detail", connection.pk)
    pending_start(
        request.session,
        type=connection.type,
        organization_id=str(request.organization.pk),
        name=connection.name,
        connection_id=str(connection.pk),
        configuration=configuration,
        secrets=secrets if secrets["client_secret"] else None,
    )
    return oauth_begin(request, connection.type)


@require_POST
@organization_required
def connection_check_view(request: HttpRequest, connection_id: str) -> HttpResponse:
    connection = connection_get(organization=request.organization, connection_id=str(connection_id))
    if connection is None:
        raise Http404("No such connection")
    connection = connection_check(connection=connection)
    if connection.status == Connection.Status.HEALTHY:
        messages.success(request, f"{connection.name} works.")
    # Otherwise the page itself says what is wrong, with what to do.
    return redirect("connections:detail", connection.pk)


@organization_required
def tool_accounts(request: HttpRequest, connection_id: str) -> HttpResponse:
    """LinkedIn Ads: choose the ad accounts, listed by LinkedIn for the person who consented."""
    from connections.destinations.registry import destination_for

    connection = _tool(request, str(connection_id))
    if connection.type != "linkedinads":
        raise Http404("Only LinkedIn Ads connections have ad accounts")
    error, choices = "", []
    try:
        values = destination_for(connection).parameter_values().get("accounts", [])
        choices = [(str(item["value"]), str(item["label"])) for item in values]
    except DestinationError as problem:
        error = problem.message
    chosen = [str(value) for value in connection.configuration.get("accounts", [])]
    form = AdAccountsForm(_posted(request), choices=choices, initial={"accounts": chosen})
    if request.method == "POST" and form.is_valid():
        connection_accounts_set(connection=connection, accounts=form.cleaned_data["accounts"])
        return redirect("connections:done", connection.pk)
    return render(
        request,
        "connections/tool_accounts.html",
        {
            "connection": connection,
            "spec": CONNECTION_TYPES[connection.type],
            "form": form,
            "error": error,
            "steps": wizard_steps(connection.type, "accounts"),
        },
    )


@organization_required
def tool_done(request: HttpRequest, connection_id: str) -> HttpResponse:
    connection = _tool(request, str(connection_id))
    return render(
        request,
        "connections/tool_done.html",
        {
            "connection": connection,
            "spec": CONNECTION_TYPES[connection.type],
            "facts": connection_facts(connection=connection),
            "steps": wizard_steps(connection.type, "done"),
        },
    )
