"""The Salesforce wizard's start form: where and as which connected app to sign in."""

from __future__ import annotations

from typing import Any

from django import forms

from connections.destinations.salesforce.options import ConnectionOptions, OptionsError
from connections.forms import ToolStartForm


class SalesforceStartForm(ToolStartForm):
    """Salesforce's connection options (reference/seeds/salesforce-connection-config.txt),
    chosen before the consent page because they decide where and as which app to sign in."""

    domain = forms.CharField(
        required=False,
        label="Login domain",
        help_text="Leave empty for login.salesforce.com. For a Salesforce sandbox enter "
        "test.salesforce.com; for My Domain, e.g. acme.my.salesforce.com.",
    )
    connect_mode = forms.ChoiceField(
        label="Sign in through",
        initial="browser",
        widget=forms.RadioSelect,
        choices=[
            ("browser", "Syncline's connected app (recommended)"),
            ("api", "My own connected app (client ID and secret)"),
        ],
    )
    client_id = forms.CharField(
        required=False,
        label="Client ID (consumer key)",
        help_text="Only for your own connected app. Its callback URL must be this Syncline's "
        "/oauth/complete/salesforce/ address.",
    )
    client_secret = forms.CharField(
        required=False,
        label="Client secret (consumer secret)",
        widget=forms.PasswordInput(render_value=False),
    )
    enforce_api_limits = forms.BooleanField(
        required=False, label="Limit how many Salesforce API calls Syncline makes a day"
    )
    daily_api_calls = forms.IntegerField(
        required=False,
        min_value=1,
        label="Daily API call limit",
        help_text="Syncline stops starting calls for the day at this number.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Fields that matter only after another choice; the page shows them with that choice.
        for name in ("client_id", "client_secret"):
            self.fields[name].shown_with = "connect_mode=api"
        self.fields["daily_api_calls"].shown_with = "enforce_api_limits=on"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("connect_mode") == "api":
            for name in ("client_id", "client_secret"):
                if not data.get(name):
                    self.add_error(name, "Needed for your own connected app.")
        if data.get("enforce_api_limits") and not data.get("daily_api_calls"):
            self.add_error("daily_api_calls", "Enter how many calls a day Syncline may make.")
        if not self.errors:
            try:
                ConnectionOptions.parse(self.configuration(), self.secrets())
            except OptionsError as error:
                raise forms.ValidationError(error.problems) from error
        return data

    def configuration(self) -> dict[str, Any]:
        data = self.cleaned_data
        configuration: dict[str, Any] = {"connect_mode": data["connect_mode"]}
        if data.get("domain"):
            configuration["domain"] = data["domain"].strip()
        if data["connect_mode"] == "api":
            configuration["client_id"] = data["client_id"].strip()
        configuration["enforce_api_limits"] = bool(data.get("enforce_api_limits"))
        if data.get("enforce_api_limits"):
            configuration["daily_api_calls"] = data["daily_api_calls"]
        return configuration

    def secrets(self) -> dict[str, Any]:
        if self.cleaned_data.get("connect_mode") == "api":
            return {"client_secret": self.cleaned_data["client_secret"]}
        return {}
