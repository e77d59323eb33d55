"""The console wizard for tools (Salesloft, Gong, LinkedIn Ads, Salesforce).

Choose the tool → its start page (a name; Salesforce's options; or a Salesloft API key) →
the vendor's consent page → back in Syncline (connections.oauth.pipeline saves the tokens and
checks them) → LinkedIn: choose the ad accounts → done, showing the connection's health.
Reconnect runs the same consent for a saved connection.

What differs from tool to tool (the start form, an API-key sign-in, an account choice, the
words) is the tool's provider description's (connections/destinations/provider.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from connections.destinations.errors import DestinationError
from connections.destinations.provider import ToolProvider, signs_in_with_api_key
from connections.destinations.registry import PROVIDERS, destination_for, provider_for
from connections.models import Connection
from connections.oauth.pending import pending_start, wizard_error_pop
from connections.oauth.views import oauth_begin
from connections.registry import CONNECTION_TYPES
from connections.selectors import connection_facts, connection_get
from connections.services import (
    CHANGE,
    connection_accounts_set,
    connection_api_key_save,
    connection_check,
    connection_name_check,
    connection_name_suggest,
)
from console.decorators import admin_required


def _posted(request: HttpRequest) -> Any:
    """The POST data for a form, also when empty (no box ticked is an answer too)."""
    return request.POST if request.method == "POST" else None


def wizard_steps(type_key: str, current: str) -> list[dict[str, Any]]:
    provider = provider_for(type_key)
    names = [
        ("choose", "Choose the tool"),
        ("sign_in", f"Sign in to {provider.name}"),
        ("check", "Automatic check"),
    ]
    if provider.account_choice is not None:
        names.append(("accounts", provider.account_choice.step))
    names.append(("done", "Done"))
    position = [key for key, _ in names].index(current)
    return [
        {"label": label, "state": "done" if i < position else "current" if i == position else ""}
        for i, (_, label) in enumerate(names)
    ]


def _oauth_app_missing(provider: ToolProvider, configuration: dict[str, Any]) -> str:
    """Why the consent can't start (no OAuth app configured), or ""."""
    if provider.oauth_app_configured(configuration):
        return ""
    prefix = f"SYNCLINE_{provider.key.upper()}_"
    return (
        f"Syncline's {provider.name} app is not set up yet. An administrator needs to set "
        f"{prefix}CLIENT_ID and {prefix}CLIENT_SECRET (see README.md, 'Configuration')."
    )


def tool_start(request: HttpRequest, type_key: str) -> HttpResponse:
    """The start page. POST "oauth" goes to the vendor; POST "api_key" (a tool whose provider
    takes an API key, Salesloft) checks the key and saves the connection only if the vendor
    accepts it."""
    organization = request.organization
    provider = provider_for(type_key)
    use_api_key = provider.api_key is not None and (
        request.GET.get("method") == "api_key" or request.POST.get("action") == "api_key"
    )
    error = wizard_error_pop(request.session, type_key) if request.method == "GET" else ""
    initial = {"name": connection_name_suggest(organization=organization, type=type_key)}
    form_class = provider.api_key.form if provider.api_key and use_api_key else provider.start_form
    form = form_class(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        try:
            connection_name_check(organization=organization, name=name)
            if use_api_key:
                connection = connection_api_key_save(
                    organization=organization,
                    type=type_key,
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
            error = _oauth_app_missing(provider, form.configuration())
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
            "provider": provider,
            "form": form,
            "use_api_key": use_api_key,
            "error": error,
            "steps": wizard_steps(type_key, "sign_in"),
        },
    )


def tool_detail(request: HttpRequest, connection: Connection) -> HttpResponse:
    """A saved tool: its health, what is saved (secrets only as "saved"), Reconnect, Delete.
    A connection that signs in with an API key (Salesloft) can take a new key here."""
    provider = provider_for(connection.type)
    error = wizard_error_pop(request.session, str(connection.pk)) if request.method == "GET" else ""
    key_form = None
    if provider.api_key is not None and signs_in_with_api_key(connection):
        key_form = provider.api_key.form(_posted(request), initial={"name": connection.name})
        if request.method == "POST" and key_form.is_valid():
            try:
                connection_api_key_save(
                    organization=request.organization,
                    type=connection.type,
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
            "provider": provider,
            "facts": connection_facts(connection=connection),
            "key_form": key_form,
            "error": error,
        },
    )


def _tool(request: HttpRequest, connection_id: str) -> Connection:
    connection = connection_get(organization=request.organization, connection_id=connection_id)
    if connection is None or connection.type not in PROVIDERS:
        raise Http404("No such connection")
    return connection


@require_POST
@admin_required(what=CHANGE)
def tool_reconnect(request: HttpRequest, connection_id: str) -> HttpResponse:
    """The consent again, for this connection: new tokens replace its old ones."""
    connection = _tool(request, str(connection_id))
    provider = provider_for(connection.type)
    if signs_in_with_api_key(connection):
        messages.info(request, f"Enter a new {provider.name} API key below.")
        return redirect("connections:detail", connection.pk)
    # What the consent needs from the saved connection (Salesforce: where, as which app).
    configuration, secrets = provider.reconnect_settings(connection)
    problem = _oauth_app_missing(provider, configuration)
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
        secrets=secrets or None,
    )
    return oauth_begin(request, connection.type)


@require_POST
@admin_required(what=CHANGE)
def connection_check_view(request: HttpRequest, connection_id: str) -> HttpResponse:
    connection = connection_get(organization=request.organization, connection_id=str(connection_id))
    if connection is None:
        raise Http404("No such connection")
    connection = connection_check(connection=connection)
    if connection.status == Connection.Status.HEALTHY:
        messages.success(request, f"{connection.name} works.")
    # Otherwise the page itself says what is wrong, with what to do.
    return redirect("connections:detail", connection.pk)


@admin_required(what=CHANGE)
def tool_accounts(request: HttpRequest, connection_id: str) -> HttpResponse:
    """A tool's account choice (LinkedIn's ad accounts), listed by the vendor for the person
    who consented."""
    connection = _tool(request, str(connection_id))
    choice = provider_for(connection.type).account_choice
    if choice is None:
        raise Http404("This connection has no accounts to choose")
    error, choices = "", []
    try:
        values = destination_for(connection).parameter_values().get("accounts", [])
        choices = [(str(item["value"]), str(item["label"])) for item in values]
    except DestinationError as problem:
        error = problem.message
    chosen = [str(value) for value in connection.configuration.get("accounts", [])]
    form = choice.form(_posted(request), choices=choices, initial={"accounts": chosen})
    if request.method == "POST" and form.is_valid():
        connection_accounts_set(connection=connection, accounts=form.cleaned_data["accounts"])
        return redirect("connections:done", connection.pk)
    return render(
        request,
        "connections/tool_accounts.html",
        {
            "connection": connection,
            "spec": CONNECTION_TYPES[connection.type],
            "choice": choice,
            "form": form,
            "error": error,
            "steps": wizard_steps(connection.type, "accounts"),
        },
    )


@admin_required(what=CHANGE)
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
