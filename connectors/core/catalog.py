"""Source column types, read from the source's own catalog, and their exact landing types.

Types are mapped to DuckDB types that hold every source value exactly: ``NUMERIC(p,s)`` stays
``DECIMAL(p,s)``, unconstrained numerics (Oracle ``NUMBER``, PostgreSQL ``numeric``) become
``DECIMAL(38, spec.numeric_scale)`` with a checked cast that fails rather than round, and
floating point stays floating point. Character columns keep their blank padding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import ReflectedColumn

from connectors.core.spec import TableSpec

MAX_PRECISION = 38


@dataclass(frozen=True)
class LandingColumn:
    """A column as landed: its source name, DuckDB type and whether its cast must be checked."""

    name: str
    type: str
    checked_scale: int | None = None
    """For unconstrained source numerics: the scale a value may not exceed (else: error)."""


def landing_column(col: ReflectedColumn, spec: TableSpec) -> LandingColumn:  # noqa: PLR0911
    name, t = col["name"], col["type"]
    if isinstance(t, sa.Boolean):
        return LandingColumn(name, "BOOLEAN")
    if isinstance(t, sa.Numeric) and not isinstance(t, sa.Float):
        return _numeric(name, t, spec)
    if isinstance(t, sa.Float):
        return LandingColumn(name, "FLOAT" if _is_single(t) else "DOUBLE")
    if isinstance(t, sa.Integer):
        return LandingColumn(name, _integer(t))
    if isinstance(t, sa.DateTime):
        return LandingColumn(name, "TIMESTAMPTZ" if t.timezone else "TIMESTAMP")
    if isinstance(t, sa.Date):
        return LandingColumn(name, "DATE")
    if isinstance(t, sa.Time):
        return LandingColumn(name, "TIME")
    if isinstance(t, sa.LargeBinary | sa.types._Binary):
        return LandingColumn(name, "BLOB")
    return LandingColumn(name, "VARCHAR")


def _numeric(name: str, t: sa.Numeric[Any], spec: TableSpec) -> LandingColumn:
    precision, scale = t.precision, t.scale
    if precision is None or precision > MAX_PRECISION:
        s = spec.numeric_scale if scale is None or precision is None else scale
        return LandingColumn(name, f"DECIMAL({MAX_PRECISION},{s})", checked_scale=s)
    return LandingColumn(name, f"DECIMAL({precision},{scale or 0})")


def _integer(t: sa.Integer) -> str:
    visit = t.__visit_name__.upper()
    unsigned = bool(getattr(t, "unsigned", False))
    if "TINYINT" in visit:
        return "UTINYINT" if unsigned or "mssql" in type(t).__module__ else "TINYINT"
    if isinstance(t, sa.SmallInteger):
        return "USMALLINT" if unsigned else "SMALLINT"
    if isinstance(t, sa.BigInteger):
        return "UBIGINT" if unsigned else "BIGINT"
    return "UINTEGER" if unsigned else "INTEGER"


def _is_single(t: sa.Float[Any]) -> bool:
    return t.__visit_name__.upper() == "REAL" or (t.precision is not None and t.precision <= 24)
