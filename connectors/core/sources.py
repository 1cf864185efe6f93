"""Reading a SQL source: its catalog and its rows, by the fastest path the driver allows.

- PostgreSQL through psycopg: ``COPY (query) TO STDOUT (FORMAT csv)`` into DuckDB's CSV reader
  (:class:`CsvFeed`), exact text for every type, no Python object per value.
- ODBC connection strings: ``arrow-odbc`` record batches (Rust, column-wise buffers).
- Any other SQLAlchemy URL (Oracle, SQL Server, MariaDB, SQLite): DB-API ``fetchmany`` on a
  server-side cursor into Arrow batches; exact types are restored by DuckDB's casts.
"""

from __future__ import annotations

import logging
import select
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import ReflectedColumn
from sqlglot import exp

from connectors.core.catalog import LandingColumn, landing_column
from connectors.core.feeds import ArrowFeed, CsvFeed
from connectors.core.spec import TableSpec
from connectors.core.sql import SQLALCHEMY_TO_SQLGLOT, render
from connectors.errors import SourceError

if TYPE_CHECKING:  # imported where batches are built: the COPY path never needs it
    import pyarrow as pa

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
            return CsvFeed(lambda: self._copy(text, on_rows))
        return ArrowFeed(self._fetch(text, on_rows))

    def _copy(self, text: str, on_rows: RowsHook | None) -> Iterator[bytes | memoryview]:
        """The rows of ``COPY (text) TO STDOUT (FORMAT csv)``, one CSV record per item."""
        raw = self.engine.raw_connection()
        finished = False
        try:
            conn = raw.driver_connection  # psycopg's connection
            assert conn is not None
            statement = f"COPY ({text}) TO STDOUT (FORMAT csv)".encode(conn.info.encoding)
            yield from copy_out(conn.pgconn, statement, on_rows)
            finished = True
        except Exception as exc:
            raise SourceError(f"source {self.name}: {_reason(exc)}") from None
        finally:
            if not finished:  # stopped mid-COPY: the session is mid-protocol, do not reuse it
                raw.invalidate()
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


def copy_out(
    pgconn: Any, statement: bytes, on_rows: RowsHook | None, every: int = 10_000
) -> Iterator[memoryview]:
    """Run ``COPY ... TO STDOUT`` on psycopg's libpq connection and yield one message per row.

    The rows are read with ``PQgetCopyData`` straight from psycopg's documented ``pgconn``:
    psycopg's own ``Copy.read()`` spends about a microsecond of Python per row in its waiting
    machinery, as much CPU as the rest of the client's share of the copy. Waits for the server
    happen in ``select`` (GIL released). Errors are psycopg's own exception classes.
    """
    from psycopg import errors, pq

    pgconn.send_query(statement)
    result = _next_result(pgconn)
    if result is None or result.status != pq.ExecStatus.COPY_OUT:
        raise _error(pgconn, result)
    get = pgconn.get_copy_data
    n = 0
    while True:
        nbytes, data = get(1)
        if nbytes > 0:
            yield data
            n += 1
            if n == every and on_rows is not None:
                on_rows(n)
                n = 0
        elif nbytes == 0:  # nothing buffered: wait for the server
            _wait_readable(pgconn)
        else:
            break
    if n and on_rows is not None:
        on_rows(n)
    if nbytes == -2:
        raise errors.OperationalError(pgconn.get_error_message())
    result = _next_result(pgconn)
    if result is None or result.status != pq.ExecStatus.COMMAND_OK:
        raise _error(pgconn, result)
    while _next_result(pgconn) is not None:
        pass


def _next_result(pgconn: Any) -> Any:
    while pgconn.is_busy():
        _wait_readable(pgconn)
    return pgconn.get_result()


def _wait_readable(pgconn: Any) -> None:
    select.select([pgconn.socket], [], [], 1.0)
    pgconn.consume_input()


def _error(pgconn: Any, result: Any) -> Exception:
    from psycopg import errors

    if result is None:
        return errors.OperationalError(pgconn.get_error_message())
    return errors.error_from_result(result)


def to_batch(names: list[str], rows: list[tuple[Any, ...]]) -> pa.RecordBatch:
    """Rows into an Arrow batch, one inferred array per column (DuckDB casts to exact types)."""
    import pyarrow as pa

    arrays = []
    for i, values in enumerate(zip(*rows, strict=True) if rows else [() for _ in names]):
        arrays.append(_array(list(values), names[i]))
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _array(values: list[Any], name: str) -> pa.Array:
    import pyarrow as pa

    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # mixed Python types in one column (SQLite's dynamic typing): carry text, cast later
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__
