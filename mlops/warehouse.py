"""A small handle on the project's warehouse for reading features and writing snapshots.

``open_warehouse(project)`` gives a :class:`Warehouse` over the DuckDB file or the PostgreSQL
database of ``erpml.yml``. It runs SQL, reads results as pandas frames and writes frames as
tables (through Arrow on DuckDB, ``COPY`` on PostgreSQL). DuckDB allows one writing process
per file: open read-only (``read_only=True``) to read while nothing else writes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mlops.errors import MlopsError

if TYPE_CHECKING:
    import pandas as pd

Dialect = Literal["duckdb", "postgres"]


@dataclass
class Warehouse:
    dialect: Dialect
    _con: Any  # duckdb.DuckDBPyConnection or a psycopg connection

    def execute(self, sql: str, params: tuple[Any, ...] | None = None) -> None:
        if self.dialect == "duckdb":
            self._con.execute(sql, params or ())
        else:
            with self._con.cursor() as cur:
                cur.execute(sql, params)

    def rows(self, sql: str, params: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
        if self.dialect == "duckdb":
            return [tuple(r) for r in self._con.execute(sql, params or ()).fetchall()]
        with self._con.cursor() as cur:
            cur.execute(sql, params)
            return [tuple(r) for r in cur.fetchall()]

    def frame(self, sql: str) -> pd.DataFrame:
        if self.dialect == "duckdb":
            return self._con.execute(sql).df()
        import pandas as pd

        with self._con.cursor() as cur:
            cur.execute(sql)
            names = [d.name for d in cur.description or []]
            return pd.DataFrame(cur.fetchall(), columns=names)

    def duckdb(self) -> Any:
        """The DuckDB connection itself (``duckdb.DuckDBPyConnection``), for Arrow-native work."""
        if self.dialect != "duckdb":
            raise MlopsError(f"a DuckDB connection was asked of a {self.dialect} warehouse")
        return self._con

    @contextmanager
    def registered(self, name: str, data: Any) -> Iterator[None]:
        """``data`` (an Arrow table or pandas frame) readable as ``name`` in DuckDB queries."""
        con = self.duckdb()
        con.register(name, data)
        try:
            yield
        finally:
            con.unregister(name)

    def write(self, table: str, frame: pd.DataFrame, *, temporary: bool = False) -> None:
        """Create ``table`` (schema.name or a temp name) from ``frame``, replacing it."""
        if self.dialect == "duckdb":
            with self.registered("_erpml_frame", frame):
                kind = "temp table" if temporary else "table"
                self._con.execute(f"create or replace {kind} {table} as select * from _erpml_frame")
            return
        columns = ", ".join(f'"{c}" {_pg_type(frame[c].dtype)}' for c in frame.columns)
        kind = "temporary table" if temporary else "table"
        self.execute(f"drop table if exists {table}")
        self.execute(f"create {kind} {table} ({columns})")
        buf = io.StringIO()
        frame.to_csv(buf, index=False, header=False)
        with self._con.cursor() as cur, cur.copy(f"copy {table} from stdin (format csv)") as copy:
            copy.write(buf.getvalue())

    def commit(self) -> None:
        if self.dialect == "postgres":
            self._con.commit()


def _pg_type(dtype: Any) -> str:
    kind = getattr(dtype, "kind", "O")
    if kind == "M":
        return "timestamp"
    if kind in "iu":
        return "bigint"
    if kind == "f":
        return "double precision"
    if kind == "b":
        return "boolean"
    return "text"


@contextmanager
def open_warehouse(project: Path, *, read_only: bool = False) -> Iterator[Warehouse]:
    """The warehouse of the project file; commits on success (PostgreSQL), closes always."""
    from connectors.config import load
    from connectors.errors import ConfigError

    try:
        warehouse = load(project, sections=("warehouse",)).warehouse
    except ConfigError as exc:
        raise MlopsError(str(exc)) from None
    if warehouse.kind == "duckdb":
        import duckdb

        path = warehouse.path if warehouse.path.is_absolute() else project.parent / warehouse.path
        if not path.exists():
            raise MlopsError(f"{path}: no warehouse yet (run erpml extract and erpml build)")
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            raise MlopsError(f"{path}: cannot open the warehouse: {exc}") from None
        try:
            yield Warehouse("duckdb", con)
        finally:
            con.close()
        return
    import psycopg
    import sqlalchemy as sa

    url = sa.make_url(warehouse.url)
    secret = warehouse.password()
    pg = psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=secret.get_secret_value() if secret else (url.password or None),
        dbname=url.database or "postgres",
    )
    try:
        yield Warehouse("postgres", pg)
        pg.commit()
    except BaseException:
        pg.rollback()
        raise
    finally:
        pg.close()
