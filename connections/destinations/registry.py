"""Destination classes and provider descriptions by connection type: explicit dicts (DESIGN.md §6).

Dotted paths, imported on first use, so a vendor's client libraries load only when needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.module_loading import import_string

from connections.destinations.base import Destination
from connections.destinations.errors import DestinationError
from connections.models import Connection

if TYPE_CHECKING:
    from connections.destinations.provider import ToolProvider

DESTINATIONS: dict[str, str] = {
    "salesloft": "connections.destinations.salesloft.destination.SalesloftDestination",
    "gong": "connections.destinations.gong.destination.GongDestination",
    "linkedinads": "connections.destinations.linkedin_ads.destination.LinkedInAdsDestination",
    "salesforce": "connections.destinations.salesforce.destination.SalesforceDestination",
}

# Everything the wizard, the OAuth pipeline and the connection pages need to know about a tool
# (connections/destinations/provider.py). In the order the "New connection" page shows them.
PROVIDERS: dict[str, str] = {
    "salesloft": "connections.destinations.salesloft.provider.SalesloftProvider",
    "gong": "connections.destinations.gong.provider.GongProvider",
    "linkedinads": "connections.destinations.linkedin_ads.provider.LinkedInAdsProvider",
    "salesforce": "connections.destinations.salesforce.provider.SalesforceProvider",
}


def destination_for(connection: Connection) -> Destination:
    path = DESTINATIONS.get(connection.type)
    if path is None:
        raise DestinationError(f"{connection.name} is not a tool Syncline can sync into.")
    destination_class: type[Destination] = import_string(path)
    return destination_class(connection)


def tool_provider(type_key: str) -> ToolProvider | None:
    """The tool's provider description, or None for a warehouse (or an unknown type)."""
    path = PROVIDERS.get(type_key)
    if path is None:
        return None
    provider_class: type[ToolProvider] = import_string(path)
    return provider_class()


def provider_for(type_key: str) -> ToolProvider:
    """The provider of a type known to be a tool (a backend's name, a tool's connection)."""
    provider = tool_provider(type_key)
    if provider is None:
        raise KeyError(f"{type_key!r} is not a tool")
    return provider


def tool_providers() -> list[ToolProvider]:
    return [provider_for(key) for key in PROVIDERS]
