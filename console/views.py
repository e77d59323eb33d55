from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static

from console.decorators import admin_required, organization_required
from console.forms import NotificationSettingsForm, OrganizationSettingsForm
from console.selectors import audit_entries, home_summary
from console.walkthrough_progress import walkthroughs_progress
from organizations.models import NotificationSettings
from organizations.selectors import api_key_get, api_key_list
from organizations.services import (
    api_key_create_named,
    api_key_revoke,
    notification_settings_update,
    organization_update,
)


@organization_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", home_summary(organization=request.organization))


@admin_required(what="change whom Syncline e-mails about runs")
def notification_settings_view(request: HttpRequest) -> HttpResponse:
    """Organization settings: whom to e-mail about runs. Admins only."""
    current = (
        NotificationSettings.objects.filter(organization=request.organization)
        .prefetch_related("recipients")
        .first()
    )
    initial = (
        {
            "recipients": list(current.recipients.all()),
            "on_failure": current.on_failure,
            "rejected_percent": current.rejected_percent,
        }
        if current
        else {"on_failure": True}
    )
    form = NotificationSettingsForm(
        request.POST or None, initial=initial, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notification_settings_update(
                organization=request.organization,
                user=request.user,
                recipients=list(data["recipients"]),
                on_failure=data["on_failure"],
                rejected_percent=data["rejected_percent"],
            )
        except ValidationError as error:
            for name, sentences in error.message_dict.items():
                form.add_error(name if name in form.fields else None, sentences)
        else:
            count = len(data["recipients"])
            messages.success(
                request,
                f"Notifications saved: {count} {'person' if count == 1 else 'people'} "
                "will be e-mailed."
                if count
                else "Notifications saved: nobody will be e-mailed.",
            )
            return redirect("console:notifications")
    return render(request, "console/notifications.html", {"form": form})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page says; the logo answers."""
    return HttpResponsePermanentRedirect(static("console/logo.svg"))


@admin_required(what="read the audit trail")
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Who created, changed, deleted, connected or ran what: for admins, never editable."""
    page = Paginator(audit_entries(organization=request.organization), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "console/audit.html", {"page": page})


@organization_required
def walkthroughs(request: HttpRequest) -> HttpResponse:
    """The three walkthroughs of the vendors' guides, step by step, with what is done here."""
    return render(
        request,
        "console/walkthroughs.html",
        {"walkthroughs": walkthroughs_progress(organization=request.organization)},
    )


@admin_required(what="manage API keys")
def api_keys(request: HttpRequest) -> HttpResponse:
    """Organization settings: the REST API's keys. A new key is shown once, on this response
    only (the database keeps its hash); revoking is immediate."""
    raw_key, problem = "", ""
    if request.method == "POST" and request.POST.get("action") == "create":
        name = request.POST.get("name", "").strip()
        try:
            _, raw_key = api_key_create_named(
                organization=request.organization, name=name, created_by=request.user
            )
        except ValidationError as error:
            problem = error.messages[0]
    elif request.method == "POST" and request.POST.get("action") == "revoke":
        key = api_key_get(organization=request.organization, key_id=request.POST.get("key"))
        if key is None:
            raise Http404("No such key")
        api_key_revoke(api_key=key)
        messages.success(request, f"The key “{key.name}” is revoked: it no longer opens the API.")
        return redirect("console:api_keys")
    return render(
        request,
        "console/api_keys.html",
        {
            "keys": api_key_list(organization=request.organization),
            "raw_key": raw_key,
            "problem": problem,
            "api_url": request.build_absolute_uri("/api/"),
        },
    )


@admin_required(what="change the organization's name and time zone")
def organization_settings(request: HttpRequest) -> HttpResponse:
    """Organization settings: its name, and the time zone its schedules are read in."""
    organization = request.organization
    form = OrganizationSettingsForm(
        request.POST or None,
        initial={"name": organization.name, "time_zone": organization.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(
                organization=organization,
                name=form.cleaned_data["name"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as error:
            for name, sentences in error.message_dict.items():
                form.add_error(name if name in form.fields else None, sentences)
        else:
            messages.success(request, "Organization settings saved.")
            return redirect("console:organization")
    return render(request, "console/organization.html", {"form": form})
