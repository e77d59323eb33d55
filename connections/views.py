"""Console pages for connections: the list with health, type cards, a form per warehouse type."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from connections.forms import SOURCE_FORMS, SourceConnectionForm
from connections.registry import CONNECTION_TYPES
from connections.selectors import connection_get, connection_list
from connections.services import (
    connection_check,
    connection_create,
    connection_test,
    connection_update,
)
from connections.sources.base import SourceError
from console.decorators import organization_required


@organization_required
def connection_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "connections/list.html",
        {"connections": connection_list(organization=request.organization)},
    )


@organization_required
def connection_new(request: HttpRequest) -> HttpResponse:
    cards = [CONNECTION_TYPES[key] for key in SOURCE_FORMS]
    return render(request, "connections/new.html", {"cards": cards})


def _test_or_save(
    request: HttpRequest, form: SourceConnectionForm, type_key: str
) -> tuple[str, str] | None:
    """Runs the check the buttons ask for; returns (level, message) to show, or None."""
    try:
        connection_test(type=type_key, values=form.values(), existing=form.connection)
    except SourceError as error:
        return "error", error.message
    return "success", "Connection works: Syncline reached the warehouse and ran a query."


@organization_required
def connection_create_view(request: HttpRequest, type_key: str) -> HttpResponse:
    form_class = SOURCE_FORMS.get(type_key)
    if form_class is None:
        raise Http404("Unknown connection type")
    form = form_class(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = _test_or_save(request, form, type_key)
        if request.POST.get("action") == "save" and result[0] == "success":
            try:
                connection = connection_create(
                    organization=request.organization,
                    name=form.cleaned_data["name"],
                    type=type_key,
                    values=form.values(),
                    created_by=request.user,
                )
            except ValidationError as error:
                form.add_error("name", error.messages[0])
            else:
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
            "connection": None,
        },
    )


@organization_required
def connection_detail(request: HttpRequest, connection_id: str) -> HttpResponse:
    connection = connection_get(organization=request.organization, connection_id=connection_id)
    if connection is None:
        raise Http404("No such connection")
    form_class = SOURCE_FORMS.get(connection.type)
    if form_class is None:
        raise Http404("This connection is set up through its own page")
    form = form_class(request.POST or None, connection=connection)
    result = None
    if request.method == "POST" and form.is_valid():
        result = _test_or_save(request, form, connection.type)
        if request.POST.get("action") == "save" and result[0] == "success":
            try:
                connection_update(
                    connection=connection, name=form.cleaned_data["name"], values=form.values()
                )
            except ValidationError as error:
                form.add_error("name", error.messages[0])
            else:
                connection_check(connection=connection)
                messages.success(request, f"{connection.name} is saved.")
                return redirect("connections:list")
    return render(
        request,
        "connections/form.html",
        {
            "form": form,
            "spec": CONNECTION_TYPES[connection.type],
            "result": result,
            "connection": connection,
        },
    )
