"""Console forms for warehouse connections; secrets are write-only (never rendered back)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms

from connections.hosts import warehouse_host_problem
from connections.kept_secrets import KeptSecrets
from connections.models import Connection
from connections.secret_reuse import SecretsNeeded, secrets_to_use

SAVED = "Saved — leave empty to keep it"
KEPT = "Kept from your test — leave empty to use it"


class SecretTextarea(forms.Textarea):
    """A multi-line secret (a PEM private key keeps its line breaks), never rendered back."""

    def format_value(self, value: Any) -> None:
        return None


class SourceConnectionForm(forms.Form):
    """Common fields; subclasses add the type's settings. `secret_fields` are never shown.

    Which secrets a Test or Save uses (`secrets`): the ones typed now; else those kept from a
    Test moments ago in this session (connections/kept_secrets.py); else — only while the
    settings still point where they were saved for (connections/secret_reuse.py) — the saved
    ones, which the services add.
    """

    type_key: ClassVar[str]
    secret_fields: ClassVar[tuple[str, ...]] = ()
    name = forms.CharField(max_length=200, label="Connection name")

    def __init__(
        self,
        *args: Any,
        connection: Connection | None = None,
        kept: KeptSecrets | None = None,
        **kwargs: Any,
    ) -> None:
        self.connection = connection
        self.kept = kept
        self.secrets: dict[str, Any] = {}  # typed now, or kept from a Test
        self.usable_secrets: dict[str, Any] = {}  # those, and the saved ones where allowed
        if connection is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": connection.name, **connection.configuration}
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            if isinstance(field.widget, forms.Textarea):
                field.widget = SecretTextarea(attrs=field.widget.attrs)
            else:
                field.widget = forms.PasswordInput(render_value=False)
            field.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
            if connection is not None and connection.secrets.get(name):
                field.required = False
                field.widget.attrs["placeholder"] = SAVED

    def configuration(self) -> dict[str, Any]:
        """The settings as typed; a box left empty is "" so that saving clears it."""
        return {
            key: "" if value is None else value
            for key, value in self.cleaned_data.items()
            if key != "name" and key not in self.secret_fields
        }

    def typed_secrets(self) -> dict[str, Any]:
        return {
            key: self.cleaned_data[key]
            for key in self.secret_fields
            if self.cleaned_data.get(key) not in (None, "")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        configuration = self.configuration()
        problem = warehouse_host_problem(self.type_key, configuration, resolve=False)
        if problem:
            self.add_error(*problem)
            return data
        self.secrets = self.typed_secrets()
        if not self.secrets and self.kept is not None:
            self.secrets = self.kept.recall(configuration=configuration)
            self.mark_kept(self.secrets)
        try:
            self.usable_secrets = secrets_to_use(
                type_key=self.type_key,
                saved_configuration=self.connection.configuration if self.connection else {},
                saved_secrets=self.connection.secrets if self.connection else {},
                configuration=configuration,
                typed=self.secrets,
            )
        except SecretsNeeded as needed:
            self.add_error(self.secret_fields[0], needed)
            for name in self.secret_fields:
                self.fields[name].widget.attrs.pop("placeholder", None)
        return data

    def mark_kept(self, names: Iterable[str]) -> None:
        """Say in the (empty) boxes that what was typed is kept for the next press."""
        for name in names:
            self.fields[name].widget.attrs["placeholder"] = KEPT

    def values(self) -> dict[str, Any]:
        """Configuration and the secrets typed (or kept from a Test), as the services take them.

        Saved secrets are not among them: the services add those, where the rules allow.
        """
        return {**self.configuration(), **self.secrets}


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
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        help_text="Paste the whole PEM text, BEGIN and END lines included, instead of a password.",
    )
    private_key_passphrase = forms.CharField(required=False)
    host = forms.CharField(
        required=False,
        label="Host (advanced)",
        help_text="Only for private links or the demo warehouse.",
    )
    port = forms.IntegerField(required=False, min_value=1, max_value=65535, label="Port (advanced)")
    protocol = forms.ChoiceField(
        required=False,
        label="Protocol (advanced)",
        choices=[("", "https (default)"), ("https", "https"), ("http", "http")],
    )

    def clean_private_key(self) -> str:
        # Browsers send a textarea's line breaks as CRLF; PEM is read line by line either way,
        # but the key is kept as it was written.
        return self.cleaned_data["private_key"].replace("\r\n", "\n")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        usable = self.usable_secrets
        if not (usable.get("password") or usable.get("private_key")):
            self.add_error("password", "Enter a password or a private key.")
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
