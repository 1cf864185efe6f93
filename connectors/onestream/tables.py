"""The OneStream tables erpml lands: the cube as ``cube_data`` and, from the database, members.

``cube_data`` has one row per stored cell: one column per dimension under its conformed name,
the amount as an exact decimal and the file (or ``DataRecord`` table) it came from. Its primary
key is the full dimension intersection. It is replaced by whole (scenario, year) partitions.
``Member``, ``Relationship`` and ``DimType`` are landed as they are (full refresh) so dbt can
build the hierarchies.
"""

from __future__ import annotations

from connectors.config import OneStreamSource
from connectors.core.catalog import LandingColumn
from connectors.core.spec import TableSpec

CUBE_DATA = "cube_data"
DIMENSIONS: tuple[str, ...] = OneStreamSource.DIMENSIONS
"""The 18 dimensions as OneStream names them (export headers, ``column_map`` targets)."""
AMOUNT = OneStreamSource.AMOUNT
CONFORMED: dict[str, str] = {d: d.lower() for d in DIMENSIONS}
"""Dimension -> landed column: ``Entity`` -> ``entity``, ``UD1`` -> ``ud1``."""
AMOUNT_COLUMN, SOURCE_COLUMN = "amount", "source_file"
AMOUNT_PRECISION, AMOUNT_SCALE = 38, 9
AMOUNT_TYPE = f"DECIMAL({AMOUNT_PRECISION},{AMOUNT_SCALE})"
"""Amounts land as ``DECIMAL(38,9)``: every ``decimal(28,9)`` cube value fits exactly."""
KEY: tuple[str, ...] = tuple(CONFORMED.values())

CUBE_COLUMNS: tuple[LandingColumn, ...] = (
    *(LandingColumn(c, "VARCHAR") for c in KEY),
    LandingColumn(AMOUNT_COLUMN, AMOUNT_TYPE),
    LandingColumn(SOURCE_COLUMN, "VARCHAR"),
)

CUBE_SPEC = TableSpec(CUBE_DATA, KEY, cursor="partition", watermarks=("time",))
"""The newest landed ``time`` is kept (and tells a first load from a later one)."""

MEMBER_TABLES: tuple[TableSpec, ...] = (
    TableSpec("Member", ("MemberId",)),
    TableSpec("Relationship", ("DimTypeId", "ParentId", "ChildId")),
    TableSpec("DimType", ("DimTypeId",)),
)


def export_tables() -> tuple[TableSpec, ...]:
    """What the export-file path lands."""
    return (CUBE_SPEC,)


def database_tables() -> tuple[TableSpec, ...]:
    """What the application-database path lands."""
    return (CUBE_SPEC, *MEMBER_TABLES)
