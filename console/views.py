from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from console.decorators import organization_required
from console.selectors import home_summary


@organization_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", home_summary(organization=request.organization))


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page says; the logo answers."""
    return HttpResponsePermanentRedirect(static("console/logo.svg"))
