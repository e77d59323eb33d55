from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from organizations.roles import organization_admin_names
from organizations.selectors import membership_for_user


def current_organization(request: HttpRequest) -> dict[str, object]:
    membership = membership_for_user(user=request.user) if hasattr(request, "user") else None
    organization = membership.organization if membership else None

    def admins() -> list[str]:  # called only by a template that shows it (members' pages)
        return organization_admin_names(organization=organization)[:5] if organization else []

    return {
        "current_membership": membership,
        "current_organization": organization,
        "current_admins": admins,
    }


def sandbox_mode(request: HttpRequest) -> dict[str, object]:
    """The console's banner in demo mode: vendors are the local sandbox, none is contacted."""
    return {"sandbox_url": settings.SYNCLINE_SANDBOX_URL}
