"""Writes for syncs and their executions, and the checks a sync's settings must pass."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from connections.models import Connection
from connections.registry import CONNECTION_TYPES, Role
from models_app.models import SqlModel
from organizations.audit import audit_record, changes_between
from organizations.models import Organization
from syncs.events import execution_event_record
from syncs.models import Sync, SyncExecution, SyncMode

logger = logging.getLogger(__name__)


def sync_execution_claim(*, execution_id: UUID | str) -> str:
    """Move a waiting execution to running: "claimed"; "taken" if another worker or run got
    there first (the conditional update makes a redelivered task a no-op; the partial unique
    index one_running_execution_per_sync refuses a second running execution of a sync); or
    "busy" when its destination account
    already has SYNCLINE_RUNS_PER_DESTINATION runs: a slow or throttled tool must not hold every
    worker while syncs to other tools wait).

    The destination connection's row is locked while the running runs are counted, so two
    workers can't both take the last place (on SQLite the IMMEDIATE transaction serialises).
    """
    from django.conf import settings

    now = timezone.now()
    try:
        with transaction.atomic():
            waiting = (
                SyncExecution.objects.filter(pk=execution_id)
                .values_list("sync__target_connection_id", flat=True)
                .first()
            )
            if waiting is None:
                return "taken"
            list(Connection.objects.select_for_update().filter(pk=waiting).values_list("pk"))
            # Read again under the lock: a worker that held it may have claimed this one.
            if not SyncExecution.objects.filter(
                pk=execution_id, status__in=SyncExecution.WAITING
            ).exists():
                return "taken"
            running = SyncExecution.objects.filter(
                sync__target_connection_id=waiting,
                status__in=[SyncExecution.Status.RUNNING, SyncExecution.Status.CANCELING],
            ).count()
            if running >= settings.SYNCLINE_RUNS_PER_DESTINATION:
                return "busy"
            claimed = SyncExecution.objects.filter(
                pk=execution_id, status__in=SyncExecution.WAITING
            ).update(status=SyncExecution.Status.RUNNING, started_at=now, heartbeat_at=now)
    except IntegrityError:
        return "taken"
    return "claimed" if claimed == 1 else "taken"


class SyncNotRunnable(Exception):
    """A start that can't be honoured (a paused sync on a schedule, ...), said in a sentence."""


def sync_execution_start(
    *,
    sync: Sync,
    trigger: str = SyncExecution.Trigger.MANUAL,
    resync: bool = False,
    test: bool = False,
    identities: list[str] | None = None,
    user: Any = None,
) -> SyncExecution:
    """Queue a run of the sync and enqueue it once the transaction commits.

    Starts coalesce (DESIGN.md §5.2): while one execution waits, further starts return it;
    while one runs, one more is queued behind it and enqueued when the running one ends.
    """
    if trigger == SyncExecution.Trigger.SCHEDULE and not sync.active:
        raise SyncNotRunnable(f"{sync.name} is paused, so its schedule doesn't start it.")
    waiting = SyncExecution.objects.filter(sync=sync, status__in=SyncExecution.WAITING).first()
    if waiting is not None:
        if _stranded(waiting):
            # It has waited long with nothing running that would hand over to it (a killed
            # worker's run never did): send it again. The claim is conditional, so a second
            # task for it is a no-op.
            _enqueue(waiting)
        return waiting
    try:
        with transaction.atomic():
            execution = SyncExecution.objects.create(
                sync=sync,
                status=SyncExecution.Status.QUEUED,
                trigger=trigger,
                resync=resync,
                test=test,
                identities=[str(value) for value in identities or []],
                started_by=user if getattr(user, "is_authenticated", False) else None,
            )
    except IntegrityError:
        # Another start got there between our look and our insert: theirs is the one.
        return SyncExecution.objects.get(sync=sync, status__in=SyncExecution.WAITING)
    if trigger != SyncExecution.Trigger.SCHEDULE:
        _audit(sync, "started a run", {"run": str(execution.pk), **_start_options(execution)})
    if not _running(sync):
        _enqueue(execution)
    return execution


def _start_options(execution: SyncExecution) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if execution.resync:
        options["resync"] = True
    if execution.test:
        options["dry run"] = True
    if execution.identities:
        options["identities"] = len(execution.identities)
    return options


def _stranded(waiting: SyncExecution) -> bool:
    from django.conf import settings

    stale = timezone.now() - dt.timedelta(seconds=settings.SYNCLINE_HEARTBEAT_STALE_SECONDS)
    return waiting.created_at < stale and not _running(waiting.sync)


def _running(sync: Sync) -> bool:
    return SyncExecution.objects.filter(
        sync=sync, status__in=[SyncExecution.Status.RUNNING, SyncExecution.Status.CANCELING]
    ).exists()


def _enqueue(execution: SyncExecution) -> None:
    from syncs.tasks import execute_sync

    transaction.on_commit(lambda: execute_sync.delay(str(execution.pk)))


def _enqueue_later(execution_id: UUID | str) -> None:
    from django.conf import settings

    from syncs.tasks import execute_sync

    execute_sync.apply_async(
        (str(execution_id),), countdown=settings.SYNCLINE_DESTINATION_BUSY_RETRY_SECONDS
    )


def sync_execution_run(*, execution_id: UUID | str) -> None:
    """The worker's side: claim, run, then hand over to the execution waiting behind it."""
    from syncs.engine.run import execute
    from syncs.notifications import notifications_enqueue

    claim = sync_execution_claim(execution_id=execution_id)
    if claim == "busy":
        _enqueue_later(execution_id)
        return
    if claim != "claimed":
        return  # a redelivered task, or another worker has it: nothing to do
    # The connections (whose secrets are decrypted as they load) are read inside the run,
    # where a key that can't read them ends it in a sentence instead of leaving it running.
    execution = SyncExecution.objects.select_related("sync", "sync__model").get(pk=execution_id)
    execution_event_record(execution=execution)
    try:
        execute(execution)
    finally:
        execution.refresh_from_db()
        _hand_over(execution)
        for side_effect in (execution_event_record, notifications_enqueue, sync_run_after_start):
            try:
                side_effect(execution=execution)
            except Exception:  # an event, an e-mail or a follower must not strand the rest
                logger.exception("after run %s: %s failed", execution.pk, side_effect.__name__)


def _hand_over(execution: SyncExecution) -> None:
    """The next run of this sync, or else the oldest waiting one into the same destination."""
    waiting = SyncExecution.objects.filter(
        sync_id=execution.sync_id, status__in=SyncExecution.WAITING
    ).first()
    if waiting is not None:
        _enqueue(waiting)
    else:
        # The place this run held on its destination is free: the oldest run of another
        # sync into it that was told to wait goes now instead of at its next retry.
        other = (
            SyncExecution.objects.filter(
                sync__target_connection_id=execution.sync.target_connection_id,
                status__in=SyncExecution.WAITING,
            )
            .order_by("created_at")
            .first()
        )
        if other is not None:
            _enqueue(other)


def sync_execution_cancel(*, execution: SyncExecution) -> SyncExecution:
    """A waiting run is canceled at once; a running one stops at the next batch boundary."""
    now = timezone.now()
    canceled = SyncExecution.objects.filter(
        pk=execution.pk, status__in=SyncExecution.WAITING
    ).update(status=SyncExecution.Status.CANCELED, completed_at=now)
    stopping = SyncExecution.objects.filter(
        pk=execution.pk, status=SyncExecution.Status.RUNNING
    ).update(status=SyncExecution.Status.CANCELING)
    execution.refresh_from_db()
    if canceled:  # a running one's sync.canceled is recorded by its worker when it stops
        execution_event_record(execution=execution)
    if canceled or stopping:
        _audit(execution.sync, "canceled a run", {"run": str(execution.pk)})
    return execution


def sync_schedule_tick(*, now: dt.datetime | None = None) -> list[SyncExecution]:
    """Start the syncs whose schedule is due, each once however many beats tick at once: the
    conditional update of next_run_at is the claim. Paused syncs never start on a schedule."""
    from syncs import schedules

    now = now or timezone.now()
    started: list[SyncExecution] = []
    due = Sync.objects.filter(active=True).select_related("organization")
    for sync in due.iterator(chunk_size=500):
        frequency = sync.frequency
        if frequency in ("manual", "runafter"):
            continue
        if frequency == "continuous":
            if _continuous_due(sync, now):
                started.append(
                    sync_execution_start(sync=sync, trigger=SyncExecution.Trigger.SCHEDULE)
                )
            continue
        try:
            following = schedules.next_run(
                sync.schedule, after=now, time_zone=sync.organization.time_zone
            )
        except schedules.ScheduleError:
            continue  # saved before validation existed; the sync page says what is wrong
        claimed = Sync.objects.filter(pk=sync.pk, next_run_at=sync.next_run_at)
        if sync.next_run_at is None:
            claimed.update(next_run_at=following)  # the first due time: from now on
        elif sync.next_run_at <= now and claimed.update(next_run_at=following) == 1:
            started.append(sync_execution_start(sync=sync, trigger=SyncExecution.Trigger.SCHEDULE))
    return started


def _continuous_due(sync: Sync, now: dt.datetime) -> bool:
    from django.conf import settings

    executions = SyncExecution.objects.filter(sync=sync)
    if executions.exclude(status__in=SyncExecution.TERMINAL).exists():
        return False
    last = executions.filter(completed_at__isnull=False).order_by("-completed_at").first()
    interval = dt.timedelta(seconds=settings.SYNCLINE_CONTINUOUS_MIN_INTERVAL)
    return last is None or last.completed_at + interval <= now


def sync_run_after_start(*, execution: SyncExecution) -> list[SyncExecution]:
    """Start the syncs scheduled to run after this one (`runafter`), as their settings say."""
    if execution.test or execution.identities:
        return []  # a dry run or a run for a few identities is not the sync's run
    succeeded = execution.status == SyncExecution.Status.COMPLETED
    started = []
    followers = Sync.objects.filter(
        organization_id=execution.sync.organization_id, active=True
    ).exclude(pk=execution.sync_id)
    for sync in followers:
        if sync.frequency != "runafter":
            continue
        run_after = sync.schedule.get("run_after") or {}
        if str(execution.sync_id) not in {str(i) for i in run_after.get("sync_ids") or []}:
            continue
        if sync.schedule.get("run_after_success_only") and not succeeded:
            continue
        started.append(sync_execution_start(sync=sync, trigger=SyncExecution.Trigger.SCHEDULE))
    return started


def sync_execution_reap(*, now: dt.datetime | None = None) -> list[SyncExecution]:
    """Executions whose worker is gone (no heartbeat for a while) are marked interrupted and a
    run is queued to resume them: state is committed per batch, so it goes on where it was."""
    from django.conf import settings

    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.SYNCLINE_HEARTBEAT_STALE_SECONDS)
    resumed = []
    running = SyncExecution.objects.filter(
        status__in=[SyncExecution.Status.RUNNING, SyncExecution.Status.CANCELING],
        heartbeat_at__lt=stale,
    ).select_related("sync")
    for execution in running:
        canceling = execution.status == SyncExecution.Status.CANCELING
        message = (
            "The worker running this sync stopped before it finished. What it delivered is "
            "kept; a new run picks up the rest."
        )
        marked = SyncExecution.objects.filter(
            pk=execution.pk, status=execution.status, heartbeat_at=execution.heartbeat_at
        ).update(
            # A run that was being canceled is simply canceled: nobody wants it resumed.
            status=SyncExecution.Status.CANCELED if canceling else SyncExecution.Status.INTERRUPTED,
            completed_at=now,
            phase="",
            errors=execution.errors if canceling else [*execution.errors, message],
        )
        if not marked:
            continue  # it beat, or another reaper got it, in the meantime
        execution.refresh_from_db()
        execution_event_record(execution=execution)
        if not canceling:
            try:
                resumed_run = sync_execution_start(
                    sync=execution.sync,
                    trigger=execution.trigger,
                    resync=execution.resync,
                    test=execution.test,  # a dry run comes back a dry run
                    identities=execution.identities,
                )
            except SyncNotRunnable:
                continue  # paused meanwhile: its schedule will not resume it, by design
            if resumed_run.created_at < execution.completed_at:
                # A run already waited behind the dead one; its hand-over died with the
                # worker: send it now (the claim makes a second task a no-op).
                _enqueue(resumed_run)
            resumed.append(resumed_run)
    return resumed


# -- validating a sync's settings (the admin today; the console's sync builder and the API) ----

IDENTITY_FUNCTIONS = ("Equality", "ISubstring", "OneOf", "DomainMatch", "HostnameMatch")


def sync_validate(
    *,
    organization: Organization,
    model: SqlModel,
    target_connection: Connection,
    target_object: str = "",
    target_create: Mapping[str, Any] | None = None,
    mode: str,
    identity: Any = None,
    fields: Any = (),
    override_fields: Any = (),
) -> None:
    """Raise ValidationError({setting: [sentences]}) unless these settings make a sync that
    can run: everything in one organization, a target the connection offers (or one it can
    create), a mode that target offers, an identity when the mode needs one, and mappings of
    the reference's shapes (reference/polytomic-api.md §5.1) over the model's columns.

    Lists the connection's targets at the vendor: call it outside any transaction.
    """
    problems: dict[str, list[str]] = defaultdict(list)
    _check_organization(problems, organization, model, target_connection)
    _check_mappings(problems, model, identity, fields, override_fields)
    if not problems.get("target_connection"):
        _check_target(
            problems,
            target_connection,
            target_object.strip(),
            dict(target_create or {}),
            mode,
            identity,
        )
    found = {setting: sentences for setting, sentences in problems.items() if sentences}
    if found:
        raise ValidationError(found)


def _check_organization(
    problems: dict[str, list[str]],
    organization: Organization,
    model: SqlModel,
    target_connection: Connection,
) -> None:
    if model.organization_id != organization.pk or model.source.organization_id != organization.pk:
        problems["model"].append(f"The model “{model.name}” belongs to another organization.")
    if target_connection.organization_id != organization.pk:
        problems["target_connection"].append(
            f"{target_connection.name} belongs to another organization."
        )
    elif Role.DESTINATION not in CONNECTION_TYPES[target_connection.type].roles:
        problems["target_connection"].append(
            f"{target_connection.name} is a warehouse; a sync writes into a tool such as "
            "Salesloft or Salesforce."
        )


def _source_field(mapping: Mapping[str, Any]) -> Any:
    source = mapping.get("source")
    return source.get("field") if isinstance(source, Mapping) else None


def _check_mapping(
    problems: list[str], where: str, mapping: Any, model: SqlModel, columns: set[str]
) -> None:
    example = '{"source": {"field": "email"}, "target": "email_address"}'
    if not isinstance(mapping, Mapping) or not isinstance(mapping.get("target"), str):
        problems.append(f"{where} must look like {example}.")
        return
    if not mapping["target"].strip():
        problems.append(f"{where} needs the target field it writes to.")
    source = mapping.get("source")
    field = _source_field(mapping)
    if not isinstance(field, str) or not field.strip():
        problems.append(f"{where} needs the model column it reads, as {example}.")
        return
    model_id = source.get("model_id")
    if model_id not in (None, "") and str(model_id) != str(model.pk):
        problems.append(f"{where} reads from another model than this sync's.")
    if columns and field.lower() not in columns:
        problems.append(f"The model “{model.name}” has no column “{field}” ({where}).")


def _check_mappings(
    problems: dict[str, list[str]],
    model: SqlModel,
    identity: Any,
    fields: Any,
    override_fields: Any,
) -> None:
    columns = {name.lower() for name in model.field_names}
    if identity not in (None, {}):
        _check_mapping(problems["identity"], "The identity", identity, model, columns)
        function = identity.get("function") if isinstance(identity, Mapping) else None
        if isinstance(identity, Mapping) and str(function).lower() not in {
            f.lower() for f in IDENTITY_FUNCTIONS
        }:
            problems["identity"].append(
                "The identity needs a function saying how records match: one of "
                f"{', '.join(IDENTITY_FUNCTIONS)}."
            )
    if not isinstance(fields, list):
        problems["fields"].append("The field mappings must be a list, e.g. [] for none.")
    else:
        targets: list[str] = []
        for number, mapping in enumerate(fields, start=1):
            if (
                isinstance(mapping, Mapping)
                and "override_value" in mapping
                and not mapping.get("source")
            ):
                continue  # a constant, not a column (an override field in the list)
            _check_mapping(problems["fields"], f"Mapping {number}", mapping, model, columns)
            if isinstance(mapping, Mapping) and isinstance(mapping.get("target"), str):
                targets.append(mapping["target"])
        twice = sorted({target for target in targets if targets.count(target) > 1})
        if twice:
            problems["fields"].append(
                f"More than one mapping writes to {', '.join(twice)}: keep one for each field."
            )
    if not isinstance(override_fields, list) or not all(
        isinstance(item, Mapping)
        and isinstance(item.get("target"), str)
        and isinstance(item.get("override_value"), str)
        for item in override_fields
    ):
        problems["override_fields"].append(
            "Constant values must look like "
            '[{"target": "lead_source", "override_value": "Syncline"}].'
        )


def _check_target(
    problems: dict[str, list[str]],
    connection: Connection,
    target_object: str,
    target_create: dict[str, Any],
    mode: str,
    identity: Any,
) -> None:
    from connections.destinations.errors import DestinationError
    from connections.destinations.registry import destination_for

    if not target_object and not target_create:
        problems["target_object"].append(
            "Pick the target to write into, or give the properties of a new one to create."
        )
        return
    destination = destination_for(connection)
    try:
        if target_object:
            targets = {target.id: target for target in destination.target_objects()}
        else:
            creation = destination.target_creation()
    except DestinationError as error:
        problems["target_object"].append(
            f"Syncline could not list what {connection.name} offers: {error.message}"
        )
        return
    finally:
        destination.close()
    if not target_object:
        _check_creation(problems, connection, creation, target_create)
        return
    target = targets.get(target_object)
    if target is None:
        offered = ", ".join(f"“{t.id}” ({t.name})" for t in list(targets.values())[:5])
        problems["target_object"].append(
            f"{connection.name} has no target “{target_object}”. It offers {offered or 'none'}."
        )
        return
    modes = {offered.id: offered for offered in target.modes}
    if mode not in modes:
        names = ", ".join(SyncMode(m).label if m in SyncMode.values else m for m in modes)
        problems["mode"].append(f"{target.name} can't be synced in this mode; it takes {names}.")
    elif modes[mode].requires_identity and identity in (None, {}):
        problems["identity"].append(
            "This mode matches records by an identity: map a model column to the target field "
            "that identifies a record (e.g. the e-mail)."
        )


def _check_creation(
    problems: dict[str, list[str]],
    connection: Connection,
    creation: list[Any],
    target_create: dict[str, Any],
) -> None:
    if not creation:
        problems["target_create"].append(
            f"{connection.name} can't create new targets; pick an existing one."
        )
        return
    known = {prop.id for prop in creation}
    missing = [prop.title for prop in creation if prop.required and not target_create.get(prop.id)]
    unknown = sorted(set(target_create) - known)
    if missing:
        problems["target_create"].append(f"A new target needs: {', '.join(missing)}.")
    if unknown:
        problems["target_create"].append(
            f"{connection.name} doesn't know {', '.join(unknown)}; "
            f"it takes {', '.join(sorted(known))}."
        )


def _check_target_fields(
    problems: dict[str, list[str]],
    connection: Connection,
    target_object: str,
    mode: str,
    identity: Any,
    fields: Any,
    override_fields: Any,
) -> None:
    """The mapped fields exist on the target, the identity is one it matches records by, and
    a mode that creates records gets every field the vendor requires to create one."""
    from connections.destinations.errors import DestinationError
    from connections.destinations.registry import destination_for

    destination = destination_for(connection)
    try:
        offered = destination.target_fields(target_object)
    except DestinationError as error:
        problems["target_object"].append(
            f"Syncline could not list the fields of this target in {connection.name}: "
            f"{error.message}"
        )
        destination.close()
        return
    try:
        _check_fields_offered(
            problems, destination, target_object, offered, mode, identity, fields, override_fields
        )
    finally:
        destination.close()


def _check_fields_offered(
    problems: dict[str, list[str]],
    destination: Any,
    target_object: str,
    offered: list[Any],
    mode: str,
    identity: Any,
    fields: Any,
    override_fields: Any,
) -> None:
    if not offered:
        return  # a target whose fields the vendor doesn't describe: nothing to check against
    mapped: set[str] = set()
    mappings = [m for m in fields if isinstance(m, Mapping)] if isinstance(fields, list) else []
    if isinstance(override_fields, list):
        mappings += [m for m in override_fields if isinstance(m, Mapping)]
    for mapping in mappings:
        name = mapping.get("target")
        if not isinstance(name, str) or not name.strip():
            continue
        field = destination.field_for(target_object, name.strip(), offered)
        if field is None:
            setting = "fields" if mapping.get("source") else "override_fields"
            problems[setting].append(
                f"This target has no field “{name}”; it has {_names(offered)}."
            )
            continue
        mapped.add(field.id)
    identity_target = identity.get("target") if isinstance(identity, Mapping) else None
    matchers = [f for f in offered if f.supports_identity]
    if isinstance(identity_target, str) and identity_target.strip():
        field = destination.field_for(target_object, identity_target.strip(), offered)
        if field is None:
            problems["identity"].append(
                f"This target has no field “{identity_target}”; records are matched by "
                f"{_names(matchers or offered)}."
            )
        elif matchers and not field.supports_identity:
            problems["identity"].append(
                f"{field.name} can't identify a record; match records by {_names(matchers)}."
            )
        else:
            mapped.add(field.id)
    if mode in (SyncMode.CREATE, SyncMode.UPDATE_OR_CREATE):
        missing = [f for f in offered if f.required and f.createable and f.id not in mapped]
        if missing:
            problems["fields"].append(
                f"Creating a record needs {_names(missing, joiner=' and ')}: map a model column "
                f"to {'it' if len(missing) == 1 else 'each'}, or give a fixed value."
            )


def _names(fields: list[Any], *, joiner: str = " or ", limit: int = 8) -> str:
    shown = [
        f"{field.name} ({field.id})" if field.name != field.id else field.id for field in fields
    ]
    if len(shown) > limit:
        return ", ".join(shown[:limit]) + f" and {len(shown) - limit} more"
    if len(shown) <= 1:
        return "".join(shown) or "no fields"
    return ", ".join(shown[:-1]) + joiner + shown[-1]


def _check_schedule(
    problems: dict[str, list[str]],
    organization: Organization,
    schedule: Any,
    sync: Sync | None,
) -> None:
    from syncs import schedules

    if not isinstance(schedule, Mapping):
        problems["schedule"].append('The schedule must look like {"frequency": "daily", ...}.')
        return
    frequency = str(schedule.get("frequency") or "manual")
    if frequency == "dbtcloud":
        problems["schedule"].append(
            "Syncline can't run a sync after a dbt Cloud job; choose another frequency."
        )
        return
    try:
        schedules.cron_for(dict(schedule))
    except schedules.ScheduleError as error:
        problems["schedule"].append(str(error))
        return
    if frequency != "runafter":
        return
    run_after = schedule.get("run_after")
    ids = run_after.get("sync_ids") if isinstance(run_after, Mapping) else None
    if not isinstance(ids, list) or not ids:
        problems["schedule"].append("Running after other syncs needs at least one sync to follow.")
        return
    wanted = {str(i) for i in ids}
    if sync is not None and str(sync.pk) in wanted:
        problems["schedule"].append("A sync can't run after itself; pick other syncs.")
    valid: set[str] = set()
    for value in wanted:
        try:
            valid.add(str(UUID(value)))
        except ValueError:
            continue
    found = {
        str(pk)
        for pk in Sync.objects.filter(organization=organization, pk__in=valid).values_list(
            "pk", flat=True
        )
    }
    unknown = sorted(wanted - found - ({str(sync.pk)} if sync is not None else set()))
    if unknown:
        problems["schedule"].append(
            f"There is no sync {', '.join(unknown)} in this organization to run after."
        )


# -- saving syncs (the console's builder, the API, the admin) -------------------------------

SETTINGS = (
    "name",
    "model",
    "target_connection",
    "target_object",
    "target_create",
    "target_configuration",
    "mode",
    "identity",
    "fields",
    "override_fields",
    "when_row_leaves",
    "schedule",
    "active",
    "sync_all_records",
    "extra",
)


def sync_check(*, organization: Organization, sync: Sync | None, settings: dict[str, Any]) -> None:
    """Every rule a saved sync must pass, as ValidationError({setting: [sentences]})."""
    problems: dict[str, list[str]] = defaultdict(list)
    name = str(settings.get("name") or "").strip()
    if not name:
        problems["name"].append("Give the sync a name, e.g. “Snowflake to Salesloft cadence”.")
    elif len(name) > Sync._meta.get_field("name").max_length:
        problems["name"].append("Keep the name under 200 characters.")
    mode = settings.get("mode")
    if mode not in SyncMode.values:
        problems["mode"].append(
            f"“{mode}” is not a sync mode; choose one of {', '.join(SyncMode.values)}."
        )
    if settings.get("when_row_leaves", "") not in Sync.WhenRowLeaves.values:
        problems["when_row_leaves"].append(
            "When a row leaves the model, choose to leave the record or remove it."
        )
    _check_schedule(problems, organization, settings.get("schedule") or {}, sync)
    model, connection = settings.get("model"), settings.get("target_connection")
    if not isinstance(model, SqlModel):
        problems["model"].append("Choose the model whose rows this sync sends.")
    if not isinstance(connection, Connection):
        problems["target_connection"].append("Choose the tool this sync writes into.")
    if isinstance(model, SqlModel) and isinstance(connection, Connection) and not problems["mode"]:
        try:
            sync_validate(
                organization=organization,
                model=model,
                target_connection=connection,
                target_object=settings.get("target_object") or "",
                target_create=settings.get("target_create") or {},
                mode=mode,
                identity=settings.get("identity"),
                fields=settings.get("fields") if settings.get("fields") is not None else [],
                override_fields=settings.get("override_fields") or [],
            )
        except ValidationError as error:
            for setting, sentences in error.message_dict.items():
                problems[setting].extend(sentences)
        target_object = str(settings.get("target_object") or "").strip()
        if target_object and not any(problems[k] for k in ("target_object", "target_connection")):
            _check_target_fields(
                problems,
                connection,
                target_object,
                mode,
                settings.get("identity"),
                settings.get("fields") or [],
                settings.get("override_fields") or [],
            )
    found = {setting: sentences for setting, sentences in problems.items() if sentences}
    if found:
        raise ValidationError(found)


def sync_settings_normalised(settings: dict[str, Any]) -> dict[str, Any]:
    clean = dict(settings)
    clean["name"] = str(clean.get("name") or "").strip()
    clean["target_object"] = str(clean.get("target_object") or "").strip()
    clean["target_create"] = dict(clean.get("target_create") or {})
    clean["target_configuration"] = dict(clean.get("target_configuration") or {})
    clean["identity"] = clean.get("identity") or None
    clean["fields"] = list(clean.get("fields") or [])
    clean["override_fields"] = list(clean.get("override_fields") or [])
    clean["when_row_leaves"] = clean.get("when_row_leaves") or ""
    clean["schedule"] = dict(clean.get("schedule") or {"frequency": "manual"})
    clean["extra"] = dict(clean.get("extra") or {})
    return clean


def _next_run_at(sync: Sync) -> dt.datetime | None:
    from syncs import schedules

    if not sync.active:
        return None
    return schedules.next_run(
        sync.schedule, after=timezone.now(), time_zone=sync.organization.time_zone
    )


def sync_create(
    *,
    organization: Organization,
    user: Any,
    name: str,
    model: SqlModel,
    target_connection: Connection,
    target_object: str = "",
    target_create: Mapping[str, Any] | None = None,
    target_configuration: Mapping[str, Any] | None = None,
    mode: str,
    identity: Mapping[str, Any] | None = None,
    fields: Any = (),
    override_fields: Any = (),
    when_row_leaves: str = "",
    schedule: Mapping[str, Any] | None = None,
    active: bool = True,
    sync_all_records: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Sync:
    """Save a new sync once every rule holds; the vendor is asked before the transaction."""
    settings = sync_settings_normalised(
        {
            "name": name,
            "model": model,
            "target_connection": target_connection,
            "target_object": target_object,
            "target_create": target_create,
            "target_configuration": target_configuration,
            "mode": mode,
            "identity": identity,
            "fields": fields,
            "override_fields": override_fields,
            "when_row_leaves": when_row_leaves,
            "schedule": schedule,
            "active": bool(active),
            "sync_all_records": bool(sync_all_records),
            "extra": extra,
        }
    )
    sync_check(organization=organization, sync=None, settings=settings)
    user = user if getattr(user, "is_authenticated", False) else None
    sync = Sync(organization=organization, created_by=user, updated_by=user, **settings)
    sync.next_run_at = _next_run_at(sync)
    with transaction.atomic():
        sync.save()
        _audit(sync, "created")
    return sync


def _merged(sync: Sync, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(SETTINGS))
    if unknown:
        raise TypeError(f"sync settings unknown: {', '.join(unknown)}")
    current = {setting: getattr(sync, setting) for setting in SETTINGS}
    return sync_settings_normalised({**current, **changes})


def _state_key(settings: Mapping[str, Any]) -> tuple[Any, ...]:
    identity = settings.get("identity") or {}
    source = identity.get("source") if isinstance(identity, Mapping) else None
    column = source.get("field") if isinstance(source, Mapping) else None
    connection = settings.get("target_connection")
    return (
        getattr(connection, "pk", connection),
        settings.get("target_object") or json.dumps(settings.get("target_create"), sort_keys=True),
        settings.get("mode"),
        str(column or "").lower(),
        str(identity.get("target") or "") if isinstance(identity, Mapping) else "",
        str(identity.get("function") or "Equality").lower()
        if isinstance(identity, Mapping)
        else "",
    )


def sync_change_resets_state(*, sync: Sync, **changes: Any) -> bool:
    """Would saving these changes make the next run start afresh (another target, mode or
    identity: DESIGN.md §5 state belongs to its fingerprint)? False when nothing was sent yet."""
    if not sync.states.exists():
        return False
    return _state_key(_merged(sync, changes)) != _state_key(_merged(sync, {}))


def sync_update(*, sync: Sync, user: Any, **changes: Any) -> Sync:
    """Change a sync's settings; omitted settings keep their value. Checked as a new sync is."""
    settings = _merged(sync, changes)
    sync_check(organization=sync.organization, sync=sync, settings=settings)
    before = _audited_settings(sync)
    for setting, value in settings.items():
        setattr(sync, setting, value)
    sync.updated_by = user if getattr(user, "is_authenticated", False) else None
    sync.next_run_at = _next_run_at(sync)
    with transaction.atomic():
        sync.save()
        changes = changes_between(before, _audited_settings(sync))
        if changes:
            _audit(sync, "changed", changes)
    return sync


def _audited_settings(sync: Sync) -> dict[str, Any]:
    values = {name: getattr(sync, name) for name in SETTINGS if name not in ("model", "extra")}
    values["model"] = str(sync.model_id)
    values["target_connection"] = str(sync.target_connection_id)
    return values


def sync_set_active(*, sync: Sync, active: bool, user: Any) -> Sync:
    """Pause or resume: a paused sync keeps its settings and history but no schedule starts it."""
    sync.active = bool(active)
    sync.updated_by = user if getattr(user, "is_authenticated", False) else None
    try:
        sync.next_run_at = _next_run_at(sync)
    except ValueError:
        sync.next_run_at = None  # a schedule saved before validation: the sync page says so
    with transaction.atomic():
        sync.save(update_fields=["active", "updated_by", "next_run_at", "updated_at"])
        _audit(sync, "resumed" if sync.active else "paused")
    return sync


def sync_next_runs_recompute(*, organization: Organization) -> int:
    """Work out again when each of the organization's active syncs runs next: after its time zone
    changed, "daily at 9:00" is another instant. Returns how many syncs were looked at."""
    syncs = list(Sync.objects.filter(organization=organization, active=True))
    for sync in syncs:
        sync.organization = organization
        try:
            following = _next_run_at(sync)
        except ValueError:
            following = None  # a schedule saved before validation: the sync page says so
        if following == sync.next_run_at:
            continue
        # A run already due keeps its time, so the next tick still starts it; and the update
        # is conditional, like the tick's own claim, so neither overwrites the other.
        Sync.objects.filter(pk=sync.pk, next_run_at=sync.next_run_at).exclude(
            next_run_at__lte=timezone.now()
        ).update(next_run_at=following)
    return len(syncs)


def sync_delete(*, sync: Sync, user: Any) -> None:
    """Delete a sync and its history. A run in progress is canceled first; waiting runs never
    start (their rows go with the sync)."""
    for execution in sync.executions.exclude(status__in=SyncExecution.TERMINAL):
        sync_execution_cancel(execution=execution)
    with transaction.atomic():
        _audit(sync, "deleted")
        sync.delete()


def _audit(sync: Sync, action: str, changes: dict[str, Any] | None = None) -> None:
    audit_record(
        organization=sync.organization_id,
        action=action,
        object_type="sync",
        object_id=sync.pk,
        object_name=sync.name,
        changes=changes,
    )
