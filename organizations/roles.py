"""Who may do what in an organization: members build and run models and syncs; admins also
manage connections, API keys, members, notifications and the organization's settings.

The console's pages check it (console.decorators.admin_required); the services that change
what only admins may change check it again, for the person the request is for, so a page
that forgot would still be refused. API keys act with admin rights (only admins create them);
tasks and management commands are Syncline's own doing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from organizations.models import Membership, Organization

# How many admins a refusal names; an organization with more says "and N more".
NAMED_ADMINS = 5


class AdminsOnly(PermissionDenied):
    """A person who is not an admin tried what only admins may do; the message says who can."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def organization_admin_names(*, organization: Organization | Any) -> list[str]:
    return list(
        Membership.objects.filter(
            organization_id=getattr(organization, "pk", organization),
            role=Membership.Role.ADMIN,
            user__is_active=True,
        )
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )


def admins_sentence(*, organization: Organization, what: str) -> str:
    """ "Only admins of Acme can change connections: ana@acme.test, bo@acme.test." """
    names = organization_admin_names(organization=organization)
    if not names:
        return f"Only admins of {organization.name} can {what}, and it has none yet."
    shown = ", ".join(names[:NAMED_ADMINS])
    more = len(names) - NAMED_ADMINS
    if more > 0:
        shown += f" and {more} more"
    return f"Only admins of {organization.name} can {what}: {shown}."


def is_organization_admin(*, user: Any, organization: Organization | Any) -> bool:
    return Membership.objects.filter(
        user=user,
        organization_id=getattr(organization, "pk", organization),
        role=Membership.Role.ADMIN,
    ).exists()


def admin_check(*, organization: Organization | Any, what: str, user: Any = None) -> None:
    """Raise AdminsOnly unless `user` (by default: the person the current request is for) is an
    admin of the organization. No person (an API key, a task, a command) and superusers (the
    Django admin) pass."""
    from organizations.audit import acting_person

    person = user if user is not None else acting_person()
    if person is None or getattr(person, "is_superuser", False):
        return
    if is_organization_admin(user=person, organization=organization):
        return
    if not isinstance(organization, Organization):
        organization = Organization.objects.get(pk=organization)
    raise AdminsOnly(admins_sentence(organization=organization, what=what))
