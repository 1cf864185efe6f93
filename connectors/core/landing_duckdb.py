"""The DuckDB warehouse (the embedded default): one writer connection to the file.

Feeds load straight into the stage: a :class:`CsvFeed` through DuckDB's parallel CSV reader
over named pipes, the whole stream in one statement; Arrow batches by scanning them in place;
both cast to exact types in the same pass.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import duckdb
from sqlglot import exp

from connectors.config import MEMORY
from connectors.core.catalog import LandingColumn
from connectors.core.feeds import ArrowFeed, CsvFeed
from connectors.core.landing import (
    BATCH,
    DELETED,
    EXTRACTED,
    META_NAMES,
    Landing,
    canonical_type,
    checked_cast,
    differs,
    first_line,
    keys_match,
    meta_values,
    stage_table,
)
from connectors.core.spec import TableSpec, Validation
from connectors.core.sql import col, ident, lit
from connectors.errors import ConnectorError, DataError

if TYPE_CHECKING:  # imported by the Arrow branch of load(): the COPY path never needs it
    import pyarrow as pa

ARROW_VIEW = "_erpml_batch"
CSV_BUFFER = 4 << 20
MATCHED, STALE = "_erpml_matched", "_erpml_stale"
"""Temporary tables of a merge: (landed, stage) row ids with equal keys; of them, the stale."""
PULLED = "_erpml_pulled"
"""A temporary view of the rows a pull landed in place."""


class DuckDBLanding(Landing):
    dialect = "duckdb"

    def __init__(self, path: str, memory_limit: str = "1GB") -> None:
        if not re.fullmatch(MEMORY, memory_limit):
            raise ConnectorError(
                f"warehouse memory_limit {memory_limit!r} is not like '1GB' or '50%'"
            )
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
                insert = self._insert(
                    cols, _read_csv(files, types), spec, into, batch, text=set(types)
                )
                return self.count_changed(insert)
        import pyarrow as pa

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

    def _land_in_place(
        self,
        target: exp.Table,
        spec: TableSpec,
        columns: Sequence[LandingColumn],
        keys: list[str],
        feed: ArrowFeed | CsvFeed,
        *,
        batch: int,
        validations: Sequence[Validation],
    ) -> tuple[int, int, int] | None:
        """Load the pull straight into ``target``, then delete the older or the equal copy.

        Rows appended in this transaction take row ids above every row id the table had: the
        pulled rows are those above the highest before the load. Of a landed row and its pulled
        row (same key), the pulled one is deleted when the two are equal (the landed row keeps
        its batch and time), the landed one otherwise. This skips a stage and copying it into
        the table; the rows are checked and validated in place, and a failure rolls them back
        with the rest of the transaction.
        """
        row = self.fetchone(exp.select(exp.Max(this=col("rowid"))).from_(target.copy()))
        last = int(row[0]) if row and row[0] is not None else -1
        rows = self.load(columns, feed, spec, into=target, batch=batch)
        pulled = exp.Table(this=ident(PULLED))
        new_rows = exp.select(exp.Star()).from_(target.copy()).where(col("rowid") > lit(last))
        temp = exp.Properties(expressions=[exp.TemporaryProperty()])
        view = exp.Create(
            this=pulled, kind="VIEW", expression=new_rows, properties=temp, replace=True
        )
        self.execute(view)
        self._check_unique(spec, keys, pulled)
        self._validate(spec, validations, pulled)
        self._compare(target, [c.name for c in columns], keys, landed_until=last)
        dropped = exp.If(this=col("stale"), true=col("landed"), false=col("staged"))
        older = exp.select(dropped).from_(exp.Table(this=ident(STALE)))
        self.execute(
            exp.Delete(this=target.copy(), where=exp.Where(this=col("rowid").isin(query=older)))
        )
        equal = exp.select(exp.Count(this=exp.Star())).from_(exp.Table(this=ident(STALE)))
        row = self.fetchone(equal.where(exp.Not(this=col("stale"))))
        kept = int(row[0]) if row else 0
        for name in (MATCHED, STALE):
            self.execute(_drop(name))
        self.execute(exp.Drop(tables=[pulled], kind="VIEW", exists=True))
        self.after_upsert(target)
        return rows, rows - kept, 0

    def _upsert(
        self, target: exp.Table, columns: Sequence[LandingColumn], keys: list[str], batch: int
    ) -> int:
        """Merge the stage into ``target`` as :meth:`Landing._upsert` does, by row id
        (:meth:`_compare`): the stale landed rows deleted by ``rowid``, the new and changed
        stage rows inserted. Row ids are stable until the commit: this connection is the only
        writer and DuckDB checkpoints only at commit."""
        if not keys:
            return super()._upsert(target, columns, keys, batch)
        names = [c.name for c in columns]
        self._compare(target, names, keys)
        stale_rows = exp.Where(this=_row_in("rowid", STALE, "landed", stale=True))
        self.execute(exp.Delete(this=target.copy(), where=stale_rows))
        new_or_stale = exp.or_(
            exp.Not(this=_row_in(col("rowid", "s"), MATCHED, "staged")),
            _row_in(col("rowid", "s"), STALE, "staged", stale=True),
        )
        select = (
            exp.select(*(col(n, "s") for n in names), *meta_values(batch))
            .from_(stage_table("s"))
            .where(new_or_stale)
        )
        insert = exp.insert(
            select, target, columns=[ident(n) for n in [*names, BATCH, EXTRACTED, DELETED]]
        )
        changed = self.count_changed(insert)
        for name in (MATCHED, STALE):
            self.execute(_drop(name))
        self.after_upsert(target)
        return changed

    def _compare(
        self,
        target: exp.Table,
        names: Sequence[str],
        keys: Sequence[str],
        *,
        landed_until: int | None = None,
    ) -> None:
        """Pair landed rows (``t``) with pulled rows (``s``) by key, into ``MATCHED`` (landed,
        staged row ids), then into ``STALE`` each pair fetched by row id with ``stale``: the
        landed row differs from the pulled one or is flagged deleted.

        A pull of a few rows must not decompress every column of the whole landed table (as a
        join on the keys and all columns would): pairs are found on the key columns alone, then
        fetched by ``rowid``. The pulled rows are the stage's; with ``landed_until``, those of
        ``target`` above that row id (landed in place), paired with the rows up to it.
        """
        pulled: exp.Expr = stage_table("s")
        narrow: list[exp.Expr] = []
        if landed_until is not None:
            pulled = target.copy().as_("s")
            narrow = [col("rowid", "s") > lit(landed_until), col("rowid", "t") <= lit(landed_until)]
        pairs = exp.select(col("rowid", "t").as_("landed"), col("rowid", "s").as_("staged"))
        on = exp.and_(keys_match(keys), *narrow)
        self._temp(MATCHED, pairs.from_(target.copy().as_("t")).join(pulled.copy(), on=on))
        # the matched rows by row id: DuckDB fetches them instead of scanning the table
        pair = exp.Table(this=ident(MATCHED), alias=exp.TableAlias(this=ident("m")))
        compared = (
            exp.select(col("landed", "m"), col("staged", "m"), differs(names, keys).as_("stale"))
            .from_(pair)
            .join(target.copy().as_("t"), on=col("rowid", "t").eq(col("landed", "m")))
            .join(pulled.copy(), on=col("rowid", "s").eq(col("staged", "m")))
        )
        self._temp(STALE, compared)

    def _temp(self, name: str, query: exp.Select) -> None:
        """``CREATE TEMPORARY TABLE name AS query``, replacing a leftover of a failed run."""
        temp = exp.Properties(expressions=[exp.TemporaryProperty()])
        table = exp.Table(this=ident(name))
        self.execute(
            exp.Create(this=table, kind="TABLE", expression=query, properties=temp, replace=True)
        )

    def close(self) -> None:
        self.con.close()


def _row_in(row_id: str | exp.Expr, table: str, column: str, *, stale: bool = False) -> exp.Expr:
    """``row_id IN (SELECT column FROM table [WHERE stale])``."""
    value = exp.column(row_id) if isinstance(row_id, str) else row_id
    query = exp.select(col(column)).from_(exp.Table(this=ident(table)))
    return value.isin(query=query.where(col("stale")) if stale else query)


def _drop(table: str) -> exp.Drop:
    return exp.Drop(tables=[exp.Table(this=ident(table))], kind="TABLE", exists=True)


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
        # with DuckDB's default buffer the parse of a small pull lags the stream (a 53k-row,
        # 40 MB pull ended 0.37 s after the source's last row; with 4 MiB 0.2 s); a 5M-row
        # full load measured no slower
        "buffer_size": exp.Literal.number(CSV_BUFFER),
    }
    args = [
        files,
        *(exp.PropertyEQ(this=exp.var(k), expression=v) for k, v in options.items()),
    ]
    return exp.Anonymous(this="read_csv", expressions=args)
