"""OneStream values at extraction time: time members, partition predicates, exact amounts.

Pure functions over Arrow arrays and sqlglot expressions; full decoding (Periodic from YTD,
hierarchies) happens once, in dbt staging. Time members are ``2024M1`` (no zero padding).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from connectors.core.sql import col
from connectors.onestream.tables import AMOUNT_PRECISION, AMOUNT_SCALE

AMOUNT_TYPE = pa.decimal128(AMOUNT_PRECISION, AMOUNT_SCALE)


class InexactAmountError(ValueError):
    """An amount that ``DECIMAL(38,9)`` cannot hold exactly; the message is its ``repr``."""

    def __init__(self, value: object) -> None:
        super().__init__(repr(value))
        self.value = value


def time_member(year: int, month: int) -> str:
    """OneStream's month member: ``time_member(2024, 1) == "2024M1"``."""
    return f"{year}M{month}"


def partition_scope(year: int, scenario: str | None = None) -> exp.Expr:
    """Landed rows of one year (and scenario): ``"time" LIKE '2024%' [AND "scenario" = 'X']``."""
    in_year = exp.Like(this=col("time"), expression=exp.Literal.string(f"{year}%"))
    if scenario is None:
        return in_year
    return exp.And(
        this=exp.EQ(this=col("scenario"), expression=exp.Literal.string(scenario)),
        expression=in_year,
    )


def outside(scopes: list[exp.Expr]) -> exp.Expr:
    """Landed rows in none of ``scopes`` (partitions whose file or table is gone)."""
    if not scopes:
        return exp.Boolean(this=True)
    either = scopes[0]
    for scope in scopes[1:]:
        either = exp.Or(this=either, expression=scope)
    return exp.Not(this=exp.Paren(this=either))


def exact_amounts(values: pa.Array) -> pa.Array:
    """``values`` (decimal, integer, text or float) as ``decimal128(38,9)``, never rounded.

    Floats (SQLite stores ``decimal`` as REAL) go through their shortest round-trip text, so
    ``123.45`` lands as ``123.450000000``; anything with more than 9 decimals or too many digits
    raises :class:`InexactAmountError` naming the first such value.
    """
    if pa.types.is_floating(values.type):
        values = pc.cast(values, pa.string())
    try:
        return pc.cast(values, AMOUNT_TYPE)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise InexactAmountError(_first_inexact(values.to_pylist())) from None


def _first_inexact(values: list[Any]) -> object:
    for v in values:
        if v is None:
            continue
        try:
            d = Decimal(str(v).strip())
        except InvalidOperation:
            return v
        exponent = d.as_tuple().exponent
        if not d.is_finite() or not isinstance(exponent, int) or exponent < -AMOUNT_SCALE:
            return v
        if d.adjusted() >= AMOUNT_PRECISION - AMOUNT_SCALE:
            return v
    return None


def first_index(mask: pa.Array) -> int:
    """Position of the first true value of a boolean array (nulls are not true); -1 if none."""
    hits = pc.indices_nonzero(pc.fill_null(mask, False))
    return int(hits[0].as_py()) if len(hits) else -1
