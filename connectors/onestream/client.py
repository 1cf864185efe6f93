"""Reading the application database: its DataRecord years, cube rows and member tables.

The cube query comes from the version's :class:`~connectors.onestream.adapter.DataRecordLayout`;
rows arrive as Arrow batches (SQLAlchemy ``fetchmany`` on a streaming cursor, or arrow-odbc)
and are unpivoted into ``cube_data`` cells. The member tables are read as they are through the
shared :class:`SqlSource` / :class:`OdbcSource` readers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import sqlalchemy as sa
from sqlglot import exp

from connectors.config import OneStreamSource
from connectors.core.catalog import LandingColumn
from connectors.core.client import open_source
from connectors.core.feeds import ArrowFeed, CsvFeed
from connectors.core.odbc import OdbcSource
from connectors.core.sources import BATCH_ROWS, RowsHook, SqlSource, to_batch
from connectors.core.spec import TableSpec
from connectors.core.sql import render, select, table
from connectors.errors import SourceError
from connectors.onestream.adapter import LAYOUTS, raw_columns
from connectors.onestream.tables import CUBE_DATA

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Partition:
    """A piece of the cube replaced whole: one export file or one ``DataRecord<year>`` table."""

    label: str
    year: int
    scenario: str | None = None
    """None when the partition holds every scenario of the year (a DataRecord table)."""
    params: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


class AppDatabase:
    """A OneStream application database reached through SQLAlchemy or ODBC."""

    def __init__(self, name: str, config: OneStreamSource) -> None:
        assert config.connection is not None
        self.name = name
        self.schema = config.schema_
        self.layout = LAYOUTS[config.version]
        self.source: SqlSource | OdbcSource = open_source(name, config.connection)

    @property
    def dialect(self) -> str:
        return self.source.dialect

    def check(self) -> None:
        self.source.check()

    def partitions(self) -> list[Partition]:
        """One partition per ``DataRecord<year>`` table."""
        years = self.layout.years(self._table_names())
        if not years:
            where = f"{self.schema}." if self.schema else ""
            raise SourceError(
                f"{self.name}.{CUBE_DATA}: no {where}{self.layout.table_prefix}<year> "
                "tables are visible to this login"
            )
        return [Partition(self.layout.table_name(y), y, None, {"year": str(y)}) for y in years]

    def _table_names(self) -> list[str]:
        if isinstance(self.source, SqlSource):
            try:
                return list(sa.inspect(self.source.engine).get_table_names(schema=self.schema))
            except sa.exc.SQLAlchemyError as exc:
                raise SourceError(
                    f"{self.name}.{CUBE_DATA}: cannot list tables: {_reason(exc)}"
                ) from None
        import pyodbc

        try:
            conn = pyodbc.connect(self.source.connection_string, autocommit=True, timeout=15)
            try:
                rows = conn.cursor().tables(schema=self.schema, tableType="TABLE").fetchall()
            finally:
                conn.close()
        except pyodbc.Error as exc:
            raise SourceError(
                f"{self.name}.{CUBE_DATA}: cannot list tables: {_reason(exc)}"
            ) from None
        return [str(r.table_name) for r in rows]

    def query(self, year: int) -> exp.Select:
        return self.layout.query(year, self.schema)

    def cube_batches(self, part: Partition, on_rows: RowsHook | None) -> Iterator[pa.RecordBatch]:
        """``cube_data`` cells of one ``DataRecord<year>`` table."""
        where = f"{self.name}.{CUBE_DATA}: {part.label}"
        for raw in self._rows(self.query(part.year), where):
            cells = self.layout.unpivot(raw, part.year, where)
            if cells is not None:
                if on_rows is not None:
                    on_rows(cells.num_rows)
                yield cells

    def _rows(self, query: exp.Select, where: str) -> Iterator[pa.RecordBatch]:
        if isinstance(self.source, OdbcSource):
            columns = [LandingColumn(n, t) for n, t in raw_columns(self.layout)]
            yield from self.source.feed(query, columns, None).batches
            return
        text = render(query, self.dialect)
        log.debug("%s: %s", where, text)
        engine = self.source.engine
        try:
            with engine.connect().execution_options(stream_results=True, yield_per=BATCH_ROWS) as c:
                result = c.exec_driver_sql(text)
                names = list(result.keys())
                while chunk := result.fetchmany(BATCH_ROWS):
                    yield to_batch(names, [tuple(r) for r in chunk])
        except sa.exc.SQLAlchemyError as exc:
            raise SourceError(f"{where}: {_reason(exc)}") from None

    def landing_columns(self, spec: TableSpec) -> list[LandingColumn]:
        """A member table's columns with their exact landing types (from the catalog)."""
        return self.source.landing_columns(spec, self.schema)

    def table_feed(
        self, spec: TableSpec, columns: list[LandingColumn], on_rows: RowsHook | None
    ) -> ArrowFeed | CsvFeed:
        """Every row of a member table, as it is."""
        query = select([c.name for c in columns], table(spec.name, self.schema))
        return self.source.feed(query, columns, on_rows)


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__
