"""What the console home page shows: a few counts and the latest runs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from connections.models import Connection
from models_app.models import SqlModel
from organizations.models import AuditEntry, Organization
from syncs.models import Sync
from syncs.selectors import execution_recent_list


def home_summary(*, organization: Organization) -> dict[str, Any]:
    connections = Connection.objects.filter(organization=organization)
    return {
        "connection_count": connections.count(),
        "unhealthy_connections": list(
            connections.exclude(status=Connection.Status.HEALTHY).order_by("name")[:5]
        ),
        "model_count": SqlModel.objects.filter(organization=organization).count(),
        "sync_count": Sync.objects.filter(organization=organization).count(),
        "active_sync_count": Sync.objects.filter(organization=organization, active=True).count(),
        "recent_executions": list(execution_recent_list(organization=organization, limit=10)),
    }


def audit_entries(*, organization: Organization) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(organization=organization).order_by("-created_at", "-id")
