"""Cron expressions mean what cron, Airflow and Dagster mean, also under APScheduler 3."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mlops.schedule.cron import Cron, parse_cron


def cron_fires(cron: Cron, start: date, days: int, tz: str) -> list[datetime]:
    """Every firing in [start, start + days) by cron's own rules, day by day (the oracle).

    Weekdays count from Sunday = 0; when day-of-month and day-of-week are both restricted a
    day matches if either does (cron's OR rule).
    """
    fires = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        dom, dow = day.day in cron.days, (day.weekday() + 1) % 7 in cron.weekdays
        both = cron.days_restricted and cron.weekdays_restricted
        if day.month not in cron.months or not ((dom or dow) if both else (dom and dow)):
            continue
        for hour in cron.hours:
            for minute in cron.minutes:
                local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(tz))
                fires.append(local.astimezone(UTC))
    return fires


def trigger_fires(cron: Cron, start: date, days: int, tz: str) -> list[datetime]:
    trigger = cron.trigger(tz)
    now = datetime(start.year, start.month, start.day, tzinfo=ZoneInfo(tz))
    end = now + timedelta(days=days)
    fires: list[datetime] = []
    previous = None
    while True:
        fire = trigger.get_next_fire_time(previous, now if previous is None else previous)
        if fire is None or fire >= end:
            return fires
        fires.append(fire.astimezone(UTC))
        previous = fire


@pytest.mark.parametrize(
    "text",
    [
        "0 6 * * 1-5",  # weekdays: Monday is 1 in cron, 0 in APScheduler 3
        "0 12 * * 0",  # Sunday
        "0 12 * * 7",  # Sunday again
        "0 0 * * */2",  # Sun, Tue, Thu, Sat (APScheduler's own */2 would be Mon, Wed, ...)
        "30 2 1,15 * *",
        "0 0 13 * fri",  # the 13th OR any Friday
        "*/20 8-17 * * mon-fri",
        "15 4 */10 jan,jul *",
        "0 0 29 2 *",  # leap day only
        "5 3 1-7 * SUN",  # the first week OR Sundays
        "@weekly",
    ],
)
def test_apscheduler_trigger_fires_when_cron_does(text: str) -> None:
    cron = parse_cron(text)
    start, days = date(2027, 12, 1), 400  # spans the leap day 2028-02-29
    expected = cron_fires(cron, start, days, "UTC")
    assert expected, "the case must fire in the window"
    assert trigger_fires(cron, start, days, "UTC") == expected


def test_sunday_is_day_zero_and_seven() -> None:
    for text in ("0 12 * * 0", "0 12 * * 7", "0 12 * * sun"):
        fires = trigger_fires(parse_cron(text), date(2027, 12, 1), 14, "UTC")  # a Wednesday
        assert fires == [
            datetime(2027, 12, 5, 12, tzinfo=UTC),
            datetime(2027, 12, 12, 12, tzinfo=UTC),
        ]


def test_timezone_follows_daylight_saving() -> None:
    cron = parse_cron("0 6 * * mon-fri")
    fires = trigger_fires(cron, date(2026, 3, 2), 14, "America/Chicago")
    assert fires == cron_fires(cron, date(2026, 3, 2), 14, "America/Chicago")
    # 06:00 in Chicago is 12:00 UTC before 8 March 2026 and 11:00 UTC after.
    assert fires[0] == datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert fires[-1] == datetime(2026, 3, 13, 11, tzinfo=UTC)


def test_fields_and_presets_parse() -> None:
    cron = parse_cron("0,30 */6 1-10/3 Jan-MAR 5,7")
    assert cron.minutes == (0, 30)
    assert cron.hours == (0, 6, 12, 18)
    assert cron.days == (1, 4, 7, 10)
    assert cron.months == (1, 2, 3)
    assert cron.weekdays == (0, 5)
    assert cron.days_restricted and cron.weekdays_restricted
    daily = parse_cron("@daily")
    assert (daily.minutes, daily.hours, daily.days_restricted) == ((0,), (0,), False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 6 * *", "'0 6 * *' is not a cron expression: expected 5 fields"),
        ("0 6 * * * *", "expected 5 fields"),
        ("61 * * * *", "'61 * * * *': minute 61 is out of range 0-59"),
        ("0 24 * * *", "hour 24 is out of range 0-23"),
        ("0 0 0 * *", "day-of-month 0 is out of range 1-31"),
        ("0 0 * 13 *", "month 13 is out of range 1-12"),
        ("0 0 * * 8", "day-of-week 8 is out of range 0-7"),
        ("0 6 * * mon-fry", "day-of-week 'fry' is not a number or a name"),
        ("0 6 * * 5-1", "day-of-week range '5-1' runs backwards"),
        ("*/0 * * * *", "minute '*/0': the step must be at least 1"),
        ("5/15 * * * *", "minute '5/15': a step needs * or a range"),
        ("0 0 L * *", "day-of-month 'L' is not a number or a name"),
        ("0 0 ? * *", "day-of-month '?' is not *, N, N-M"),
        ("@often", "'@often' is not a cron expression"),
        ("0 0 31 2,4 *", "'0 0 31 2,4 *' never fires"),
    ],
)
def test_bad_expressions_name_the_part(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_cron(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
