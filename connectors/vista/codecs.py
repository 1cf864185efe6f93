"""Vista value helpers needed at extraction time: batch months (``Mth``, first of month)."""

from __future__ import annotations

from datetime import date, datetime


def month_start(value: object) -> date:
    """The first day of the month of a landed ``Mth``/date watermark (ISO text or date)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if not isinstance(value, date):
        raise ValueError(f"{value!r} is not a month")
    return value.replace(day=1)


def months_back(month: date, n: int) -> date:
    """``month`` moved back ``n`` months (first of month)."""
    y, m = divmod(month.year * 12 + month.month - 1 - n, 12)
    return date(y, m + 1, 1)
