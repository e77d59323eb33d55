"""Writes for SQL models: every query is checked read-only and its fields discovered first."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from connections.models import Connection
from connections.registry import CONNECTION_TYPES, Role
from connections.sources.base import PREVIEW_ROWS, Preview, SourceError, SourceField
from connections.sources.read_only import UnsafeQueryError
from connections.sources.registry import source_for
from models_app.models import SqlModel
from models_app.selectors import model_columns_in_use
from organizations.audit import audit_record, changes_between
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


class WarehouseQueryError(ValidationError):
    """The warehouse refused the query; `detail` keeps its own words for the small print."""

    def __init__(self, error: SourceError) -> None:
        super().__init__(error.message)
        self.detail = error.detail


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
        raise WarehouseQueryError(error) from error


def identifier_suggest(fields: list[SourceField]) -> str:
    for pattern in IDENTITY_HINTS:
        for field in fields:
            if re.search(pattern, field.name, flags=re.IGNORECASE):
                return field.name
    return ""


def _fields_json(fields: list[SourceField]) -> list[dict[str, Any]]:
    return [field.to_json() for field in fields]


def _discover(*, source: Connection, query: str) -> tuple[str, list[SourceField]]:
    """The query as it will be stored, and the fields the warehouse says it returns.

    Callers run this BEFORE their transaction: a warehouse may take minutes to answer, and no
    row lock (nor, on SQLite, the database's one write lock) may be held while it does.
    """
    fields = sql_model_preview(source=source, query=query, limit=0).fields
    return source_for(source).check_query(query), fields


def _name_taken(*, organization_id: object, name: str, model: SqlModel | None = None) -> bool:
    clash = SqlModel.objects.filter(organization=organization_id, name=name)
    return (clash.exclude(pk=model.pk) if model is not None else clash).exists()


def _taken_message(name: str) -> str:
    return f"A model named '{name}' already exists. Choose another name."


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
    if _name_taken(organization_id=organization.pk, name=name):
        raise ValidationError(_taken_message(name))
    checked, fields = _discover(source=source, query=query)
    try:
        with transaction.atomic():
            model = SqlModel.objects.create(
                organization=organization,
                name=name,
                source=source,
                query=checked,
                fields=_fields_json(fields),
                identifier=identifier_suggest(fields),
                created_by=created_by,
            )
            _audit(model, "created", {"query": [None, model.query]})
            return model
    except IntegrityError as error:  # the same name was saved while the warehouse answered
        if _name_taken(organization_id=organization.pk, name=name):
            raise ValidationError(_taken_message(name)) from error
        raise


def sql_model_update(
    *,
    model: SqlModel,
    name: str | None = None,
    query: str | None = None,
    confirm_breaking: bool = False,
) -> SqlModel:
    """Rediscover fields; refuse to drop a column a sync maps unless explicitly confirmed.

    The warehouse is asked first, outside the transaction; the lock on the model is taken only
    for the checks against its syncs and the save.
    """
    discovered = _discover(source=model.source, query=query) if query is not None else None
    with transaction.atomic():
        model = SqlModel.objects.select_for_update().get(pk=model.pk)
        before = {"name": model.name, "query": model.query}
        if name is not None and name.strip() != model.name:
            name = name.strip()
            if not name or _name_taken(
                organization_id=model.organization_id, name=name, model=model
            ):
                raise ValidationError(_taken_message(name))
            model.name = name
        if discovered is not None:
            checked, fields = discovered
            returned = {field.name.lower() for field in fields}
            missing = {
                column: syncs
                for column, syncs in model_columns_in_use(model=model).items()
                if column not in returned
            }
            if missing and not confirm_breaking:
                raise BrokenMappingsError(missing)
            model.query = checked
            model.fields = _fields_json(fields)
            model.identifier = (
                model.identifier
                if model.identifier.lower() in returned
                else (identifier_suggest(fields))
            )
            model.version = F("version") + 1
        model.save()
        changes = changes_between(before, {"name": model.name, "query": model.query})
        if changes:
            _audit(model, "changed", changes)
    model.refresh_from_db()
    return model


def _audit(model: SqlModel, action: str, changes: dict[str, Any] | None = None) -> None:
    audit_record(
        organization=model.organization_id,
        action=action,
        object_type="model",
        object_id=model.pk,
        object_name=model.name,
        changes=changes,
    )


def sql_model_delete(*, model: SqlModel) -> None:
    """Delete a model no sync uses; ValidationError naming the syncs otherwise."""
    from django.db.models import ProtectedError

    from syncs.models import Sync

    names = list(Sync.objects.filter(model=model).values_list("name", flat=True))
    if names:
        raise ValidationError(
            f"The model “{model.name}” is used by the sync{'s' if len(names) > 1 else ''} "
            f"{', '.join(f'“{name}”' for name in names)}. Delete or change them first."
        )
    name, organization_id, model_id = model.name, model.organization_id, model.pk
    try:
        with transaction.atomic():
            model.delete()
            audit_record(
                organization=organization_id,
                action="deleted",
                object_type="model",
                object_id=model_id,
                object_name=name,
            )
    except ProtectedError as error:  # a sync was added meanwhile
        raise ValidationError(f"The model “{model.name}” is still used by a sync.") from error
