"""Writes for SQL models: every query is checked read-only and its fields discovered first."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from connections.models import Connection
from connections.registry import CONNECTION_TYPES, Role
from connections.sources.base import PREVIEW_ROWS, Preview, SourceError, SourceField
from connections.sources.read_only import UnsafeQueryError
from connections.sources.registry import source_for
from models_app.models import SqlModel
from models_app.selectors import model_columns_in_use
from organizations.models import Organization

# Column names that usually identify a person or company, best first.
IDENTITY_HINTS = (
    r"^email(_address)?$",
    r"email",
    r"^(contact|lead|account|user|person|customer)_?id$",
    r"^id$",
    r"_id$",
    r"domain",
)


class BrokenMappingsError(ValidationError):
    """Saving would drop columns that syncs map; `columns` maps each to the syncs using it."""

    def __init__(self, columns: dict[str, list[str]]) -> None:
        self.columns = columns
        described = "; ".join(
            f"'{column}' (used by {', '.join(syncs)})" for column, syncs in sorted(columns.items())
        )
        super().__init__(
            f"The new query no longer returns {described}. Change those syncs first, or confirm "
            "to save anyway (those syncs will stop until they are fixed)."
        )


def _check_source(*, organization: Organization, source: Connection) -> None:
    if source.organization_id != organization.pk:
        raise ValidationError("That connection belongs to another organization.")
    if Role.SOURCE not in CONNECTION_TYPES[source.type].roles:
        raise ValidationError(f"{source.name} is a destination; a model reads from a warehouse.")


def sql_model_preview(*, source: Connection, query: str, limit: int = PREVIEW_ROWS) -> Preview:
    """The first rows and the fields of a query; refuses anything but one read-only SELECT."""
    warehouse = source_for(source)
    try:
        checked = warehouse.check_query(query)
    except UnsafeQueryError as error:
        raise ValidationError(str(error)) from error
    try:
        return warehouse.preview(checked, limit=limit)
    except SourceError as error:
        raise ValidationError(error.message) from error


def identifier_suggest(fields: list[SourceField]) -> str:
    for pattern in IDENTITY_HINTS:
        for field in fields:
            if re.search(pattern, field.name, flags=re.IGNORECASE):
                return field.name
    return ""


def _fields_json(fields: list[SourceField]) -> list[dict[str, Any]]:
    return [field.to_json() for field in fields]


@transaction.atomic
def sql_model_create(
    *,
    organization: Organization,
    name: str,
    source: Connection,
    query: str,
    created_by: AbstractBaseUser | None = None,
) -> SqlModel:
    _check_source(organization=organization, source=source)
    name = name.strip()
    if not name:
        raise ValidationError("Give the model a name.")
    if SqlModel.objects.filter(organization=organization, name=name).exists():
        raise ValidationError(f"A model named '{name}' already exists. Choose another name.")
    fields = sql_model_preview(source=source, query=query, limit=0).fields
    return SqlModel.objects.create(
        organization=organization,
        name=name,
        source=source,
        query=source_for(source).check_query(query),
        fields=_fields_json(fields),
        identifier=identifier_suggest(fields),
        created_by=created_by,
    )


@transaction.atomic
def sql_model_update(
    *,
    model: SqlModel,
    name: str | None = None,
    query: str | None = None,
    confirm_breaking: bool = False,
) -> SqlModel:
    """Rediscover fields; refuse to drop a column a sync maps unless explicitly confirmed."""
    model = SqlModel.objects.select_for_update().get(pk=model.pk)
    if name is not None and name.strip() != model.name:
        name = name.strip()
        clash = SqlModel.objects.filter(organization=model.organization_id, name=name)
        if not name or clash.exclude(pk=model.pk).exists():
            raise ValidationError(f"A model named '{name}' already exists. Choose another name.")
        model.name = name
    if query is not None:
        fields = sql_model_preview(source=model.source, query=query, limit=0).fields
        returned = {field.name.lower() for field in fields}
        missing = {
            column: syncs
            for column, syncs in model_columns_in_use(model=model).items()
            if column not in returned
        }
        if missing and not confirm_breaking:
            raise BrokenMappingsError(missing)
        model.query = source_for(model.source).check_query(query)
        model.fields = _fields_json(fields)
        model.identifier = (
            model.identifier
            if model.identifier.lower() in returned
            else (identifier_suggest(fields))
        )
        model.version = F("version") + 1
    model.save()
    model.refresh_from_db()
    return model
