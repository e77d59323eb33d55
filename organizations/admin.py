from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from console.admin_mixins import OrganizationScopedAdmin, OrganizationScopedMixin
from console.forms import time_zone_choices
from organizations.models import (
    ApiKey,
    AuditEntry,
    Invitation,
    Membership,
    NotificationSent,
    NotificationSettings,
    Organization,
)
from organizations.services import (
    api_key_assign_new_secret,
    api_key_audit,
    organization_name_problem,
    organization_update,
)

# Roles change and people leave on the console's Settings → Members page: its services keep
# every organization an admin (under a row lock) and write the audit trail. The admin adds
# memberships (a superuser setting up an organization) and shows them.
MEMBERS_PAGE = (
    "Change roles and remove people on Settings → Members in the console, which keeps the "
    "organization an admin and records who did it."
)


class MembershipsThroughTheMembersPage:
    """A saved membership's person, organization and role are read-only; none is deleted."""

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if obj is not None:
            fields += [name for name in ("user", "organization", "role") if name not in fields]
        return fields

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MembershipInline(OrganizationScopedMixin, admin.TabularInline):
    """New memberships are added here; existing ones are shown, not changed or deleted."""

    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    verbose_name_plural = f"memberships ({MEMBERS_PAGE})"

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OrganizationAdminForm(forms.ModelForm):
    """The time zone from the list schedules can read (as on Settings → Organization)."""

    time_zone = forms.ChoiceField(choices=time_zone_choices)

    class Meta:
        model = Organization
        fields = ["name", "time_zone"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if self.instance.pk:  # a new one is named as the database allows
            saved = Organization.objects.get(pk=self.instance.pk)
            problem = organization_name_problem(organization=saved, name=name)
            if problem:
                raise forms.ValidationError(problem)
        return name


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    form = OrganizationAdminForm
    organization_lookup = "pk"
    list_display = ["name", "id", "created_at"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at"]
    inlines = [MembershipInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new organization belongs to nobody yet: the installation's superusers make them.
        return bool(request.user.is_superuser) and super().has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Through the service, as on Settings → Organization: the audit trail, and the next
        # runs of scheduled syncs moved to the new time zone.
        organization_update(organization=obj, name=obj.name, time_zone=obj.time_zone)


@admin.register(Membership)
class MembershipAdmin(MembershipsThroughTheMembersPage, OrganizationScopedAdmin):
    """Memberships are added here and read; roles change on the console's Members page."""

    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user", "organization"]


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organization", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "organization__name"]
    list_select_related = ["organization"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at"]
    fields = [
        "organization",
        "name",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]

    def save_model(self, request: HttpRequest, obj: ApiKey, form: object, change: bool) -> None:
        if not change:
            # Kept on the instance for this response only; the database gets the hash.
            obj.raw_key = api_key_assign_new_secret(api_key=obj)
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            api_key_audit(obj, "created")
        elif "revoked_at" in getattr(form, "changed_data", ()):
            api_key_audit(obj, "revoked" if obj.revoked_at else "restored")

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "api_key": obj,
            "raw_key": obj.raw_key,
            "title": "API key created",
        }
        return TemplateResponse(request, "admin/organizations/apikey/created.html", context)


@admin.register(AuditEntry)
class AuditEntryAdmin(OrganizationScopedAdmin):
    """The audit trail, as it was written: searchable, never added, changed or deleted."""

    list_display = [
        "created_at",
        "organization",
        "actor_label",
        "action",
        "object_type",
        "object_name",
    ]
    list_filter = [
        "object_type",
        "action",
        "organization",
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["actor_label", "object_name", "object_id"]
    list_select_related = ["organization"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "on_failure", "rejected_percent", "updated_at"]
    list_select_related = ["organization"]
    filter_horizontal = ["recipients"]
    search_fields = ["organization__name"]


@admin.register(NotificationSent)
class NotificationSentAdmin(OrganizationScopedAdmin):
    """What was mailed, for whoever wonders whether an e-mail went out: never edited."""

    list_display = ["sent_at", "organization", "reason", "execution_id"]
    list_filter = ["reason"]
    list_select_related = ["organization"]
    search_fields = ["=execution_id"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(OrganizationScopedAdmin):
    """Invitations as the console's members page made them: read here, never added or edited
    (the link's token exists only as its hash, and is not shown). Admins revoke in the console."""

    list_display = [
        "email",
        "organization",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = [
        "role",
        "organization",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "organization__name"]
    list_select_related = ["organization", "invited_by"]
    fields = [
        "organization",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
