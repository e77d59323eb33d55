"""Reads for connections, always scoped to one organization."""

from __future__ import annotations

from django.db.models import QuerySet

from connections.destinations.registry import tool_provider
from connections.models import Connection
from organizations.models import Organization


def connection_list(*, organization: Organization) -> QuerySet[Connection]:
    return Connection.objects.filter(organization=organization).order_by("name")


def connection_get(*, organization: Organization, connection_id: str) -> Connection | None:
    return Connection.objects.filter(organization=organization, pk=connection_id).first()


def connection_facts(*, connection: Connection) -> list[tuple[str, str]]:
    """What a person may want to know about a saved tool, in words. Secrets appear only as
    "saved", never their values."""
    provider = tool_provider(connection.type)
    facts = provider.facts(connection) if provider else []
    labels = {
        "api_key": "API key",
        "access_token": "Access token",
        "refresh_token": "Refresh token",
        "client_secret": "Client secret",
    }
    saved = [label for key, label in labels.items() if connection.secrets.get(key)]
    if saved:
        facts.append(("Saved (encrypted)", ", ".join(saved)))
    return facts


def warehouse_facts(*, connection: Connection) -> list[tuple[str, str]]:
    """A warehouse connection's settings in words, as its form labels them; secrets only as
    "saved"."""
    from connections.forms import SOURCE_FORMS

    form_class = SOURCE_FORMS.get(connection.type)
    if form_class is None:
        return []
    form = form_class(connection=connection)
    facts: list[tuple[str, str]] = []
    for name in form.fields:
        if name == "name" or name in form_class.secret_fields:
            continue
        value = connection.configuration.get(name)
        if value not in (None, ""):
            label = str(form[name].label)
            facts.append((label.removesuffix(" (advanced)"), str(value)))
    saved = [
        str(form[name].label) for name in form_class.secret_fields if connection.secrets.get(name)
    ]
    if saved:
        facts.append(("Saved (encrypted)", ", ".join(saved)))
    return facts
