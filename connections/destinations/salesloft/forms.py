"""The Salesloft wizard's own form: signing in with an API key instead of the consent page."""

from __future__ import annotations

from django import forms


class SalesloftApiKeyForm(forms.Form):
    name = forms.CharField(max_length=200, label="Connection name")
    api_key = forms.CharField(
        label="API key",
        widget=forms.PasswordInput(render_value=False),
        help_text="In Salesloft: Settings → API → API Keys → Create New. It is stored encrypted "
        "and never shown again.",
    )
