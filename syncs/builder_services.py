"""The sync builder's draft: what a person chose step by step, checked on the step it belongs
to, and saved through sync_create / sync_update.

The draft lives in the session (server side). Ids that come from a form are looked up again in
the person's organization before they enter it; nothing posted is trusted. Vendor look-ups
happen outside any transaction (the builder's views are not atomic).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from connections.models import Connection
from models_app.models import SqlModel
from organizations.models import Organization
from syncs import schedules, services
from syncs.builder_selectors import (
    NO_EXPRESSION,
    TargetFacts,
    builder_destination_get,
    builder_model_get,
    builder_target_facts,
    builder_targets,
    mode_label,
    run_after_candidates,
)
from syncs.models import Sync, SyncMode

STEPS: tuple[tuple[str, str], ...] = (
    ("model", "Model"),
    ("destination", "Destination"),
    ("target", "Target"),
    ("mode", "Mode"),
    ("identity", "Identity"),
    ("fields", "Fields"),
    ("removal", "When a row leaves"),
    ("schedule", "Schedule"),
    ("review", "Review"),
)
STEP_NAMES = tuple(name for name, _ in STEPS)
# Which step shows a sync_create / sync_update problem about each setting.
STEP_OF_SETTING = {
    "name": "review",
    "model": "model",
    "target_connection": "destination",
    "target_object": "target",
    "target_create": "target",
    "mode": "mode",
    "identity": "identity",
    "fields": "fields",
    "override_fields": "fields",
    "when_row_leaves": "removal",
    "schedule": "schedule",
}


class StepProblem(ValidationError):
    """Sentences for the step being saved; the draft keeps what the person typed."""


@dataclass
class Draft:
    sync_id: str = ""
    model_id: str = ""
    connection_id: str = ""
    target_object: str = ""
    target_create: dict[str, str] = field(default_factory=dict)
    target_name: str = ""
    mode: str = ""
    # (model column, target field, function); empty column: no identity
    identity: dict[str, str] = field(default_factory=dict)
    # [{"column": ..., "target": ...}], [{"target": ..., "value": ...}]
    fields: list[dict[str, str]] = field(default_factory=list)
    overrides: list[dict[str, str]] = field(default_factory=list)
    fields_suggested: bool = False
    when_row_leaves: str = ""
    schedule: dict[str, Any] = field(default_factory=lambda: {"frequency": "manual"})
    name: str = ""
    active: bool = True
    removal_applies: bool = True  # the target has a choice when a row leaves the model
    removal_says: str = ""  # what taking a record out means there ("taken off the cadence")
    reached: str = "model"
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Draft:
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def reach(self, step: str) -> None:
        if STEP_NAMES.index(step) > STEP_NAMES.index(self.reached):
            self.reached = step

    @property
    def has_target(self) -> bool:
        return bool(self.target_object or self.target_create)


# -- reading the draft's objects back, in the organization only ------------------------------


def draft_model(draft: Draft, organization: Organization) -> SqlModel | None:
    return builder_model_get(organization=organization, model_id=draft.model_id)


def draft_connection(draft: Draft, organization: Organization) -> Connection | None:
    return builder_destination_get(organization=organization, connection_id=draft.connection_id)


def draft_facts(draft: Draft, connection: Connection, *, with_fields: bool = True) -> TargetFacts:
    """The draft's target at the vendor now; the draft's field names are rewritten as the
    target's ids ("FirstName" from the API becomes Salesloft's first_name)."""
    rows = [*draft.fields, *draft.overrides]
    spellings = {row.get("target", "") for row in rows} | {draft.identity.get("target", "")}
    facts = builder_target_facts(
        connection=connection,
        target_object=draft.target_object,
        target_create=draft.target_create,
        with_fields=with_fields,
        spellings=sorted(name for name in spellings if name),
    )
    if facts.target is not None:
        draft.target_name = facts.name
        draft.removal_applies = facts.removal is not None
        draft.removal_says = facts.removal.says if facts.removal else ""
    for row in [*rows, draft.identity]:
        if row.get("target") in facts.aliases:
            row["target"] = facts.aliases[row["target"]]
    return facts


def draft_from_sync(sync: Sync) -> Draft:
    """A draft holding the sync's settings, for editing through the same steps."""
    identity = sync.identity or {}
    column = (identity.get("source") or {}).get("field", "")
    overrides = [
        {"target": str(item.get("target", "")), "value": str(item.get("override_value", ""))}
        for item in [*(sync.override_fields or []), *(sync.fields or [])]
        if isinstance(item, Mapping) and "override_value" in item and not item.get("source")
    ]
    return Draft(
        sync_id=str(sync.pk),
        model_id=str(sync.model_id),
        connection_id=str(sync.target_connection_id),
        target_object=sync.target_object,
        target_create={} if sync.target_object else dict(sync.target_create or {}),
        mode=sync.mode,
        identity={
            "column": column,
            "target": str(identity.get("target", "")),
            "function": str(identity.get("function", "") or "Equality"),
        }
        if column
        else {},
        fields=[
            {"column": (item.get("source") or {}).get("field", ""), "target": item["target"]}
            for item in sync.fields or []
            if isinstance(item, Mapping) and item.get("source")
        ],
        overrides=overrides,
        fields_suggested=True,
        when_row_leaves=sync.when_row_leaves,
        schedule=dict(sync.schedule or {"frequency": "manual"}),
        name=sync.name,
        active=sync.active,
        reached="review",
    )


# -- one setter per step ---------------------------------------------------------------------


def _problem(*sentences: str) -> StepProblem:
    return StepProblem(list(sentences))


def draft_set_model(draft: Draft, *, organization: Organization, model_id: object) -> None:
    model = builder_model_get(organization=organization, model_id=model_id)
    if model is None:
        raise _problem("Choose one of your models.")
    if str(model.pk) != draft.model_id:
        # Another model: its columns are others, so mappings start again from suggestions.
        draft.model_id = str(model.pk)
        draft.identity, draft.fields = {}, []
        draft.fields_suggested = False
    draft.reach("destination")


def draft_set_destination(
    draft: Draft, *, organization: Organization, connection_id: object
) -> None:
    connection = builder_destination_get(organization=organization, connection_id=connection_id)
    if connection is None:
        raise _problem("Choose the tool to sync into.")
    if str(connection.pk) != draft.connection_id:
        draft.connection_id = str(connection.pk)
        # Another tool: its targets, modes and fields are others.
        draft.target_object, draft.target_create, draft.target_name = "", {}, ""
        draft.mode, draft.identity, draft.fields, draft.overrides = "", {}, [], []
        draft.fields_suggested = False
        draft.when_row_leaves = ""
    draft.reach("target")


def _retarget(draft: Draft, target_object: str, target_create: dict[str, str]) -> None:
    if (target_object, target_create) != (draft.target_object, draft.target_create):
        draft.fields_suggested = False
    draft.target_object, draft.target_create = target_object, target_create


def draft_set_target(draft: Draft, *, connection: Connection, target_id: str) -> None:
    target_id = target_id.strip()
    if not target_id:
        raise _problem("Choose a target from the list, or create a new one.")
    facts = builder_target_facts(
        connection=connection, target_object=target_id, target_create={}, with_fields=False
    )
    if facts.target is None:
        raise _problem(facts.problem)
    _retarget(draft, target_id, {})
    draft.target_name = facts.name
    if draft.mode not in {mode.id for mode in facts.modes}:
        draft.mode = facts.modes[0].id if len(facts.modes) == 1 else ""
    draft.reach("mode")


def draft_set_target_create(
    draft: Draft, *, connection: Connection, properties: Mapping[str, str]
) -> None:
    """A new target from its creation properties; enumerated ones must be among the values
    the destination lists now."""
    choices = builder_targets(connection=connection)
    if choices.problem:
        raise _problem(choices.problem)
    if not choices.creation:
        raise _problem(f"{connection.name} can't create new targets; pick an existing one.")
    values: dict[str, str] = {}
    problems = []
    for item in choices.creation:
        prop = item.property
        value = str(properties.get(prop.id) or "").strip()
        if not value:
            if prop.required:
                problems.append(f"Give the new target's {prop.title}.")
            continue
        allowed = {choice["value"] for choice in item.choices}
        if prop.enum and value not in allowed:
            problems.append(f"Choose the {prop.title} from the list {connection.name} offers.")
            continue
        values[prop.id] = value
    if problems:
        raise _problem(*problems)
    facts = builder_target_facts(connection=connection, target_object="", target_create=values)
    if facts.target is None:
        raise _problem(facts.problem)
    _retarget(draft, "", values)
    draft.target_name = facts.name
    if draft.mode not in {mode.id for mode in facts.modes}:
        draft.mode = facts.modes[0].id if facts.modes else ""
    draft.reach("mode")


def check_mode(draft: Draft, facts: TargetFacts) -> list[str]:
    if facts.target is None:
        return []
    offered = [mode.id for mode in facts.modes]
    if not draft.mode:
        return ["Choose what the sync does with each row."]
    if draft.mode not in offered:
        names = ", ".join(mode_label(mode) for mode in offered)
        return [
            f"{facts.name} can't be synced with “{mode_label(draft.mode)}”: choose one of {names}."
        ]
    return []


def draft_set_mode(draft: Draft, *, facts: TargetFacts, mode: str) -> None:
    previous, draft.mode = draft.mode, mode
    problems = check_mode(draft, facts)
    if problems:
        draft.mode = previous
        raise _problem(*problems)
    draft.reach("identity")


def _columns(model: SqlModel) -> dict[str, str]:
    """The model's columns by their lower-cased name (columns match case-insensitively)."""
    return {name.lower(): name for name in model.field_names}


def _vanished(model: SqlModel, column: str) -> str:
    return (
        f"The model “{model.name}” no longer has a column “{column}”: pick one of its "
        "columns, or remove this mapping."
    )


def check_identity(draft: Draft, model: SqlModel, facts: TargetFacts) -> list[str]:
    mode = facts.mode(draft.mode)
    column = draft.identity.get("column", "")
    if not column:
        if mode is not None and mode.requires_identity:
            return [
                f"“{mode_label(mode.id)}” matches each row to a record in {facts.name}: choose "
                "the model column and the field that identify a record (for example the e-mail)."
            ]
        return []
    problems = []
    if column.lower() not in _columns(model):
        problems.append(_vanished(model, column))
    target = facts.field(draft.identity.get("target", ""))
    usable = ", ".join(f.name for f in facts.identity_fields) or "none"
    if target is None or not target.supports_identity:
        problems.append(
            f"{facts.name} can't identify records by “{draft.identity.get('target', '')}”: "
            f"choose one of {usable}."
        )
    elif target.identity_functions and draft.identity.get("function") not in (
        target.identity_functions
    ):
        problems.append(
            f"{target.name} matches records with {', '.join(target.identity_functions)}."
        )
    return problems


def draft_set_identity(
    draft: Draft,
    *,
    model: SqlModel,
    facts: TargetFacts,
    column: str,
    target: str,
    function: str,
) -> None:
    previous = draft.identity
    draft.identity = (
        {"column": column, "target": target, "function": function or "Equality"} if column else {}
    )
    problems = check_identity(draft, model, facts)
    if problems:
        draft.identity = previous
        raise _problem(*problems)
    draft.reach("fields")


def check_fields(draft: Draft, model: SqlModel, facts: TargetFacts) -> list[str]:
    problems = []
    columns = _columns(model)
    by_target: dict[str, list[str]] = {}
    identity_target = draft.identity.get("target", "") if draft.identity.get("column") else ""
    if identity_target:
        by_target[identity_target] = [draft.identity["column"]]
    for row in draft.fields:
        column, target = row.get("column", ""), row.get("target", "")
        if not column or not target:
            problems.append("Each mapping needs a model column and a target field.")
            continue
        if column.lower() not in columns:
            problems.append(_vanished(model, column))
        if facts.field(target) is None:
            problems.append(
                f"{facts.name} has no field “{target}”: pick one of the fields it lists."
            )
        by_target.setdefault(target, [])
        if column.lower() not in {c.lower() for c in by_target[target]}:
            by_target[target].append(column)
    for row in draft.overrides:
        target = row.get("target", "")
        if not target:
            problems.append("Each fixed value needs the target field it writes to.")
        elif facts.field(target) is None:
            problems.append(
                f"{facts.name} has no field “{target}”: pick one of the fields it lists."
            )
        else:
            by_target.setdefault(target, []).append(f"the fixed value “{row.get('value', '')}”")
    for target, sources in by_target.items():
        if len(sources) > 1:
            label = facts.field(target).name if facts.field(target) else target
            problems.append(
                f"{' and '.join(sources)} both write to {label}: keep one for each field."
            )
    creates = draft.mode in (SyncMode.CREATE, SyncMode.UPDATE_OR_CREATE)
    for target_field in facts.fields if creates else ():
        if target_field.required and target_field.createable and target_field.id not in by_target:
            problems.append(
                f"{facts.name} requires {target_field.name}: map a column to it or give it a "
                "fixed value."
            )
    return problems


def draft_set_fields(
    draft: Draft,
    *,
    model: SqlModel,
    facts: TargetFacts,
    rows: list[dict[str, str]],
    overrides: list[dict[str, str]],
) -> None:
    """Keeps what was typed even when it has problems: the page shows them next to it."""
    draft.fields = [row for row in rows if row.get("column") or row.get("target")]
    draft.overrides = [row for row in overrides if row.get("target") or row.get("value")]
    draft.fields_suggested = True
    problems = check_fields(draft, model, facts)
    if problems:
        raise _problem(*problems)
    draft.reach("removal")


def draft_set_removal(draft: Draft, *, facts: TargetFacts, choice: str) -> None:
    if facts.removal is not None and choice not in (
        Sync.WhenRowLeaves.LEAVE,
        Sync.WhenRowLeaves.REMOVE,
    ):
        raise _problem("Choose what happens to a record when its row leaves the model.")
    draft.when_row_leaves = choice if facts.removal is not None else ""
    draft.reach("schedule")


def schedule_from_form(data: Mapping[str, Any], run_after: list[str]) -> dict[str, Any]:
    """The schedule in the API's shape (reference/polytomic-api.md §5.1: strings, but
    run_after_success_only), with only the parts its frequency takes."""
    frequency = str(data.get("frequency") or "manual")
    parts = {
        "hourly": ("minute",),
        "daily": ("hour", "minute"),
        "weekly": ("day_of_week", "hour", "minute"),
        "builder": ("minute", "hour", "day_of_month", "month", "day_of_week"),
    }
    schedule: dict[str, Any] = {"frequency": frequency}
    for part in parts.get(frequency, ()):
        schedule[part] = str(data.get(part) or "").strip() or (
            "*" if frequency == "builder" else "0"
        )
    if frequency == "weekly" and schedule["day_of_week"] == "0":
        schedule["day_of_week"] = "monday"
    if frequency == "custom":
        schedule["expression"] = str(data.get("expression") or "").strip()
    if frequency == "runafter":
        schedule["run_after"] = {"sync_ids": run_after}
        schedule["run_after_success_only"] = bool(data.get("run_after_success_only"))
    return schedule


def check_schedule(
    schedule: Mapping[str, Any], *, organization: Organization, sync_id: str = ""
) -> list[str]:
    if schedule.get("frequency") == "custom" and not str(schedule.get("expression") or "").strip():
        return [NO_EXPRESSION]
    try:
        schedules.cron_for(dict(schedule))
    except schedules.ScheduleError as error:
        return [str(error)]
    if schedule.get("frequency") == "runafter":
        wanted = [str(i) for i in (schedule.get("run_after") or {}).get("sync_ids") or []]
        if not wanted:
            return ["Choose the syncs this one runs after."]
        known = {
            str(pk)
            for pk in run_after_candidates(organization=organization, exclude=sync_id or None)
            .filter(pk__in=[i for i in wanted if _is_uuid(i)])
            .values_list("pk", flat=True)
        }
        if set(wanted) - known:
            return ["Choose the syncs to run after from the list."]
    return []


def _is_uuid(value: str) -> bool:
    from syncs.builder_selectors import as_uuid

    return as_uuid(value) is not None


def draft_set_schedule(
    draft: Draft, *, organization: Organization, schedule: dict[str, Any]
) -> None:
    draft.schedule = schedule
    problems = check_schedule(schedule, organization=organization, sync_id=draft.sync_id)
    if problems:
        raise _problem(*problems)
    draft.reach("review")


# -- the whole draft -------------------------------------------------------------------------


def draft_check(draft: Draft, *, organization: Organization) -> dict[str, list[str]]:
    """Every step's problems, looked up at the vendor now (a target deleted since, a column
    the model lost): {step: [sentences]}, empty when the sync can be saved."""
    problems: dict[str, list[str]] = {}
    model = draft_model(draft, organization)
    if model is None:
        problems["model"] = ["Choose the model to sync."]
    connection = draft_connection(draft, organization)
    if connection is None:
        problems["destination"] = ["Choose the tool to sync into."]
    if model is None or connection is None:
        return problems
    if not draft.has_target:
        problems["target"] = ["Choose a target from the list, or create a new one."]
        return problems
    facts = draft_facts(draft, connection)
    if facts.target is None:
        problems["target"] = [facts.problem]
        return problems
    found = {
        "mode": check_mode(draft, facts),
        "identity": check_identity(draft, model, facts),
        "fields": check_fields(draft, model, facts),
        "schedule": check_schedule(
            draft.schedule, organization=organization, sync_id=draft.sync_id
        ),
    }
    if facts.removal is not None and draft.when_row_leaves not in ("leave", "remove"):
        found["removal"] = ["Choose what happens to a record when its row leaves the model."]
    problems.update({step: sentences for step, sentences in found.items() if sentences})
    return problems


def draft_settings(draft: Draft, *, model: SqlModel, connection: Connection) -> dict[str, Any]:
    """The draft as sync_create's keyword settings, in the API's shapes."""
    ref = str(model.pk)
    identity = None
    if draft.identity.get("column"):
        identity = {
            "source": {"field": draft.identity["column"], "model_id": ref},
            "target": draft.identity["target"],
            "function": draft.identity.get("function") or "Equality",
        }
    return {
        "name": draft.name.strip(),
        "model": model,
        "target_connection": connection,
        "target_object": draft.target_object,
        "target_create": dict(draft.target_create) or None,
        "mode": draft.mode,
        "identity": identity,
        "fields": [
            {"source": {"field": row["column"], "model_id": ref}, "target": row["target"]}
            for row in draft.fields
        ],
        "override_fields": [
            {"target": row["target"], "override_value": row.get("value", "")}
            for row in draft.overrides
        ],
        "when_row_leaves": draft.when_row_leaves if draft.removal_applies else "",
        "schedule": draft.schedule,
        "active": draft.active,
    }


class DraftProblems(Exception):
    """The draft can't be saved: {step: [sentences]}."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__(problems)
        self.problems = problems

    @property
    def first_step(self) -> str:
        return min(self.problems, key=STEP_NAMES.index)


def _by_step(error: ValidationError) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if hasattr(error, "error_dict"):
        for setting, errors in error.message_dict.items():
            found.setdefault(STEP_OF_SETTING.get(setting, "review"), []).extend(errors)
    else:
        found["review"] = list(error.messages)
    return found


def draft_resets_state(draft: Draft, *, sync: Sync, organization: Organization) -> bool:
    """Would saving this draft over the sync restart what it delivered (another target,
    another identity)?"""
    model = draft_model(draft, organization)
    connection = draft_connection(draft, organization)
    if model is None or connection is None:
        return False
    settings = draft_settings(draft, model=model, connection=connection)
    settings.pop("name")
    return services.sync_change_resets_state(sync=sync, **settings)


def draft_save(draft: Draft, *, organization: Organization, user: Any) -> Sync:
    """Create the sync, or update the one being edited; DraftProblems says which step has
    what problem (the builder's own checks first, then sync_create's)."""
    if not draft.name.strip():
        raise DraftProblems({"review": ["Give the sync a name."]})
    problems = draft_check(draft, organization=organization)
    if problems:
        raise DraftProblems(problems)
    model = draft_model(draft, organization)
    connection = draft_connection(draft, organization)
    assert model is not None and connection is not None  # draft_check said so
    settings = draft_settings(draft, model=model, connection=connection)
    try:
        if draft.sync_id:
            sync = Sync.objects.get(organization=organization, pk=draft.sync_id)
            return services.sync_update(sync=sync, user=user, **settings)
        return services.sync_create(organization=organization, user=user, **settings)
    except ValidationError as error:
        raise DraftProblems(_by_step(error)) from None
