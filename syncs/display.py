"""Syncs and their runs said in words for the console (no logic a run depends on)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from syncs import schedules
from syncs.models import Sync, SyncExecution

STATUS_SENTENCES = {
    "created": "Waiting to start.",
    "queued": "Waiting for a worker to pick it up.",
    "running": "Running now.",
    "canceling": "Stopping: it ends after the batch being sent.",
    "completed": "Completed.",
    "failed": "Failed: the run stopped before it finished.",
    "canceled": "Canceled.",
    "interrupted": "Interrupted: the worker stopped; a new run picks up the rest.",
}

PHASES = {
    "": "Starting",
    "extract": "Reading the model's rows",
    "diff": "Comparing with what was sent before",
    "reconcile": "Checking records whose last write was unconfirmed",
    "load": "Sending changes",
}


def status_sentence(execution: SyncExecution) -> str:
    sentence = STATUS_SENTENCES.get(execution.status, execution.get_status_display())
    if execution.status == "completed" and execution.error_count:
        count = execution.error_count
        sentence = f"Completed, with {count} record{'s' if count != 1 else ''} rejected."
    if execution.test and execution.status == "completed":
        sentence = "Dry run completed: nothing was sent."
    return sentence


def started_by(execution: SyncExecution) -> str:
    user = getattr(execution, "started_by", None)
    who = (user.get_full_name() or user.get_username()) if user else ""
    if execution.trigger == SyncExecution.Trigger.SCHEDULE:
        return "Its schedule"
    if execution.trigger == SyncExecution.Trigger.API:
        return f"The API (a key of {who})" if who else "The API"
    return who or "Someone in the console or the admin"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {rest} s"


def execution_duration(execution: SyncExecution) -> str:
    if execution.started_at and not execution.completed_at:
        return duration((timezone.now() - execution.started_at).total_seconds()) + " so far"
    return duration(execution.duration_seconds)


def kind(execution: SyncExecution) -> str:
    if execution.test:
        return "Dry run"
    if execution.identities:
        count = len(execution.identities)
        return f"Run for {count} identit{'ies' if count != 1 else 'y'}"
    if execution.resync:
        return "Full resync"
    return "Run"


def schedule_words(sync: Sync) -> str:
    try:
        return schedules.describe(sync.schedule or {}, time_zone=sync.organization.time_zone)
    except schedules.ScheduleError as error:
        return f"The schedule can't be read: {error} Edit the sync to fix it."


def next_run_words(sync: Sync, *, now: dt.datetime | None = None) -> str:
    if not sync.active:
        return "Paused"
    frequency = sync.frequency
    if frequency == "manual":
        return "When someone runs it"
    if frequency == "continuous":
        return "As soon as the last run ends"
    if frequency == "runafter":
        return "After the syncs it follows"
    when = sync.next_run_at
    if when is None:
        try:
            when = schedules.next_run(
                sync.schedule,
                after=now or timezone.now(),
                time_zone=sync.organization.time_zone,
            )
        except schedules.ScheduleError:
            return "—"
    if when is None:
        return "—"
    return timezone.localtime(when).strftime("%b %-d, %H:%M UTC")


def _count(value: Any) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def log_line(entry: dict[str, Any]) -> str:
    """One entry of an execution's log as a sentence."""
    event = entry.get("event", "")
    if event == "phase":
        return PHASES.get(str(entry.get("phase", "")), str(entry.get("phase", ""))) + "."
    if event == "diff":
        return (
            f"Compared: {_count(entry.get('create', 0))} new, "
            f"{_count(entry.get('update', 0))} changed, "
            f"{_count(entry.get('unchanged', 0))} unchanged, "
            f"{_count(entry.get('gone', 0))} no longer in the model, "
            f"{_count(entry.get('in_doubt', 0))} to check."
        )
    if event == "batch":
        outcomes = ", ".join(
            f"{_count(entry[name])} {label}"
            for name, label in (
                ("accepted", "accepted"),
                ("rejected", "rejected"),
                ("not_sent", "not sent"),
                ("in_doubt", "unconfirmed"),
            )
            if entry.get(name)
        )
        return (
            f"Sent a batch of {_count(entry.get('records', 0))} ({entry.get('mode', '')}) in "
            f"{entry.get('seconds', 0)} s" + (f": {outcomes}." if outcomes else ".")
        )
    if event == "calls":
        text = f"{_count(entry.get('count', 0))} call(s) to the destination"
        if entry.get("retries"):
            text += f", {_count(entry['retries'])} retried"
        if entry.get("waited_ms"):
            text += f", {float(entry['waited_ms']) / 1000:.1f} s waiting for the rate limit"
        return text + "."
    if event == "reconcile":
        return (
            f"Looked up {_count(entry.get('records', 0))} unconfirmed record(s) at the "
            f"destination: {_count(entry.get('found', 0))} found."
        )
    if event == "target_created":
        return f"Created the target {entry.get('name', '')} ({entry.get('target', '')})."
    if event == "target_found":
        return f"Found the target {entry.get('name', '')} created by an earlier run."
    if event == "state_reset":
        return (
            "Started afresh: " + str(entry.get("reason", "the settings changed")) + ", so every "
            "row is sent again."
        )
    if event == "log_truncated":
        return f"{_count(entry.get('dropped', 0))} further entries were not kept."
    return event.replace("_", " ").capitalize() + "."


def log_lines(execution: SyncExecution) -> list[dict[str, str]]:
    lines = []
    for entry in execution.log or []:
        if not isinstance(entry, dict):
            continue
        at = ""
        raw = entry.get("at")
        if isinstance(raw, str):
            try:
                at = timezone.localtime(dt.datetime.fromisoformat(raw)).strftime("%H:%M:%S")
            except ValueError:
                at = ""
        lines.append({"at": at, "text": log_line(entry)})
    return lines
