"""`erpml diff` end to end on the fixture warehouse: classes, reach, values and scores, exit codes.

A throwaway git repository holds a copy of the catalog and dbt models; the warehouse holds the
built features, a late-payment training snapshot and a model trained on it. Definition edits:
a window change without a new version (blocking, values and scores move), the same change as a
new version beside the old one (not blocking, values and scores still reported), and a cosmetic
edit (equivalent, nothing to measure). Mart edits: one column of fct_ar_invoice_v2 changed (its
rows compared old against new on the warehouse, only the features reading it recomputed, the
model's scores moved), and the mart reformatted (equivalent, nothing measured).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlops.cli.main import cli
from tests.dbt.conftest import Landed

WINDOW = (
    "    window: 365 days\n    event_time: paid_date\n    known_at: paid_date\n  - name: cust_share"
)


@pytest.fixture(scope="module")
def world(landed: Landed, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from mlops.build import _release_duckdb
    from mlops.definitions import load_definitions
    from mlops.features import create_snapshot
    from mlops.models.store import store_for
    from mlops.models.train import train_model

    home = tmp_path_factory.mktemp("change_report")
    project = home / "erpml.yml"
    warehouse = landed.duckdb_copy(home)
    project.write_text(yaml.safe_dump({"warehouse": {"kind": "duckdb", "path": str(warehouse)}}))
    res = CliRunner().invoke(
        cli, ["build", "--project", str(project), "--select", "+tag:erpml_feature"]
    )
    assert res.exit_code == 0, res.output
    _release_duckdb()
    catalog = load_definitions(project).catalog
    create_snapshot(project, catalog, "late_payment@1", cutoff=datetime(2030, 1, 1))
    train_model(project, catalog, "late_payment@1", store=store_for(project))

    from mlops.diff import scratch_repo

    repo = scratch_repo(home / "repo")
    return project, repo


MART = "dbt_project/models/marts/receivables/fct_ar_invoice_v2.sql"
DAYS_LATE = "cast(days_late as integer) as days_late"
SETTLED = "dbt_project/models/intermediate/receivables/int_receivables__invoices_settled.sql"


def _diff(
    project: Path, repo: Path, out: Path, edit: tuple[str, str], file: str = ""
) -> tuple[int, dict, str]:
    path = repo / (file or "semantic_models/catalog/late_payment.yml")
    original = path.read_text()
    assert edit[0] in original
    path.write_text(original.replace(edit[0], edit[1], 1))
    try:
        res = CliRunner().invoke(
            cli,
            ["diff", "--repo", str(repo), "--base", "HEAD", "--project", str(project),
             "--out", str(out)],
        )  # fmt: skip
    finally:
        path.write_text(original)
    report = json.loads((out / "change_report.json").read_text()) if out.exists() else {}
    return res.exit_code, report, res.output + res.stderr


def test_value_change_without_version_is_blocking_and_measured(
    world: tuple[Path, Path], tmp_path: Path
) -> None:
    project, repo = world
    code, report, output = _diff(
        project, repo, tmp_path, (WINDOW, WINDOW.replace("365 days", "180 days"))
    )
    assert code == 8, output
    assert "cust_avg_days_late_365d@1: value-changing without a new version" in output
    (change,) = report["definitions"]
    assert change["change"] == "value-changing" and change["ref"] == "cust_avg_days_late_365d@1"
    assert "late_payment@1" in report["touched"]["feature_sets"]
    assert report["models"] == ["late_payment@1"]
    (values,) = report["values"]
    assert 0 < values["rows_changed"] <= values["rows"]
    (scores,) = report["scores"]
    assert scores["model"] == "late_payment@1" and scores["rows_changed"] > 0
    assert scores["max_abs_change"] >= scores["mean_abs_change"] > 0
    assert {"auc_old", "auc_new", "decisions_flipped"} <= set(scores)
    page = (tmp_path / "change_report.html").read_text()
    assert "<svg" in page and len(page) < 200_000
    markdown = (tmp_path / "change_report.md").read_text()
    assert "How much scores move" in markdown and "window: 180 days" in markdown


def test_new_version_beside_the_old_one_is_not_blocking(
    world: tuple[Path, Path], tmp_path: Path
) -> None:
    project, repo = world
    path = repo / "semantic_models" / "catalog" / "late_payment.yml"
    text = path.read_text()
    start = text.index("  - name: cust_avg_days_late_365d")
    end = text.index("  - name: cust_share_paid_late_365d")
    v2 = text[start:end].replace("version: 1", "version: 2", 1).replace("365 days", "180 days")
    code, report, output = _diff(project, repo, tmp_path, (text[start:end], text[start:end] + v2))
    assert code == 0, output
    (change,) = report["definitions"]
    assert change["change"] == "added" and change["ref"] == "cust_avg_days_late_365d@2"
    (values,) = report["values"]
    assert values["feature_set"] == "late_payment@1" and values["rows_changed"] > 0
    assert report["scores"] and report["scores"][0]["rows_changed"] > 0


def test_cosmetic_edit_is_equivalent_and_not_measured(
    world: tuple[Path, Path], tmp_path: Path
) -> None:
    project, repo = world
    code, report, output = _diff(
        project,
        repo,
        tmp_path,
        ("expression: due_date - invoice_date", "expression: DUE_DATE - Invoice_Date"),
    )
    assert code == 0, output
    (change,) = report["definitions"]
    assert change["change"] == "equivalent"
    assert report["values"] == [] and report["scores"] == []


def test_mart_column_edit_is_measured_through_its_readers(
    world: tuple[Path, Path], tmp_path: Path
) -> None:
    project, repo = world
    edit = (DAYS_LATE, "cast(greatest(days_late - 5, 0) as integer) as days_late")
    code, report, output = _diff(project, repo, tmp_path, edit, MART)
    assert code == 0, output
    (mart,) = report["marts"]
    assert mart["change"] == "value-changing" and mart["changed"] == ["days_late"]
    # v1 is selected from v2: its days_late moves with it, and nothing else does
    assert report["columns"] == {
        "fct_ar_invoice_v2": ["days_late"],
        "fct_ar_invoice_v1": ["days_late"],
    }
    features = set(report["touched"]["features"])
    assert "cust_avg_days_late_365d@1" in features and "cust_open_ar@1" not in features
    (rows,) = report["mart_values"]
    assert rows["model"] == "fct_ar_invoice_v2" and rows["key"] == "invoice_key"
    assert rows["rows_old"] == rows["rows_new"] > 0 and rows["rows_added"] == 0
    assert 0 < rows["rows_changed"] == rows["columns"]["days_late"] <= rows["rows_old"]
    moved = {v["feature"] for v in report["values"]}
    assert moved and moved <= features, moved - features
    assert any(v["rows_changed"] > 0 for v in report["values"])
    (scores,) = report["scores"]
    assert scores["model"] == "late_payment@1" and scores["rows_changed"] > 0
    markdown = (tmp_path / "change_report.md").read_text()
    assert "How much model rows move" in markdown and "`days_late`" in markdown
    assert "+        cast(greatest(days_late - 5, 0) as integer) as days_late," in markdown


def test_mart_reformat_is_equivalent_and_not_measured(
    world: tuple[Path, Path], tmp_path: Path
) -> None:
    project, repo = world
    edit = (DAYS_LATE, "CAST(days_late AS INTEGER)  AS  days_late")
    code, report, output = _diff(project, repo, tmp_path, edit, MART)
    assert code == 0, output
    (mart,) = report["marts"]
    assert mart["change"] == "equivalent", mart
    assert report["touched"] == {} and report["mart_values"] == [] and report["values"] == []


def test_upstream_edit_reaches_the_mart_and_is_measured_there(
    world: tuple[Path, Path], tmp_path: Path
) -> None:
    """A status rule in the intermediate model: v1 and v2 move through lineage; v2 is measured
    with the new intermediate SQL inlined, and moves exactly the rows the rule reclassifies."""
    import duckdb

    project, repo = world
    rule = "when as_of_date > due_date then 'past_due'"
    edit = (rule, rule.replace("due_date", "due_date + 5"))
    code, report, output = _diff(project, repo, tmp_path, edit, SETTLED)
    assert code == 0, output
    (change,) = report["marts"]
    assert change["change"] == "value-changing" and change["changed"] == ["status"]
    assert report["touched"]["dbt_models"] == ["fct_ar_invoice_v1", "fct_ar_invoice_v2"]
    assert report["columns"]["fct_ar_invoice_v2"] == ["status"]
    assert "cust_invoices_paid_90d@1" in report["touched"]["features"]
    assert "invoice_amount@1" not in report["touched"]["features"]
    (rows,) = [v for v in report["mart_values"] if v["model"] == "fct_ar_invoice_v2"]
    warehouse = yaml.safe_load(project.read_text())["warehouse"]["path"]
    con = duckdb.connect(warehouse, read_only=True)
    try:
        (expected,) = con.execute(
            "select count(*) from marts.fct_ar_invoice_v2 where open_amount <> 0 "
            "and as_of_date > due_date and as_of_date <= due_date + 5"
        ).fetchone() or (None,)
    finally:
        con.close()
    assert expected and rows["rows_changed"] == rows["columns"]["status"] == expected
