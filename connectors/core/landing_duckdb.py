"""The DuckDB warehouse (the embedded default): one writer connection to the file.

Feeds load straight into the stage: a :class:`CsvFeed` through DuckDB's parallel CSV reader
over named pipes, the whole stream in one statement; Arrow batches by scanning them in place;
both cast to exact types in the same pass.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from connectors.core.catalog import LandingColumn
from connectors.core.feeds import ArrowFeed, CsvFeed
from connectors.core.landing import (
    META_NAMES,
    Landing,
    canonical_type,
    checked_cast,
    first_line,
    meta_values,
)
from connectors.core.spec import TableSpec
from connectors.core.sql import ident
from connectors.errors import ConnectorError, DataError

ARROW_VIEW = "_erpml_batch"


class DuckDBLanding(Landing):
    dialect = "duckdb"

    def __init__(self, path: str, memory_limit: str = "1GB") -> None:
        if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit):
            raise ConnectorError(f"warehouse memory_limit {memory_limit!r} is not like '1GB'")
        try:
            self.con = duckdb.connect(path)
        except duckdb.Error as exc:
            raise ConnectorError(
                f"warehouse {path} is locked by another process or unreadable: {first_line(exc)}"
            ) from None
        self.path = path
        self.con.execute(f"SET memory_limit = '{memory_limit}'")  # validated above
        self.con.execute("SET preserve_insertion_order = false")
        self.ensure_meta()

    def _sql(self, statement: exp.Expr | str) -> str:
        return statement if isinstance(statement, str) else statement.sql(dialect="duckdb")

    def execute(self, statement: exp.Expr | str, params: Sequence[Any] = ()) -> None:
        self.con.execute(self._sql(statement), list(params) or None)

    def fetchone(
        self, statement: exp.Expr | str, params: Sequence[Any] = ()
    ) -> tuple[Any, ...] | None:
        return self.con.execute(self._sql(statement), list(params) or None).fetchone()

    def count_changed(self, statement: exp.Expr) -> int:
        row = self.fetchone(statement)
        return int(row[0]) if row else 0

    def begin(self) -> None:
        self.con.execute("BEGIN TRANSACTION")

    def commit(self) -> None:
        self.con.execute("COMMIT")

    def rollback(self) -> None:
        self.con.execute("ROLLBACK")

    def is_error(self, exc: BaseException) -> bool:
        return isinstance(exc, duckdb.Error)

    def landed_types(self, source: str, name: str) -> dict[str, str]:
        rows = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [source, name],
        ).fetchall()
        return {r[0]: self.normal_type(r[1]) for r in rows}

    def normal_type(self, landing_type: str) -> str:
        return canonical_type(landing_type)

    def column_type(self, landing_type: str) -> exp.DataType:
        return exp.DataType.build(landing_type, dialect="duckdb")

    def load(
        self,
        cols: Sequence[LandingColumn],
        feed: ArrowFeed | CsvFeed,
        spec: TableSpec,
        into: exp.Table,
        batch: int | None = None,
    ) -> int:
        total = 0
        if isinstance(feed, CsvFeed):
            types = {c.name: ("VARCHAR" if c.checked_scale is not None else c.type) for c in cols}
            # one statement over the whole stream: its threads each fill and compress whole row
            # groups; one INSERT per chunk would leave part-filled row groups that the
            # checkpoint at close merges by compressing the table again
            with feed.pipes() as paths:
                files = exp.Array(expressions=[exp.Literal.string(p) for p in paths])
                self.execute(
                    self._insert(cols, _read_csv(files, types), spec, into, batch, text=set(types))
                )
            row = self.fetchone(exp.select(exp.Count(this=exp.Star())).from_(into.copy()))
            return int(row[0]) if row else 0
        names = [c.name for c in cols]
        # one statement per run of batches with one schema (a single run for ODBC, whose
        # schema is fixed), streamed: a statement per batch would leave part-filled row groups
        # that the checkpoint at close merges by compressing the table again
        for schema, run in itertools.groupby(feed.batches, key=lambda b: b.schema):
            missing = sorted(set(names) - set(schema.names))
            if missing:
                raise DataError(f"{spec.name}: source rows lack columns {missing}")
            rows = _Counted(run)
            # DuckDB scans the local variable named in the SQL (a replacement scan); a
            # registered view would keep every batch alive until the transaction commits
            _erpml_batch = pa.RecordBatchReader.from_batches(schema, iter(rows))
            source = exp.Table(this=ident(ARROW_VIEW))
            text = {f.name for f in schema if pa.types.is_string(f.type)}
            try:
                self.con.execute(
                    self._sql(self._insert(cols, source, spec, into, batch, text=text))
                )
            except duckdb.Error:
                if rows.error is not None:  # the source failed while DuckDB read it
                    raise rows.error from None
                raise
            total += rows.count
        return total

    def _insert(
        self,
        cols: Sequence[LandingColumn],
        source: exp.Expr,
        spec: TableSpec,
        into: exp.Table,
        batch: int | None,
        *,
        text: set[str],
    ) -> exp.Insert:
        values = [
            checked_cast(c, self.column_type(c.type), spec.name, text=c.name in text) for c in cols
        ]
        names = [c.name for c in cols]
        if batch is not None:
            values += meta_values(batch)
            names += META_NAMES
        select = exp.select(*values).from_(source)
        return exp.insert(select, into.copy(), columns=[ident(n) for n in names])

    def close(self) -> None:
        self.con.close()


class _Counted:
    """Batches passed through, counted; an error of the source is kept for the caller."""

    def __init__(self, batches: Iterator[pa.RecordBatch]) -> None:
        self.batches = batches
        self.count = 0
        self.error: BaseException | None = None

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        try:
            for batch in self.batches:
                self.count += batch.num_rows
                yield batch
        except BaseException as exc:
            self.error = exc
            raise


def _read_csv(files: exp.Expr, types: dict[str, str]) -> exp.Expr:
    """``read_csv(files, columns = {...}, ...)`` for a headerless PostgreSQL CSV COPY stream."""
    struct = exp.Struct(
        expressions=[
            exp.PropertyEQ(this=exp.Literal.string(n), expression=exp.Literal.string(t))
            for n, t in types.items()
        ]
    )
    options: dict[str, exp.Expr] = {
        "columns": struct,
        "header": exp.false(),
        "auto_detect": exp.false(),
        "delim": exp.Literal.string(","),
        "quote": exp.Literal.string('"'),
        "escape": exp.Literal.string('"'),
        "nullstr": exp.Literal.string(""),
        "allow_quoted_nulls": exp.false(),
        "strict_mode": exp.true(),
    }
    args = [
        files,
        *(exp.PropertyEQ(this=exp.var(k), expression=v) for k, v in options.items()),
    ]
    return exp.Anonymous(this="read_csv", expressions=args)
