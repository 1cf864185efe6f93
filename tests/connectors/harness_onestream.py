"""OneStream in the connector contract suite: export files and the application database.

The landed ``cube_data`` is not a copy of one source table, so it is compared with what the
fixture wrote, read here independently of the connector: every line of every export file, or
every stored month cell of every ``DataRecord<year>`` table with its member names.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from fixtures.onestream import EXPORT_COLUMNS
from tests.connectors.compare import warehouse_query
from tests.connectors.harness import Harness

SOURCE = "onestream"
DIMENSIONS = (
    *("Entity", "Parent", "Cons", "Scenario", "Time", "View", "Account", "Flow", "Origin", "IC"),
    *(f"UD{i}" for i in range(1, 9)),
)
CUBE_COLUMNS = (*(d.lower() for d in DIMENSIONS), "amount", "source_file")
Cell = tuple[Any, ...]


def schema_of(engine: str) -> str | None:
    return "dbo" if engine.endswith("postgresql") else None


def exports_folder(tmp: Path) -> Path:
    return tmp / "fx" / "onestream" / "exports"


def odbc_string(url: str) -> str:
    """An ODBC connection string for a PostgreSQL URL of ``database_factory``."""
    u = sa.make_url(url)
    return (
        f"Driver={{PostgreSQL Unicode}};Server={u.host};Port={u.port or 5432};"
        f"Database={u.database};Uid={u.username};"
    )


def _entry(engine: str, url: str, tmp: Path) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": SOURCE, "kind": "onestream"}
    if engine == "files":
        return {**entry, "exports": str(exports_folder(tmp))}
    if engine.startswith("odbc-"):
        connection = {"odbc": odbc_string(url), "dialect": "postgres"}
        return {**entry, "connection": connection, "schema": schema_of(engine)}
    return {**entry, "connection": {"url": url}, "schema": schema_of(engine)}


def _tables(engine: str) -> list[tuple[str, str | None]]:
    """Tables landed 1:1 (compared by ``compare.assert_same``); ``cube_data`` is compared apart."""
    if engine == "files":
        return []
    return [(t, schema_of(engine)) for t in ("Member", "Relationship", "DimType")]


HARNESS = Harness(SOURCE, ("files", "sqlite", "postgresql", "mariadb"), _entry, _tables)


# -- what the fixture wrote -----------------------------------------------------------------
def export_cells(folder: Path) -> Counter[Cell]:
    """Every line of every export file as a ``cube_data`` row."""
    cells: Counter[Cell] = Counter()
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for line in csv.DictReader(fh):
                dims = tuple(line[EXPORT_COLUMNS[d]] for d in DIMENSIONS)
                cells[(*dims, Decimal(line[EXPORT_COLUMNS["Amount"]]), path.name)] += 1
    return cells


def _decimal(value: Any) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def database_cells(url: str, schema: str | None) -> Counter[Cell]:
    """Every month cell with data (status not 0) of every ``DataRecord<year>`` table."""
    engine = sa.create_engine(url)
    cells: Counter[Cell] = Counter()
    try:
        meta = sa.MetaData()
        names = sa.inspect(engine).get_table_names(schema=schema)
        years = sorted(int(n[10:]) for n in names if re.fullmatch(r"DataRecord\d{4}", n))
        member = sa.Table("Member", meta, autoload_with=engine, schema=schema)
        with engine.connect() as conn:
            name = {r.MemberId: r.Name for r in conn.execute(sa.select(member))}
            for year in years:
                record = sa.Table(f"DataRecord{year}", meta, autoload_with=engine, schema=schema)
                for r in conn.execute(sa.select(record)).mappings():
                    for m in range(1, 13):
                        if r[f"M{m}Status"] == 0:
                            continue
                        ids = {
                            d: name[r[f"{d}Id"]] for d in DIMENSIONS if d not in ("Time", "View")
                        }
                        dims = tuple(
                            {**ids, "Time": f"{year}M{m}", "View": "YTD"}[d] for d in DIMENSIONS
                        )
                        cells[(*dims, _decimal(r[f"M{m}Value"]), f"DataRecord{year}")] += 1
    finally:
        engine.dispose()
    return cells


def landed_cells(warehouse: dict[str, Any]) -> Counter[Cell]:
    """Live (not deleted) rows of the landed ``cube_data``."""
    cols = ", ".join(f'"{c}"' for c in CUBE_COLUMNS)
    query = f'SELECT {cols} FROM "{SOURCE}"."cube_data" WHERE NOT _erpml_deleted'
    return Counter(tuple(r) for r in warehouse_query(warehouse, query))


def assert_cube_same(engine: str, url: str, tmp: Path, warehouse: dict[str, Any]) -> int:
    """The landed cube equals the fixture's cube exactly; returns its number of cells."""
    if engine == "files":
        want = export_cells(exports_folder(tmp))
    else:
        want = database_cells(url, schema_of(engine))
    got = landed_cells(warehouse)
    missing, extra = want - got, got - want
    assert not missing and not extra, (
        f"cube_data: {sum(missing.values())} source cells missing from landing "
        f"(e.g. {next(iter(missing), None)}), {sum(extra.values())} landed cells not in the "
        f"source (e.g. {next(iter(extra), None)})"
    )
    return sum(want.values())
