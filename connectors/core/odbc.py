"""Reading a source through ODBC (unixODBC and the vendor's driver).

The catalog comes from ``SQLColumns`` (pyodbc); rows come as Arrow batches from ``arrow-odbc``,
which binds column-wise buffers in Rust. The Arrow schema is fixed from the catalog where
drivers misreport (PostgreSQL's driver describes ``float8`` so that it arrives as 32-bit).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from sqlglot import exp

from connectors.core.catalog import MAX_PRECISION, LandingColumn
from connectors.core.feeds import ArrowFeed
from connectors.core.sources import BATCH_ROWS, RowsHook
from connectors.core.spec import TableSpec
from connectors.core.sql import render
from connectors.errors import SourceError

log = logging.getLogger(__name__)

# ODBC SQL type codes (sql.h / sqlext.h)
_TEXT = {1, 12, -1, -8, -9, -10}
_DECIMAL = {2, 3}
_INTS = {-6: "TINYINT", 5: "SMALLINT", 4: "INTEGER", -5: "BIGINT"}
_FLOATS = {7: "FLOAT", 6: "DOUBLE", 8: "DOUBLE"}
_DATES = {9: "DATE", 91: "DATE", 11: "TIMESTAMP", 93: "TIMESTAMP", 10: "TIME", 92: "TIME"}


class OdbcSource:
    """A source reached through an ODBC connection string."""

    def __init__(self, name: str, connection_string: str, dialect: str) -> None:
        self.name = name
        self.connection_string = connection_string
        self.dialect = dialect

    def _connect(self) -> Any:
        import pyodbc

        try:
            return pyodbc.connect(self.connection_string, autocommit=True, timeout=15)
        except pyodbc.Error as exc:
            raise SourceError(
                f"source {self.name}: cannot connect through ODBC: {_reason(exc)}"
            ) from None

    def check(self) -> None:
        self._connect().close()

    def landing_columns(self, spec: TableSpec, schema: str | None) -> list[LandingColumn]:
        conn = self._connect()
        try:
            rows = conn.cursor().columns(table=spec.name, schema=schema).fetchall()
        finally:
            conn.close()
        if not rows:
            where = f"{schema}.{spec.name}" if schema else spec.name
            raise SourceError(
                f"source {self.name}: table {where} does not exist or is not visible to this login"
            )
        rows.sort(key=lambda r: r.ordinal_position)
        return [_landing(r, spec) for r in rows]

    def feed(
        self, query: exp.Select, columns: list[LandingColumn], on_rows: RowsHook | None
    ) -> ArrowFeed:
        return ArrowFeed(self._batches(render(query, self.dialect), columns, on_rows))

    def _batches(
        self, text: str, columns: list[LandingColumn], on_rows: RowsHook | None
    ) -> Iterator[pa.RecordBatch]:
        from arrow_odbc import Error as OdbcError
        from arrow_odbc import read_arrow_batches_from_odbc

        log.debug("source %s (odbc): %s", self.name, text)
        try:
            reader = read_arrow_batches_from_odbc(
                query=text,
                connection_string=self.connection_string,
                batch_size=BATCH_ROWS,
                max_text_size=4000,
                max_binary_size=4000,
                max_bytes_per_batch=16 * 2**20,
                schema=_schema_fix(columns, text, self),
            )
            for batch in reader:
                if on_rows is not None:
                    on_rows(batch.num_rows)
                yield batch
        except OdbcError as exc:
            raise SourceError(f"source {self.name}: {_reason(exc)}") from None


def _schema_fix(columns: list[LandingColumn], text: str, source: OdbcSource) -> pa.Schema | None:
    """An Arrow schema for the result when every selected column is a known landing column."""
    types = {
        "DOUBLE": pa.float64(),
        "FLOAT": pa.float32(),
        "BIGINT": pa.int64(),
        "INTEGER": pa.int32(),
        "SMALLINT": pa.int16(),
        "TINYINT": pa.int8(),
        "UTINYINT": pa.uint8(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us"),
        "VARCHAR": pa.string(),
        "BOOLEAN": pa.bool_(),
    }
    fields = []
    for c in columns:
        if c.type.startswith("DECIMAL") and c.checked_scale is None:
            p, s = c.type[8:-1].split(",")
            fields.append(pa.field(c.name, pa.decimal128(int(p), int(s))))
        elif c.checked_scale is not None:
            fields.append(pa.field(c.name, pa.string()))  # exact text, checked cast in DuckDB
        elif c.type in types:
            fields.append(pa.field(c.name, types[c.type]))
        else:
            return None
    return pa.schema(fields)


def _landing(row: Any, spec: TableSpec) -> LandingColumn:
    """A ``SQLColumns`` row as a landing column with its exact type."""
    name, code, size = row.column_name, row.data_type, row.column_size
    if code in _DECIMAL:
        if not size or size > MAX_PRECISION:
            scale = spec.numeric_scale
            return LandingColumn(name, f"DECIMAL({MAX_PRECISION},{scale})", checked_scale=scale)
        return LandingColumn(name, f"DECIMAL({size},{row.decimal_digits or 0})")
    if code in _INTS:
        type_name = str(row.type_name).lower()
        unsigned = "unsigned" in type_name or (code == -6 and type_name == "tinyint")
        return LandingColumn(name, ("U" if unsigned else "") + _INTS[code])
    simple = {**dict.fromkeys(_TEXT, "VARCHAR"), **_FLOATS, **_DATES, -7: "BOOLEAN"}
    return LandingColumn(name, simple.get(code, "VARCHAR"))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
