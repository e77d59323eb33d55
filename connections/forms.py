"""Console forms for warehouse connections; secrets are write-only (never rendered back)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from connections.models import Connection

SAVED = "Saved — leave empty to keep it"


class SourceConnectionForm(forms.Form):
    """Common fields; subclasses add the type's settings. `secret_fields` are never shown."""

    type_key: ClassVar[str]
    secret_fields: ClassVar[tuple[str, ...]] = ()
    name = forms.CharField(max_length=200, label="Connection name")

    def __init__(self, *args: Any, connection: Connection | None = None, **kwargs: Any) -> None:
        self.connection = connection
        if connection is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": connection.name, **connection.configuration}
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False)
            if connection is not None and connection.secrets.get(name):
                field.required = False
                field.widget.attrs["placeholder"] = SAVED

    def values(self) -> dict[str, Any]:
        """Configuration and secrets as the connection services take them."""
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if key != "name" and value not in (None, "")
        }


class SnowflakeConnectionForm(SourceConnectionForm):
    type_key = "snowflake"
    secret_fields = ("password", "private_key", "private_key_passphrase")
    account = forms.CharField(help_text="Your account identifier, e.g. xy12345.eu-west-1")
    username = forms.CharField()
    password = forms.CharField(required=False, help_text="Or use a key pair below.")
    dbname = forms.CharField(label="Database")
    warehouse = forms.CharField(required=False)
    schema = forms.CharField(required=False, help_text="Default: PUBLIC")
    role = forms.CharField(required=False)
    private_key = forms.CharField(
        required=False,
        label="Private key (key-pair authentication)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="PEM text, instead of a password.",
    )
    private_key_passphrase = forms.CharField(required=False)
    host = forms.CharField(
        required=False,
        label="Host (advanced)",
        help_text="Only for private links or the demo warehouse.",
    )
    port = forms.IntegerField(required=False, label="Port (advanced)")
    protocol = forms.ChoiceField(
        required=False,
        label="Protocol (advanced)",
        choices=[("", "https (default)"), ("https", "https"), ("http", "http")],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        saved = self.connection.secrets if self.connection else {}
        if not (
            data.get("password")
            or data.get("private_key")
            or saved.get("password")
            or saved.get("private_key")
        ):
            raise forms.ValidationError("Enter a password or a private key.")
        return data


class PostgresConnectionForm(SourceConnectionForm):
    type_key = "postgresql"
    secret_fields = ("password",)
    host = forms.CharField()
    port = forms.IntegerField(initial=5432, min_value=1, max_value=65535)
    database = forms.CharField()
    username = forms.CharField()
    password = forms.CharField(required=False)
    sslmode = forms.ChoiceField(
        label="SSL mode",
        initial="prefer",
        choices=[
            (v, v) for v in ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
        ],
    )


SOURCE_FORMS: dict[str, type[SourceConnectionForm]] = {
    form.type_key: form for form in (SnowflakeConnectionForm, PostgresConnectionForm)
}


# -- tools (destinations): the wizard's start page; a vendor's own forms are in its package ----


class ToolStartForm(forms.Form):
    """The first wizard page of an OAuth tool: a name, then the vendor's consent page."""

    name = forms.CharField(max_length=200, label="Connection name")

    def configuration(self) -> dict[str, Any]:
        """Settings saved on the connection once the vendor has said yes."""
        return {}

    def secrets(self) -> dict[str, Any]:
        return {}
