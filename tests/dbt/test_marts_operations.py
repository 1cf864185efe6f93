"""Operations marts on DuckDB and PostgreSQL: golden tie-outs and the incremental sales fact.

dim_item, dim_job, fct_job_cost and fct_sales_order_line are built with their upstream (dbt
tests run in the build: contracts, keys, relationships, the bJCCP tie and the sales-line
integrity check), then tied out to the fixture generator's golden files: JDE
``sales_monthly.csv`` and Vista ``job_cost.csv`` (percent-complete rounding and month filling
are a dbt unit test in ``_operations__models.yml``). The incremental test advances a private copy
of the JDE fixture (open F4211 lines move to F42119), re-extracts it and checks that the
incremental builds equal a full rebuild.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.dbt.conftest import ENGINES, PROJECT, Landed, dbt_build, golden, pg_query

MARTS = ["+dim_item", "+dim_job", "+fct_job_cost", "+fct_sales_order_line", "+dim_customer"]
JOB_COST_COLUMNS = (
    "actual_cost_to_date",
    "actual_hours_to_date",
    "original_estimate",
    "current_estimate",
    "projected_cost",
    "percent_complete",
)
Rows = list[tuple[Any, ...]]


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@pytest.mark.parametrize("engine", ENGINES)
def test_operations_marts_tie_to_golden(
    landed: Landed, engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests of other marts on dim_company/dim_customer run only with all their parents built.
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "cautious")
    query = dbt_build(landed, engine, MARTS, tmp_path, monkeypatch)

    # JDE sales per item and order month (lines not cancelled) equal sales_monthly.csv.
    assert _jde_sales_monthly(query) == _golden_sales_monthly(landed.golden("jde"))

    # Job cost per job and month: to-date amounts, estimates, projection, percent complete.
    got = {
        (company, job, str(month)): tuple(_dec(v) for v in values)
        for company, job, month, *values in query(
            f"select company_id, job_number, month, {', '.join(JOB_COST_COLUMNS)}"
            " from marts.fct_job_cost"
        )
    }
    want = {
        (r["company"], r["job"], r["month"]): tuple(Decimal(r[c]) for c in JOB_COST_COLUMNS)
        for r in golden(landed, "vista", "job_cost.csv")
    }
    assert want
    assert got == want

    # In-month amounts cumulate to the to-date amounts, months are dense per job.
    gaps = query(
        "select count(*) from (select job_key, month, lag(month) over"
        " (partition by job_key order by month) as previous from marts.fct_job_cost) as m"
        " where previous is not null and month <> cast(previous + interval '1 month' as date)"
    )
    assert gaps == [(0,)]

    # Every NetSuite sales order item line is in the fact, with its header's status decoded.
    statuses = dict(
        query(
            "select status, count(*) from marts.fct_sales_order_line"
            " where source_system = 'netsuite' group by status"
        )
    )
    orders = query(
        "select count(*) from staging.stg_netsuite__transactionline as l"
        " join staging.stg_netsuite__transaction as t on t.transaction_id = l.transaction_id"
        " where t.transaction_type = 'SalesOrd' and not l.is_mainline"
    )
    assert sum(statuses.values()) == orders[0][0] > 0
    assert set(statuses) <= {"open", "shipped", "invoiced", "cancelled"}
    assert {"invoiced", "cancelled"} <= set(statuses)

    # dim_job: every Vista job; the JDE fixture has no job business units.
    jobs = dict(query("select source_system, count(*) from marts.dim_job group by source_system"))
    assert jobs == {"vista": query("select count(*) from staging.stg_vista__bjcjm")[0][0]}
    items = dict(query("select source_system, count(*) from marts.dim_item group by 1"))
    assert items["jde"] == query("select count(*) from staging.stg_jde__f4101")[0][0]
    assert items["netsuite"] == query("select count(*) from staging.stg_netsuite__item")[0][0]


def _jde_sales_monthly(query: Any) -> dict[tuple[str, str], tuple[Decimal, Decimal, int]]:
    rows = query(
        "select item_number, cast(date_trunc('month', order_date) as date), sum(quantity),"
        " sum(extended_amount), count(*) from marts.fct_sales_order_line"
        " where source_system = 'jde' and status <> 'cancelled' group by 1, 2"
    )
    return {(i, str(m)): (Decimal(str(q)), Decimal(str(a)), int(n)) for i, m, q, a, n in rows}


def _golden_sales_monthly(folder: Path) -> dict[tuple[str, str], tuple[Decimal, Decimal, int]]:
    import csv

    with (folder / "sales_monthly.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    return {
        (r["item"], r["month"]): (Decimal(r["quantity"]), Decimal(r["amount"]), int(r["lines"]))
        for r in rows
    }


# -- incremental -----------------------------------------------------------------------------


class Warehouse:
    """A private warehouse with JDE and NetSuite landed from private copies of their sources."""

    def __init__(self, landed: Landed, engine: str, tmp: Path, pg_url: str) -> None:
        self.engine = engine
        self.tmp = tmp
        sources = tmp / "sources"
        sources.mkdir()
        for erp in ("jde", "netsuite"):
            shutil.copyfile(landed.home / "sources" / f"{erp}.db", sources / f"{erp}.db")
        self.source_url = f"sqlite:///{sources.resolve()}/{{erp}}.db"
        self.duck = tmp / "warehouse.duckdb"
        self.pg_url = pg_url
        if engine == "duckdb":
            self.warehouse: dict[str, Any] = {"kind": "duckdb", "path": str(self.duck)}
        else:
            self.warehouse = {"kind": "postgres", "url": pg_url}

    def extract(
        self, *, reconcile: bool = False, erps: tuple[str, ...] = ("jde", "netsuite")
    ) -> None:
        from connectors import extract
        from connectors.config import Sources
        from mlops.cli.demo import demo_project

        sources = [s for s in demo_project(self.tmp)["sources"] if s["name"] in erps]
        for s in sources:
            s["connection"]["url"] = self.source_url.replace("{erp}", s["name"])
        config = Sources.model_validate({"warehouse": self.warehouse, "sources": sources})
        outcomes = extract(config, reconcile=reconcile)
        failed = [f"{o.source}.{o.table}: {o.error}" for o in outcomes if o.status != "ok"]
        assert not failed, failed

    def build(self, monkeypatch: pytest.MonkeyPatch, select: list[str], *extra: str) -> None:
        from dbt.cli.main import dbtRunner

        if self.engine == "duckdb":
            monkeypatch.setenv("ERPML_WAREHOUSE", str(self.duck))
        else:
            url = urlparse(self.pg_url)
            monkeypatch.setenv("ERPML_PG_HOST", url.hostname or "127.0.0.1")
            monkeypatch.setenv("ERPML_PG_PORT", str(url.port or 5432))
            monkeypatch.setenv("ERPML_PG_USER", url.username or "postgres")
            monkeypatch.setenv("ERPML_PG_DBNAME", url.path.lstrip("/"))
        monkeypatch.setenv("ERPML_TARGET", self.engine)
        monkeypatch.setenv("DBT_INDIRECT_SELECTION", "cautious")
        args = ["build", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
        args += ["--target-path", str(self.tmp / "target"), "--log-path", str(self.tmp / "logs")]
        args += ["--quiet", "--select", *select, *extra]
        res = dbtRunner().invoke(args)
        failed = [
            f"{r.node.name}: {r.message}"
            for r in getattr(res.result, "results", None) or []
            if str(r.status) in ("error", "fail")
        ]
        assert res.success, f"dbt build failed on {self.engine}: {res.exception or failed}"

    def query(self, sql: str) -> Rows:
        if self.engine == "duckdb":
            import duckdb

            con = duckdb.connect(str(self.duck))
            try:
                return [tuple(r) for r in con.execute(sql).fetchall()]
            finally:
                con.close()
        return pg_query(self.pg_url, sql)


FACT = "select * from marts.fct_sales_order_line order by sales_order_line_key"
INCREMENTAL = ["fct_sales_order_line", "assert_sales_order_lines_once"]


@pytest.mark.parametrize("engine", ENGINES)
def test_sales_order_line_incremental_equals_full_refresh(
    landed: Landed,
    engine: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_factory: Any,
) -> None:
    from fixtures import advance

    pg_url = database_factory("postgresql") if engine == "postgres" else ""
    wh = Warehouse(landed, engine, tmp_path, pg_url)
    wh.extract()
    # Upstream staging is tested by its own tests: build the models only, test the fact below.
    wh.build(
        monkeypatch,
        ["+fct_sales_order_line"],
        "--resource-type",
        "model",
        "--resource-type",
        "seed",
    )
    open_before = {
        key
        for (key,) in wh.query(
            "select sales_order_line_key from marts.fct_sales_order_line"
            " where source_table = 'F4211'"
        )
    }
    assert open_before, "the fixture has open JDE lines to move"

    # Advance the JDE copy: open lines progress or move from F4211 to F42119 (deleted there).
    manifest = json.loads((landed.golden("jde") / "manifest.json").read_text())
    until = date.fromisoformat(manifest["as_of"]) + timedelta(days=62)
    out = tmp_path / "fixtures"
    advance(["jde"], wh.source_url, until, out=out)

    # 1. Re-extract without delete reconciliation: a moved line is in both landed tables.
    wh.extract(erps=("jde",))
    both = wh.query(
        "select count(*) from staging.stg_jde__f4211 as o"
        " join staging.stg_jde__f42119 as h on h.sales_order_line_key = o.sales_order_line_key"
    )[0][0]
    assert both > 0, "advance moved no line from F4211 to F42119"
    wh.build(monkeypatch, INCREMENTAL)
    # 2. Reconcile: the moved lines' F4211 rows become tombstones, which must delete only
    #    F4211 rows of the fact (the F42119 rows landed in step 1 are not selected again).
    wh.extract(erps=("jde",), reconcile=True)
    tombstones = wh.query('select count(*) from jde."F4211" where _erpml_deleted')[0][0]
    assert tombstones > 0
    wh.build(monkeypatch, INCREMENTAL)
    incremental = wh.query(FACT)

    keys = [r[0] for r in incremental]
    assert len(keys) == len(set(keys)), "duplicate sales order lines after incremental builds"
    by_table = dict(
        wh.query(
            "select sales_order_line_key, source_table from marts.fct_sales_order_line"
            " where source_system = 'jde'"
        )
    )
    moved = {k for k in open_before if by_table.get(k) == "F42119"}
    assert moved, "no line of the first build moved to F42119"
    assert open_before <= set(by_table), "an open line of the first build went missing"

    wh.build(monkeypatch, INCREMENTAL, "--full-refresh")
    assert wh.query(FACT) == incremental

    # The incremental result ties to the advanced fixture's golden sales.
    assert _jde_sales_monthly(wh.query) == _golden_sales_monthly(out / "jde" / "golden")
