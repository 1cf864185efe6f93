"""The compiled semantic layer answers MetricFlow queries offline on DuckDB (`mf query`).

The catalog's metrics compile to dbt semantic models and metrics; on a copy of the dbt project
(mf reads `target/semantic_manifest.json` in the project it runs in) `mf query` must return the
same yearly revenue and gross margin as plain SQL over `fct_financial_plan`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlops.cli.main import cli
from tests.dbt.conftest import Landed, duck_query

ROOT = Path(__file__).resolve().parents[2]


def test_mf_query_matches_sql(landed: Landed, tmp_path: Path) -> None:
    warehouse = landed.duckdb_copy(tmp_path)
    project = tmp_path / "erpml.yml"
    project.write_text(yaml.safe_dump({"warehouse": {"kind": "duckdb", "path": str(warehouse)}}))
    res = CliRunner().invoke(
        cli,
        [
            "build",
            "--project",
            str(project),
            "--select",
            "+fct_financial_plan +fct_ar_invoice",
            "--select",
            "metricflow_time_spine",
        ],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    from mlops.build import _release_duckdb

    _release_duckdb()

    dbt = tmp_path / "dbt_project"
    shutil.copytree(
        ROOT / "dbt_project", dbt, ignore=shutil.ignore_patterns("target", "logs", ".user.yml")
    )
    env = {**os.environ, "ERPML_WAREHOUSE": str(warehouse), "ERPML_TARGET": "duckdb"}
    bin_dir = Path(sys.executable).parent
    parse = subprocess.run(
        [str(bin_dir / "dbt"), "parse", "--profiles-dir", ".", "--quiet"],
        cwd=dbt,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert parse.returncode == 0, parse.stdout + parse.stderr
    out = tmp_path / "mf.csv"
    query = subprocess.run(
        [
            str(bin_dir / "mf"),
            "query",
            "--metrics",
            "revenue_v1,gross_margin_v1",
            "--group-by",
            "metric_time__year",
            "--csv",
            str(out),
        ],
        cwd=dbt,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert query.returncode == 0 and out.exists(), query.stdout + query.stderr
    import csv

    rows = list(csv.DictReader(out.open()))
    assert len(rows) >= 3
    sql = (
        "select extract(year from month) as y,"
        " sum(case when group_account in ('4000', '4100', '4900') then -amount_reporting end),"
        " sum(case when group_account in ('5000', '5100', '5900') then amount_reporting end)"
        " from marts.fct_financial_plan where scenario = 'Actual' group by 1"
    )
    expected = {int(y): (rev, cost) for y, rev, cost in duck_query(warehouse, sql)}
    for row in rows:
        year = int(row["metric_time__year"][:4])
        revenue, cost = expected[year]
        assert float(row["revenue_v1"]) == pytest.approx(float(revenue), rel=1e-9)
        margin = (revenue - cost) / revenue
        assert float(row["gross_margin_v1"]) == pytest.approx(float(margin), rel=1e-9)
