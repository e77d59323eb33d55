from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from console.decorators import admin_required, organization_required
from console.selectors import audit_entries, home_summary


@organization_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", home_summary(organization=request.organization))


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page says; the logo answers."""
    return HttpResponsePermanentRedirect(static("console/logo.svg"))


@admin_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Who created, changed, deleted, connected or ran what: for admins, never editable."""
    page = Paginator(audit_entries(organization=request.organization), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "console/audit.html", {"page": page})
