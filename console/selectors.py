"""What the console home page shows: counts (each a link), health, failures, the latest runs."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Value, When

from connections.models import Connection
from models_app.models import SqlModel
from organizations.models import Organization
from syncs.models import Sync
from syncs.selectors import execution_recent_list, failures_since, sync_list

HOME_ROWS = 8


def home_summary(*, organization: Organization) -> dict[str, Any]:
    """A fixed number of queries whatever the organization's size: counts are aggregates,
    lists are bounded."""
    connections = Connection.objects.filter(organization=organization)
    health_order = Case(
        When(status=Connection.Status.NEEDS_AUTH, then=Value(0)),
        When(status=Connection.Status.ERROR, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    connection_counts = connections.aggregate(
        total=Count("pk"), unhealthy=Count("pk", filter=~Q(status=Connection.Status.HEALTHY))
    )
    sync_counts = Sync.objects.filter(organization=organization).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(active=True))
    )
    failures = failures_since(organization=organization, hours=24)
    return {
        "connection_count": connection_counts["total"],
        "unhealthy_count": connection_counts["unhealthy"],
        "unhealthy_connections": list(
            connections.exclude(status=Connection.Status.HEALTHY).order_by(health_order, "name")[:5]
        ),
        "connections": list(connections.order_by(health_order, "name")[:HOME_ROWS]),
        "model_count": SqlModel.objects.filter(organization=organization).count(),
        "sync_count": sync_counts["total"],
        "active_sync_count": sync_counts["active"],
        "paused_sync_count": sync_counts["total"] - sync_counts["active"],
        "syncs": list(sync_list(organization=organization)[:HOME_ROWS]),
        "failure_count": failures.count(),
        "failures": list(failures[:HOME_ROWS]),
        "recent_executions": list(execution_recent_list(organization=organization, limit=10)),
    }
