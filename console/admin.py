"""The admin of models Syncline doesn't define: people, scoped like everything else; groups,
login records and social-auth's tables, installation-wide and so for superusers only.

Loaded after django.contrib.auth's, social_django's and axes' admins (INSTALLED_APPS order),
so it replaces their registrations.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from social_django.models import Association, Nonce, UserSocialAuth

from console.admin_mixins import (
    OrganizationScopedMixin,
    SuperuserOnlyMixin,
    staff_organization,
)

User = get_user_model()

# A staff member who is not a superuser could otherwise make themselves one, or give
# themselves any permission: these are the installation's, not an organization's.
INSTALLATION_FIELDS = ("is_superuser", "groups", "user_permissions")


class OrganizationUserAdmin(OrganizationScopedMixin, UserAdmin):
    """Staff who are not superusers see the people of their organization, never a superuser
    (whose password they could otherwise set), and add people to their organization."""

    organization_lookup = "membership__organization_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if staff_organization(request) is not None:
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = super().get_list_filter(request)
        if staff_organization(request) is None:
            return filters
        return [item for item in filters if item not in INSTALLATION_FIELDS]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        if staff_organization(request) is None:
            return fields
        return [*fields, *INSTALLATION_FIELDS]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        organization = staff_organization(request)
        if not change and organization is not None and hasattr(organization, "pk"):
            from organizations.models import Membership

            Membership.objects.create(user=obj, organization=organization)


def _superuser_only(model: type) -> None:
    current = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(model, type(current.__name__, (SuperuserOnlyMixin, current), {}))


admin.site.unregister(User)
admin.site.register(User, OrganizationUserAdmin)
_superuser_only(Group)

for _model in (AccessAttempt, AccessFailureLog, AccessLog, Association, Nonce, UserSocialAuth):
    _superuser_only(_model)
