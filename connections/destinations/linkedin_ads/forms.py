"""The LinkedIn Ads wizard's own form: which ad accounts the connection works with."""

from __future__ import annotations

from typing import Any

from django import forms


class AdAccountsForm(forms.Form):
    accounts = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Ad accounts",
        error_messages={"required": "Choose at least one ad account."},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accounts"].choices = choices
