"""`erpml build --changed` on DuckDB equals a full rebuild after an incremental extraction.

Full build, then (nothing new) no dbt run at all; advance the four fixture ERPs, extract,
`--changed`: only tables and incremental facts are rebuilt, the fact tests read the new batches
only, and every table of the marts, intermediate and features schemas equals a full rebuild
from scratch (`--full-refresh`) of the same landed data.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from mlops.cli.main import cli
from tests.dbt.conftest import ERPS, Landed, duck_query, pg_query

ADVANCE_TO = date(2026, 7, 14)  # two weeks after the fixtures' as-of date


def _build(project: Path, *flags: str) -> Result:
    result = CliRunner().invoke(cli, ["build", "--project", str(project), *flags])
    assert result.exit_code == 0, result.output
    return result


def _differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Rows only in one of the two warehouses, per table of the built schemas."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'l'"
            " and schema_name in ('marts', 'intermediate', 'features')"
            # what the last build recomputed, and what it found changed
            " and not ends_with(table_name, '__plan') and not ends_with(table_name, '__diff')"
        ).fetchall()
        assert len(tables) > 30
        differ = {}
        for schema, name in tables:
            counts = tuple(
                int(con.execute(f"select count(*) from ({q})").fetchone()[0])  # type: ignore[index]
                for q in (
                    f'select * from {a}."{schema}"."{name}" except all'
                    f' select * from {b}."{schema}"."{name}"'
                    for a, b in (("l", "r"), ("r", "l"))
                )
            )
            if any(counts):
                differ[f"{schema}.{name}"] = counts
        return differ  # type: ignore[return-value]
    finally:
        con.close()


def test_changed_build_equals_a_full_rebuild(
    landed: Landed, tmp_path: Path, monkeypatch: Any
) -> None:
    from connectors import extract
    from connectors.config import Sources
    from fixtures.run import advance
    from mlops.build import _release_duckdb
    from mlops.cli.demo import demo_project

    shutil.copytree(landed.home / "sources", tmp_path / "sources")
    shutil.copytree(landed.home / "fixtures", tmp_path / "fixtures")
    warehouse = landed.duckdb_copy(tmp_path)
    config = demo_project(tmp_path)
    project = tmp_path / "erpml.yml"
    project.write_text(yaml.safe_dump(config, sort_keys=False))

    first = _build(project, "--changed")  # nothing recorded yet: everything, every test
    assert "full build: no complete build recorded in the warehouse" in first.output
    assert "stg_jde__f0911" in first.output
    second = _build(project, "--changed")
    assert "nothing extracted since the last build" in second.output
    assert "fct_gl_entry" not in second.output  # dbt did not run

    advance(list(ERPS), f"sqlite:///{tmp_path / 'sources'}/{{erp}}.db", ADVANCE_TO,
            out=tmp_path / "fixtures")  # fmt: skip
    outcomes = extract(Sources.model_validate(config))
    assert all(o.status == "ok" for o in outcomes), [o.error for o in outcomes if o.error]
    before = duck_query(warehouse, "select count(*) from marts.fct_gl_entry")[0][0]
    rebuild = tmp_path / "rebuild"
    rebuild.mkdir()
    shutil.copyfile(warehouse, rebuild / "warehouse.duckdb")
    reference = dict(
        config, warehouse={"kind": "duckdb", "path": str(rebuild / "warehouse.duckdb")}
    )
    (rebuild / "erpml.yml").write_text(yaml.safe_dump(reference, sort_keys=False))

    # DuckDB's log is checkpointed whenever no writer is open, beside the build's other work
    # (at this scale the log stays small: every size counts)
    from mlops import build

    monkeypatch.setattr(build, "WAL_CHECKPOINT_BYTES", 0)
    monkeypatch.setattr(build, "WAL_POLL_SECONDS", 0.05)
    changed = _build(project, "--changed")
    assert build.CHECKPOINTS, "no checkpoint during the changed build"
    assert "changed build:" in changed.output
    assert "fct_gl_entry" in changed.output and "fct_gl_balance" in changed.output
    assert "stg_jde__f0911" not in changed.output  # views are not recreated
    assert "ar_open_amount_ties_to_erp" in changed.output  # tie-outs run
    compiled = tmp_path / ".erpml" / "dbt" / "target" / "run" / "erpml" / "models" / "marts"
    unique = (compiled / "finance" / "_finance__models.yml").glob("unique_fct_gl_entry_*.sql")
    assert "_erpml_batch_id >= " in next(unique).read_text()  # the new batches only
    _release_duckdb()
    after = duck_query(warehouse, "select count(*) from marts.fct_gl_entry")[0][0]
    assert after > before
    # the timelines were recomputed for some entities only, and their tests read those
    planned, everyone, timeline = duck_query(
        warehouse,
        "select count(entity_key), count(*) - count(entity_key),"
        " (select count(distinct entity_key) from features.feat_cust_open_ar__v1)"
        " from features.feat_cust_open_ar__v1__plan",
    )[0]
    assert 0 < planned < timeline and everyone == 0
    features = compiled.parent / "features" / "_generated" / "_features.yml"
    uniques = [f.read_text() for f in features.glob("erpml_unique_combination_*.sql")]
    scoped = next(sql for sql in uniques if '"feat_cust_open_ar__v1__plan"' in sql)
    _timeline_test_reads_the_recomputed_rows(warehouse, scoped, tmp_path / "scope")

    _build(rebuild / "erpml.yml", "--full-refresh")
    _release_duckdb()
    assert _differences(warehouse, rebuild / "warehouse.duckdb") == {}
    modes = duck_query(warehouse, "select mode from _erpml.builds order by finished_at")
    assert modes == [("full",), ("changed",)]
    _tie_out_reads_the_new_batches(project, warehouse)


def _timeline_test_reads_the_recomputed_rows(warehouse: Path, test_sql: str, work: Path) -> None:
    """The changed build's uniqueness test of a timeline (its SQL as run) passes, catches a
    duplicate of a row the build recomputed (from the entity's ``from_at`` on) and does not
    read the rows before ``from_at``, which no build since the last full one rewrote."""
    import duckdb

    work.mkdir()
    copy = work / "warehouse.duckdb"  # same name: the test SQL says "warehouse"
    shutil.copyfile(warehouse, copy)
    timeline, plan = "features.feat_cust_open_ar__v1", "features.feat_cust_open_ar__v1__plan"
    duplicate = (
        f"insert into {timeline} select t.* from {timeline} as t"
        f" inner join {plan} as p on p.entity_key = t.entity_key"
        " where t.valid_from {} p.from_at order by t.entity_key, t.valid_from limit 1"
    )
    con = duckdb.connect(str(copy))
    try:
        assert con.execute(test_sql).fetchone()[0] == 0
        assert con.execute(duplicate.format("<")).fetchone() == (1,)  # an old row: not read
        assert con.execute(test_sql).fetchone()[0] == 0
        assert con.execute(duplicate.format(">=")).fetchone() == (1,)  # recomputed: caught
        assert con.execute(test_sql).fetchone()[0] == 1
    finally:
        con.close()


def _tie_out_reads_the_new_batches(project: Path, warehouse: Path) -> None:
    """The GL key tie-out, scoped to the new batches as in a changed build, passes on the
    built warehouse, reads only the new batch, and catches a fact row whose landing row a new
    batch deleted (a tombstone the fact did not apply), as the unscoped test does, and a fact
    row of a new batch whose key the landing-side macro does not reproduce."""
    import duckdb

    from mlops.build import BuildOptions, _dbt_args, _invoke, _release_duckdb, warehouse_env

    target, env = warehouse_env(project, None)
    args = [
        *_dbt_args(BuildOptions(project), target),
        "--select",
        "assert_gl_entry_keys_match_landing",
    ]

    def run(from_batch: str) -> str:
        results = _invoke(args, {**env, "ERPML_TEST_FROM_BATCH": from_batch}, target, None)
        _release_duckdb()
        return results[0].status

    def sql(statement: str, *params: object) -> tuple[object, ...] | None:
        con = duckdb.connect(str(warehouse))
        try:
            return con.execute(statement, list(params)).fetchone()
        finally:
            con.close()

    (batch,) = sql('select max(_erpml_batch_id) + 1 from jde."F0911"') or (None,)
    assert run(str(batch)) == "pass"
    compiled = next(project.parent.joinpath(".erpml", "dbt", "target", "run").rglob(
        "assert_gl_entry_keys_match_landing.sql"))  # fmt: skip
    assert f'"_erpml_batch_id" >= {batch}' in compiled.read_text()  # the new batch only
    # a fact row of a new batch whose key no landing row reproduces: caught, then put back
    rekey = (
        "update marts.fct_gl_entry set gl_entry_key = ?, _erpml_batch_id = ? where gl_entry_key = ?"
    )
    (key, old_batch) = sql(
        "select gl_entry_key, _erpml_batch_id from marts.fct_gl_entry order by 1 limit 1"
    ) or (None, None)
    sql(rekey, f"{key}|bogus", batch, key)
    assert run(str(batch)) == "fail"
    sql(rekey, key, old_batch, f"{key}|bogus")
    assert run(str(batch)) == "pass"
    sql(
        'update jde."F0911" set "_erpml_deleted" = true, "_erpml_batch_id" = ?'
        ' where rowid = (select min(rowid) from jde."F0911" where not "_erpml_deleted")',
        batch,
    )
    assert run(str(batch)) == "fail"
    assert run("") == "fail"  # every row: the same failure


def test_changed_build_on_postgres_keeps_the_views(
    landed: Landed, tmp_path: Path, database_factory: Any
) -> None:
    """On PostgreSQL, dbt replaces a table by dropping the old one with CASCADE, which drops
    the views over it: a changed build that rebuilds `int_receivables__as_of` must recreate the
    views that read it (settled AR items, fct_ar_invoice v1 and v2, the AR aging)."""
    from connectors import extract
    from connectors.config import Sources
    from fixtures.run import advance
    from mlops.cli.demo import demo_project

    shutil.copytree(landed.home / "sources", tmp_path / "sources")
    shutil.copytree(landed.home / "fixtures", tmp_path / "fixtures")
    url = database_factory("postgresql")
    config = dict(demo_project(tmp_path), warehouse={"kind": "postgres", "url": url})
    project = tmp_path / "erpml.yml"
    project.write_text(yaml.safe_dump(config, sort_keys=False))
    outcomes = extract(Sources.model_validate(config))
    assert all(o.status == "ok" for o in outcomes), [o.error for o in outcomes if o.error]
    _build(project)

    advance(list(ERPS), f"sqlite:///{tmp_path / 'sources'}/{{erp}}.db", ADVANCE_TO,
            out=tmp_path / "fixtures")  # fmt: skip
    outcomes = extract(Sources.model_validate(config))
    assert all(o.status == "ok" for o in outcomes), [o.error for o in outcomes if o.error]
    changed = _build(project, "--changed")
    assert "changed build:" in changed.output
    assert "int_receivables__as_of" in changed.output  # a table the views read, rebuilt
    for view in (
        "intermediate.int_receivables__invoices_settled",
        "marts.fct_ar_invoice_v2",
        "marts.fct_ar_invoice_v1",
        "intermediate.int_receivables__aging_month_end",
    ):
        assert pg_query(url, f"select count(*) from {view}")[0][0] > 0, view
    (as_of,) = pg_query(url, "select max(as_of_date) from marts.fct_ar_invoice_v2")[0]
    assert str(as_of)[:7] == ADVANCE_TO.isoformat()[:7]
