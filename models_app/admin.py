from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from console.admin_mixins import OrganizationScopedAdmin, SavedThroughServicesAdmin
from models_app.models import SqlModel
from models_app.services import BrokenMappingsError, sql_model_create, sql_model_update


class SqlModelAdminForm(forms.ModelForm):
    """Saved by the console's services (read-only check, field discovery, organization rules).

    They may ask the warehouse and they can refuse, so they run while the form is validated —
    after Django's own checks, outside any transaction (SavedThroughServicesAdmin) — where a
    refusal still becomes a form error.
    """

    confirm_breaking = forms.BooleanField(
        required=False,
        label="Save even if syncs map columns the new query no longer returns",
    )
    user: AbstractBaseUser | None = None  # set per request by the admin

    class Meta:
        model = SqlModel
        fields = ["organization", "name", "source", "query"]

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and not self.errors:
            self._save_through_services()

    def _save_through_services(self) -> None:
        data = self.cleaned_data
        try:
            if self.instance._state.adding:
                self.instance = sql_model_create(
                    organization=data["organization"],
                    name=data["name"],
                    source=data["source"],
                    query=data["query"],
                    created_by=self.user,
                )
            else:
                self.instance = sql_model_update(
                    model=self.instance,
                    name=data["name"],
                    query=data["query"] if "query" in self.changed_data else None,
                    confirm_breaking=data.get("confirm_breaking", False),
                )
        except BrokenMappingsError as error:
            self.add_error("confirm_breaking", error.messages[0])
        except ValidationError as error:
            self.add_error(None, error.messages)


@admin.register(SqlModel)
class SqlModelAdmin(OrganizationScopedAdmin, SavedThroughServicesAdmin):
    form = SqlModelAdminForm
    list_display = [
        "name",
        "source",
        "organization",
        "field_count",
        "identifier",
        "version",
        "updated_at",
    ]
    list_filter = ["organization", "source__type"]
    search_fields = ["name", "id", "query"]
    list_select_related = ["source", "organization"]
    readonly_fields = [
        "id",
        "discovered_fields",
        # The services suggest it from the discovered fields.
        "identifier",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["source"]

    def get_readonly_fields(self, request: HttpRequest, obj: SqlModel | None = None) -> list[str]:
        # A saved model keeps its organization and warehouse, as in the console.
        fixed = ["organization", "source"] if obj is not None else []
        return [*fixed, *super().get_readonly_fields(request, obj)]

    def get_form(
        self, request: HttpRequest, obj: SqlModel | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(
        self, request: HttpRequest, obj: SqlModel, form: forms.ModelForm, change: bool
    ) -> None:
        """Saved already, by the services, while the form was validated."""

    @admin.display(description="Fields")
    def field_count(self, obj: SqlModel) -> int:
        return len(obj.fields)

    @admin.display(description="Discovered fields")
    def discovered_fields(self, obj: SqlModel) -> str:
        return ", ".join(f"{f['name']} ({f.get('type', '?')})" for f in obj.fields) or "none yet"
