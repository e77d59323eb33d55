"""Console pages work inside the signed-in person's organization."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from organizations.roles import admins_sentence
from organizations.services import membership_ensure_for_first_user

View = Callable[..., HttpResponse]


def organization_required(view: View) -> View:
    """Sets ``request.organization``; people without one get a page saying what to do."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        membership = membership_ensure_for_first_user(user=request.user)
        if membership is None:
            return render(request, "console/no_organization.html", status=403)
        request.organization = membership.organization
        request.membership = membership
        return view(request, *args, **kwargs)

    return wrapper


def admins_only_page(request: HttpRequest, *, what: str) -> HttpResponse:
    """The 403 page a member gets: what only admins may do, and which people are admins."""
    return render(
        request,
        "403.html",
        {"reason": admins_sentence(organization=request.organization, what=what)},
        status=403,
    )


def admin_required(view: View | None = None, *, what: str = "open this page") -> View:
    """Organization admins only; a member gets a page saying who can do it.

    ``@admin_required`` or ``@admin_required(what="change connections")``: `what` completes
    "Only admins of Acme can …: ana@acme.test."."""

    def decorate(view: View) -> View:
        @organization_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.membership.role != "admin":
                return admins_only_page(request, what=what)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
