"""Writes for SQL models."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from connections.models import Connection
from connections.registry import CONNECTION_TYPES, Role
from models_app.models import SqlModel
from organizations.models import Organization


def sql_model_create(
    *,
    organization: Organization,
    name: str,
    source: Connection,
    query: str,
    created_by: AbstractBaseUser | None = None,
) -> SqlModel:
    if source.organization_id != organization.pk:
        raise ValidationError("That connection belongs to another organization.")
    if Role.SOURCE not in CONNECTION_TYPES[source.type].roles:
        raise ValidationError(f"{source.name} is a destination; a model needs a source connection.")
    if SqlModel.objects.filter(organization=organization, name=name).exists():
        raise ValidationError(f"A model named '{name}' already exists. Choose another name.")
    return SqlModel.objects.create(
        organization=organization, name=name, source=source, query=query, created_by=created_by
    )
