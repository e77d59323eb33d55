"""Reads for SQL models, scoped to one organization."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from models_app.models import SqlModel
from organizations.models import Organization


def sql_model_list(*, organization: Organization) -> QuerySet[SqlModel]:
    return SqlModel.objects.filter(organization=organization).select_related("source")


def sql_model_get(*, organization: Organization, model_id: object) -> SqlModel | None:
    return sql_model_list(organization=organization).filter(pk=model_id).first()


def model_columns_in_use(*, model: SqlModel) -> dict[str, list[str]]:
    """Columns of the model that syncs map (lower-cased), with the names of those syncs."""
    from syncs.models import Sync

    used: dict[str, list[str]] = defaultdict(list)
    for sync in Sync.objects.filter(model=model).only("name", "identity", "fields"):
        mappings = [*(sync.fields or []), *([sync.identity] if sync.identity else [])]
        for mapping in mappings:
            column = ((mapping or {}).get("source") or {}).get("field")
            if column and sync.name not in used[column.lower()]:
                used[column.lower()].append(sync.name)
    return dict(used)
