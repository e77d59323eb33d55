"""Polytomic's schedule frequencies: when a sync runs next, and the schedule said in words.

Cron expressions are croniter's job (parsing and next times) and cron-descriptor's (words);
nothing here parses cron by hand. Times are computed in the organization's time zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cron_descriptor import get_description
from croniter import croniter

DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
CRON_FREQUENCIES = ("hourly", "daily", "weekly", "custom", "builder")
FREQUENCIES = ("manual", "continuous", *CRON_FREQUENCIES, "runafter")


class ScheduleError(ValueError):
    """A schedule that can't be run, with a sentence saying what to change."""


def _number(schedule: dict[str, Any], name: str, low: int, high: int, default: int = 0) -> int:
    raw = schedule.get(name, default)
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ScheduleError(
            f"The schedule's {name} must be a number from {low} to {high}."
        ) from None
    if not low <= value <= high:
        raise ScheduleError(f"The schedule's {name} must be from {low} to {high}, not {value}.")
    return value


def _day(schedule: dict[str, Any]) -> int:
    raw = str(schedule.get("day_of_week", "")).strip().lower()
    if raw in DAYS:
        return DAYS.index(raw)
    if raw[:3] in {day[:3] for day in DAYS} and raw:
        return [day[:3] for day in DAYS].index(raw[:3])
    if raw.isdigit() and 0 <= int(raw) <= 6:
        return int(raw)  # cron's numbering: 0 is Sunday
    raise ScheduleError(
        "A weekly schedule needs day_of_week: a day's name (monday) or 0 to 6 (0 is Sunday)."
    )


def cron_for(schedule: dict[str, Any]) -> str | None:
    """The cron expression a schedule stands for; None for manual, continuous and runafter."""
    frequency = str(schedule.get("frequency") or "manual")
    if frequency not in FREQUENCIES:
        raise ScheduleError(
            f"{frequency!r} is not a schedule Syncline knows; choose one of "
            f"{', '.join(FREQUENCIES)}."
        )
    if frequency not in CRON_FREQUENCIES:
        return None
    if frequency in {"custom", "builder"}:
        if schedule.get("expression") or schedule.get("cron"):
            expression = str(schedule.get("expression") or schedule.get("cron")).strip()
        else:
            parts = [
                str(schedule.get(name, "*") or "*").strip()
                for name in ("minute", "hour", "day_of_month", "month", "day_of_week")
            ]
            expression = " ".join(parts)
        if not croniter.is_valid(expression):
            raise ScheduleError(
                f"{expression!r} is not a cron expression (five parts: minute hour day-of-month "
                "month day-of-week, e.g. '30 9 * * 1-5')."
            )
        return expression
    minute = _number(schedule, "minute", 0, 59)
    if frequency == "hourly":
        return f"{minute} * * * *"
    hour = _number(schedule, "hour", 0, 23)
    if frequency == "daily":
        return f"{minute} {hour} * * *"
    return f"{minute} {hour} * * {_day(schedule)}"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"{name!r} is not a time zone (for example Europe/Paris).") from None


def next_run(
    schedule: dict[str, Any], *, after: dt.datetime, time_zone: str = "UTC"
) -> dt.datetime | None:
    """The first run strictly after `after` (an aware datetime), in UTC; None if not timed."""
    expression = cron_for(schedule)
    if expression is None:
        return None
    local = after.astimezone(zone(time_zone))
    following = croniter(expression, local).get_next(dt.datetime)
    return following.astimezone(dt.UTC)


def describe(schedule: dict[str, Any], *, time_zone: str = "UTC") -> str:
    """The schedule in words, for people: "At 09:00 AM, only on Monday (Europe/Paris)"."""
    frequency = str(schedule.get("frequency") or "manual")
    if frequency == "manual":
        return "Manually (when someone presses Run or calls the API)"
    if frequency == "continuous":
        return "Continuously (again as soon as the last run ends)"
    if frequency == "runafter":
        return "After other syncs finish"
    expression = cron_for(schedule)
    words = get_description(expression)
    return f"{words} ({time_zone or 'UTC'})"
