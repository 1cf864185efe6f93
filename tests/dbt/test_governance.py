"""Governance of the marts: contracts, docs, docs generation, nothing published on failure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from mlops.cli.main import cli
from tests.dbt.conftest import Landed, duck_query

ROOT = Path(__file__).resolve().parents[2]


def _dbt(args: list[str], work: Path, env: dict[str, str], monkeypatch: Any) -> Any:
    from dbt.cli.main import dbtRunner

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    project = ROOT / "dbt_project"
    base = ["--project-dir", str(project), "--profiles-dir", str(project)]
    base += ["--target-path", str(work / "target"), "--log-path", str(work / "logs"), "--quiet"]
    res = dbtRunner().invoke([*args, *base])
    assert res.success, f"dbt {args[0]} failed: {res.exception or res.result}"
    return res


def test_every_mart_has_an_enforced_contract_and_documented_columns(
    tmp_path: Path, monkeypatch: Any
) -> None:
    _dbt(["parse"], tmp_path, {"ERPML_WAREHOUSE": str(tmp_path / "wh.duckdb")}, monkeypatch)
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    marts = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"].get("schema") == "marts"
    ]
    names = {n["name"] for n in marts}
    expected = {
        "dim_company", "dim_customer", "dim_vendor", "dim_gl_account", "dim_item", "dim_job",
        "dim_fiscal_period", "fct_gl_entry", "fct_gl_balance", "fct_ar_invoice",
        "fct_ar_payment", "fct_ap_invoice", "fct_sales_order_line", "fct_job_cost",
        "fct_financial_plan",
    }  # fmt: skip
    assert expected <= names, expected - names
    problems = []
    for node in marts:
        name = node["name"] + (f" v{node['version']}" if node.get("version") else "")
        if not node["config"]["contract"]["enforced"]:
            problems.append(f"{name}: contract not enforced")
        if not node["description"].strip():
            problems.append(f"{name}: no description")
        for column in node["columns"].values():
            if not column.get("description", "").strip():
                problems.append(f"{name}.{column['name']}: no description")
            if not column.get("data_type"):
                problems.append(f"{name}.{column['name']}: no data_type")
    assert not problems, problems[:10]
    versions = [n for n in marts if n["name"] == "fct_ar_invoice"]
    assert sorted(n["version"] for n in versions) == [1, 2]
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    singular = [
        t
        for t in tests
        if "generic" not in t["original_file_path"] and t["original_file_path"].startswith("tests/")
    ]
    assert len(singular) >= 8  # tie-outs: trial balance, F0902, bGLBL, JCCP, AR, OneStream, ...


def test_docs_generate_and_failed_models_publish_nothing(
    landed: Landed, tmp_path: Path, monkeypatch: Any
) -> None:
    import duckdb

    warehouse = landed.duckdb_copy(tmp_path)
    project = tmp_path / "erpml.yml"
    project.write_text(yaml.safe_dump({"warehouse": {"kind": "duckdb", "path": str(warehouse)}}))
    select = ["--select", "+fct_gl_entry"]
    res = CliRunner().invoke(cli, ["build", "--project", str(project), *select])
    assert res.exit_code == 0, res.output
    from mlops.build import _release_duckdb

    _release_duckdb()
    before = duck_query(warehouse, "select count(*), sum(amount_company) from marts.fct_gl_entry")

    env = {"ERPML_WAREHOUSE": str(warehouse)}
    _dbt(["docs", "generate", "--select", "+fct_gl_entry"], tmp_path / "docs", env, monkeypatch)
    _release_duckdb()
    catalog = json.loads((tmp_path / "docs" / "target" / "catalog.json").read_text())
    assert any(k.endswith(".fct_gl_entry") for k in catalog["nodes"])

    # A bad Julian date in a new landing row: staging fails, the fact is skipped and keeps the
    # rows it had; the build exits 6 with one error line naming model, column and value.
    con = duckdb.connect(str(warehouse))
    con.execute(
        'insert into jde."F0911" select * replace (123999 as "GLDGJ", "GLDOC" + 9000000 as "GLDOC",'
        ' "_erpml_batch_id" + 1000000 as "_erpml_batch_id") from jde."F0911" limit 1'
    )
    con.close()
    res = CliRunner().invoke(cli, ["build", "--project", str(project), *select])
    assert res.exit_code == 6
    assert "123999" in res.stderr and "stg_jde__f0911" in res.stderr
    _release_duckdb()
    assert (
        duck_query(warehouse, "select count(*), sum(amount_company) from marts.fct_gl_entry")
        == before
    )
