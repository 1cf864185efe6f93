"""The warehouse's build state: what `erpml build --changed` must consume, and when it cannot.

Over a DuckDB file and a PostgreSQL database with a hand-written extraction log (no dbt run).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlops.build_state import pending_batches, plan_changes, project_checksum, record_build
from mlops.warehouse import Warehouse

RUNS = """create schema if not exists _erpml;
create table _erpml.extract_runs (batch_id bigint, run_id varchar(32), source varchar(128),
    table_name varchar(128), rows bigint, deleted bigint, watermarks_before text,
    watermarks_after text, started_at timestamptz, duration_s double precision,
    status varchar(16), error text)"""


def _run(
    wh: Warehouse, batch: int, table: str, rows: int, deleted: int = 0, status: str = "ok"
) -> None:
    mark = "?" if wh.dialect == "duckdb" else "%s"
    wh.execute(
        f"insert into _erpml.extract_runs values ({mark}, 'r', 'jde', {mark}, {mark}, {mark},"
        f" '{{}}', '{{}}', now(), 0, {mark}, null)",
        (batch, table, rows, deleted, status),
    )


@pytest.fixture(params=["duckdb", "postgres"])
def wh(
    request: pytest.FixtureRequest, tmp_path: Path, database_factory: Any
) -> Iterator[Warehouse]:
    if request.param == "duckdb":
        import duckdb

        con: Any = duckdb.connect(str(tmp_path / "w.duckdb"))
    else:
        import psycopg
        import sqlalchemy as sa

        url = sa.make_url(database_factory("postgresql"))
        con = psycopg.connect(
            host=url.host, port=url.port, user=url.username, password=url.password,
            dbname=url.database,
        )  # fmt: skip
    warehouse = Warehouse(request.param, con)
    for statement in RUNS.split(";"):
        warehouse.execute(statement)
    yield warehouse
    con.close()


def test_a_changed_build_takes_the_batches_no_build_consumed(wh: Warehouse) -> None:
    assert plan_changes(wh, "c1").full_reason == "no complete build recorded in the warehouse"
    _run(wh, 1, "F0911", 100)
    _run(wh, 2, "F0101", 0)  # nothing landed: nothing to rebuild
    _run(wh, 3, "F03B11", 0, status="failed")
    assert pending_batches(wh) == (1,)
    record_build(wh, "full", "c1", pending_batches(wh))
    assert plan_changes(wh, "c1").tables == ()

    _run(wh, 5, "F0911", 7)
    _run(wh, 6, "F03B14", 0, deleted=2)  # deletes alone are a change
    _run(wh, 4, "F0411", 3)  # committed after the build although its batch is older
    plan = plan_changes(wh, "c1")
    assert plan.full_reason is None
    assert plan.tables == (("jde", "F03B14"), ("jde", "F0411"), ("jde", "F0911"))
    assert plan.batches == (4, 5, 6)
    assert plan.from_batch == 4

    record_build(wh, "changed", "c1", plan.batches)
    assert plan_changes(wh, "c1").tables == ()
    assert plan_changes(wh, "c2").full_reason == "the dbt project changed since the last build"
    assert len(wh.rows("select * from _erpml.builds")) == 2


def test_a_batch_that_changed_no_landed_row_is_not_pending(wh: Warehouse) -> None:
    # the run log as the connectors write it now: ``changed`` beside the rows pulled
    wh.execute("alter table _erpml.extract_runs add column changed bigint")
    mark = "?" if wh.dialect == "duckdb" else "%s"
    runs = [(1, "F0911", 100, None, 0), (2, "F0911", 5_000, 0, 0), (3, "F0101", 40, 3, 0),
            (4, "F03B14", 10, 0, 2)]  # fmt: skip
    for batch, table, rows, changed, deleted in runs:
        wh.execute(
            f"insert into _erpml.extract_runs (batch_id, run_id, source, table_name, rows,"
            f" changed, deleted, status) values ({mark}, 'r', 'jde', {mark}, {mark}, {mark},"
            f" {mark}, 'ok')",
            (batch, table, rows, changed, deleted),
        )
    # batch 1 was logged before ``changed`` existed: its rows count as changed; batch 2
    # re-pulled 5,000 rows equal to the landed ones
    assert pending_batches(wh) == (1, 3, 4)
    record_build(wh, "full", "c1", (1,))
    plan = plan_changes(wh, "c1")
    assert plan.tables == (("jde", "F0101"), ("jde", "F03B14"))
    assert plan.batches == (3, 4)


def test_the_project_checksum_follows_definitions_not_outputs(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(Path(__file__).resolve().parents[2] / "dbt_project", project,
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))  # fmt: skip
    before = project_checksum(project)
    (project / "target").mkdir(exist_ok=True)
    (project / "target" / "manifest.json").write_text("{}")
    (project / "README.md").write_text("docs only")
    assert project_checksum(project) == before
    model = project / "models" / "marts" / "finance" / "fct_gl_balance.sql"
    model.write_text(model.read_text() + "\n-- edited\n")
    assert project_checksum(project) != before
