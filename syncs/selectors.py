"""Reads for syncs and executions, scoped to one organization."""

from __future__ import annotations

from django.db.models import QuerySet

from organizations.models import Organization
from syncs.models import SyncExecution


def execution_recent_list(
    *, organization: Organization, limit: int = 10
) -> QuerySet[SyncExecution]:
    return (
        SyncExecution.objects.filter(sync__organization=organization)
        .select_related("sync")
        .order_by("-created_at")[:limit]
    )
