from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console.decorators import organization_required
from console.selectors import home_summary


@organization_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", home_summary(organization=request.organization))
