"""The DuckDB landing: raw, lossless source tables plus batch, time and deleted-flag columns.

Each source gets a schema; each table keeps its source column names and exact types. A table's
extraction (all its pulls, its watermarks and its run-log row) commits in one transaction, so a
crash leaves the previous state or the new one, never a mix; reruns are idempotent because rows
are merged by primary key.
"""

from __future__ import annotations

import json
import re
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import duckdb
from sqlglot import exp

from connectors.core.catalog import LandingColumn
from connectors.core.feeds import ArrowFeed, CsvFeed
from connectors.core.spec import Pull, TableSpec, Validation
from connectors.core.sql import col, ident, lit, table
from connectors.errors import ConnectorError, DataError, SchemaDriftError

log = logging.getLogger(__name__)

META = "_erpml"
BATCH, EXTRACTED, DELETED = "_erpml_batch_id", "_erpml_extracted_at", "_erpml_deleted"
META_COLUMNS = ((BATCH, "BIGINT"), (EXTRACTED, "TIMESTAMPTZ"), (DELETED, "BOOLEAN"))
STAGE = "_erpml_stage"


def sql(expression: exp.Expression) -> str:
    return expression.sql(dialect="duckdb")


@dataclass
class TableResult:
    rows: int = 0
    deleted: int = 0
    added_columns: tuple[str, ...] = ()
    watermarks: dict[str, Any] | None = None


class DuckDBLanding:
    """One writer connection to the warehouse file (DuckDB allows one writing process)."""

    def __init__(self, path: str, memory_limit: str = "1GB") -> None:
        try:
            self.con = duckdb.connect(path)
        except duckdb.IOException as exc:
            raise ConnectorError(f"warehouse {path} is locked or unreadable: {_first(exc)}") from None
        self.path = path
        if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit):
            raise ConnectorError(f"warehouse memory_limit {memory_limit!r} is not like '1GB'")
        self.con.execute(f"SET memory_limit = '{memory_limit}'")  # validated above
        self.con.execute("SET preserve_insertion_order = false")
        self._ensure_meta()

    def _ensure_meta(self) -> None:
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {META}")
        self.con.execute(f"CREATE SEQUENCE IF NOT EXISTS {META}.batch_seq")
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {META}.extract_state ("
            "source VARCHAR, table_name VARCHAR, watermarks JSON, last_reconciled_at TIMESTAMPTZ,"
            " updated_at TIMESTAMPTZ, PRIMARY KEY (source, table_name))"
        )
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {META}.extract_runs ("
            "batch_id BIGINT, run_id VARCHAR, source VARCHAR, table_name VARCHAR, rows BIGINT,"
            " deleted BIGINT, watermarks_before JSON, watermarks_after JSON, started_at TIMESTAMPTZ,"
            " duration_s DOUBLE, status VARCHAR, error VARCHAR)"
        )

    # -- state ------------------------------------------------------------------------------
    def state(self, source: str, name: str) -> tuple[dict[str, Any], datetime | None]:
        row = self.con.execute(
            f"SELECT watermarks, last_reconciled_at FROM {META}.extract_state"
            " WHERE source = ? AND table_name = ?",
            [source, name],
        ).fetchone()
        if row is None:
            return {}, None
        return json.loads(row[0]) if row[0] else {}, row[1]

    def landed_columns(self, source: str, name: str) -> dict[str, str]:
        rows = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [source, name],
        ).fetchall()
        return {r[0]: r[1] for r in rows}

    # -- one table, one transaction --------------------------------------------------------
    def land(
        self,
        source: str,
        spec: TableSpec,
        columns: Sequence[LandingColumn],
        pulls: Sequence[tuple[Pull, Callable[[], ArrowFeed | CsvFeed]]],
        *,
        run_id: str,
        reconciled: bool = False,
        validations: Sequence[Validation] = (),
    ) -> TableResult:
        """Apply ``pulls`` to ``source.spec.name`` atomically and record the run."""
        started = datetime.now(UTC)
        before, _ = self.state(source, spec.name)
        batch = self.con.execute(f"SELECT nextval('{META}.batch_seq')").fetchone()[0]  # type: ignore[index]
        result = TableResult()
        self.con.execute("BEGIN TRANSACTION")
        try:
            result.added_columns = self._prepare(source, spec, columns)
            target = table(spec.name, source)
            for pull, feed in pulls:
                rows, deleted = self._apply(target, spec, columns, pull, feed, batch, validations)
                result.rows += rows
                result.deleted += deleted
            result.watermarks = self._watermarks(target, spec)
            self._save_state(source, spec.name, result.watermarks, reconciled, started)
            self._log(batch, run_id, source, spec.name, result, before, started, "ok", None)
            self.con.execute("COMMIT")
        except BaseException as exc:
            self.con.execute("ROLLBACK")
            self._log_failure(batch, run_id, source, spec.name, before, started, exc)
            raise
        return result

    def _prepare(self, source: str, spec: TableSpec, columns: Sequence[LandingColumn]) -> tuple[str, ...]:
        self.con.execute(sql(exp.Create(this=exp.Table(this=ident(source)), kind="SCHEMA", exists=True)))
        landed = self.landed_columns(source, spec.name)
        target = table(spec.name, source)
        if not landed:
            defs = [*((c.name, c.type) for c in columns), *META_COLUMNS]
            self.con.execute(sql(_create_table(target, defs)))
            return ()
        want = {c.name: c.type for c in columns}
        dropped = [n for n in landed if n not in want and n not in dict(META_COLUMNS)]
        if dropped:
            raise SchemaDriftError(
                f"{source}.{spec.name}: column {dropped[0]} was dropped at the source; "
                "landed data left untouched (drop or rename the landed column to accept it)"
            )
        for name, typ in want.items():
            if name in landed and _normal(landed[name]) != _normal(typ):
                raise SchemaDriftError(
                    f"{source}.{spec.name}: column {name} changed type from {landed[name]} to "
                    f"{typ} at the source; landed data left untouched"
                )
        added = tuple(n for n in want if n not in landed)
        for name in added:
            self.con.execute(
                sql(exp.Alter(this=target, kind="TABLE", actions=[
                    exp.ColumnDef(this=ident(name), kind=exp.DataType.build(want[name], dialect="duckdb"))
                ]))
            )
            log.warning("%s.%s: new source column %s added to landing", source, spec.name, name)
        return added

    def _apply(
        self,
        target: exp.Table,
        spec: TableSpec,
        columns: Sequence[LandingColumn],
        pull: Pull,
        feed: Callable[[], ArrowFeed | CsvFeed],
        batch: int,
        validations: Sequence[Validation],
    ) -> tuple[int, int]:
        key_cols = list(spec.primary_key)
        stage_cols = [c for c in columns if c.name in key_cols] if pull.mode != "upsert" else list(columns)
        self.con.execute(f"DROP TABLE IF EXISTS {STAGE}")
        self.con.execute(sql(_create_table(exp.Table(this=ident(STAGE)), [(c.name, c.type) for c in stage_cols], temp=True)))
        rows = self._load(stage_cols, feed(), spec)
        if pull.mode == "deleted_keys":
            return 0, self._mark_deleted(target, key_cols, pull.scope or exp.true(), batch, tombstones=True)
        self._check_unique(spec, key_cols)
        if pull.mode == "upsert":
            self._validate(spec, validations)
            self._upsert(target, columns, key_cols, batch)
        deleted = 0
        if pull.scope is not None:
            deleted = self._mark_deleted(target, key_cols, pull.scope, batch, tombstones=False)
        return (rows if pull.mode == "upsert" else 0), deleted

    def _load(self, cols: Sequence[LandingColumn], feed: ArrowFeed | CsvFeed, spec: TableSpec) -> int:
        names = [c.name for c in cols]
        if isinstance(feed, CsvFeed):
            with feed:
                types = {c.name: ("VARCHAR" if c.checked_scale is not None else c.type) for c in cols}
                source = _read_csv(feed.path, types)
                self.con.execute(sql(_insert_cast(STAGE, cols, source, spec.name)))
                feed.check()
            return _count(self.con, STAGE)
        total = 0
        for batch in feed.batches:
            self.con.register("_erpml_batch", batch)
            present = [n for n in names if n in batch.schema.names]
            missing = set(names) - set(present)
            if missing:
                raise DataError(f"{spec.name}: source rows lack columns {sorted(missing)}")
            self.con.execute(sql(_insert_cast(STAGE, cols, exp.Table(this=ident("_erpml_batch")), spec.name)))
            self.con.unregister("_erpml_batch")
            total += batch.num_rows
        return total

    def _check_unique(self, spec: TableSpec, key_cols: list[str]) -> None:
        if not key_cols:
            return
        dup = self.con.execute(
            sql(
                exp.select(*(col(k) for k in key_cols), exp.Count(this=exp.Star()).as_("n"))
                .from_(exp.Table(this=ident(STAGE)))
                .group_by(*(col(k) for k in key_cols))
                .having(exp.Count(this=exp.Star()) > 1)
                .limit(1)
            )
        ).fetchone()
        if dup is not None:
            key = ", ".join(f"{k}={v!r}" for k, v in zip(key_cols, dup[:-1], strict=True))
            raise DataError(f"{spec.name}: duplicate primary key in source rows ({key}, {dup[-1]} rows)")

    def _validate(self, spec: TableSpec, validations: Sequence[Validation]) -> None:
        for v in validations:
            query = exp.select(col(v.column)).from_(exp.Table(this=ident(STAGE))).where(v.bad).limit(1)
            bad = self.con.execute(sql(query)).fetchone()
            if bad is not None:
                raise DataError(f"{spec.name}.{v.column}: {v.message}: {bad[0]!r}")

    def _upsert(self, target: exp.Table, columns: Sequence[LandingColumn], key_cols: list[str], batch: int) -> None:
        stage = exp.Table(this=ident(STAGE), alias=exp.TableAlias(this=ident("s")))
        if key_cols:
            match = exp.and_(*(col(k, "t") .eq(col(k, "s")) for k in key_cols))
            self.con.execute(
                sql(exp.Delete(this=target.copy().as_("t"), using=[stage], where=exp.Where(this=match)))
            )
        else:
            self.con.execute(sql(exp.Delete(this=target.copy())))
        names = [c.name for c in columns]
        select = exp.select(
            *(col(n) for n in names),
            lit(batch).as_(BATCH),
            exp.CurrentTimestamp().as_(EXTRACTED),
            exp.false().as_(DELETED),
        ).from_(exp.Table(this=ident(STAGE)))
        insert = exp.insert(select, target, columns=[*names, BATCH, EXTRACTED, DELETED])
        self.con.execute(sql(insert))

    def _mark_deleted(
        self, target: exp.Table, key_cols: list[str], scope: exp.Expression, batch: int, *, tombstones: bool
    ) -> int:
        in_stage = exp.Exists(
            this=exp.select("1").from_(exp.Table(this=ident(STAGE), alias=exp.TableAlias(this=ident("s"))))
            .where(exp.and_(*(col(k, "s").eq(col(k, target.name)) for k in key_cols)))
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
        row = self.con.execute(sql(update)).fetchone()
        return int(row[0]) if row else 0

    def _watermarks(self, target: exp.Table, spec: TableSpec) -> dict[str, Any]:
        if not spec.watermarks:
            return {}
        row = self.con.execute(
            sql(exp.select(*(exp.Max(this=col(w)).as_(w) for w in spec.watermarks)).from_(target))
        ).fetchone()
        assert row is not None
        return {w: _jsonable(v) for w, v in zip(spec.watermarks, row, strict=True)}

    def _save_state(
        self, source: str, name: str, marks: dict[str, Any], reconciled: bool, now: datetime
    ) -> None:
        _, last = self.state(source, name)
        self.con.execute(
            f"INSERT OR REPLACE INTO {META}.extract_state VALUES (?, ?, ?, ?, ?)",
            [source, name, json.dumps(marks), now if reconciled else last, now],
        )

    def _log(
        self, batch: int, run_id: str, source: str, name: str, result: TableResult,
        before: dict[str, Any], started: datetime, status: str, error: str | None,
    ) -> None:
        self.con.execute(
            f"INSERT INTO {META}.extract_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [batch, run_id, source, name, result.rows, result.deleted, json.dumps(before),
             json.dumps(result.watermarks or {}), started,
             (datetime.now(UTC) - started).total_seconds(), status, error],
        )

    def _log_failure(
        self, batch: int, run_id: str, source: str, name: str, before: dict[str, Any],
        started: datetime, exc: BaseException,
    ) -> None:
        try:
            self._log(batch, run_id, source, name, TableResult(), before, started, "failed", _first(exc))
        except duckdb.Error:  # the connection itself is gone; the failure is raised anyway
            log.exception("could not record the failed run of %s.%s", source, name)

    def close(self) -> None:
        self.con.close()


def _create_table(target: exp.Table, defs: Sequence[tuple[str, str]], temp: bool = False) -> exp.Create:
    schema = exp.Schema(
        this=target,
        expressions=[
            exp.ColumnDef(this=ident(n), kind=exp.DataType.build(t, dialect="duckdb")) for n, t in defs
        ],
    )
    props = exp.Properties(expressions=[exp.TemporaryProperty()]) if temp else None
    return exp.Create(this=schema, kind="TABLE", properties=props)


def _read_csv(path: str, types: dict[str, str]) -> exp.Expression:
    struct = exp.Struct(expressions=[exp.PropertyEQ(this=exp.Literal.string(n), expression=exp.Literal.string(t)) for n, t in types.items()])
    args = [
        exp.Literal.string(path),
        exp.PropertyEQ(this=exp.var("columns"), expression=struct),
        exp.PropertyEQ(this=exp.var("header"), expression=exp.false()),
        exp.PropertyEQ(this=exp.var("auto_detect"), expression=exp.false()),
        exp.PropertyEQ(this=exp.var("delim"), expression=exp.Literal.string(",")),
        exp.PropertyEQ(this=exp.var("quote"), expression=exp.Literal.string('"')),
        exp.PropertyEQ(this=exp.var("escape"), expression=exp.Literal.string('"')),
        exp.PropertyEQ(this=exp.var("nullstr"), expression=exp.Literal.string("")),
        exp.PropertyEQ(this=exp.var("allow_quoted_nulls"), expression=exp.false()),
        exp.PropertyEQ(this=exp.var("strict_mode"), expression=exp.true()),
    ]
    return exp.Anonymous(this="read_csv", expressions=args)


def _insert_cast(stage: str, cols: Sequence[LandingColumn], source: exp.Expression, table_name: str) -> exp.Insert:
    select = exp.select(*(_cast(c, table_name) for c in cols)).from_(source)
    return exp.insert(select, exp.Table(this=ident(stage)), columns=[c.name for c in cols])


def _cast(c: LandingColumn, table_name: str) -> exp.Expression:
    value = col(c.name)
    target = exp.DataType.build(c.type, dialect="duckdb")
    if c.checked_scale is None:
        return exp.Cast(this=value, to=target).as_(c.name)
    # unconstrained source numeric: refuse values with more decimals than the landing keeps
    as_text = exp.Cast(this=value, to=exp.DataType.build("VARCHAR"))
    dot = exp.Anonymous(this="strpos", expressions=[as_text, exp.Literal.string(".")])
    decimals = exp.Sub(this=exp.Length(this=exp.Anonymous(this="rtrim", expressions=[as_text, exp.Literal.string("0")])), expression=dot)
    inexact = exp.and_(dot > 0, decimals > c.checked_scale)
    message = exp.DPipe(
        this=exp.Literal.string(f"{table_name}.{c.name}: value "),
        expression=exp.DPipe(this=as_text, expression=exp.Literal.string(
            f" has more than {c.checked_scale} decimals and cannot land exactly")),
    )
    checked = exp.Case(ifs=[exp.If(this=inexact, true=exp.Anonymous(this="error", expressions=[message]))],
                       default=exp.Cast(this=value, to=target))
    return exp.Cast(this=checked, to=target).as_(c.name)


def _count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    row = con.execute(sql(exp.select(exp.Count(this=exp.Star())).from_(exp.Table(this=ident(name))))).fetchone()
    return int(row[0]) if row else 0


def _normal(duck_type: str) -> str:
    return exp.DataType.build(duck_type, dialect="duckdb").sql("duckdb").upper()


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
