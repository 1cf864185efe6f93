"""`erpml monitor`: drift keyed on definitions, accuracy once labels settle, alerts, one
transaction per batch; on DuckDB and PostgreSQL over the synthetic warehouse of
`tests/monitoring/synthetic.py` (planted shifts with samples large enough to be certain), and
the pure pieces (label matching, settings) on their own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import mlops.monitoring.store as store_module
from mlops.errors import MlopsError
from mlops.monitoring.evaluate import match_labels
from mlops.monitoring.settings import DEFAULT_SEGMENTS, load_settings
from tests.monitoring.synthetic import EARLY, LATE, N_BATCH, N_PENDING, World, build, erpml

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ("duckdb", "postgres")
EXIT_ALERTS, EXIT_MLOPS = 9, 4


def _new_world(engine: str, home: Path, request: pytest.FixtureRequest, **sections: Any) -> World:
    url = (
        request.getfixturevalue("database_factory")("postgresql") if engine == "postgres" else None
    )
    return build(home, engine, url, **sections)


def _monitor(world: World, *args: str) -> tuple[int, dict[str, Any], str]:
    ran = erpml("monitor", "--project", str(world.project), "--format", "json", *args)
    data = json.loads(ran.out) if ran.out.strip().startswith("{") else {}
    return ran.code, data, ran.out + ran.err


@pytest.fixture(scope="module", params=ENGINES)
def monitored(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[World, int, dict[str, Any]]]:
    """The synthetic world, monitored once (both batches)."""
    world = _new_world(request.param, tmp_path_factory.mktemp(request.param), request)
    code, data, output = _monitor(world, "--model", "late_payment@1")
    assert data, output
    yield world, code, data


@pytest.fixture(params=ENGINES)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    """A synthetic world of its own, not monitored yet."""
    return _new_world(request.param, tmp_path, request)


def _drifted(world: World, when: datetime) -> set[tuple[str, str, str]]:
    rows = world.rows(
        "select feature, segment, statistic from monitoring.drift "
        f"where drifted and scheduled_time = timestamp '{when:%Y-%m-%d %H:%M:%S}'"
    )
    return {(str(r[0]), str(r[1]), str(r[2])) for r in rows}


def _counts(world: World) -> list[tuple[Any, ...]]:
    return world.rows(
        "select 'drift', run_id, count(*) from monitoring.drift group by 1, 2 union all "
        "select 'accuracy', run_id, count(*) from monitoring.accuracy group by 1, 2 union all "
        "select 'alerts', run_id, count(*) from monitoring.alerts group by 1, 2 union all "
        "select 'runs', run_id, count(*) from monitoring.runs group by 1, 2 order by 1, 2"
    )


# --------------------------------------------------------------------------- planted shifts


def test_planted_shifts_alert_and_the_unshifted_features_do_not(
    monitored: tuple[World, int, dict[str, Any]],
) -> None:
    world, code, data = monitored
    assert code == EXIT_ALERTS
    assert [b["scheduled_time"] for b in data["batches"]] == [str(EARLY), str(LATE)]
    assert _drifted(world, EARLY) == set()
    late = _drifted(world, LATE)
    assert {("invoice_amount", "all", s) for s in ("psi", "ks", "wasserstein")} <= late
    assert ("cust_category", "all", "new_categories") in late
    assert ("cust_category", "all", "jensen_shannon") in late
    assert not [d for d in late if d[0] == "cust_tenure_days"]
    # invoice terms moved for netsuite only: its segments drift, jde's do not
    terms = {segment for feature, segment, _ in late if feature == "invoice_terms_days"}
    assert "source_system=netsuite" in terms
    assert "source_system=netsuite,company_id=00001" in terms
    assert not [s for s in terms if "jde" in s]
    (detail,) = world.rows(
        "select detail from monitoring.drift where feature = 'cust_category' and "
        "statistic = 'new_categories' and segment = 'all' and scheduled_time = "
        f"timestamp '{LATE:%Y-%m-%d %H:%M:%S}'"
    )[0]
    assert detail == "ECOM"


def test_alerts_match_the_drifted_rows_and_breached_metrics(
    monitored: tuple[World, int, dict[str, Any]],
) -> None:
    world, _, data = monitored
    alerts = world.rows(
        "select kind, feature, segment, statistic, model, job, run_id, value, threshold, message "
        "from monitoring.alerts order by 1, 2, 3, 4"
    )
    drift = [a for a in alerts if a[0] != "accuracy"]
    expected = {(f, s, st) for f, s, st in _drifted(world, LATE) if st != "chi2"}
    assert {(a[1], a[2], a[3]) for a in drift} == expected
    kinds = {a[3]: a[0] for a in drift}
    assert kinds["new_categories"] == "new_category" and kinds["psi"] == "drift"
    assert all(a[4] == "late_payment@1" and a[5] == "monthly" for a in alerts)
    accuracy = {a[3] for a in alerts if a[0] == "accuracy"}
    assert {"auc", "ece", "brier"} <= accuracy
    assert all(a[6] == "run_monthly_20260630" for a in alerts)
    assert sum(len(b["alerts"]) for b in data["batches"]) == len(alerts) == data["alerts"]
    assert all(a[9].startswith("late_payment@1 batch monthly 2026-06-30") for a in alerts)


def test_rows_are_keyed_on_feature_version_and_fingerprint(
    monitored: tuple[World, int, dict[str, Any]],
) -> None:
    world, _, _ = monitored
    keys = world.rows(
        "select distinct feature, feature_ref, reference_fingerprint, fingerprint, status "
        "from monitoring.drift order by 1"
    )
    assert [k[0] for k in keys] == sorted(
        ["invoice_amount", "invoice_terms_days", "cust_category", "cust_tenure_days"]
    )
    for _feature, ref, reference, current, status in keys:
        assert reference == current == world.fingerprints[ref]
        assert status in ("ok", "insufficient_data")


def test_accuracy_per_window_once_labels_settle(
    monitored: tuple[World, int, dict[str, Any]],
) -> None:
    world, _, _ = monitored
    rows = world.rows(
        "select scheduled_time, window_start, metric, value, threshold, breached, n, "
        "n_unlabelled, detail from monitoring.accuracy order by 1, 3"
    )
    by = {(r[0], r[2]): r for r in rows}
    early_auc, late_auc = by[(EARLY, "auc")], by[(LATE, "auc")]
    assert str(early_auc[1])[:10] == "2025-12-01" and str(late_auc[1])[:10] == "2026-06-01"
    assert early_auc[6] == N_BATCH and early_auc[7] == 0
    assert late_auc[6] == N_BATCH - N_PENDING and late_auc[7] == N_PENDING
    assert early_auc[4] == pytest.approx(0.83 - 0.05) and not early_auc[5]
    assert 0.8 < early_auc[3] < 0.87 and late_auc[3] < 0.25 and late_auc[5]
    assert not by[(EARLY, "ece")][5] and by[(LATE, "ece")][5]
    assert by[(EARLY, "precision_at_k")][3] is not None
    curve = json.loads(by[(EARLY, "ece")][8])
    assert sum(b[4] for b in curve) == N_BATCH
    assert all(abs(b[3] - b[2]) < 0.15 for b in curve)  # calibrated: observed near predicted
    runs = world.rows(
        "select scheduled_time, labelled, pending_labels, unknown_labels, labels_as_of, "
        "reference_rows, current_rows from monitoring.runs order by 1"
    )
    assert runs == [
        (EARLY, N_BATCH, 0, 0, datetime(2026, 9, 30), 3000, N_BATCH),
        (LATE, N_BATCH - N_PENDING, N_PENDING, 0, datetime(2026, 9, 30), 3000, N_BATCH),
    ]


# --------------------------------------------------------------------------- reruns


def test_a_rerun_replaces_and_the_default_skips_what_is_done(fresh: World) -> None:
    code, data, output = _monitor(fresh, "--model", "late_payment")
    assert code == EXIT_ALERTS, output
    before = _counts(fresh)
    code, data, output = _monitor(fresh, "--model", "late_payment@1")
    assert code == 0 and data["batches"] == [], output  # labels have not settled further
    code, data, output = _monitor(fresh, "--rerun")
    assert code == EXIT_ALERTS and len(data["batches"]) == 2, output
    assert _counts(fresh) == before
    args = ("--job", "monthly", "--scheduled-time", f"{EARLY:%Y-%m-%d}")
    code, data, output = _monitor(fresh, *args)
    assert code == 0 and [b["run_id"] for b in data["batches"]] == ["run_monthly_20251231"]
    assert _counts(fresh) == before


def test_accuracy_is_refreshed_when_more_labels_settle(fresh: World) -> None:
    code, data, output = _monitor(fresh, "--labels-as-of", "2026-07-10")
    assert code == EXIT_ALERTS, output
    (pending,) = fresh.rows(
        f"select pending_labels from monitoring.runs where scheduled_time = "
        f"timestamp '{LATE:%Y-%m-%d %H:%M:%S}'"
    )[0]
    assert pending > N_PENDING  # invoices paid late settle on due + 31 = 2026-07-21
    drift_before = fresh.rows("select count(*), max(monitored_at) from monitoring.drift")
    code, data, output = _monitor(fresh)  # labels settled up to the mart's known_at since
    assert [(b["scheduled_time"], b["part"]) for b in data["batches"]] == [(str(LATE), "accuracy")]
    assert data["batches"][0]["pending_labels"] == N_PENDING
    assert {a["kind"] for a in data["batches"][0]["alerts"]} == {"accuracy"}
    assert code == EXIT_ALERTS, output
    assert fresh.rows("select count(*), max(monitored_at) from monitoring.drift") == drift_before
    (labelled,) = fresh.rows(
        "select labelled from monitoring.runs where pending_labels = "
        f"{N_PENDING} and scheduled_time = timestamp '{LATE:%Y-%m-%d %H:%M:%S}'"
    )[0]
    assert labelled == N_BATCH - N_PENDING


def test_a_changed_definition_is_reported_never_drift(fresh: World) -> None:
    import numpy as np

    from tests.monitoring import synthetic

    changed = dict(fresh.fingerprints, **{"invoice_terms_days@1": "0" * 16})
    frame = synthetic._shifted(
        np.random.default_rng(1),
        synthetic._invoices(np.random.default_rng(2), "l", 500, lambda n: [LATE] * n),
    )
    synthetic.write_scores(
        fresh, frame, LATE, np.random.default_rng(3), flip=False, job="redefined",
        fingerprints=changed,
    )  # fmt: skip
    code, data, output = _monitor(fresh, "--job", "redefined")
    assert code == EXIT_ALERTS, output
    rows = fresh.rows(
        "select segment, statistic, status, value, reference_fingerprint, fingerprint "
        "from monitoring.drift where job = 'redefined' and feature = 'invoice_terms_days'"
    )
    assert rows == [("all", "definition", "definition_changed", None, fresh.fingerprints[
        "invoice_terms_days@1"], "0" * 16)]  # fmt: skip
    (batch,) = data["batches"]
    kinds = {(a["kind"], a["feature"]) for a in batch["alerts"]}
    assert ("definition_changed", "invoice_terms_days") in kinds
    assert ("drift", "invoice_amount") in kinds  # the other features are still compared
    assert batch["definition_changes"] == 1


# --------------------------------------------------------------------------- bad input


def test_labels_for_unknown_entities_are_ignored_and_counted(fresh: World) -> None:
    fresh.execute(
        "create table main_labels (entity_key varchar, label boolean, label_known_at timestamp)"
        if fresh.engine == "duckdb"
        else "create table public.main_labels (entity_key varchar, label boolean, "
        "label_known_at timestamp)",
        "insert into main_labels select invoice_key, "
        "paid_date is null or paid_date > due_date + 30, timestamp '2026-08-01' "
        "from marts.fct_ar_invoice_v2 where invoice_key like 'e%'",
        "insert into main_labels values ('nobody-1', true, timestamp '2026-08-01'), "
        "('nobody-2', false, timestamp '2026-08-01'), ('nobody-3', false, timestamp '2026-08-01')",
    )
    schema = "main" if fresh.engine == "duckdb" else "public"
    code, data, output = _monitor(fresh, "--labels", f"{schema}.main_labels")
    assert code == EXIT_ALERTS, output
    early, late = data["batches"]
    assert early["unknown_labels"] == late["unknown_labels"] == 3
    assert early["labelled"] == N_BATCH and late["labelled"] == 0
    assert fresh.rows("select unknown_labels from monitoring.runs order by 1") == [(3,), (3,)]
    code, _, output = _monitor(fresh, "--rerun", "--labels", f"{schema}.no_such_table")
    assert code == EXIT_MLOPS and "needs columns entity_key, label, label_known_at" in output


def test_a_batch_without_rows_is_an_error_and_nothing_is_written(fresh: World) -> None:
    fresh.execute("delete from scores.late_payment_features where run_id = 'run_monthly_20260630'")
    code, _, output = _monitor(fresh)
    assert code == EXIT_MLOPS
    assert (
        "late_payment@1 batch monthly 2026-06-30 00:00 (run run_monthly_20260630) has no "
        'rows in scores."late_payment_features": nothing to monitor, nothing written' in output
    )
    assert fresh.rows(
        "select count(*) from information_schema.tables where table_schema = 'monitoring'"
    ) == [(0,)]


def test_unknown_models_and_batches_are_clear_errors(fresh: World) -> None:
    code, _, output = _monitor(fresh, "--model", "no_such_model")
    assert code == EXIT_MLOPS and "unknown model 'no_such_model'" in output
    code, _, output = _monitor(fresh, "--model", "late_payment@7")
    assert code == EXIT_MLOPS and "model late_payment has no version 7" in output
    code, _, output = _monitor(fresh, "--job", "monthly", "--scheduled-time", "2024-01-01")
    assert code == EXIT_MLOPS
    assert "no scoring batch of late_payment from job 'monthly' scheduled at 2024-01-01" in output


def test_a_failure_mid_write_leaves_the_previous_rows(
    fresh: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _monitor(fresh)[0] == EXIT_ALERTS
    before = _counts(fresh)
    original = store_module._delete

    def delete_then_fail(*args: Any) -> None:
        original(*args)
        raise RuntimeError("injected failure after the delete")

    monkeypatch.setattr(store_module, "_delete", delete_then_fail)
    with pytest.raises(RuntimeError, match="injected"):
        _monitor(fresh, "--rerun")
    assert _counts(fresh) == before


def test_a_killed_monitor_leaves_the_previous_rows(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    world = _new_world("duckdb", tmp_path, request)
    assert _monitor(world)[0] == EXIT_ALERTS
    before = _counts(world)
    marker = tmp_path / "deleted"
    script = textwrap.dedent(
        f"""
        import pathlib, time
        from mlops.monitoring import store
        original = store._delete
        def stall(*args):
            original(*args)
            pathlib.Path({str(marker)!r}).write_text("deleted, not committed")
            time.sleep(120)
        store._delete = stall
        from mlops.cli.main import main
        main(["monitor", "--project", {str(world.project)!r}, "--rerun"])
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "the monitor ended before its write"
            assert time.monotonic() < deadline, "the monitor never reached its write"
            time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert _counts(world) == before


def test_a_monitor_job_of_the_scheduler_monitors_what_is_new(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    jobs = [{"name": "watch", "kind": "monitor", "cron": "0 7 * * *", "model": "late_payment@1"}]
    world = _new_world("duckdb", tmp_path, request, jobs=jobs)
    code, data, output = _monitor(
        world, "--job", "watch", "--scheduled-time", "2026-07-01T07:00:00"
    )
    assert code == EXIT_ALERTS and len(data["batches"]) == 2, output
    assert world.rows(
        "select distinct monitor_job, monitor_scheduled_time from monitoring.runs"
    ) == [("watch", datetime(2026, 7, 1, 7))]


# --------------------------------------------------------------------------- pure pieces


def test_match_labels_counts_unknown_entities_and_keeps_the_latest_label() -> None:
    current = pd.DataFrame(
        {
            "entity_key": ["a", "b", "c", "d"],
            "as_of": pd.Timestamp("2026-01-31"),
            "score": [0.1, 0.9, 0.5, 0.3],
        }
    )
    labels = pd.DataFrame(
        {
            "entity_key": ["a", "b", "b", "x", "y", "c"],
            "label": [True, False, True, True, False, None],
            "label_known_at": pd.to_datetime(
                ["2026-02-01", "2026-02-01", "2026-03-01", "2026-02-01", "2026-02-01", None]
            ),
        }
    )
    frame, unknown = match_labels(current, labels)
    assert unknown == 2
    assert frame["label"].tolist()[:2] == [1.0, 1.0]  # b: the later label wins
    assert np.isnan(frame["label"].tolist()[2]) and np.isnan(frame["label"].tolist()[3])
    assert frame["score"].tolist() == [0.1, 0.9, 0.5, 0.3]


def _settings_file(tmp_path: Path, monitoring: Any) -> Path:
    path = tmp_path / "erpml.yml"
    path.write_text(yaml.safe_dump({"monitoring": monitoring}, sort_keys=False))
    return path


def test_settings_defaults_overrides_and_errors_with_file_and_line(tmp_path: Path) -> None:
    from mlops.definitions import load_definitions

    catalog = load_definitions(None).catalog
    assert load_settings(tmp_path / "absent.yml").segments == DEFAULT_SEGMENTS
    path = _settings_file(
        tmp_path,
        {
            "drift": {"features": {"invoice_amount": {"psi": 0.3}}},
            "segments": ["source_system"],
            "accuracy": {"auc_drop": None},
        },
    )
    settings = load_settings(path, catalog)
    assert settings.drift.thresholds("invoice_amount").psi == 0.3
    assert settings.drift.thresholds("invoice_amount").ks_statistic == 0.1
    assert settings.segments == (("source_system",),) and settings.accuracy.auc_drop is None
    assert load_settings(_settings_file(tmp_path, {"segments": False})).segments == ()
    bad = _settings_file(tmp_path, {"accuracy": {"window": "Q"}})
    with pytest.raises(MlopsError, match=r"erpml.yml:3: monitoring.accuracy.window: "):
        load_settings(bad)
    bad = _settings_file(tmp_path, {"drift": {"features": {"invoice_amont": {"psi": 0.3}}}})
    with pytest.raises(
        MlopsError,
        match=r"erpml.yml:4: monitoring.drift.features.invoice_amont: no feature column named",
    ):
        load_settings(bad, catalog)
    bad = _settings_file(tmp_path, {"drift": {"default": {"psi": -1}}})
    with pytest.raises(MlopsError, match=r"erpml.yml:4: monitoring.drift.default.psi: "):
        load_settings(bad)


def test_a_regressor_is_judged_by_mae_rmse_and_a_finite_mape() -> None:
    from mlops.models.store import Manifest
    from mlops.monitoring.evaluate import Batch, BatchInputs, Labels, evaluate
    from mlops.monitoring.settings import MonitoringSettings

    rng = np.random.default_rng(5)
    n = 400
    manifest = Manifest.model_validate(
        {
            "name": "overrun", "version": 2, "created_at": datetime(2026, 1, 1),
            "task": "regression", "feature_set": "job_overrun@1", "snapshot_id": "s",
            "snapshot_table": "snapshots.s", "entity_key": "job_cost_key", "label": "overrun",
            "fingerprints": {"cost@1": "a" * 16},
            "columns": [{"name": "cost", "ref": "cost@1", "kind": "numeric"}],
            "training_cutoff": datetime(2025, 12, 31), "metrics": {"mae": 1.0, "rmse": 1.3},
            "model_sha256": "0" * 64, "estimator_class": "x.Y", "erpml_version": "0",
        }
    )  # fmt: skip
    keys = [f"j{i}" for i in range(n)]
    months = pd.to_datetime(["2026-01-31", "2026-02-28"]).repeat(n // 2)
    truth = rng.normal(0, 3, n)  # overruns: negative, zero and positive
    truth[:5] = 0.0
    error = np.where(np.arange(n) < n // 2, rng.normal(0, 1, n), rng.normal(0, 3, n))
    current = pd.DataFrame(
        {"entity_key": keys, "as_of": months, "score": truth + error, "cost": rng.random(n)}
    )
    labels = pd.DataFrame({"entity_key": keys, "label": truth, "label_known_at": months})
    batch = Batch("r", "nightly", datetime(2026, 3, 1), datetime(2026, 3, 1), "overrun", 2, n)
    inputs = BatchInputs(
        batch, manifest, current[["cost"]], current, {"cost@1": "a" * 16},
        Labels(labels, datetime(2026, 3, 1)),
    )  # fmt: skip
    result = evaluate(inputs, MonitoringSettings())
    rows = {(str(r.window_start), r.metric): r for r in result.accuracy}
    assert {m for _, m in rows} == {"labelled", "mae", "rmse", "wape"}
    jan, feb = rows[("2026-01-01", "mae")], rows[("2026-02-01", "mae")]
    assert jan.threshold == pytest.approx(1.25) and not jan.breached
    assert feb.breached and feb.value > 2
    assert rows[("2026-02-01", "rmse")].breached and rows[("2026-02-01", "rmse")].threshold == 1.625
    wape = rows[("2026-01-01", "wape")]
    assert wape.value is not None and np.isfinite(wape.value) and wape.threshold is None
    assert {(a.kind, a.statistic) for a in result.alerts} == {
        ("accuracy", "mae"),
        ("accuracy", "rmse"),
    }
    assert result.labelled == n and result.pending_labels == 0 and not result.drift[0].drifted


def test_the_report_reads_back_what_was_written(
    monitored: tuple[World, int, dict[str, Any]], tmp_path: Path
) -> None:
    world, _, data = monitored
    ran = erpml("report", "--project", str(world.project), "--out", str(tmp_path))
    assert ran.code == 0, ran.err
    report = json.loads((tmp_path / "monitoring_report.json").read_text())
    (model,) = report["models"]
    assert [r["run_id"] for r in model["runs"]] == [b["run_id"] for b in data["batches"]]
    assert model["alerts_total"] == data["alerts"]
    assert "<svg" in (tmp_path / "monitoring_report.html").read_text()
