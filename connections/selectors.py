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
