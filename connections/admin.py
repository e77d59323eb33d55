from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin

from connections.hosts import warehouse_host_problem
from connections.models import Connection
from connections.secret_reuse import SecretsNeeded, secrets_to_use
from connections.services import split_secrets
from console.admin_mixins import OrganizationScopedAdmin


class ConnectionAdminForm(forms.ModelForm):
    """Secrets are write-only: the form shows which are saved, never their values."""

    new_secrets = forms.CharField(
        required=False,
        label="Set secrets",
        widget=forms.PasswordInput(render_value=False),
        help_text='JSON, e.g. {"password": "..."}; only the keys given change. Leave empty to '
        "keep the saved secrets — unless the host, account, port or user changes: then they "
        "are needed again.",
    )

    secrets: dict[str, Any]

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

    def clean(self) -> dict[str, Any]:
        """The console's rules: the host policy, and saved secrets only where they were saved for.

        An administrator who points a warehouse elsewhere (host, account, port, user…) sets its
        secrets again, or the saved ones would be sent to the new place at the next check.
        """
        data = super().clean()
        type_key, configuration = data.get("type"), data.get("configuration")
        if self.errors or not type_key:
            return data
        if not isinstance(configuration, dict):
            self.add_error("configuration", "The configuration must be a JSON object, e.g. {}.")
            return data
        configuration, misplaced = split_secrets(type_key, configuration)
        problem = warehouse_host_problem(type_key, configuration, resolve=False)
        if problem:
            self.add_error("configuration", problem[1])
            return data
        saved = Connection.objects.filter(pk=self.instance.pk).first()
        typed = {**misplaced, **(data.get("new_secrets") or {})}
        try:
            if saved is not None and saved.type != type_key and saved.secrets and not typed:
                raise SecretsNeeded(type_key, ["connection type"])
            self.secrets = secrets_to_use(
                type_key=type_key,
                saved_configuration=saved.configuration if saved else {},
                saved_secrets=saved.secrets if saved and saved.type == type_key else {},
                configuration=configuration,
                typed=typed,
            )
        except SecretsNeeded as needed:
            self.add_error("new_secrets", needed)
        return data

    def save(self, commit: bool = True) -> Connection:
        connection = super().save(commit=False)
        # A secret typed into the configuration by mistake is moved to the encrypted secrets.
        configuration, _misplaced = split_secrets(connection.type, connection.configuration or {})
        connection.configuration = configuration
        connection.secrets = self.secrets
        if commit:
            connection.save()
        return connection


@admin.register(Connection)
class ConnectionAdmin(OrganizationScopedAdmin):
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
