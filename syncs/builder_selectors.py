"""Reads for the console's sync builder: what each step offers, in words for people.

Everything that asks the destination (targets, fields, property values) calls the vendor: call
it outside any transaction. Vendor failures come back as sentences, never as exceptions.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db.models import QuerySet

from connections.destinations.base import (
    CreationProperty,
    Destination,
    Mode,
    Removal,
    TargetField,
    TargetObject,
)
from connections.destinations.errors import DestinationError
from connections.destinations.registry import destination_for
from connections.models import Connection
from connections.registry import CONNECTION_TYPES, Role
from models_app.models import SqlModel
from organizations.models import Organization
from syncs import schedules
from syncs.models import Sync, SyncMode

# One sentence per mode: what happens to a record in the target (issue 10, "each explained in
# one sentence"). {target} is the target's name as the vendor lists it.
MODE_SENTENCES: dict[str, str] = {
    "create": "Each row not yet in {target} is added; what is there already is left as it is.",
    "update": "Each row updates its matching record in {target}; nothing new is created.",
    "updateOrCreate": (
        "Each row updates its matching record in {target}, or creates one when none matches."
    ),
    "replace": "Each row overwrites its matching record in {target} with the row's values.",
    "append": "Each row is added to {target} as a new record, without looking for a match.",
    "remove": "The model's rows are taken out of {target}.",
    "snapshot": "{target} ends up holding exactly the model's rows; others are taken out.",
}

FREQUENCY_LABELS: dict[str, tuple[str, str]] = {
    "manual": ("Manually", "Runs only when someone presses Run or calls the API."),
    "continuous": ("Continuously", "Runs again shortly after each run ends."),
    "hourly": ("Every hour", "Runs once an hour, at the minute you choose."),
    "daily": ("Every day", "Runs once a day, at the time you choose."),
    "weekly": ("Every week", "Runs once a week, on the day and at the time you choose."),
    "custom": ("Custom (cron expression)", "Runs when a cron expression says, e.g. 30 9 * * 1-5."),
    "builder": ("Custom (minute, hour, day…)", "Runs at the minutes, hours and days you list."),
    "runafter": ("After other syncs", "Runs when the syncs you choose finish."),
}
assert set(FREQUENCY_LABELS) == set(schedules.FREQUENCIES)
NO_EXPRESSION = "Type the cron expression: five parts, e.g. 30 9 * * 1-5 (09:30 on weekdays)."


@contextmanager
def destination(connection: Connection) -> Iterator[Destination]:
    tool = destination_for(connection)
    try:
        yield tool
    finally:
        tool.close()


def builder_model_list(*, organization: Organization) -> QuerySet[SqlModel]:
    return SqlModel.objects.filter(organization=organization).select_related("source")


def as_uuid(value: object) -> uuid.UUID | None:
    """An id from a form or the session as a UUID; None for anything else (never an error)."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def builder_model_get(*, organization: Organization, model_id: object) -> SqlModel | None:
    key = as_uuid(model_id)
    return builder_model_list(organization=organization).filter(pk=key).first() if key else None


def _destination_types() -> list[str]:
    return [key for key, spec in CONNECTION_TYPES.items() if Role.DESTINATION in spec.roles]


def builder_destination_list(*, organization: Organization) -> QuerySet[Connection]:
    return Connection.objects.filter(
        organization=organization, type__in=_destination_types()
    ).order_by("name")


def builder_destination_get(
    *, organization: Organization, connection_id: object
) -> Connection | None:
    key = as_uuid(connection_id)
    if key is None:
        return None
    return builder_destination_list(organization=organization).filter(pk=key).first()


def builder_sync_get(*, organization: Organization, sync_id: object) -> Sync | None:
    key = as_uuid(sync_id)
    if key is None:
        return None
    return (
        Sync.objects.filter(organization=organization, pk=key)
        .select_related("model", "target_connection")
        .first()
    )


def run_after_candidates(*, organization: Organization, exclude: object = None) -> QuerySet[Sync]:
    syncs = Sync.objects.filter(organization=organization).order_by("name")
    return syncs.exclude(pk=exclude) if exclude else syncs


def vendor_problem(connection: Connection, error: DestinationError) -> str:
    """A vendor failure as a sentence a person can act on."""
    if connection.status == Connection.Status.NEEDS_AUTH or error.status in (401, 403):
        return (
            f"{connection.name} needs to be reconnected before Syncline can read what it offers: "
            f"{error.message}"
        )
    return f"Syncline could not read what {connection.name} offers: {error.message}"


# -- targets -------------------------------------------------------------------------------


@dataclass
class CreationField:
    property: CreationProperty
    choices: list[dict[str, str]] = field(default_factory=list)


@dataclass
class TargetChoices:
    targets: list[TargetObject] = field(default_factory=list)
    creation: list[CreationField] = field(default_factory=list)
    problem: str = ""
    total: int = 0


def _matches(target: TargetObject, words: list[str]) -> bool:
    text = f"{target.name} {target.id}".lower()
    return all(word in text for word in words)


def builder_targets(*, connection: Connection, search: str = "") -> TargetChoices:
    """What the connection offers, filtered by the words searched, and the creation form."""
    words = search.lower().split()
    choices = TargetChoices()
    with destination(connection) as tool:
        try:
            targets = tool.target_objects()
            choices.total = len(targets)
            choices.targets = [target for target in targets if _matches(target, words)]
            for prop in tool.target_creation():
                values = tool.target_property_values(prop.id) if prop.enum else []
                choices.creation.append(CreationField(prop, values))
        except DestinationError as error:
            choices.problem = vendor_problem(connection, error)
    return choices


def builder_target_find(*, connection: Connection, target_id: str) -> TargetObject | None:
    """The target the vendor lists under this id now; raises DestinationError when it can't
    list them."""
    with destination(connection) as tool:
        return next((t for t in tool.target_objects() if t.id == target_id), None)


def builder_creation_find(
    *, connection: Connection, properties: dict[str, str]
) -> TargetObject | None:
    with destination(connection) as tool:
        return tool.planned_target(properties)


@dataclass
class TargetFacts:
    """The chosen target as the later steps need it: its modes, fields and removal."""

    target: TargetObject | None
    fields: list[TargetField] = field(default_factory=list)
    removal: Removal | None = None
    problem: str = ""
    # Other spellings of field ids the vendor reads the same ("FirstName" for first_name).
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.target.name if self.target else ""

    @property
    def modes(self) -> tuple[Mode, ...]:
        return self.target.modes if self.target else ()

    def mode(self, mode_id: str) -> Mode | None:
        return next((mode for mode in self.modes if mode.id == mode_id), None)

    def field(self, field_id: str) -> TargetField | None:
        field_id = self.aliases.get(field_id, field_id)
        return next((f for f in self.fields if f.id == field_id), None)

    @property
    def identity_fields(self) -> list[TargetField]:
        return [f for f in self.fields if f.supports_identity]


def builder_target_facts(
    *,
    connection: Connection,
    target_object: str,
    target_create: dict[str, str],
    with_fields: bool = True,
    spellings: Iterable[str] = (),
) -> TargetFacts:
    """The target (existing, or one still to create), looked up at the vendor now: a target
    that no longer exists says so."""
    with destination(connection) as tool:
        try:
            if target_object:
                target = next((t for t in tool.target_objects() if t.id == target_object), None)
                if target is None:
                    return TargetFacts(
                        None,
                        problem=(
                            f"{connection.name} no longer has the target “{target_object}”: "
                            "it may have been deleted or archived. Pick another target."
                        ),
                    )
            else:
                target = tool.planned_target(target_create)
                if target is None:
                    return TargetFacts(
                        None, problem="Give the properties of the new target to create."
                    )
            fields = tool.target_fields(target.id) if with_fields else []
            aliases = {}
            for name in spellings if fields else ():
                found = tool.field_for(target.id, name, fields)
                if found is not None and found.id != name:
                    aliases[name] = found.id
            return TargetFacts(target, fields, tool.removal_for(target.id), aliases=aliases)
        except DestinationError as error:
            return TargetFacts(None, problem=vendor_problem(connection, error))


def mode_sentence(mode_id: str, target_name: str) -> str:
    template = MODE_SENTENCES.get(mode_id, "Writes the rows into {target}.")
    return template.format(target=target_name or "the target")


def mode_label(mode_id: str) -> str:
    return SyncMode(mode_id).label if mode_id in SyncMode.values else mode_id


# -- field suggestions ----------------------------------------------------------------------


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def field_suggest(column: str, fields: Iterable[TargetField]) -> TargetField | None:
    """The target field a column most likely means, by name: `first_name` → `FirstName`,
    `EMAIL` → `email_address` (the field whose id or label starts with the column's name,
    the shortest first); None when nothing is close."""
    wanted = _squash(column)
    if not wanted:
        return None
    candidates = [f for f in fields if f.createable or f.updateable or f.supports_identity]
    for candidate in candidates:
        if wanted in (_squash(candidate.id), _squash(candidate.name)):
            return candidate
    prefixed = [
        f
        for f in candidates
        if _squash(f.id).startswith(wanted) or _squash(f.name).startswith(wanted)
    ]
    return min(prefixed, key=lambda f: len(f.id), default=None)


def field_suggestions(
    *, columns: Iterable[str], fields: list[TargetField], skip: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """(column, target field id) for every column with a likely field, each field once; the
    fields in `skip` (the identity's) are left out."""
    taken = set(skip)
    suggestions = []
    for column in columns:
        match = field_suggest(column, [f for f in fields if f.id not in taken])
        if match is not None:
            taken.add(match.id)
            suggestions.append((column, match.id))
    return suggestions


# -- schedule -------------------------------------------------------------------------------


def schedule_in_words(schedule: dict, *, time_zone: str) -> tuple[str, str]:
    """(words, problem): the schedule said back to the person, or why it can't run."""
    if schedule.get("frequency") == "custom" and not str(schedule.get("expression") or "").strip():
        # Without one, cron_for would read the empty parts as every minute.
        return "", NO_EXPRESSION
    try:
        return schedules.describe(schedule, time_zone=time_zone), ""
    except schedules.ScheduleError as error:
        return "", str(error)
    except Exception:  # cron-descriptor refuses some expressions croniter accepts
        return "", "Syncline can't read this schedule; check the cron expression's five parts."
