"""JDE value codecs needed at extraction time (full decoding happens once, in dbt staging).

JDE dates are ``CYYDDD`` numbers: C is centuries after 1900, YY the year, DDD the day of year;
``0`` means no date. ``124001`` is 2024-01-01, ``100060`` is 2000-02-29.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlglot import exp

from connectors.core.sql import col


def julian_to_date(value: int) -> date | None:
    """Decode a JDE Julian date (``0`` is no date); raise ``ValueError`` if it is not a date."""
    if value == 0:
        return None
    if value < 0 or value > 199365 + 1:
        raise ValueError(f"{value} is not a JDE Julian date (CYYDDD)")
    year, day = 1900 + value // 1000, value % 1000
    last = 366 if _leap(year) else 365
    if not 1 <= day <= last:
        raise ValueError(f"{value} is not a JDE Julian date: day {day} of {year}")
    return date(year, 1, 1) + timedelta(days=day - 1)


def date_to_julian(day: date) -> int:
    """Encode a date as JDE ``CYYDDD``."""
    return (day.year - 1900) * 1000 + day.timetuple().tm_yday


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def not_a_julian(column: str) -> exp.Expr:
    """SQL condition: ``column`` is neither 0 nor a valid ``CYYDDD`` date."""
    c = exp.cast(col(column), "BIGINT")  # integer arithmetic whatever the landed type
    year = exp.paren(
        exp.Add(
            this=exp.Literal.number(1900),
            expression=exp.IntDiv(this=c.copy(), expression=exp.Literal.number(1000)),
        )
    )
    day = exp.paren(exp.Mod(this=c.copy(), expression=exp.Literal.number(1000)))
    leap = exp.or_(
        exp.and_(
            exp.EQ(
                this=exp.Mod(this=year.copy(), expression=exp.Literal.number(4)),
                expression=exp.Literal.number(0),
            ),
            exp.NEQ(
                this=exp.Mod(this=year.copy(), expression=exp.Literal.number(100)),
                expression=exp.Literal.number(0),
            ),
        ),
        exp.EQ(
            this=exp.Mod(this=year.copy(), expression=exp.Literal.number(400)),
            expression=exp.Literal.number(0),
        ),
    )
    last = exp.Case(
        ifs=[exp.If(this=leap, true=exp.Literal.number(366))], default=exp.Literal.number(365)
    )
    valid = exp.and_(
        c.copy() >= 1,
        c.copy() <= 199366,
        day >= 1,
        exp.LTE(this=day.copy(), expression=last),
    )
    return exp.and_(
        exp.NEQ(this=c.copy(), expression=exp.Literal.number(0)),
        exp.Not(this=exp.Paren(this=valid)),
    )
