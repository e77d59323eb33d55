from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin

from connections.models import Connection
from connections.services import split_secrets


class ConnectionAdminForm(forms.ModelForm):
    """Secrets are write-only: the form shows which are saved, never their values."""

    new_secrets = forms.CharField(
        required=False,
        label="Set secrets",
        widget=forms.PasswordInput(render_value=False),
        help_text='JSON, e.g. {"password": "..."}; only the keys given change. Leave empty to '
        "keep the saved secrets.",
    )

    class Meta:
        model = Connection
        fields = ["organization", "name", "type", "configuration", "status", "status_error"]

    def clean_new_secrets(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("new_secrets") or ""
        if not raw.strip():
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f'Secrets must be a JSON object, e.g. {{"password": "..."}} ({error.msg}).'
            ) from error
        if not isinstance(value, dict):
            raise forms.ValidationError('Secrets must be a JSON object, e.g. {"password": "..."}.')
        return value

    def save(self, commit: bool = True) -> Connection:
        connection = super().save(commit=False)
        # A secret typed into the configuration by mistake is moved to the encrypted secrets.
        configuration, misplaced = split_secrets(connection.type, connection.configuration or {})
        connection.configuration = configuration
        new_secrets = {**misplaced, **(self.cleaned_data.get("new_secrets") or {})}
        if new_secrets:
            connection.secrets = {**connection.secrets, **new_secrets}
        if commit:
            connection.save()
        return connection


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = ConnectionAdminForm
    list_display = ["name", "type", "organization", "status", "last_checked_at", "updated_at"]
    list_filter = ["type", "status", "organization"]
    search_fields = ["name", "id", "organization__name"]
    list_select_related = ["organization"]
    readonly_fields = [
        "id",
        "saved_secrets",
        "last_checked_at",
        "created_by",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="Saved secrets")
    def saved_secrets(self, obj: Connection) -> str:
        names = obj.secret_names
        return ", ".join(f"{name}: ••••••" for name in names) if names else "none"
