"""Reads for SQL models, scoped to one organization."""

from __future__ import annotations

from django.db.models import QuerySet

from models_app.models import SqlModel
from organizations.models import Organization


def sql_model_list(*, organization: Organization) -> QuerySet[SqlModel]:
    return SqlModel.objects.filter(organization=organization).select_related("source")
