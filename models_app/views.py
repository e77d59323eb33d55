"""Console pages for models: the list and the editor with preview."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from connections.registry import CONNECTION_TYPES
from console.decorators import organization_required
from models_app.forms import SqlModelForm
from models_app.models import SqlModel
from models_app.selectors import sql_model_get, sql_model_list
from models_app.services import (
    BrokenMappingsError,
    WarehouseQueryError,
    identifier_suggest,
    sql_model_create,
    sql_model_delete,
    sql_model_preview,
    sql_model_update,
)


@organization_required
def model_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "models_app/list.html",
        {"models": sql_model_list(organization=request.organization)},
    )


def _editor(request: HttpRequest, model: SqlModel | None) -> HttpResponse:
    if model is not None:
        initial: dict[str, Any] = {
            "name": model.name,
            "source": model.source_id,
            "query": model.query,
        }
    else:  # a new model may come pre-filled (the Walkthroughs page's buttons)
        initial = {key: request.GET[key] for key in ("name", "query") if request.GET.get(key)}
        if request.GET.get("source"):
            initial["source"] = request.GET["source"]  # the form offers only this org's
    form = SqlModelForm(request.POST or None, initial=initial, organization=request.organization)
    context: dict[str, Any] = {"form": form, "model": model, "preview": None, "breaking": None}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "preview":
                preview = sql_model_preview(source=data["source"], query=data["query"])
                context["preview"] = preview
                context["suggested_identity"] = identifier_suggest(preview.fields)
            elif model is None:
                model = sql_model_create(
                    organization=request.organization,
                    name=data["name"],
                    source=data["source"],
                    query=data["query"],
                    created_by=request.user,
                )
                count = len(model.fields)
                messages.success(
                    request,
                    f"Model “{model.name}” saved with {count} field{'s' if count != 1 else ''}.",
                )
                return redirect("models:detail", model_id=model.pk)
            else:
                model = sql_model_update(
                    model=model,
                    name=data["name"],
                    query=data["query"],
                    confirm_breaking=data["confirm_breaking"],
                )
                messages.success(request, f"Model “{model.name}” saved.")
                return redirect("models:detail", model_id=model.pk)
        except BrokenMappingsError as error:
            context["breaking"] = error.columns
            form.add_error(None, error.messages[0])
        except ValidationError as error:
            form.add_error("query", error.messages[0])
            if isinstance(error, WarehouseQueryError):  # the warehouse's words, in small print
                context["query_detail"] = error.detail
                context["source_name"] = CONNECTION_TYPES[data["source"].type].name
    return render(request, "models_app/editor.html", context)


@organization_required
def model_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@organization_required
def model_detail(request: HttpRequest, model_id: str) -> HttpResponse:
    model = sql_model_get(organization=request.organization, model_id=model_id)
    if model is None:
        raise Http404("No such model")
    return _editor(request, model)


@organization_required
def model_delete_view(request: HttpRequest, model_id: str) -> HttpResponse:
    """A confirmation page; a model that syncs use is refused, with links to those syncs."""
    from syncs.models import Sync

    model = sql_model_get(organization=request.organization, model_id=model_id)
    if model is None:
        raise Http404("No such model")
    error = ""
    if request.method == "POST":
        try:
            name = sql_model_delete(model=model)
        except ValidationError as problem:
            error = problem.messages[0]
        else:
            messages.success(request, f"The model “{name}” is deleted.")
            return redirect("models:list")
    syncs = list(
        Sync.objects.filter(organization=request.organization, model=model)
        .only("pk", "name")
        .order_by("name")
    )
    return render(
        request, "models_app/delete.html", {"model": model, "syncs": syncs, "error": error}
    )
