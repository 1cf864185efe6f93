"""Shared dbt test plumbing: the four fixture ERPs landed once per session in two warehouses.

``landed`` generates the fixture ERPs at a small scale into SQLite, then extracts them into a
DuckDB warehouse and into a throwaway PostgreSQL database. Tests build on copies or on these
directly (dbt views are rebuilt idempotently). Golden answers sit in ``landed.golden(erp)``.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
import yaml

SCALE = 0.05
ERPS = ("jde", "vista", "netsuite", "onestream")


@dataclass(frozen=True)
class Landed:
    """Where the landed fixture data lives."""

    home: Path
    duckdb_project: Path  # erpml.yml with the DuckDB warehouse
    duckdb_path: Path
    postgres_project: Path  # erpml.yml with the PostgreSQL warehouse
    postgres_url: str  # SQLAlchemy URL of the PostgreSQL warehouse database

    def golden(self, erp: str) -> Path:
        return self.home / "fixtures" / erp / "golden"

    def duckdb_copy(self, dest: Path) -> Path:
        """A private copy of the DuckDB warehouse (DuckDB allows one writer per file)."""
        target = dest / "warehouse.duckdb"
        shutil.copyfile(self.duckdb_path, target)
        return target


def _sources(home: Path) -> list[dict[str, Any]]:
    from mlops.cli.demo import demo_project

    return list(demo_project(home)["sources"])


def _extract(project: dict[str, Any]) -> None:
    from connectors import extract
    from connectors.config import Sources

    outcomes = extract(Sources.model_validate(project))
    failed = [f"{o.source}.{o.table}: {o.error}" for o in outcomes if o.status != "ok"]
    if failed:
        pytest.fail("extraction of the fixture ERPs failed: " + "; ".join(failed), pytrace=False)


@pytest.fixture(scope="session")
def landed(tmp_path_factory: pytest.TempPathFactory, database_factory: Any) -> Iterator[Landed]:
    """Fixture ERPs at scale 0.05, landed in DuckDB and PostgreSQL (once per session)."""
    from fixtures import Settings, generate

    home = tmp_path_factory.mktemp("dbt_landed")
    url = f"sqlite:///{home.resolve()}/sources/{{erp}}.db"
    (home / "sources").mkdir()
    generate(list(ERPS), Settings(scale=SCALE), url, out=home / "fixtures", replace=True)

    duck = home / "warehouse.duckdb"
    duck_project = {"warehouse": {"kind": "duckdb", "path": str(duck)}, "sources": _sources(home)}
    _extract(duck_project)

    pg_url = database_factory("postgresql")
    pg_project = {"warehouse": {"kind": "postgres", "url": pg_url}, "sources": _sources(home)}
    _extract(pg_project)

    files = {}
    for name, project in (("duckdb", duck_project), ("postgres", pg_project)):
        files[name] = home / f"erpml.{name}.yml"
        files[name].write_text(yaml.safe_dump(project, sort_keys=False))
    yield Landed(home, files["duckdb"], duck, files["postgres"], pg_url)


def scratch_project(tmp: Path, target: dict[str, Any], models: dict[str, Any]) -> Path:
    """A throwaway dbt project named ``erpml`` (so ``erpml.`` macros resolve) under ``tmp``:
    a copy of this project's macros, ``models`` as its model config, one profile target."""
    root = Path(__file__).resolve().parents[2]
    project = tmp / "dbt"
    (project / "models").mkdir(parents=True)
    shutil.copytree(root / "dbt_project" / "macros", project / "macros")
    settings = {"name": "erpml", "version": "1.0.0", "config-version": 2, "profile": "erpml"}
    settings |= {"flags": {"send_anonymous_usage_stats": False}, "models": {"erpml": models}}
    (project / "dbt_project.yml").write_text(yaml.safe_dump(settings))
    profiles = {"erpml": {"target": "t", "outputs": {"t": target}}}
    (project / "profiles.yml").write_text(yaml.safe_dump(profiles))
    return project


def postgres_target(url: str, threads: int) -> dict[str, Any]:
    """A dbt-postgres profile target for the database at SQLAlchemy ``url``."""
    u = sa.make_url(url)
    return {
        "type": "postgres",
        "host": u.host,
        "port": u.port or 5432,
        "user": u.username,
        "password": "",
        "dbname": u.database,
        "schema": "public",
        "threads": threads,
    }


def pg_query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` run on the PostgreSQL database at ``url``."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def duck_query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` run read-only on the DuckDB file at ``path``."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return [tuple(r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def dbt_show(project: Path, sql: str, work: Path) -> tuple[list[tuple[Any, ...]], str]:
    """Rows of the inline dbt SQL ``sql`` (macros rendered) on the warehouse of ``project``.

    Returns ``(rows, error)``: ``error`` is "" on success, else dbt's message on one line.
    """
    from dbt.cli.main import dbtRunner

    from mlops.build import DBT_PROJECT, one_line, warehouse_env

    target, env = warehouse_env(project, None)
    args = ["show", "--inline", sql, "--limit", "1000", "--quiet", "--target", target]
    args += ["--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT)]
    args += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        outcome = dbtRunner().invoke(args)
    if outcome.exception is not None:
        return [], one_line(str(outcome.exception))
    results = getattr(outcome.result, "results", None) or []
    errors = [one_line(str(r.message)) for r in results if str(r.status) == "error"]
    if errors or not outcome.success:
        return [], "; ".join(errors) or "dbt show failed"
    return [tuple(row) for row in results[0].agate_table.rows], ""


PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
ENGINES = ("duckdb", "postgres")


def dbt_build(
    landed: Landed, engine: str, select: list[str], tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """`dbt build --select ...` in-process on one engine; a query function over the result."""
    from dbt.cli.main import dbtRunner

    if engine == "duckdb":
        path = landed.duckdb_copy(tmp)
        monkeypatch.setenv("ERPML_WAREHOUSE", str(path))
    else:
        url = urlparse(landed.postgres_url)
        monkeypatch.setenv("ERPML_PG_HOST", url.hostname or "127.0.0.1")
        monkeypatch.setenv("ERPML_PG_PORT", str(url.port or 5432))
        monkeypatch.setenv("ERPML_PG_USER", url.username or "postgres")
        monkeypatch.setenv("ERPML_PG_DBNAME", url.path.lstrip("/"))
    monkeypatch.setenv("ERPML_TARGET", engine)
    args = ["build", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
    args += ["--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")]
    args += ["--no-partial-parse", "--quiet", "--indirect-selection", "cautious"]
    args += ["--select", *select]
    res = dbtRunner().invoke(args)
    assert res.success, f"dbt build failed on {engine}: {res.exception or res.result}"

    def query(sql: str) -> list[tuple[Any, ...]]:
        if engine == "duckdb":
            import duckdb

            # dbt-duckdb keeps the file open in this process: same (read-write) configuration.
            con = duckdb.connect(str(path))
            try:
                return [tuple(r) for r in con.execute(sql).fetchall()]
            finally:
                con.close()
        return pg_query(landed.postgres_url, sql)

    return query


def golden(landed: Landed, erp: str, name: str) -> list[dict[str, str]]:
    with (landed.golden(erp) / name).open(newline="") as fh:
        return list(csv.DictReader(fh))
