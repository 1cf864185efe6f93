"""`erpml monitor` and `erpml report` on the fixture ERPs (scale 0.05): the whole loop.

Features built on a copy of the landed DuckDB warehouse, a late-payment snapshot with labels
settled by 2025-12-31, a model trained on it, two scoring batches (invoices of 2025-Q4 as of
2025-12-31, invoices of 2026-H1 as of 2026-06-30), then monitor and report.

The fixtures plant shifts from 2026-01-01 (fixtures/README.md), but at this scale the samples
are small: the two ECOM customers appear in April 2026 with no invoice by June, so no scored
invoice carries ECOM. The assertions are the robust ones, against oracles computed here in
SQL: new categories are exactly the batch's categories the snapshot lacks, segments partition
the batch by source ERP, rows are keyed on the manifest's fingerprints, labels settled by the
warehouse's latest ``known_at`` give accuracy rows, and the report is small. Planted drift
with samples large enough to be certain is tested on the synthetic warehouse
(tests/monitoring/test_monitor.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mlops.cli.main import cli
from tests.dbt.conftest import Landed
from tests.monitoring.synthetic import erpml

EARLY, LATE = "2025-12-31", "2026-06-30"


@pytest.fixture(scope="module")
def world(landed: Landed, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    from mlops.build import _release_duckdb
    from mlops.definitions import load_definitions
    from mlops.features import create_snapshot
    from mlops.models.store import store_for
    from mlops.models.train import train_model

    home = tmp_path_factory.mktemp("monitor_world")
    project = home / "erpml.yml"
    warehouse = landed.duckdb_copy(home)
    project.write_text(yaml.safe_dump({"warehouse": {"kind": "duckdb", "path": str(warehouse)}}))
    res = CliRunner().invoke(
        cli, ["build", "--project", str(project), "--select", "+tag:erpml_feature"]
    )
    assert res.exit_code == 0, res.output
    _release_duckdb()
    catalog = load_definitions(project).catalog
    create_snapshot(project, catalog, "late_payment@1", cutoff=datetime(2025, 12, 31))
    train_model(project, catalog, "late_payment@1", store=store_for(project))
    batches = (
        (EARLY, "invoice_date >= date '2025-10-01' and invoice_date <= date '2025-12-31'"),
        (LATE, "invoice_date >= date '2026-01-01'"),
    )
    for when, where in batches:
        ran = erpml(
            "score", "--project", str(project), "--model", "late_payment@1", "--as-of", when,
            "--job", "monthly", "--scheduled-time", when, "--where", where,
        )  # fmt: skip
        assert ran.code == 0, ran.err
    ran = erpml(
        "monitor", "--project", str(project), "--model", "late_payment@1", "--format", "json"
    )
    assert ran.code in (0, 9), ran.err
    return project, json.loads(ran.out)


def _rows(project: Path, sql: str) -> list[tuple[Any, ...]]:
    from mlops.warehouse import open_warehouse

    with open_warehouse(project, read_only=True) as wh:
        return wh.rows(sql)


def test_new_categories_are_those_of_the_batch_absent_from_the_snapshot(
    world: tuple[Path, dict[str, Any]],
) -> None:
    project, data = world
    assert [b["scheduled_time"][:10] for b in data["batches"]] == [EARLY, LATE]
    (snapshot,) = _rows(project, "select table_name from _erpml.snapshots")[0]
    seen = {r[0] for r in _rows(project, f"select distinct cust_category from {snapshot}")}
    for batch in data["batches"]:
        current = _rows(
            project,
            "select distinct cust_category from scores.late_payment_features "
            f"where run_id = '{batch['run_id']}' and cust_category is not null",
        )
        expected = sorted({r[0] for r in current} - seen)
        (value, drifted, detail) = _rows(
            project,
            "select value, drifted, detail from monitoring.drift where feature = "
            "'cust_category' and statistic = 'new_categories' and segment = 'all' "
            f"and run_id = '{batch['run_id']}'",
        )[0]
        assert sorted(filter(None, detail.split(", "))) == expected
        assert drifted == bool(expected) == (value > 0)
        flagged = [a for a in batch["alerts"] if a["kind"] == "new_category"]
        assert bool(flagged) == bool(expected)


def test_segments_partition_the_batch_by_source_erp(world: tuple[Path, dict[str, Any]]) -> None:
    project, data = world
    late = data["batches"][1]
    expected = _rows(
        project,
        "select 'source_system=' || e.source_system, count(*) from scores.late_payment_features "
        "as f join marts.fct_ar_invoice_v2 as e on e.invoice_key = f.entity_key "
        f"where f.run_id = '{late['run_id']}' group by 1 order by 1",
    )
    found = _rows(
        project,
        "select segment, n_cur from monitoring.drift where feature = 'invoice_amount' and "
        f"statistic = 'null_rate' and run_id = '{late['run_id']}' and segment like "
        "'source_system=%' and segment not like '%,%' order by 1",
    )
    assert found == expected and len(expected) >= 2
    (total,) = _rows(
        project,
        "select n_cur from monitoring.drift where feature = 'invoice_amount' and statistic = "
        f"'null_rate' and segment = 'all' and run_id = '{late['run_id']}'",
    )[0]
    assert total == sum(n for _, n in expected) == late["current_rows"]


def test_rows_carry_the_manifest_fingerprints(world: tuple[Path, dict[str, Any]]) -> None:
    from mlops.models.store import store_for

    project, _ = world
    manifest = store_for(project).manifest("late_payment@1")
    keys = _rows(
        project,
        "select distinct feature, feature_ref, reference_fingerprint, fingerprint "
        "from monitoring.drift",
    )
    assert {k[0] for k in keys} == {c.name for c in manifest.columns}
    for _, ref, reference, current in keys:
        assert reference == current == manifest.fingerprints[ref]
    (definition_changes,) = _rows(project, "select sum(definition_changes) from monitoring.runs")[0]
    assert definition_changes == 0


def test_labels_settled_in_the_warehouse_give_accuracy(
    world: tuple[Path, dict[str, Any]],
) -> None:
    project, data = world
    early, late = data["batches"]
    assert early["labels_as_of"][:10] == "2026-06-30"  # the marts' latest known_at, not today
    assert early["labelled"] == early["current_rows"] > 30  # 2025-Q4 invoices have settled
    assert early["unknown_labels"] == late["unknown_labels"] == 0
    assert 0 < late["labelled"] < late["current_rows"]  # recent invoices are still open
    metrics = _rows(
        project,
        "select cast(scheduled_time as date), metric, value, n from monitoring.accuracy "
        "where metric in ('auc', 'brier', 'ece') order by 1, 2",
    )
    early_rows = [m for m in metrics if str(m[0]) == EARLY]
    assert {m[1] for m in early_rows} == {"auc", "brier", "ece"}
    assert all(m[2] is not None and m[3] > 0 for m in early_rows if m[1] != "auc")


def test_the_report_is_small_and_has_its_plots(
    world: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    project, _ = world
    ran = erpml("report", "--project", str(project), "--out", str(tmp_path))
    assert ran.code == 0, ran.err
    page = (tmp_path / "monitoring_report.html").read_text()
    assert len(page.encode()) < 300_000
    assert page.count("<svg") >= 11 + 3  # a drift plot per input, AUC, Brier, ECE
    report = json.loads((tmp_path / "monitoring_report.json").read_text())
    assert [m["model"] for m in report["models"]] == ["late_payment@1"]
