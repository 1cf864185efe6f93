"""Landing: raw, lossless source tables in the warehouse plus batch, time and deleted flag.

Each source gets a schema; each table keeps its source column names and exact types. All of a
table's pulls, its watermarks and its run-log row commit in one transaction, so a crash leaves
the previous state or the new one, never a mix; reruns are idempotent because rows are merged by
primary key. A pulled row equal to its landed row (every column, NULL-safe) is left as it is,
with its batch and time, so a batch holds only the rows that changed. The merge logic here is
written once as sqlglot expressions; the warehouse subclasses (:mod:`landing_duckdb`,
:mod:`landing_postgres`) supply the dialect, the connection and how a feed is loaded into the
stage table.
"""

from __future__ import annotations

import functools
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlglot import exp

from connectors.core.catalog import LandingColumn
from connectors.core.feeds import ArrowFeed, CsvFeed
from connectors.core.spec import Pull, TableSpec, Validation
from connectors.core.sql import col, ident, lit, table
from connectors.errors import DataError, SchemaDriftError

log = logging.getLogger(__name__)

META = "_erpml"
BATCH, EXTRACTED, DELETED = "_erpml_batch_id", "_erpml_extracted_at", "_erpml_deleted"
META_COLUMNS = ((BATCH, "BIGINT"), (EXTRACTED, "TIMESTAMPTZ"), (DELETED, "BOOLEAN"))
STAGE = "_erpml_stage"
Feeds = Sequence[tuple[Pull, Callable[[], ArrowFeed | CsvFeed]]]


@dataclass(frozen=True)
class RunRecord:
    """Who, what and when of one table's extraction, for the run log."""

    batch: int
    run_id: str
    source: str
    table: str
    before: dict[str, Any]
    started: datetime


@dataclass
class TableResult:
    """``rows``: rows the source sent; ``changed``: of them, rows landed new or different."""

    rows: int = 0
    changed: int = 0
    deleted: int = 0
    added_columns: tuple[str, ...] = ()
    watermarks: dict[str, Any] | None = None


class Landing(ABC):
    """A warehouse the connectors land into; one writer at a time."""

    dialect: str

    # -- what each warehouse provides ---------------------------------------------------------
    @abstractmethod
    def execute(self, statement: exp.Expr | str, params: Sequence[Any] = ()) -> None: ...

    @abstractmethod
    def fetchone(
        self, statement: exp.Expr | str, params: Sequence[Any] = ()
    ) -> tuple[Any, ...] | None: ...

    @abstractmethod
    def count_changed(self, statement: exp.Expr) -> int:
        """Run an INSERT, UPDATE or DELETE and return how many rows it touched."""

    @abstractmethod
    def begin(self) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def landed_types(self, source: str, name: str) -> dict[str, str]:
        """Landed columns and their types, normalised as :meth:`normal_type` does."""

    @abstractmethod
    def normal_type(self, landing_type: str) -> str:
        """A landing (DuckDB) type as this warehouse names it in its catalog."""

    @abstractmethod
    def column_type(self, landing_type: str) -> exp.DataType:
        """The DDL type for a landing (DuckDB) type in this warehouse."""

    @abstractmethod
    def load(
        self,
        cols: Sequence[LandingColumn],
        feed: ArrowFeed | CsvFeed,
        spec: TableSpec,
        into: exp.Table,
        batch: int | None = None,
    ) -> int:
        """Load a feed into ``into`` (columns ``cols``, exact types) and return the rows.

        With ``batch``, ``into`` is the landed table itself (a first load) and the three
        ``_erpml_`` columns are filled as well.
        """

    @abstractmethod
    def close(self) -> None: ...

    def is_error(self, exc: BaseException) -> bool:
        """Whether ``exc`` is this warehouse's own database error."""
        return False

    def after_upsert(self, target: exp.Table) -> None:  # noqa: B027 - an optional hook
        """Hook after rows were merged into ``target`` (PostgreSQL refreshes statistics)."""

    # -- metadata ---------------------------------------------------------------------------
    def ensure_meta(self) -> None:
        self.execute(f"CREATE SCHEMA IF NOT EXISTS {META}")
        self.execute(f"CREATE SEQUENCE IF NOT EXISTS {META}.batch_seq")
        self.execute(
            f"CREATE TABLE IF NOT EXISTS {META}.extract_state ("
            "source VARCHAR(128), table_name VARCHAR(128), watermarks TEXT,"
            " last_reconciled_at TIMESTAMPTZ, updated_at TIMESTAMPTZ,"
            " PRIMARY KEY (source, table_name))"
        )
        self.execute(
            f"CREATE TABLE IF NOT EXISTS {META}.extract_runs ("
            "batch_id BIGINT, run_id VARCHAR(32), source VARCHAR(128), table_name VARCHAR(128),"
            " rows BIGINT, deleted BIGINT, watermarks_before TEXT, watermarks_after TEXT,"
            " started_at TIMESTAMPTZ, duration_s DOUBLE PRECISION, status VARCHAR(16), error TEXT,"
            " changed BIGINT)"
        )
        # run logs written before ``changed`` existed
        self.execute(f"ALTER TABLE {META}.extract_runs ADD COLUMN IF NOT EXISTS changed BIGINT")

    def state(self, source: str, name: str) -> tuple[dict[str, Any], datetime | None]:
        row = self.fetchone(
            f"SELECT watermarks, last_reconciled_at FROM {META}.extract_state"
            " WHERE source = ? AND table_name = ?",
            [source, name],
        )
        if row is None:
            return {}, None
        return json.loads(row[0]) if row[0] else {}, row[1]

    def _next_batch(self) -> int:
        row = self.fetchone(f"SELECT nextval('{META}.batch_seq')")
        assert row is not None
        return int(row[0])

    # -- one table, one transaction --------------------------------------------------------
    def land(
        self,
        source: str,
        spec: TableSpec,
        columns: Sequence[LandingColumn],
        pulls: Feeds,
        *,
        run_id: str,
        reconciled: bool = False,
        validations: Sequence[Validation] = (),
    ) -> TableResult:
        """Apply ``pulls`` to ``source.spec.name`` atomically and record the run."""
        started = datetime.now(UTC)
        before, last_reconciled = self.state(source, spec.name)
        record = RunRecord(self._next_batch(), run_id, source, spec.name, before, started)
        result = TableResult()
        target = table(spec.name, source)
        created = False
        try:
            # DDL commits on its own: DuckDB writes the rows of a table created in the same
            # transaction through its log and again at checkpoint; an existing table takes them
            # straight into its file
            self.begin()
            created = not self.landed_types(source, spec.name)
            result.added_columns = self._prepare(source, spec, columns)
            self.commit()
            self.begin()
            for pull, feed in pulls:
                rows, changed, deleted = self._apply(
                    target, spec, columns, pull, feed(), batch=record.batch, validations=validations
                )
                result.rows += rows
                result.changed += changed
                result.deleted += deleted
            result.watermarks = self._watermarks(target, spec)
            reconciled_at = started if reconciled else last_reconciled
            self._save_state(source, spec.name, result.watermarks, reconciled_at, started)
            self._log(record, result, None)
            self.commit()
        except BaseException as exc:
            self.rollback()
            if created:  # leave no trace of a table whose first load failed
                self._drop_quietly(target)
            self._log_failure(record, exc)
            if self.is_error(exc):
                raise DataError(f"{source}.{spec.name}: {first_line(exc)}") from None
            if isinstance(exc, DataError) and not str(exc).startswith(f"{source}."):
                raise DataError(f"{source}.{exc}") from None
            raise
        return result

    def _prepare(
        self, source: str, spec: TableSpec, columns: Sequence[LandingColumn]
    ) -> tuple[str, ...]:
        self.execute(exp.Create(this=exp.Table(this=ident(source)), kind="SCHEMA", exists=True))
        landed = self.landed_types(source, spec.name)
        target = table(spec.name, source)
        if not landed:
            self.execute(
                self._create(target, [*((c.name, c.type) for c in columns), *META_COLUMNS])
            )
            return ()
        want = {c.name: c.type for c in columns}
        dropped = [n for n in landed if n not in want and n not in dict(META_COLUMNS)]
        if dropped:
            raise SchemaDriftError(
                f"{source}.{spec.name}: column {dropped[0]} was dropped at the source; "
                "landed data left untouched (drop or rename the landed column to accept it)"
            )
        for name, typ in want.items():
            if name in landed and landed[name] != self.normal_type(typ):
                raise SchemaDriftError(
                    f"{source}.{spec.name}: column {name} changed type from {landed[name]} to "
                    f"{self.normal_type(typ)} at the source; landed data left untouched"
                )
        added = tuple(n for n in want if n not in landed)
        for name in added:
            column = exp.ColumnDef(this=ident(name), kind=self.column_type(want[name]))
            self.execute(exp.Alter(this=target, kind="TABLE", actions=[column]))
            log.warning("%s.%s: new source column %s added to landing", source, spec.name, name)
        return added

    def _create(
        self, target: exp.Table, defs: Sequence[tuple[str, str]], temp: bool = False
    ) -> exp.Create:
        schema = exp.Schema(
            this=target,
            expressions=[exp.ColumnDef(this=ident(n), kind=self.column_type(t)) for n, t in defs],
        )
        props = exp.Properties(expressions=[exp.TemporaryProperty()]) if temp else None
        return exp.Create(this=schema, kind="TABLE", properties=props)

    def _apply(
        self,
        target: exp.Table,
        spec: TableSpec,
        columns: Sequence[LandingColumn],
        pull: Pull,
        feed: ArrowFeed | CsvFeed,
        *,
        batch: int,
        validations: Sequence[Validation],
    ) -> tuple[int, int, int]:
        """Rows pulled, rows landed new or changed, rows flagged deleted."""
        keys = list(pull.match or spec.primary_key)
        if pull.mode == "upsert" and self._empty(target):
            # first load: straight into the landed table, no stage and no merge
            rows = self.load(columns, feed, spec, into=target, batch=batch)
            self._check_unique(spec, keys, target)
            self._validate(spec, validations, target)
            self.after_upsert(target)
            return rows, rows, 0
        if pull.mode == "upsert" and keys and pull.scope is None:
            landed = self._land_in_place(
                target, spec, columns, keys, feed, batch=batch, validations=validations
            )
            if landed is not None:
                return landed
        stage = exp.Table(this=ident(STAGE))
        stage_cols = [c for c in columns if pull.mode == "upsert" or c.name in keys]
        self.execute(f"DROP TABLE IF EXISTS {STAGE}")
        self.execute(self._create(stage, [(c.name, c.type) for c in stage_cols], temp=True))
        rows = self.load(stage_cols, feed, spec, into=stage)
        if pull.mode == "deleted_keys":
            scope = pull.scope or exp.true()
            return 0, 0, self._mark_deleted(target, keys, scope, batch, tombstones=True)
        self._check_unique(spec, keys, stage)
        changed = 0
        if pull.mode == "upsert":
            self._validate(spec, validations, stage)
            changed = self._upsert(target, columns, keys, batch)
        deleted = 0
        if pull.scope is not None:
            deleted = self._mark_deleted(target, keys, pull.scope, batch, tombstones=False)
        return (rows if pull.mode == "upsert" else 0), changed, deleted

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
        """A keyed upsert of part of a table landed without a stage, where the warehouse can
        (DuckDB); None: merge through the stage."""
        return None

    def _empty(self, target: exp.Table) -> bool:
        return self.fetchone(exp.select("1").from_(target.copy()).limit(1)) is None

    def _check_unique(self, spec: TableSpec, keys: list[str], rows: exp.Table) -> None:
        if not keys:
            return
        query = (
            exp.select(*(col(k) for k in keys), exp.Count(this=exp.Star()).as_("n"))
            .from_(rows.copy())
            .group_by(*(col(k) for k in keys))
            .having(exp.Count(this=exp.Star()) > 1)
            .limit(1)
        )
        dup = self.fetchone(query)
        if dup is not None:
            key = ", ".join(f"{k}={v!r}" for k, v in zip(keys, dup[:-1], strict=True))
            raise DataError(
                f"{spec.name}: duplicate primary key in source rows ({key}, {dup[-1]} rows)"
            )

    def _validate(
        self, spec: TableSpec, validations: Sequence[Validation], rows: exp.Table
    ) -> None:
        for v in validations:
            query = exp.select(col(v.column)).from_(rows.copy()).where(v.bad).limit(1)
            bad = self.fetchone(query)
            if bad is not None:
                raise DataError(f"{spec.name}.{v.column}: {v.message}: {bad[0]!r}")

    def _upsert(
        self, target: exp.Table, columns: Sequence[LandingColumn], keys: list[str], batch: int
    ) -> int:
        """Merge the stage into ``target``; returns the rows landed new or changed.

        With a key, a landed row equal to its pulled row in every column (NULL-safe) and not
        flagged deleted is kept with its batch and time; the others are replaced. Without a
        key, the pull replaces the table.
        """
        names = [c.name for c in columns]
        select = exp.select(
            *(col(n, "s") for n in names),
            lit(batch).as_(BATCH),
            exp.CurrentTimestamp().as_(EXTRACTED),
            exp.false().as_(DELETED),
        ).from_(stage_table("s"))
        if keys:
            stage = stage_table("s")
            match = keys_match(keys)
            stale = exp.Where(this=exp.and_(match, differs(names, keys)))
            self.execute(exp.Delete(this=target.copy().as_("t"), using=[stage], where=stale))
            kept = exp.select("1").from_(target.copy().as_("t")).where(match.copy())
            select = select.where(exp.Not(this=exp.Exists(this=kept)))
        else:
            self.execute(exp.Delete(this=target.copy()))
        insert = exp.insert(
            select, target, columns=[ident(n) for n in [*names, BATCH, EXTRACTED, DELETED]]
        )
        changed = self.count_changed(insert)
        self.after_upsert(target)
        return changed

    def _mark_deleted(
        self,
        target: exp.Table,
        keys: list[str],
        scope: exp.Expr,
        batch: int,
        *,
        tombstones: bool,
    ) -> int:
        stage = stage_table("s")
        in_stage = exp.Exists(
            this=exp.select("1")
            .from_(stage)
            .where(exp.and_(*(col(k, "s").eq(col(k, target.name)) for k in keys)))
        )
        keyed = in_stage if tombstones else exp.Not(this=in_stage)
        update = exp.Update(
            this=target.copy(),
            expressions=[
                exp.EQ(this=col(DELETED), expression=exp.true()),
                exp.EQ(this=col(BATCH), expression=lit(batch)),
                exp.EQ(this=col(EXTRACTED), expression=exp.CurrentTimestamp()),
            ],
            where=exp.Where(this=exp.and_(exp.Not(this=col(DELETED)), scope, keyed)),
        )
        return self.count_changed(update)

    def _watermarks(self, target: exp.Table, spec: TableSpec) -> dict[str, Any]:
        if not spec.watermarks:
            return {}
        row = self.fetchone(
            exp.select(*(exp.Max(this=col(w)).as_(w) for w in spec.watermarks)).from_(target)
        )
        assert row is not None
        return {w: jsonable(v) for w, v in zip(spec.watermarks, row, strict=True)}

    def _save_state(
        self,
        source: str,
        name: str,
        marks: dict[str, Any],
        reconciled_at: datetime | None,
        now: datetime,
    ) -> None:
        self.execute(
            f"DELETE FROM {META}.extract_state WHERE source = ? AND table_name = ?", [source, name]
        )
        self.execute(
            f"INSERT INTO {META}.extract_state VALUES (?, ?, ?, ?, ?)",
            [source, name, json.dumps(marks), reconciled_at, now],
        )

    def _log(self, record: RunRecord, result: TableResult, error: str | None) -> None:
        self.execute(
            f"INSERT INTO {META}.extract_runs (batch_id, run_id, source, table_name, rows,"
            " deleted, watermarks_before, watermarks_after, started_at, duration_s, status,"
            " error, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                record.batch,
                record.run_id,
                record.source,
                record.table,
                result.rows,
                result.deleted,
                json.dumps(record.before),
                json.dumps(result.watermarks or {}),
                record.started,
                (datetime.now(UTC) - record.started).total_seconds(),
                "failed" if error else "ok",
                error,
                result.changed,
            ],
        )

    def _drop_quietly(self, target: exp.Table) -> None:
        try:
            self.begin()
            self.execute(exp.Drop(tables=[target.copy()], kind="TABLE", exists=True))
            self.commit()
        except Exception:
            self.rollback()
            log.exception("could not drop %s after its failed first load", target.sql())

    def _log_failure(self, record: RunRecord, exc: BaseException) -> None:
        try:
            self.begin()
            self._log(record, TableResult(), first_line(exc))
            self.commit()
        except Exception:  # the connection itself is gone; the failure is raised anyway
            log.exception("could not record the failed run of %s.%s", record.source, record.table)


def stage_table(alias: str) -> exp.Table:
    """The stage of the current pull, as ``alias``."""
    return exp.Table(this=ident(STAGE), alias=exp.TableAlias(this=ident(alias)))


def keys_match(keys: Sequence[str]) -> exp.Expr:
    """``t.k = s.k AND ...``: a landed row (``t``) and a stage row (``s``) with the same key."""
    return exp.and_(*(col(k, "t").eq(col(k, "s")) for k in keys))


def differs(names: Sequence[str], keys: Sequence[str]) -> exp.Expr:
    """A landed row (``t``) is flagged deleted or differs from its stage row (``s``), NULL-safe."""
    return exp.or_(
        col(DELETED, "t"),
        *(
            exp.NullSafeNEQ(this=col(n, "t"), expression=col(n, "s"))
            for n in names
            if n not in keys
        ),
    )


def meta_values(batch: int) -> list[exp.Expr]:
    """The ``_erpml_`` column values of rows landed by ``batch``."""
    return [lit(batch).as_(BATCH), exp.CurrentTimestamp().as_(EXTRACTED), exp.false().as_(DELETED)]


META_NAMES = tuple(n for n, _ in META_COLUMNS)


def checked_cast(
    c: LandingColumn, target: exp.DataType, table_name: str, *, text: bool = True
) -> exp.Expr:
    """Cast ``c`` to ``target``; for unconstrained source numerics, fail instead of rounding.

    ``text`` says the incoming value is text (CSV): its decimals are counted in the string;
    numbers (Arrow decimals, floats) are compared with themselves rounded to the landing scale,
    which is far cheaper than formatting them. The check is inline (DuckDB's ``error()``), so
    the load stays one pass.
    """
    value = col(c.name)
    if c.checked_scale is None:
        return exp.Cast(this=value, to=target).as_(ident(c.name))
    if text:
        inexact = too_many_decimals(value, c.checked_scale)
    else:
        rounded = exp.Round(this=value.copy(), decimals=exp.Literal.number(c.checked_scale))
        inexact = exp.NEQ(this=value.copy(), expression=rounded)
    message = exp.DPipe(
        this=exp.Literal.string(f"{table_name}.{c.name}: value "),
        expression=exp.DPipe(
            this=exp.Cast(this=value.copy(), to=exp.DataType.build("VARCHAR")),
            expression=exp.Literal.string(
                f" has more than {c.checked_scale} decimals and cannot land exactly"
            ),
        ),
    )
    checked = exp.Case(
        ifs=[exp.If(this=inexact, true=exp.Anonymous(this="error", expressions=[message]))],
        default=exp.Cast(this=value.copy(), to=target),
    )
    return exp.Cast(this=checked, to=target).as_(ident(c.name))


def too_many_decimals(value: exp.Expr, scale: int) -> exp.Expr:
    """Condition: the text form of ``value`` has more than ``scale`` significant decimals."""
    as_text = exp.Cast(this=value.copy(), to=exp.DataType.build("VARCHAR"))
    dot = exp.Anonymous(this="strpos", expressions=[as_text, exp.Literal.string(".")])
    trimmed = exp.Anonymous(this="rtrim", expressions=[as_text.copy(), exp.Literal.string("0")])
    decimals = exp.Sub(this=exp.Length(this=trimmed), expression=dot.copy())
    return exp.and_(dot > 0, decimals > scale)


_ALIASES = {
    "INT": "INTEGER",
    "TEXT": "VARCHAR",
    "REAL": "FLOAT",
    "DOUBLE PRECISION": "DOUBLE",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ",
    "BOOL": "BOOLEAN",
}


@functools.cache  # a table's columns share a few types, each asked for several times a run
def canonical_type(type_name: str) -> str:
    """One spelling per type (``DECIMAL(12,2)``, ``INTEGER``): landed and wanted compare equal."""
    text = exp.DataType.build(type_name, dialect="duckdb").sql("duckdb").upper().replace(", ", ",")
    return _ALIASES.get(text, text)


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
