"""Reads for connections, always scoped to one organization."""

from __future__ import annotations

from django.db.models import QuerySet

from connections.models import Connection
from organizations.models import Organization


def connection_list(*, organization: Organization) -> QuerySet[Connection]:
    return Connection.objects.filter(organization=organization).order_by("name")


def connection_get(*, organization: Organization, connection_id: str) -> Connection | None:
    return Connection.objects.filter(organization=organization, pk=connection_id).first()
