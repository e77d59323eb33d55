"""Reads for connections, always scoped to one organization."""

from __future__ import annotations

from django.db.models import QuerySet

from connections.models import Connection
from organizations.models import Organization


def connection_list(*, organization: Organization) -> QuerySet[Connection]:
    return Connection.objects.filter(organization=organization).order_by("name")


def connection_get(*, organization: Organization, connection_id: str) -> Connection | None:
    return Connection.objects.filter(organization=organization, pk=connection_id).first()


def connection_facts(*, connection: Connection) -> list[tuple[str, str]]:
    """What a person may want to know about a saved tool, in words. Secrets appear only as
    "saved", never their values."""
    configuration = connection.configuration
    facts: list[tuple[str, str]] = []
    if connection.type == "salesloft":
        method = configuration.get("auth_method")
        facts.append(
            (
                "Signs in with",
                "an API key" if method == "api_key" else "a Salesloft account (OAuth)",
            )
        )
    elif connection.type == "gong":
        facts.append(("API host", configuration.get("api_base_url", "—")))
    elif connection.type == "linkedinads":
        accounts = configuration.get("accounts") or []
        facts.append(("Ad accounts", ", ".join(map(str, accounts)) or "none chosen yet"))
    elif connection.type == "salesforce":
        facts.append(("Instance", configuration.get("instance_url", "—")))
        facts.append(("Login domain", configuration.get("domain") or "Syncline's default"))
        own_app = configuration.get("connect_mode") == "api"
        facts.append(("Connected app", "your own" if own_app else "Syncline's"))
        if configuration.get("enforce_api_limits"):
            facts.append(("Daily API call limit", str(configuration.get("daily_api_calls", ""))))
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
