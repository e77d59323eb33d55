"""Writes for connections. Secrets are split from configuration and stored encrypted."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from connections.models import Connection
from connections.registry import CONNECTION_TYPES
from organizations.models import Organization


def split_secrets(type_key: str, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = CONNECTION_TYPES.get(type_key)
    if spec is None:
        known = ", ".join(sorted(CONNECTION_TYPES))
        raise ValidationError(f"Unknown connection type '{type_key}'. Known types: {known}.")
    configuration = {k: v for k, v in values.items() if k not in spec.secret_keys}
    secrets = {k: v for k, v in values.items() if k in spec.secret_keys}
    return configuration, secrets


@transaction.atomic
def connection_create(
    *,
    organization: Organization,
    name: str,
    type: str,
    values: dict[str, Any],
    created_by: AbstractBaseUser | None = None,
) -> Connection:
    configuration, secrets = split_secrets(type, values)
    if Connection.objects.filter(organization=organization, name=name).exists():
        raise ValidationError(f"A connection named '{name}' already exists. Choose another name.")
    return Connection.objects.create(
        organization=organization,
        name=name,
        type=type,
        configuration=configuration,
        secrets=secrets,
        created_by=created_by,
    )


@transaction.atomic
def connection_update(
    *, connection: Connection, name: str | None = None, values: dict[str, Any] | None = None
) -> Connection:
    """Update settings; a secret left out (or empty) keeps its saved value (write-only)."""
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    if name is not None:
        connection.name = name
    if values:
        configuration, secrets = split_secrets(connection.type, values)
        connection.configuration = {**connection.configuration, **configuration}
        connection.secrets = {
            **connection.secrets,
            **{key: value for key, value in secrets.items() if value not in (None, "")},
        }
    connection.save()
    return connection


def connection_secrets_rotate() -> int:
    """Re-encrypt every connection's secrets with the newest key; returns how many rows.

    Reading decrypts with whichever listed key matches; writing encrypts with the first.
    """
    rotated = 0
    for pk, secrets in Connection.objects.values_list("pk", "secrets").iterator():
        Connection.objects.filter(pk=pk).update(secrets=secrets)
        rotated += 1
    return rotated


def connection_test(
    *,
    type: str,
    values: dict[str, Any],
    existing: Connection | None = None,
) -> None:
    """Try settings before they are saved; raises SourceError saying what is wrong.

    With `existing`, secrets left empty fall back to the saved ones (forms never show them).
    """
    from connections.sources.registry import source_for

    configuration, secrets = split_secrets(type, values)
    if existing is not None:
        secrets = {**existing.secrets, **{k: v for k, v in secrets.items() if v}}
    source_for(Connection(type=type, configuration=configuration, secrets=secrets)).check()


def connection_check(*, connection: Connection) -> Connection:
    """Check a saved connection and record its health for every page that shows it."""
    from connections.sources.base import SourceError
    from connections.sources.registry import source_for

    try:
        source_for(connection).check()
    except SourceError as error:
        connection.status, connection.status_error = Connection.Status.ERROR, error.message
    else:
        connection.status, connection.status_error = Connection.Status.HEALTHY, ""
    connection.last_checked_at = timezone.now()
    connection.save(update_fields=["status", "status_error", "last_checked_at", "updated_at"])
    return connection
