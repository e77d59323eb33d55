"""What the Django admin shares with the console: saves through the services, errors in words.

Django's admin saves a change inside one transaction (ModelAdmin.changeform_view). The
services open their own short transactions and ask warehouses and vendors outside them, as
every write must ("no network or warehouse call inside a transaction other work waits on"):
an outer transaction would hold row locks — on SQLite, the database's only write lock — for as
long as a warehouse takes to answer. So admins of models saved through services don't add one.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

CONFLICT = (
    "The change conflicts with something saved meanwhile, so nothing was saved. Reload the "
    "page and try again."
)


def constraint_sentence(error: IntegrityError) -> str:
    """The sentence of the constraint a database refusal names; a plain one when none is known.

    Database texts (`duplicate key value violates unique constraint "…"`) never reach a person.
    """
    text = str(error)
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            default = constraint.default_violation_error_message
            if constraint.name in text and constraint.violation_error_message != default:
                return str(constraint.violation_error_message)
    return CONFLICT


class SavedThroughServicesAdmin(admin.ModelAdmin):
    """No admin transaction around a save (the services hold their own), and a constraint the
    database refuses at the last moment (a race the form's checks could not see) becomes a
    message in words, not an error page naming the constraint."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            return self._changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            self.message_user(request, constraint_sentence(error), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# --- Organization scoping -------------------------------------------------------------------
#
# Every object belongs to one organization and nothing crosses (DESIGN.md §4, §9). Superusers
# run the whole installation and see everything; a staff member who is not a superuser works
# for one organization (their membership's) and the admin shows them that organization alone:
# its rows in every list, page and bulk action, its rows in every choice, their organization
# set on what they add. Another organization's object is "not found", as in the console.

NO_ORGANIZATION = object()


def staff_organization(request: HttpRequest) -> Any:
    """None for a superuser (no scope); else the person's organization, or NO_ORGANIZATION for
    staff without one (who then see nothing). Read once per request."""
    user = request.user
    if user.is_superuser:
        return None
    cached = getattr(request, "_staff_organization", None)
    if cached is None:
        from organizations.models import Membership

        membership = Membership.objects.filter(user_id=user.pk).select_related("organization")
        found = membership.first()
        cached = found.organization if found else NO_ORGANIZATION
        request._staff_organization = cached  # type: ignore[attr-defined]
    return cached


def organization_scope(queryset: QuerySet[Any], request: HttpRequest, lookup: str) -> QuerySet[Any]:
    """The rows of `queryset` the person may see; `lookup` leads to the organization's id."""
    organization = staff_organization(request)
    if organization is None:
        return queryset
    if organization is NO_ORGANIZATION:
        return queryset.none()
    return queryset.filter(**{lookup: organization.pk})


def scoped_choices(model: type[Model], request: HttpRequest) -> QuerySet[Any] | None:
    """The choices of a relation to `model` (None: unscoped) — scoped as `model`'s own admin
    scopes its list, so a form, a raw id or an autocomplete can't name another organization's
    object."""
    related_admin = admin.site._registry.get(model)
    if not isinstance(related_admin, OrganizationScopedMixin):
        return None
    return related_admin.get_queryset(request)


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw id box that names the object beside it only if the person may see it: Django's
    looks the typed id up in the whole table, so a form sent back with another organization's
    id would print that object's name and link."""

    def __init__(self, *args: Any, scope: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        try:
            visible = self.scope.filter(**{key: value}).exists()
        except (ValueError, ValidationError):
            visible = False
        return super().label_and_url_for_value(value) if visible else ("", "")


class OrganizationScopedMixin:
    """For a ModelAdmin or an inline of organization-owned rows. `organization_lookup` is the
    path from the model to its organization's id ("organization_id", "sync__organization_id"…)."""

    organization_lookup: str = "organization_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return organization_scope(queryset, request, self.organization_lookup)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            choices = scoped_choices(db_field.remote_field.model, request)
            if choices is not None:
                kwargs["queryset"] = choices
                if "widget" not in kwargs and db_field.name in self.raw_id_fields:  # type: ignore[attr-defined]
                    kwargs["widget"] = ScopedRawIdWidget(
                        db_field.remote_field,
                        self.admin_site,  # type: ignore[attr-defined]
                        using=kwargs.get("using"),
                        scope=choices,
                    )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            choices = scoped_choices(db_field.remote_field.model, request)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class OrganizationScopedAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    """A ModelAdmin of organization-owned rows: see OrganizationScopedMixin. On top, for staff
    who are not superusers: the organization field is theirs and can't be changed, and no
    filter lists the organizations (they have one)."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        organization = staff_organization(request)
        field = form.base_fields.get("organization")
        if field is not None and organization is not None:
            field.disabled = True
            if organization is not NO_ORGANIZATION:
                field.initial = organization.pk
        return form

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = super().get_list_filter(request)
        if staff_organization(request) is None:
            return filters
        # Django's related-field filter lists every row of the related table.
        return [item for item in filters if item != "organization"]


class SuperuserOnlyMixin:
    """For models that belong to no organization (groups, login records, social-auth's
    tables): installation-wide, so superusers only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return bool(request.user.is_superuser) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser) and super().has_delete_permission(request, obj)  # type: ignore[misc]
