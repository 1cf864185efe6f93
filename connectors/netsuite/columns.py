"""The declared NetSuite2 catalog, for SuiteQL over REST, which has no catalog of its own.

``data/netsuite2_columns.csv`` lists each table's columns and the physical type SuiteAnalytics
Connect reports for it (from the NetSuite2 seed files and Fivetran's column list, Apache-2.0,
``data/LICENSE``, as the fixture specs use them). Types map to the landing types the Connect
path gives the same columns, so both paths land identical tables:

==================  ===============
Connect type        landing type
==================  ===============
``integer``         ``INTEGER``
``bigint``          ``BIGINT``
``varchar(n)``      ``VARCHAR``
``decimal(p,s)``    ``DECIMAL(p,s)``
``float``           ``DOUBLE``
``datetime``        ``TIMESTAMP``
==================  ===============
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from connectors.core.catalog import LandingColumn
from connectors.errors import ConfigError

DATA = Path(__file__).resolve().parent / "data" / "netsuite2_columns.csv"
_SIMPLE = {"integer": "INTEGER", "bigint": "BIGINT", "float": "DOUBLE", "datetime": "TIMESTAMP"}


def landing_type(connect_type: str) -> str:
    """The landing type of a Connect column type (``decimal(20,2)`` -> ``DECIMAL(20,2)``)."""
    if connect_type in _SIMPLE:
        return _SIMPLE[connect_type]
    if re.fullmatch(r"varchar\(\d+\)", connect_type):
        return "VARCHAR"
    decimal = re.fullmatch(r"decimal\((\d+),(\d+)\)", connect_type)
    if decimal:
        return f"DECIMAL({decimal[1]},{decimal[2]})"
    raise ValueError(f"unknown NetSuite column type {connect_type!r}")


@cache
def _catalog() -> dict[str, tuple[LandingColumn, ...]]:
    tables: dict[str, list[LandingColumn]] = {}
    with DATA.open(newline="") as f:
        for row in csv.DictReader(f):
            column = LandingColumn(row["column"], landing_type(row["type"]))
            tables.setdefault(row["table"], []).append(column)
    return {name: tuple(cols) for name, cols in tables.items()}


def declared_columns(source: str, table: str) -> list[LandingColumn]:
    """The columns of ``table`` in declared order; ``ConfigError`` for an undeclared table."""
    catalog = _catalog()
    if table not in catalog:
        raise ConfigError(f"source {source}: table {table} has no declared columns in {DATA.name}")
    return list(catalog[table])
