"""Compare a source table with its landed copy, row for row, value for value."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb
import sqlalchemy as sa


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.rstrip(" ")  # MariaDB strips CHAR padding on read; compare the text
    return value


def source_rows(
    url: str, table: str, schema: str | None
) -> tuple[list[str], Counter[tuple[Any, ...]]]:
    engine = sa.create_engine(url)
    try:
        t = sa.Table(table, sa.MetaData(), autoload_with=engine, schema=schema)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(t)).all()
        names = [c.name for c in t.columns]
    finally:
        engine.dispose()
    return names, Counter(tuple(_norm(v) for v in r) for r in rows)


def warehouse_query(warehouse: dict[str, Any], query: str) -> list[tuple[Any, ...]]:
    """Rows of ``query`` from the test's warehouse (a DuckDB file or a PostgreSQL database)."""
    if warehouse.get("kind") == "postgres":
        engine = sa.create_engine(warehouse["url"])
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.exec_driver_sql(query).all()]
        finally:
            engine.dispose()
    con = duckdb.connect(str(warehouse["path"]), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def landed_rows(
    warehouse: dict[str, Any], source: str, table: str, names: list[str]
) -> Counter[tuple[Any, ...]]:
    cols = ", ".join(f'"{n}"' for n in names)
    rows = warehouse_query(
        warehouse, f'SELECT {cols} FROM "{source}"."{table}" WHERE NOT _erpml_deleted'
    )
    return Counter(tuple(_norm(v) for v in r) for r in rows)


def assert_same(
    url: str, schema: str | None, warehouse: dict[str, Any], source: str, table: str
) -> int:
    """Landed live rows equal the source rows exactly; returns the row count."""
    names, want = source_rows(url, table, schema)
    got = landed_rows(warehouse, source, table, names)
    missing, extra = want - got, got - want
    assert not missing and not extra, (
        f"{source}.{table}: {sum(missing.values())} source rows missing from landing "
        f"(e.g. {next(iter(missing), None)}), {sum(extra.values())} landed rows not in source "
        f"(e.g. {next(iter(extra), None)})"
    )
    return sum(want.values())
