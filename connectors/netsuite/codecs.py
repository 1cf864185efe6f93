"""NetSuite value codecs needed at extraction time (decoding of 'T'/'F' etc. happens in dbt).

SuiteQL over REST returns every value as JSON text and leaves null fields out of an item. Dates
come back as ``M/D/YYYY`` (no time) unless the query wraps them in ``TO_CHAR(x, 'YYYY-MM-DD
HH24:MI:SS')``, which erpml always does; numbers come in Oracle's text form (``.5``, ``-12.25``).
:func:`to_batch` turns a page of items into an Arrow batch of the exact landing types, so
amounts stay decimals and a value that would not land exactly is an error, not a rounding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from connectors.core.catalog import LandingColumn
from connectors.errors import DataError

STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
"""Python form of the ``TO_CHAR`` format ``'YYYY-MM-DD HH24:MI:SS'`` (sqlglot maps it)."""

_ARROW: dict[str, pa.DataType] = {
    "INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
    "TIMESTAMP": pa.timestamp("us"), "VARCHAR": pa.string(), "BOOLEAN": pa.bool_(),
}  # fmt: skip


def parse_watermark(value: object) -> datetime:
    """A landed timestamp watermark (ISO text in the state JSON), to whole seconds."""
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return stamp.replace(microsecond=0, tzinfo=None)


def stamp_text(stamp: datetime) -> str:
    """``2026-06-30 16:19:00``: the literal form of a timestamp in extraction SQL."""
    return stamp.strftime(STAMP_FORMAT)


def arrow_type(landing_type: str) -> pa.DataType:
    decimal = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", landing_type)
    if decimal:
        return pa.decimal128(int(decimal[1]), int(decimal[2]))
    return _ARROW.get(landing_type, pa.string())


def decoder(landing_type: str) -> Callable[[Any], Any]:
    """The function turning one REST value into the Python value of ``landing_type``."""
    if landing_type in ("INTEGER", "BIGINT"):
        return _integer
    if landing_type == "DOUBLE":
        return lambda v: float(str(v))
    if landing_type == "TIMESTAMP":
        return _stamp
    if landing_type.startswith("DECIMAL"):
        scale = int(landing_type.rstrip(")").split(",")[1])
        return lambda v: _decimal(v, scale)
    return str


def _integer(value: Any) -> int:
    number = Decimal(str(value))
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    return int(number)


def _decimal(value: Any, scale: int) -> Decimal:
    number = Decimal(str(value))
    exponent = number.as_tuple().exponent
    if not number.is_finite() or (isinstance(exponent, int) and -exponent > scale):
        raise ValueError(f"more than {scale} decimals")
    return number


def _stamp(value: Any) -> datetime:
    return datetime.strptime(str(value), STAMP_FORMAT)


def to_batch(
    items: Sequence[Mapping[str, Any]], columns: Sequence[LandingColumn], where: str
) -> pa.RecordBatch:
    """Items of a SuiteQL page as a batch with one exactly typed array per landing column.

    Item keys are the lower-cased column names; a missing key is NULL. ``where`` (``source
    ns: table transaction``) starts any error message.
    """
    arrays = []
    for column in columns:
        decode = decoder(column.type)
        key = column.name.lower()
        values = []
        for item in items:
            raw = item.get(key)
            try:
                values.append(None if raw is None else decode(raw))
            except (ValueError, InvalidOperation) as exc:
                raise DataError(
                    f"{where}: column {column.name}: value {raw!r} cannot land as {column.type} "
                    f"({exc})"
                ) from None
        try:
            arrays.append(pa.array(values, type=arrow_type(column.type)))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise DataError(f"{where}: column {column.name}: {str(exc).splitlines()[0]}") from None
    return pa.RecordBatch.from_arrays(arrays, names=[c.name for c in columns])
