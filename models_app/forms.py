"""The model editor's form: a name, a warehouse connection and one SELECT."""

from __future__ import annotations

from typing import Any

from django import forms

from connections.models import Connection
from connections.registry import CONNECTION_TYPES, Role
from organizations.models import Organization

# Sources whose queries are not SQL say so in the list, by the language they take.
QUERY_LANGUAGE_NOTES = {"soql": "CRM (SOQL query)"}


class SourceChoiceField(forms.ModelChoiceField):
    """Each source with its kind: "Analytics — Snowflake", "CRM — Salesforce CRM (SOQL query)"."""

    def label_from_instance(self, obj: Connection) -> str:
        from connections.sources.registry import SOURCES

        kind = CONNECTION_TYPES[obj.type].name
        source_class = SOURCES.get(obj.type)
        note = QUERY_LANGUAGE_NOTES.get(source_class.dialect, "") if source_class else ""
        return f"{obj.name} — {kind} {note}".strip()


class SqlModelForm(forms.Form):
    name = forms.CharField(max_length=200, label="Model name")
    source = SourceChoiceField(
        queryset=Connection.objects.none(),
        label="Warehouse",
        empty_label=None,
        help_text="Snowflake and PostgreSQL take SQL; a CRM source takes a SOQL query.",
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
