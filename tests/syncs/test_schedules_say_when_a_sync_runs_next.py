import datetime as dt

import pytest

from syncs.schedules import ScheduleError, cron_for, describe, next_run

NOON_UTC = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)  # a Tuesday


def test_each_polytomic_frequency_becomes_its_cron_expression():
    assert cron_for({"frequency": "manual"}) is None
    assert cron_for({"frequency": "continuous"}) is None
    assert cron_for({"frequency": "runafter", "run_after": {"sync_ids": []}}) is None
    assert cron_for({"frequency": "hourly", "minute": "15"}) == "15 * * * *"
    assert cron_for({"frequency": "daily", "hour": "9", "minute": "0"}) == "0 9 * * *"
    weekly = {"frequency": "weekly", "day_of_week": "monday", "hour": "9", "minute": "30"}
    assert cron_for(weekly) == "30 9 * * 1"
    assert cron_for({**weekly, "day_of_week": "0"}) == "30 9 * * 0"
    custom = {"frequency": "custom", "minute": "*/15", "hour": "9-17", "day_of_week": "1-5"}
    assert cron_for(custom) == "*/15 9-17 * * 1-5"


def test_the_next_run_is_computed_in_the_organizations_time_zone():
    daily = {"frequency": "daily", "hour": "9", "minute": "0"}
    assert next_run(daily, after=NOON_UTC) == dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    paris = next_run(daily, after=NOON_UTC, time_zone="Europe/Paris")
    assert paris == dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
    assert next_run({"frequency": "manual"}, after=NOON_UTC) is None


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ({"frequency": "hourly", "minute": "99"}, "minute must be from 0 to 59"),
        ({"frequency": "daily", "hour": "nine"}, "hour must be a number"),
        ({"frequency": "weekly", "hour": "9", "minute": "0"}, "needs day_of_week"),
        ({"frequency": "custom", "minute": "every now and then"}, "is not a cron expression"),
        ({"frequency": "fortnightly"}, "not a schedule Syncline knows"),
    ],
)
def test_a_schedule_that_cannot_run_says_what_to_change(schedule, words):
    with pytest.raises(ScheduleError, match=words):
        cron_for(schedule)


def test_a_schedule_is_said_in_words():
    weekly = {"frequency": "weekly", "day_of_week": "monday", "hour": "9", "minute": "0"}
    assert (
        describe(weekly, time_zone="Europe/Paris") == "At 09:00 AM, only on Monday (Europe/Paris)"
    )
    assert describe({"frequency": "manual"}).startswith("Manually")
