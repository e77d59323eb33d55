"""Console pages of the sync builder: one page per step, the draft kept in the session.

Thin: each step reads the form, hands it to a builder service (syncs/builder_services.py) and
shows what the builder selectors offer. htmx swaps the dynamic parts (the target search, the
mapping rows, the schedule's parts and words); every page also works as plain forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from connections.models import Connection
from console.decorators import organization_required
from models_app.models import SqlModel
from syncs import builder_selectors as selectors
from syncs import builder_services as services
from syncs.builder_services import STEP_NAMES, STEPS, Draft, DraftProblems, StepProblem
from syncs.models import Sync

SESSION_KEY = "sync_builder"


@dataclass
class Builder:
    """One person's draft of one sync (new, or the one being edited)."""

    request: HttpRequest
    key: str  # "new" or the sync's id
    draft: Draft
    sync: Sync | None = None

    @property
    def organization(self) -> Any:
        return self.request.organization  # type: ignore[attr-defined]

    def url(self, step: str) -> str:
        if self.sync is None:
            return reverse("builder:new_step", args=[step])
        return reverse("builder:edit_step", args=[self.sync.pk, step])

    def save(self) -> None:
        drafts = self.request.session.get(SESSION_KEY, {})
        drafts[self.key] = self.draft.to_dict()
        self.request.session[SESSION_KEY] = drafts

    def forget(self) -> None:
        drafts = self.request.session.get(SESSION_KEY, {})
        drafts.pop(self.key, None)
        self.request.session[SESSION_KEY] = drafts

    def go(self, step: str) -> HttpResponse:
        self.save()
        return redirect(self.url(step))

    def model(self) -> SqlModel | None:
        return services.draft_model(self.draft, self.organization)

    def connection(self) -> Connection | None:
        return services.draft_connection(self.draft, self.organization)

    def steps(self, current: str) -> list[dict[str, Any]]:
        reached = STEP_NAMES.index(self.draft.reached)
        shown = []
        for index, (name, label) in enumerate(STEPS):
            if name == "removal" and not self.draft.removal_applies:
                continue
            state = "current" if name == current else ("done" if index <= reached else "todo")
            if name in self.draft.errors and name != current:
                state = "problem"
            shown.append(
                {
                    "name": name,
                    "label": label,
                    "state": state,
                    "url": self.url(name) if index <= reached else "",
                }
            )
        return shown

    def render(
        self, step: str, context: dict[str, Any], *, partial: str = "", status: int = 200
    ) -> HttpResponse:
        self.save()
        context = {
            "builder": self,
            "draft": self.draft,
            "sync": self.sync,
            "step": step,
            "steps": self.steps(step),
            "step_url": self.url(step),
            "problems": context.pop("problems", None) or self.draft.errors.get(step, []),
            **context,
        }
        template = partial or f"syncs/builder/{step}.html"
        return render(self.request, template, context, status=status)


def _builder(request: HttpRequest, sync_id: object = None) -> Builder:
    organization = request.organization  # type: ignore[attr-defined]
    sync = None
    if sync_id is not None:
        sync = selectors.builder_sync_get(organization=organization, sync_id=sync_id)
        if sync is None:
            raise Http404("No such sync")
    key = str(sync.pk) if sync else "new"
    stored = request.session.get(SESSION_KEY, {}).get(key)
    if stored is not None:
        draft = Draft.from_dict(stored)
    elif sync is not None:
        draft = services.draft_from_sync(sync)
    else:
        draft = Draft()
    return Builder(request, key, draft, sync)


# -- entry points ------------------------------------------------------------------------------


@organization_required
def builder_new(request: HttpRequest) -> HttpResponse:
    """A fresh draft; from a model page (?model=<id>) the model is already chosen."""
    builder = Builder(request, "new", Draft())
    model = selectors.builder_model_get(
        organization=request.organization,  # type: ignore[attr-defined]
        model_id=request.GET.get("model"),
    )
    if model is not None:
        services.draft_set_model(
            builder.draft, organization=builder.organization, model_id=model.pk
        )
        return builder.go("destination")
    return builder.go("model")


@organization_required
def builder_edit(request: HttpRequest, sync_id: object) -> HttpResponse:
    """Editing starts from the sync as saved (an earlier unsaved draft of it is dropped)."""
    builder = _builder(request, sync_id)
    assert builder.sync is not None
    builder.draft = services.draft_from_sync(builder.sync)
    return builder.go("target")


@organization_required
def builder_step(request: HttpRequest, step: str, sync_id: object = None) -> HttpResponse:
    builder = _builder(request, sync_id)
    if step not in STEP_VIEWS:
        raise Http404("No such step")
    if STEP_NAMES.index(step) > STEP_NAMES.index(builder.draft.reached):
        return builder.go(builder.draft.reached)  # a step can't be skipped
    return STEP_VIEWS[step](builder)


def _done(builder: Builder, step: str) -> None:
    builder.draft.errors.pop(step, None)


def _need_target(builder: Builder) -> tuple[SqlModel, Connection] | HttpResponse:
    model, connection = builder.model(), builder.connection()
    if model is None:
        return builder.go("model")
    if connection is None:
        return builder.go("destination")
    if not builder.draft.has_target:
        return builder.go("target")
    return model, connection


# -- the steps ---------------------------------------------------------------------------------


def step_model(builder: Builder) -> HttpResponse:
    request = builder.request
    if request.method == "POST":
        try:
            services.draft_set_model(
                builder.draft, organization=builder.organization, model_id=request.POST.get("model")
            )
        except StepProblem as problem:
            return builder.render("model", _model_context(builder, problem.messages))
        _done(builder, "model")
        return builder.go("destination")
    return builder.render("model", _model_context(builder))


def _model_context(builder: Builder, problems: list[str] | None = None) -> dict[str, Any]:
    return {
        "models": selectors.builder_model_list(organization=builder.organization),
        "problems": problems,
    }


def step_destination(builder: Builder) -> HttpResponse:
    request = builder.request
    problems = None
    if request.method == "POST":
        try:
            services.draft_set_destination(
                builder.draft,
                organization=builder.organization,
                connection_id=request.POST.get("connection"),
            )
        except StepProblem as problem:
            problems = problem.messages
        else:
            _done(builder, "destination")
            return builder.go("target")
    connections = selectors.builder_destination_list(organization=builder.organization)
    return builder.render(
        "destination",
        {"connections": connections, "problems": problems},
    )


def step_target(builder: Builder) -> HttpResponse:
    request = builder.request
    connection = builder.connection()
    if connection is None:
        return builder.go("destination")
    problems = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "create":
                properties = {
                    key[len("create_") :]: value
                    for key, value in request.POST.items()
                    if key.startswith("create_")
                }
                services.draft_set_target_create(
                    builder.draft, connection=connection, properties=properties
                )
            else:
                services.draft_set_target(
                    builder.draft, connection=connection, target_id=request.POST.get("target", "")
                )
        except StepProblem as problem:
            problems = problem.messages
        else:
            _done(builder, "target")
            return builder.go("mode")
    search = request.GET.get("q", "").strip()
    choices = selectors.builder_targets(connection=connection, search=search)
    context = {
        "connection": connection,
        "choices": choices,
        "search": search,
        "problems": problems,
        "create_values": builder.draft.target_create,
    }
    if request.htmx and request.htmx.target == "target-options":  # type: ignore[attr-defined]
        return builder.render("target", context, partial="syncs/builder/_target_options.html")
    return builder.render("target", context)


def step_mode(builder: Builder) -> HttpResponse:
    needed = _need_target(builder)
    if isinstance(needed, HttpResponse):
        return needed
    _, connection = needed
    facts = services.draft_facts(builder.draft, connection, with_fields=False)
    problems = None
    if facts.target is not None and builder.request.method == "POST":
        try:
            services.draft_set_mode(
                builder.draft, facts=facts, mode=builder.request.POST.get("mode", "")
            )
        except StepProblem as problem:
            problems = problem.messages
        else:
            _done(builder, "mode")
            return builder.go("identity")
    modes = [
        {
            "id": mode.id,
            "label": selectors.mode_label(mode.id),
            "sentence": selectors.mode_sentence(mode.id, facts.name),
            "requires_identity": mode.requires_identity,
        }
        for mode in facts.modes
    ]
    return builder.render(
        "mode",
        {
            "facts": facts,
            "modes": modes,
            "problems": problems or ([facts.problem] if facts.problem else None),
        },
    )


def step_identity(builder: Builder) -> HttpResponse:
    needed = _need_target(builder)
    if isinstance(needed, HttpResponse):
        return needed
    model, connection = needed
    facts = services.draft_facts(builder.draft, connection)
    problems = None
    if facts.target is not None and builder.request.method == "POST":
        post = builder.request.POST
        try:
            services.draft_set_identity(
                builder.draft,
                model=model,
                facts=facts,
                column=post.get("column", ""),
                target=post.get("target_field", ""),
                function=post.get("function", ""),
            )
        except StepProblem as problem:
            problems = problem.messages
        else:
            _done(builder, "identity")
            return builder.go("fields")
    mode = facts.mode(builder.draft.mode)
    identity = dict(builder.draft.identity)
    if not identity and not builder.draft.errors.get("identity") and problems is None:
        identity = _suggested_identity(model, facts)
    functions = sorted({f for field in facts.identity_fields for f in field.identity_functions})
    return builder.render(
        "identity",
        {
            "model": model,
            "facts": facts,
            "mode": mode,
            "identity": identity,
            "functions": functions or ["Equality"],
            "problems": problems or ([facts.problem] if facts.problem else None),
        },
    )


def _suggested_identity(model: SqlModel, facts: selectors.TargetFacts) -> dict[str, str]:
    """The model's identity column, matched by name to a field that can identify records."""
    column = model.identifier or (model.field_names[0] if model.field_names else "")
    match = selectors.field_suggest(column, facts.identity_fields) if column else None
    match = match or (facts.identity_fields[0] if facts.identity_fields else None)
    if not column or match is None:
        return {}
    function = match.identity_functions[0] if match.identity_functions else "Equality"
    return {"column": column, "target": match.id, "function": function}


def _rows(post: Any, prefix: str, names: tuple[str, str]) -> list[dict[str, str]]:
    count = min(int(post.get(f"{prefix}-count", 0) or 0), 500)
    rows = []
    for index in range(count):
        row = {name: post.get(f"{prefix}-{index}-{name}", "").strip() for name in names}
        if f"{prefix}-{index}-present" in post:
            rows.append(row)
    return rows


def step_fields(builder: Builder) -> HttpResponse:
    needed = _need_target(builder)
    if isinstance(needed, HttpResponse):
        return needed
    model, connection = needed
    draft = builder.draft
    facts = services.draft_facts(draft, connection)
    request = builder.request
    problems = None
    if not draft.fields_suggested and not draft.fields and facts.target is not None:
        skip = [draft.identity.get("target", "")]
        columns = [c for c in model.field_names if c != draft.identity.get("column")]
        draft.fields = [
            {"column": column, "target": target}
            for column, target in selectors.field_suggestions(
                columns=columns, fields=facts.fields, skip=skip
            )
        ]
        draft.fields_suggested = True
    if request.method == "POST" and facts.target is not None:
        rows = _rows(request.POST, "field", ("column", "target"))
        overrides = _rows(request.POST, "override", ("target", "value"))
        action = request.POST.get("action", "continue")
        if action == "add-field":
            rows.append({"column": "", "target": ""})
        elif action == "add-override":
            overrides.append({"target": "", "value": ""})
        elif action.startswith("remove-field-"):
            rows = [r for i, r in enumerate(rows) if f"remove-field-{i}" != action]
        elif action.startswith("remove-override-"):
            overrides = [r for i, r in enumerate(overrides) if f"remove-override-{i}" != action]
        if action == "continue":
            try:
                services.draft_set_fields(
                    draft, model=model, facts=facts, rows=rows, overrides=overrides
                )
            except StepProblem as problem:
                problems = problem.messages
            else:
                _done(builder, "fields")
                draft.reach("schedule" if facts.removal is None else "removal")
                return builder.go("schedule" if facts.removal is None else "removal")
        else:
            draft.fields, draft.overrides = rows, overrides
    suggested = dict(
        selectors.field_suggestions(
            columns=model.field_names, fields=facts.fields, skip=[draft.identity.get("target", "")]
        )
    )
    context = {
        "model": model,
        "facts": facts,
        "writable": [f for f in facts.fields if f.createable or f.updateable],
        "suggested": suggested,
        "problems_inline": True,
        "problems": problems or ([facts.problem] if facts.problem else None),
    }
    if request.htmx and request.method == "POST":  # type: ignore[attr-defined]
        return builder.render("fields", context, partial="syncs/builder/_mappings.html")
    return builder.render("fields", context)


def step_removal(builder: Builder) -> HttpResponse:
    needed = _need_target(builder)
    if isinstance(needed, HttpResponse):
        return needed
    _, connection = needed
    facts = services.draft_facts(builder.draft, connection, with_fields=False)
    if facts.target is not None and facts.removal is None:
        builder.draft.reach("schedule")
        return builder.go("schedule")
    problems = None
    if builder.request.method == "POST" and facts.target is not None:
        try:
            services.draft_set_removal(
                builder.draft, facts=facts, choice=builder.request.POST.get("when_row_leaves", "")
            )
        except StepProblem as problem:
            problems = problem.messages
        else:
            _done(builder, "removal")
            return builder.go("schedule")
    chosen = builder.draft.when_row_leaves or (
        ("remove" if facts.removal.default else "leave") if facts.removal else ""
    )
    return builder.render(
        "removal",
        {
            "facts": facts,
            "chosen": chosen,
            "problems": problems or ([facts.problem] if facts.problem else None),
        },
    )


def step_schedule(builder: Builder) -> HttpResponse:
    request = builder.request
    organization = builder.organization
    problems = None
    schedule = builder.draft.schedule
    if request.method == "POST":
        schedule = services.schedule_from_form(request.POST, request.POST.getlist("run_after"))
        try:
            services.draft_set_schedule(builder.draft, organization=organization, schedule=schedule)
        except StepProblem as problem:
            problems = problem.messages
        else:
            _done(builder, "schedule")
            return builder.go("review")
    elif "frequency" in request.GET:  # htmx (or the plain form's Show button): another frequency
        schedule = services.schedule_from_form(request.GET, request.GET.getlist("run_after"))
    words, problem = selectors.schedule_in_words(schedule, time_zone=organization.time_zone)
    context = {
        "schedule": schedule,
        "frequencies": [
            {"id": key, "label": label, "help": help_text}
            for key, (label, help_text) in selectors.FREQUENCY_LABELS.items()
        ],
        "days": services.schedules.DAYS,
        "hours": range(24),
        "minutes": range(60),
        "others": selectors.run_after_candidates(
            organization=organization, exclude=builder.sync.pk if builder.sync else None
        ),
        "run_after": [str(i) for i in (schedule.get("run_after") or {}).get("sync_ids") or []],
        "words": words,
        "words_problem": problem,
        "time_zone": organization.time_zone,
        "problems": problems,
    }
    if request.htmx:  # type: ignore[attr-defined]
        partial = (
            "syncs/builder/_schedule_words.html"
            if request.htmx.target == "schedule-words"  # type: ignore[attr-defined]
            else "syncs/builder/_schedule_parts.html"
        )
        return builder.render("schedule", context, partial=partial)
    return builder.render("schedule", context)


def step_review(builder: Builder) -> HttpResponse:
    request = builder.request
    draft = builder.draft
    model, connection = builder.model(), builder.connection()
    if request.method == "POST":
        draft.name = request.POST.get("name", "").strip()
        draft.active = request.POST.get("active", "active") == "active"
        try:
            sync = services.draft_save(draft, organization=builder.organization, user=request.user)
        except DraftProblems as problems:
            draft.errors = problems.problems
            if problems.first_step != "review":
                messages.error(request, "The sync isn't saved yet: this step needs a change first.")
                return builder.go(problems.first_step)
            return builder.render("review", _review_context(builder, model, connection))
        builder.forget()
        state = "active" if sync.active else "paused"
        messages.success(request, f"Sync “{sync.name}” saved ({state}).")
        return redirect(_sync_page(sync))
    context = _review_context(builder, model, connection)
    draft.errors = {**context["found"], **{k: v for k, v in draft.errors.items() if k == "review"}}
    return builder.render("review", context)


def _review_context(
    builder: Builder, model: SqlModel | None, connection: Connection | None
) -> dict[str, Any]:
    draft = builder.draft
    found = services.draft_check(draft, organization=builder.organization)
    if not draft.name and model is not None:
        draft.name = f"{model.name} to {draft.target_name or 'its target'}"[:200]
    resets = False
    if builder.sync is not None:
        try:
            resets = services.draft_resets_state(
                draft, sync=builder.sync, organization=builder.organization
            )
        except ValidationError:
            resets = False
    words, _ = selectors.schedule_in_words(draft.schedule, time_zone=builder.organization.time_zone)
    return {
        "model": model,
        "connection": connection,
        "found": found,
        "found_steps": [
            {"name": name, "label": label, "sentences": found[name], "url": builder.url(name)}
            for name, label in STEPS
            if name in found
        ],
        "resets": resets,
        "mode_label": selectors.mode_label(draft.mode) if draft.mode else "",
        "schedule_words": words,
        "problems": draft.errors.get("review"),
    }


def _sync_page(sync: Sync) -> str:
    """The sync's page once the console has one; the home page until then."""
    try:
        return reverse("syncs:detail", args=[sync.pk])
    except NoReverseMatch:
        return reverse("console:home")


STEP_VIEWS = {
    "model": step_model,
    "destination": step_destination,
    "target": step_target,
    "mode": step_mode,
    "identity": step_identity,
    "fields": step_fields,
    "removal": step_removal,
    "schedule": step_schedule,
    "review": step_review,
}
assert set(STEP_VIEWS) == set(STEP_NAMES)
