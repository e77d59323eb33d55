"""Writes for connections. Secrets are split from configuration and stored encrypted."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from connections.hosts import warehouse_host_problem
from connections.models import Connection
from connections.registry import CONNECTION_TYPES, Role
from connections.secret_reuse import secrets_to_use
from organizations.audit import audit_record, changes_between
from organizations.models import Organization
from organizations.roles import admin_check

logger = logging.getLogger(__name__)


CHANGE = "change connections"


def _admins_only(organization: Organization | Any, user: AbstractBaseUser | None = None) -> None:
    """Only admins change connections: the person named, else the one the request is for (an
    API key, a task or a command passes; console pages refuse members first)."""
    admin_check(organization=organization, what=CHANGE, user=user)


def split_secrets(type_key: str, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = CONNECTION_TYPES.get(type_key)
    if spec is None:
        known = ", ".join(sorted(CONNECTION_TYPES))
        raise ValidationError(f"Unknown connection type '{type_key}'. Known types: {known}.")
    secret = {k for k in values if k in spec.secret_keys or looks_secret(k)}
    configuration = {k: v for k, v in values.items() if k not in secret}
    secrets = {k: v for k, v in values.items() if k in secret}
    return configuration, secrets


# Compared with a setting's name lower-cased and without separators, so "sshPrivateKey",
# "ssh-private-key" and "ssh_private_key" all match; "clientkey" and "sslkey" are a TLS client
# certificate's private key as other tools (and libpq) name it.
SECRET_WORDS = (
    "password",
    "passwd",
    "secret",
    "token",
    "privatekey",
    "apikey",
    "passphrase",
    "clientkey",
    "sslkey",
    "credential",
)


def looks_secret(key: str) -> bool:
    """A setting named like a credential is kept encrypted (and out of the audit trail) even
    when its type doesn't list it: a caller may send one a type doesn't expect."""
    name = re.sub(r"[^a-z0-9]", "", key.lower())
    return any(word in name for word in SECRET_WORDS)


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, "")}


def _check_host(type: str, configuration: dict[str, Any]) -> None:
    """The host policy's verdict on what needs no network (spelling, a literal address).

    Names are resolved and checked when Syncline connects (connections/hosts.py), not here:
    this runs inside a transaction, and a name may simply not resolve yet.
    """
    problem = warehouse_host_problem(type, configuration, resolve=False)
    if problem:
        raise ValidationError({problem[0]: problem[1]})


@transaction.atomic
def connection_create(
    *,
    organization: Organization,
    name: str,
    type: str,
    values: dict[str, Any],
    created_by: AbstractBaseUser | None = None,
    awaiting_consent: bool = False,
) -> Connection:
    """Save a connection. `awaiting_consent`: a tool whose OAuth consent is still to come (the
    API answers with an auth_url); it is saved as needs_auth, and the consent's end stores its
    tokens on it (connection_authorize with `connection`)."""
    _admins_only(organization, created_by)
    configuration, secrets = split_secrets(type, values)
    configuration = _present(configuration)
    _check_host(type, configuration)
    if Connection.objects.filter(organization=organization, name=name).exists():
        raise ValidationError(f"A connection named '{name}' already exists. Choose another name.")
    status = Connection.Status.NEEDS_AUTH if awaiting_consent else Connection.Status.HEALTHY
    status_error = (
        f"Open the authorization link to finish connecting {CONNECTION_TYPES[type].name}."
        if awaiting_consent
        else ""
    )
    with transaction.atomic():
        connection = Connection.objects.create(
            organization=organization,
            name=name,
            type=type,
            configuration=configuration,
            secrets=_present(secrets),
            status=status,
            status_error=status_error,
            created_by=created_by,
        )
        _audit(connection, "created")
    return connection


@transaction.atomic
def connection_update(
    *, connection: Connection, name: str | None = None, values: dict[str, Any] | None = None
) -> Connection:
    """Update settings; a setting given as "" is cleared.

    A secret left out (or empty) keeps its saved value (write-only) — unless the new settings
    send secrets somewhere else (another host, port, user…: connections/secret_reuse.py); then
    SecretsNeeded is raised unless they are given again, and only the ones given are kept.
    """
    _admins_only(connection.organization_id)
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    before = {"name": connection.name, **connection.configuration}
    before_secrets = dict(connection.secrets)
    if name is not None:
        connection.name = name
    if values:
        configuration, secrets = split_secrets(connection.type, values)
        merged = _present({**connection.configuration, **configuration})
        _check_host(connection.type, merged)
        connection.secrets = secrets_to_use(
            type_key=connection.type,
            saved_configuration=connection.configuration,
            saved_secrets=connection.secrets,
            configuration=merged,
            typed=secrets,
        )
        connection.configuration = merged
    connection.save()
    changes = changes_between(before, {"name": connection.name, **connection.configuration})
    changes.update({key: "changed" for key in changes_between(before_secrets, connection.secrets)})
    if changes:
        _audit(connection, "changed", changes)
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

    With `existing`, secrets left empty fall back to the saved ones (forms never show them) —
    only while the settings still send them where they were saved for; else SecretsNeeded.
    """
    from connections.sources.registry import source_for

    configuration, secrets = split_secrets(type, values)
    if existing is not None:
        secrets = secrets_to_use(
            type_key=type,
            saved_configuration=existing.configuration,
            saved_secrets=existing.secrets,
            configuration=configuration,
            typed=secrets,
        )
    # The sources check the host policy (with the name resolved) before they connect.
    source_for(Connection(type=type, configuration=configuration, secrets=secrets)).check()


def connection_check(*, connection: Connection) -> Connection:
    """Check a saved connection and record its health for every page that shows it.

    Tools (destinations, Salesforce included) are checked with their destination's check();
    warehouses with their source's.
    """
    if Role.DESTINATION in CONNECTION_TYPES[connection.type].roles:
        status, message = _destination_health(connection)
    else:
        status, message = _source_health(connection)
    connection.status, connection.status_error = status, message
    connection.last_checked_at = timezone.now()
    connection.save(update_fields=["status", "status_error", "last_checked_at", "updated_at"])
    return connection


def connection_health_note(*, connection: Connection, problem: str = "") -> None:
    """What a sync run learnt of a connection: it worked (healthy), or it failed (error, with
    the sentence). A needs_auth mark stays until someone reconnects: a failed run must not hide
    it, and a working run only happens once access is back."""
    fields: dict[str, Any] = {"last_checked_at": timezone.now(), "updated_at": timezone.now()}
    rows = Connection.objects.filter(pk=connection.pk)
    if problem:
        rows = rows.exclude(status=Connection.Status.NEEDS_AUTH)
        fields.update(status=Connection.Status.ERROR, status_error=problem)
    else:
        fields.update(status=Connection.Status.HEALTHY, status_error="")
    rows.update(**fields)


def _source_health(connection: Connection) -> tuple[str, str]:
    from connections.sources.base import SourceError
    from connections.sources.registry import source_for

    try:
        source_for(connection).check()
    except SourceError as error:
        return Connection.Status.ERROR, error.message
    return Connection.Status.HEALTHY, ""


def _destination_health(connection: Connection) -> tuple[str, str]:
    from connections.destinations.errors import DestinationError, NeedsReauthorization
    from connections.destinations.registry import provider_for

    try:
        provider_for(connection.type).check(connection)
    except NeedsReauthorization as error:
        return Connection.Status.NEEDS_AUTH, error.message
    except DestinationError as error:
        return Connection.Status.ERROR, error.message
    except Exception:
        # An answer we could not read must not become an error page: log it, say it plainly.
        logger.exception("checking connection %s failed unexpectedly", connection.pk)
        name = CONNECTION_TYPES[connection.type].name
        return Connection.Status.ERROR, f"{name} gave an answer Syncline could not read."
    return Connection.Status.HEALTHY, ""


# -- tools: OAuth, API keys, ad accounts, deletion ---------------------------------------------

NOT_CHECKED = "Syncline has not checked this connection yet."


def connection_name_suggest(*, organization: Organization, type: str) -> str:
    """The tool's name, numbered when the organization already has one by that name."""
    base = CONNECTION_TYPES[type].name
    taken = set(Connection.objects.filter(organization=organization).values_list("name", flat=True))
    if base not in taken:
        return base
    return next(f"{base} {n}" for n in range(2, len(taken) + 3) if f"{base} {n}" not in taken)


def connection_name_check(
    *, organization: Organization, name: str, connection: Connection | None = None
) -> None:
    """Raises ValidationError when the organization already has a connection by that name."""
    others = Connection.objects.filter(organization=organization, name=name)
    if connection is not None:
        others = others.exclude(pk=connection.pk)
    if others.exists():
        raise ValidationError(f"A connection named '{name}' already exists. Choose another name.")


def connection_authorize(
    *,
    organization: Organization,
    type: str,
    name: str,
    token_response: dict[str, Any],
    configuration: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    connection: Connection | None = None,
    created_by: AbstractBaseUser | None = None,
) -> Connection:
    """Save the tokens of a finished OAuth consent, then check the connection.

    Without `connection` a new one is created (only now, when tokens exist, so an abandoned or
    refused consent leaves nothing behind); with it, that connection's tokens are replaced
    (Reconnect). Tokens go to the encrypted secrets; the API host to the configuration.
    """
    from connections.destinations.registry import provider_for

    if created_by is not None:  # an auth_url's consent has no person: the link is the right
        _admins_only(organization, created_by)
    token_secrets, token_configuration = provider_for(type).token_values(token_response)
    configuration = {**(configuration or {}), **token_configuration}
    secrets = {k: v for k, v in (secrets or {}).items() if v not in (None, "")}
    with transaction.atomic():
        if connection is None:
            connection = Connection.objects.create(
                organization=organization,
                name=_free_name(organization, name),
                type=type,
                configuration=configuration,
                secrets={**secrets, **token_secrets},
                status=Connection.Status.ERROR,
                status_error=NOT_CHECKED,
                created_by=created_by,
            )
            _audit(connection, "connected")
        else:
            connection = Connection.objects.select_for_update().get(
                pk=connection.pk, organization=organization, type=type
            )
            # Every token of the old consent goes: a refresh token the new answer lacks is dead.
            kept = {
                k: v
                for k, v in connection.secrets.items()
                if k not in {"access_token", "refresh_token", "expires_at", "api_key"}
            }
            connection.secrets = {**kept, **secrets, **token_secrets}
            connection.configuration = {**connection.configuration, **configuration}
            connection.save()
            _audit(connection, "reconnected")
    return connection_check(connection=connection)


def _free_name(organization: Organization, name: str) -> str:
    taken = set(
        Connection.objects.filter(organization=organization, name__startswith=name).values_list(
            "name", flat=True
        )
    )
    if name not in taken:
        return name
    return next(f"{name} {n}" for n in range(2, len(taken) + 3) if f"{name} {n}" not in taken)


def connection_api_key_save(
    *,
    organization: Organization,
    type: str,
    name: str,
    api_key: str,
    connection: Connection | None = None,
    created_by: AbstractBaseUser | None = None,
) -> Connection:
    """Connect a tool that takes an API key (its provider's `api_key` sign-in): checked with
    the vendor first, saved only if it works.

    Raises DestinationError (the vendor's words) or ValidationError (the name); writes nothing
    then.
    """
    from connections.destinations.registry import provider_for

    _admins_only(organization, created_by)
    connection_name_check(organization=organization, name=name, connection=connection)
    configuration = {**(connection.configuration if connection else {}), "auth_method": "api_key"}
    trial = Connection(
        organization=organization,
        name=name,
        type=type,
        configuration=configuration,
        secrets={"api_key": api_key},
    )
    if connection is not None:
        trial.pk = connection.pk
    provider_for(type).check(trial)
    with transaction.atomic():
        action = "connected" if connection is None else "reconnected"
        if connection is None:
            connection = Connection(organization=organization, type=type, created_by=created_by)
        else:
            connection = Connection.objects.select_for_update().get(pk=connection.pk)
        connection.name = name
        connection.configuration = configuration
        # The key replaces any OAuth tokens: one way of signing in at a time.
        connection.secrets = {"api_key": api_key}
        connection.status, connection.status_error = Connection.Status.HEALTHY, ""
        connection.last_checked_at = timezone.now()
        connection.save()
        _audit(connection, action, {"auth_method": "API key"})
    return connection


def connection_accounts_set(*, connection: Connection, accounts: list[str]) -> Connection:
    """The accounts a tool's connection works with (its provider's account choice, e.g.
    LinkedIn's ad accounts), saved as plain ids."""
    _admins_only(connection.organization_id)
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=connection.pk)
        before = connection.configuration.get("accounts")
        connection.configuration = {**connection.configuration, "accounts": list(accounts)}
        connection.save(update_fields=["configuration", "updated_at"])
        if before != list(accounts):
            _audit(connection, "changed", {"accounts": [before, list(accounts)]})
    return connection


@dataclass(frozen=True)
class DeletedConnection:
    name: str
    type: str
    revoked: bool  # the vendor confirmed that Syncline's access is revoked
    revoke_problem: str  # why revoking failed; empty when it worked or wasn't possible


def connection_usages(*, connection: Connection) -> list[str]:
    """What would break without this connection, in words: its models and syncs."""
    from models_app.models import SqlModel
    from syncs.models import Sync

    models = SqlModel.objects.filter(source=connection).values_list("name", flat=True)
    syncs = Sync.objects.filter(target_connection=connection).values_list("name", flat=True)
    return [f"the model “{name}”" for name in models] + [f"the sync “{name}”" for name in syncs]


def connection_delete(
    *, connection: Connection, force: bool = False, user: AbstractBaseUser | None = None
) -> DeletedConnection:
    """Delete a connection nothing uses, then revoke Syncline's access at the vendor.

    With `force`, what uses it goes first: its syncs (a running execution is canceled first,
    by sync_delete), then its models. Revoking comes after the delete, so a refused delete
    never leaves dead tokens behind; a failed revoke does not bring the connection back, it is
    reported.
    """
    _admins_only(connection.organization_id, user)
    if force:
        _delete_dependents(connection, user)
    usages = connection_usages(connection=connection)
    if usages:
        raise ValidationError(
            f"{connection.name} is used by {_join(usages)}. Delete or change "
            f"{'it' if len(usages) == 1 else 'them'} first."
        )
    name, type = connection.name, connection.type
    configuration, secrets = dict(connection.configuration), dict(connection.secrets)
    organization_id, connection_id = connection.organization_id, connection.pk
    try:
        with transaction.atomic():
            connection.delete()
            audit_record(
                organization=organization_id,
                action="deleted",
                object_type="connection",
                object_id=connection_id,
                object_name=name,
            )
    except ProtectedError as error:  # a model or sync was added meanwhile
        raise ValidationError(f"{name} is still in use; reload the page to see by what.") from error
    revoked, problem = connection_revoke(type=type, configuration=configuration, secrets=secrets)
    return DeletedConnection(name=name, type=type, revoked=revoked, revoke_problem=problem)


def _delete_dependents(connection: Connection, user: AbstractBaseUser | None) -> None:
    from models_app.models import SqlModel
    from models_app.services import sql_model_delete
    from syncs.models import Sync
    from syncs.services import sync_delete

    models = SqlModel.objects.filter(source=connection)
    for sync in Sync.objects.filter(Q(target_connection=connection) | Q(model__in=models)):
        sync_delete(sync=sync, user=user)
    for model in models:
        sql_model_delete(model=model)


def connection_revoke(
    *, type: str, configuration: dict[str, Any], secrets: dict[str, Any]
) -> tuple[bool, str]:
    """Ask the vendor to revoke the tokens; (revoked, the problem in words when it failed)."""
    import httpx

    from connections.destinations.registry import tool_provider

    provider = tool_provider(type)
    revocation = provider.revocation(configuration, secrets) if provider else None
    if revocation is None:
        return False, ""
    vendor = CONNECTION_TYPES[type].name
    remedy = f"To be sure, remove Syncline from the connected apps in {vendor}'s settings."
    try:
        response = httpx.post(revocation.url, data=revocation.data, timeout=10)
    except httpx.HTTPError as error:
        return False, (
            f"{vendor} could not be reached to revoke Syncline's access "
            f"({error.__class__.__name__}). {remedy}"
        )
    if response.status_code != 200:
        return False, (
            f"{vendor} did not confirm that Syncline's access is revoked "
            f"(it answered {response.status_code}). {remedy}"
        )
    return True, ""


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _audit(connection: Connection, action: str, changes: dict[str, Any] | None = None) -> None:
    audit_record(
        organization=connection.organization_id,
        action=action,
        object_type="connection",
        object_id=connection.pk,
        object_name=connection.name,
        changes=changes,
    )
