"""Destination classes by connection type: an explicit dict (DESIGN.md §6).

Dotted paths, imported on first use, so a vendor's client libraries load only when needed.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from connections.destinations.base import Destination
from connections.destinations.errors import DestinationError
from connections.models import Connection

DESTINATIONS: dict[str, str] = {
    "salesloft": "connections.destinations.salesloft.destination.SalesloftDestination",
    "gong": "connections.destinations.gong.destination.GongDestination",
    "linkedinads": "connections.destinations.linkedin_ads.destination.LinkedInAdsDestination",
    "salesforce": "connections.destinations.salesforce.destination.SalesforceDestination",
}


def destination_for(connection: Connection) -> Destination:
    path = DESTINATIONS.get(connection.type)
    if path is None:
        raise DestinationError(f"{connection.name} is not a tool Syncline can sync into.")
    destination_class: type[Destination] = import_string(path)
    return destination_class(connection)
