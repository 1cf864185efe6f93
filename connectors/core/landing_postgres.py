"""The PostgreSQL warehouse (the second target, for teams whose dbt runs on PostgreSQL).

Feeds are loaded with ``COPY ... FROM STDIN`` into a text staging table, checked (no value may
need rounding), then cast into the typed stage; merge, deletes and state reuse the shared
:class:`Landing` logic rendered for PostgreSQL.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import psycopg
import pyarrow.csv as pcsv
import sqlalchemy as sa
from psycopg import sql as pgsql
from sqlglot import exp

from connectors.core.catalog import LandingColumn
from connectors.core.feeds import READ_BLOCK, ArrowFeed, CsvFeed
from connectors.core.landing import (
    META_NAMES,
    Landing,
    canonical_type,
    first_line,
    meta_values,
    too_many_decimals,
)
from connectors.core.spec import TableSpec
from connectors.core.sql import col, ident
from connectors.errors import ConnectorError, DataError

RAW = "_erpml_raw"
_UNSIGNED = {
    "UTINYINT": "SMALLINT",
    "TINYINT": "SMALLINT",
    "USMALLINT": "INTEGER",
    "UINTEGER": "BIGINT",
    "UBIGINT": "DECIMAL(20,0)",
    "HUGEINT": "DECIMAL(38,0)",
}
_CATALOG = {
    "character varying": "VARCHAR",
    "text": "VARCHAR",
    "character": "VARCHAR",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMPTZ",
    "bytea": "BLOB",
    "time without time zone": "TIME",
}


class PostgresLanding(Landing):
    dialect = "postgres"

    def __init__(self, url: str) -> None:
        try:
            parsed = sa.make_url(url)
            self.con = psycopg.connect(
                host=parsed.host,
                port=parsed.port,
                user=parsed.username,
                password=parsed.password,
                dbname=parsed.database,
                autocommit=False,
                prepare_threshold=None,  # stage tables change shape between tables
            )
        except (psycopg.Error, sa.exc.ArgumentError) as exc:
            raise ConnectorError(
                f"warehouse {sa.make_url(url).render_as_string()}: {first_line(exc)}"
            ) from None
        self.ensure_meta()
        self.con.commit()

    def _sql(self, statement: exp.Expr | str) -> str:
        if isinstance(statement, str):
            return statement.replace("?", "%s")  # erpml's own constant metadata SQL
        return statement.sql(dialect="postgres")

    def execute(self, statement: exp.Expr | str, params: Sequence[Any] = ()) -> None:
        with self.con.cursor() as cur:
            cur.execute(self._sql(statement), list(params) or None)

    def fetchone(
        self, statement: exp.Expr | str, params: Sequence[Any] = ()
    ) -> tuple[Any, ...] | None:
        with self.con.cursor() as cur:
            cur.execute(self._sql(statement), list(params) or None)
            return cur.fetchone()

    def count_changed(self, statement: exp.Expr) -> int:
        with self.con.cursor() as cur:
            cur.execute(self._sql(statement))
            return max(cur.rowcount, 0)

    def begin(self) -> None:
        """psycopg opens a transaction with the first statement."""

    def commit(self) -> None:
        self.con.commit()

    def rollback(self) -> None:
        self.con.rollback()

    def is_error(self, exc: BaseException) -> bool:
        return isinstance(exc, psycopg.Error)

    def landed_types(self, source: str, name: str) -> dict[str, str]:
        with self.con.cursor() as cur:
            cur.execute(
                "SELECT column_name, data_type, numeric_precision, numeric_scale"
                " FROM information_schema.columns WHERE table_schema = %s AND table_name = %s"
                " ORDER BY ordinal_position",
                [source, name],
            )
            rows = cur.fetchall()
        out = {}
        for column, data_type, precision, scale in rows:
            name = (
                f"DECIMAL({precision},{scale})"
                if data_type == "numeric"
                else _CATALOG.get(data_type, data_type.upper())
            )
            out[column] = canonical_type(name)
        return out

    def normal_type(self, landing_type: str) -> str:
        duck = canonical_type(landing_type)
        return canonical_type(_UNSIGNED.get(duck, duck))

    def column_type(self, landing_type: str) -> exp.DataType:
        return exp.DataType.build(self.normal_type(landing_type), dialect="duckdb")

    def load(
        self,
        cols: Sequence[LandingColumn],
        feed: ArrowFeed | CsvFeed,
        spec: TableSpec,
        into: exp.Table,
        batch: int | None = None,
    ) -> int:
        names = [c.name for c in cols]
        self.execute(f"DROP TABLE IF EXISTS {RAW}")
        raw = exp.Table(this=ident(RAW))
        self.execute(self._create(raw, [(n, "VARCHAR") for n in names], temp=True))
        self._copy_in(names, feed, spec)
        for c in cols:
            if c.checked_scale is None:
                continue
            inexact = too_many_decimals(col(c.name), c.checked_scale)
            bad = self.fetchone(exp.select(col(c.name)).from_(raw.copy()).where(inexact).limit(1))
            if bad is not None:
                raise DataError(
                    f"{spec.name}.{c.name}: value {bad[0]} has more than {c.checked_scale} "
                    "decimals and cannot land exactly"
                )
        values = [
            exp.Cast(this=col(c.name), to=self.column_type(c.type)).as_(ident(c.name)) for c in cols
        ]
        targets = list(names)
        if batch is not None:
            values += meta_values(batch)
            targets += META_NAMES
        select = exp.select(*values).from_(raw.copy())
        self.execute(exp.insert(select, into.copy(), columns=[ident(n) for n in targets]))
        self.execute("ANALYZE " + into.sql(dialect="postgres"))  # plans for the merge need it
        row = self.fetchone(exp.select(exp.Count(this=exp.Star())).from_(into.copy()))
        return int(row[0]) if row else 0

    def _copy_in(self, names: list[str], feed: ArrowFeed | CsvFeed, spec: TableSpec) -> None:
        copy_sql = pgsql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
            pgsql.Identifier(RAW), pgsql.SQL(", ").join(pgsql.Identifier(n) for n in names)
        )
        with self.con.cursor() as cur, cur.copy(copy_sql) as copy:
            if isinstance(feed, CsvFeed):
                for path in feed.files():
                    with open(path, "rb") as chunk:
                        while data := chunk.read(READ_BLOCK):
                            copy.write(data)
                return
            for batch in feed.batches:
                missing = sorted(set(names) - set(batch.schema.names))
                if missing:
                    raise DataError(f"{spec.name}: source rows lack columns {missing}")
                buffer = io.BytesIO()
                options = pcsv.WriteOptions(include_header=False)
                pcsv.write_csv(batch.select(names), buffer, options)
                copy.write(buffer.getvalue())

    def after_upsert(self, target: exp.Table) -> None:
        self.execute("ANALYZE " + target.sql(dialect="postgres"))  # quoted by sqlglot

    def close(self) -> None:
        self.con.close()
