"""Console pages work inside the signed-in person's organization."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


def admin_required(view: View) -> View:
    """Organization admins only; a member gets a page saying who can do it."""

    @organization_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.membership.role != "admin":
            admins = request.organization.memberships.filter(role="admin").select_related("user")
            return render(
                request,
                "403.html",
                {
                    "reason": "Only an administrator of your organization can open this page.",
                    "admins": [m.user.get_username() for m in admins[:5]],
                },
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper
