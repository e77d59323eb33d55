from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from organizations.selectors import membership_for_user


def current_organization(request: HttpRequest) -> dict[str, object]:
    membership = membership_for_user(user=request.user) if hasattr(request, "user") else None
    return {
        "current_membership": membership,
        "current_organization": membership.organization if membership else None,
    }


def sandbox_mode(request: HttpRequest) -> dict[str, object]:
    """The console's banner in demo mode: vendors are the local sandbox, none is contacted."""
    return {"sandbox_url": settings.SYNCLINE_SANDBOX_URL}
