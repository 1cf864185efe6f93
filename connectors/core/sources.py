"""Reading a SQL source: its catalog and its rows, by the fastest path the driver allows.

- PostgreSQL through psycopg: ``COPY (query) TO STDOUT (FORMAT csv)`` into DuckDB's CSV reader
  (:class:`CsvFeed`), exact text for every type, no Python object per value.
- ODBC connection strings: ``arrow-odbc`` record batches (Rust, column-wise buffers).
- Any other SQLAlchemy URL (Oracle, SQL Server, MariaDB, SQLite): DB-API ``fetchmany`` on a
  server-side cursor into Arrow batches; exact types are restored by DuckDB's casts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine.interfaces import ReflectedColumn
from sqlglot import exp

from connectors.core.catalog import LandingColumn, landing_column
from connectors.core.feeds import ArrowFeed, CsvFeed, blocks
from connectors.core.spec import TableSpec
from connectors.core.sql import SQLALCHEMY_TO_SQLGLOT, render
from connectors.errors import SourceError

log = logging.getLogger(__name__)

BATCH_ROWS = 50_000
RowsHook = Callable[[int], None]


class SqlSource:
    """A source database reached through a SQLAlchemy URL."""

    def __init__(self, name: str, engine: sa.Engine) -> None:
        self.name = name
        self.engine = engine
        self.dialect = SQLALCHEMY_TO_SQLGLOT.get(engine.dialect.name, engine.dialect.name)

    def check(self) -> None:
        """Fail with a one-line ``SourceError`` if the source cannot be reached or logged into."""
        try:
            with self.engine.connect():
                pass
        except sa.exc.SQLAlchemyError as exc:
            raise SourceError(f"source {self.name}: cannot connect: {_reason(exc)}") from None

    def landing_columns(self, spec: TableSpec, schema: str | None) -> list[LandingColumn]:
        """The table's columns in ordinal order with their exact landing types."""
        return [landing_column(c, spec) for c in self.columns(spec.name, schema)]

    def columns(self, table: str, schema: str | None) -> list[ReflectedColumn]:
        try:
            cols = list(sa.inspect(self.engine).get_columns(table, schema=schema))
        except sa.exc.NoSuchTableError:
            cols = []
        except sa.exc.SQLAlchemyError as exc:
            raise SourceError(
                f"source {self.name}: cannot read the catalog of {table}: {_reason(exc)}"
            ) from None
        if not cols:
            where = f"{schema}.{table}" if schema else table
            raise SourceError(
                f"source {self.name}: table {where} does not exist or is not visible to this login"
            )
        return cols

    def feed(
        self, query: exp.Select, columns: list[LandingColumn], on_rows: RowsHook | None = None
    ) -> ArrowFeed | CsvFeed:
        text = render(query, self.dialect)
        log.debug("source %s: %s", self.name, text)
        if self.engine.dialect.name == "postgresql" and self.engine.dialect.driver == "psycopg":
            return CsvFeed(lambda write: self._copy(text, write, on_rows))
        return ArrowFeed(self._fetch(text, on_rows))

    def _copy(self, text: str, write: Callable[[bytes], None], on_rows: RowsHook | None) -> None:
        from psycopg import sql

        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            statement = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv)").format(sql.SQL(text))
            with cursor.copy(statement) as copy:
                for block in blocks(_counting(iter(copy), on_rows)):
                    write(block)
        except Exception as exc:
            raise SourceError(f"source {self.name}: {_reason(exc)}") from None
        finally:
            raw.close()

    def _fetch(self, text: str, on_rows: RowsHook | None) -> Iterator[pa.RecordBatch]:
        try:
            with self.engine.connect().execution_options(
                stream_results=True, yield_per=BATCH_ROWS
            ) as conn:
                result = conn.exec_driver_sql(text)
                names = list(result.keys())
                while chunk := result.fetchmany(BATCH_ROWS):
                    if on_rows is not None:
                        on_rows(len(chunk))
                    yield to_batch(names, [tuple(r) for r in chunk])
        except sa.exc.SQLAlchemyError as exc:
            raise SourceError(f"source {self.name}: {_reason(exc)}") from None


def _counting(
    chunks: Iterator[Any], on_rows: RowsHook | None, every: int = 10_000
) -> Iterator[Any]:
    n = 0
    for chunk in chunks:
        yield chunk
        n += 1
        if on_rows is not None and n == every:
            on_rows(n)
            n = 0
    if on_rows is not None and n:
        on_rows(n)


def to_batch(names: list[str], rows: list[tuple[Any, ...]]) -> pa.RecordBatch:
    """Rows into an Arrow batch, one inferred array per column (DuckDB casts to exact types)."""
    arrays = []
    for i, values in enumerate(zip(*rows, strict=True) if rows else [() for _ in names]):
        arrays.append(_array(list(values), names[i]))
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _array(values: list[Any], name: str) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # mixed Python types in one column (SQLite's dynamic typing): carry text, cast later
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__
