"""The model editor's form: a name, a warehouse connection and one SELECT."""

from __future__ import annotations

from typing import Any

from django import forms

from connections.models import Connection
from connections.registry import CONNECTION_TYPES, Role
from organizations.models import Organization


class SqlModelForm(forms.Form):
    name = forms.CharField(max_length=200, label="Model name")
    source = forms.ModelChoiceField(
        queryset=Connection.objects.none(), label="Warehouse", empty_label=None
    )
    query = forms.CharField(
        label="SQL query",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "sql"}),
        help_text="One SELECT statement. Syncline only reads; it never changes your warehouse.",
    )
    confirm_breaking = forms.BooleanField(
        required=False,
        label="Save anyway — I will fix the syncs that use the missing columns",
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source_types = [key for key, spec in CONNECTION_TYPES.items() if Role.SOURCE in spec.roles]
        self.fields["source"].queryset = Connection.objects.filter(
            organization=organization, type__in=source_types
        ).order_by("name")
