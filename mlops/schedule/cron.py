"""Standard 5-field cron expressions, parsed once and turned into APScheduler triggers.

``parse_cron(text)`` reads ``minute hour day-of-month month day-of-week`` with the syntax every
cron, Airflow and Dagster accept (``*``, ``*/step``, ``a``, ``a-b``, ``a-b/step``, comma lists,
month names ``jan``-``dec``, weekday names ``sun``-``sat``, 0 or 7 for Sunday) and the presets
``@hourly @daily @midnight @weekly @monthly @yearly @annually``. It raises ``ValueError`` with a
message naming the expression and the bad part.

The meaning is cron's, not APScheduler 3's, which differs twice: APScheduler numbers weekdays
from Monday = 0 (cron: Sunday = 0), and it ANDs day-of-month with day-of-week where cron ORs
them when both are restricted (a field is unrestricted when it starts with ``*``, as in Vixie
cron). :meth:`Cron.trigger` expands every field to explicit values and builds an ``OrTrigger``
for the OR case, so a job fires at the same instants under ``erpml schedule run`` as under the
exported Airflow and Dagster schedules.

>>> parse_cron("0 6 * * mon-fri").weekdays
(1, 2, 3, 4, 5)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # leap years count


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[i] means low + i


FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day-of-month", 1, 31),
    _Field("month", 1, 12, MONTHS),
    _Field("day-of-week", 0, 7, WEEKDAYS),  # 7 is Sunday again
)
_ITEM = re.compile(r"^(?:(?P<star>\*)|(?P<first>\w+)(?:-(?P<last>\w+))?)(?:/(?P<step>\d+))?$")


@dataclass(frozen=True)
class Cron:
    """A parsed cron expression: the values of each field (weekdays with Sunday = 0)."""

    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: tuple[int, ...]
    months: tuple[int, ...]
    weekdays: tuple[int, ...]
    days_restricted: bool  # day-of-month does not start with '*'
    weekdays_restricted: bool

    def trigger(self, timezone: str) -> Any:
        """The APScheduler 3 trigger firing at the same instants as cron would in ``timezone``."""
        from apscheduler.triggers.combining import OrTrigger
        from apscheduler.triggers.cron import CronTrigger

        common = {
            "minute": _render(self.minutes, 0, 59),
            "hour": _render(self.hours, 0, 23),
            "month": _render(self.months, 1, 12),
            "timezone": timezone,
        }
        # APScheduler counts weekdays from Monday = 0.
        weekdays = _render(tuple(sorted((d + 6) % 7 for d in self.weekdays)), 0, 6)
        days = _render(self.days, 1, 31)
        if self.days_restricted and self.weekdays_restricted:
            return OrTrigger(
                [
                    CronTrigger(day=days, day_of_week="*", **common),
                    CronTrigger(day="*", day_of_week=weekdays, **common),
                ]
            )
        return CronTrigger(day=days, day_of_week=weekdays, **common)


def parse_cron(text: str) -> Cron:
    """Parse a 5-field cron expression or preset; ``ValueError`` names what does not parse."""
    expanded = PRESETS.get(text.strip().lower(), text)
    parts = expanded.split()
    if len(parts) != len(FIELDS):
        raise ValueError(
            f"{text!r} is not a cron expression: expected 5 fields (minute hour day-of-month "
            f"month day-of-week) or a preset like @daily, got {len(parts)}"
        )
    values = [_parse_field(text, part, field) for part, field in zip(parts, FIELDS, strict=True)]
    weekdays = tuple(sorted({d % 7 for d in values[4]}))
    cron = Cron(
        text=text,
        minutes=values[0],
        hours=values[1],
        days=values[2],
        months=values[3],
        weekdays=weekdays,
        days_restricted=not parts[2].startswith("*"),
        weekdays_restricted=not parts[4].startswith("*"),
    )
    if not cron.weekdays_restricted and not any(
        day <= DAYS_IN_MONTH[month - 1] for month in cron.months for day in cron.days
    ):
        raise ValueError(f"{text!r} never fires: none of its months has those days")
    return cron


def _parse_field(text: str, part: str, field: _Field) -> tuple[int, ...]:
    values: set[int] = set()
    for item in part.split(","):
        match = _ITEM.match(item)
        if match is None:
            raise ValueError(f"{text!r}: {field.name} {item!r} is not *, N, N-M or a /step of them")
        if match["star"]:
            first, last = field.low, field.high
        else:
            first = _value(text, match["first"], field)
            last = _value(text, match["last"], field) if match["last"] else first
            if last < first:
                raise ValueError(f"{text!r}: {field.name} range {item!r} runs backwards")
        step = int(match["step"] or 1)
        if match["step"] and not (match["star"] or match["last"]):
            raise ValueError(f"{text!r}: {field.name} {item!r}: a step needs * or a range (N-M)")
        if step < 1:
            raise ValueError(f"{text!r}: {field.name} {item!r}: the step must be at least 1")
        values.update(range(first, last + 1, step))
    return tuple(sorted(values))


def _value(text: str, token: str, field: _Field) -> int:
    if token.isdigit():
        number = int(token)
    elif token.lower() in field.names:
        number = field.low + field.names.index(token.lower())
    else:
        raise ValueError(f"{text!r}: {field.name} {token!r} is not a number or a name")
    if not field.low <= number <= field.high:
        raise ValueError(
            f"{text!r}: {field.name} {number} is out of range {field.low}-{field.high}"
        )
    return number


def _render(values: tuple[int, ...], low: int, high: int) -> str:
    """APScheduler's field text: '*' for every value, else an explicit list."""
    if values == tuple(range(low, high + 1)):
        return "*"
    return ",".join(str(v) for v in values)
