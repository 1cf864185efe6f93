"""A scoring batch is published whole or not at all: failures and kills leave the previous state.

DuckDB: a failure injected between the delete of the old batch and the insert of the new one
rolls back; a scoring process killed (SIGKILL) at that point leaves the previous scores. The
write path on PostgreSQL (a throwaway database): replace, rollback, a feature column added.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import mlops.models.score as score_module
from mlops.models.inputs import ColumnSpec
from mlops.models.score import ScoreRun, write_batch
from mlops.models.store import Manifest
from tests.models.conftest import Built, duck_rows, erpml

ROOT = Path(__file__).resolve().parents[2]
T = "2026-06-30"


@pytest.fixture(scope="module")
def scored(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A trained late-payment model and one scoring batch (job nightly, 2026-06-30)."""
    project = built.project(tmp_path_factory.mktemp("scored"))
    assert erpml("train", "--project", str(project), "--feature-set", "late_payment@1").code == 0
    ran = erpml(
        "score",
        "--project",
        str(project),
        "--model",
        "late_payment",
        "--job",
        "nightly",
        "--scheduled-time",
        T,
    )
    assert ran.code == 0, ran.err
    return project


def _state(project: Path) -> list[tuple[Any, ...]]:
    return duck_rows(
        project,
        "select 'scores', run_id, count(*) from scores.late_payment group by all union all "
        "select 'features', run_id, count(*) from scores.late_payment_features group by all "
        "union all select 'runs', run_id, count(*) from _erpml.score_runs group by all "
        "order by 1, 2",
    )


def _copy(project: Path, dest: Path) -> Path:
    import shutil

    shutil.copyfile(project.parent / "warehouse.duckdb", dest / "warehouse.duckdb")
    shutil.copytree(project.parent / ".erpml", dest / ".erpml")
    (dest / "erpml.yml").write_text(
        yaml.safe_dump({"warehouse": {"kind": "duckdb", "path": str(dest / "warehouse.duckdb")}})
    )
    return dest / "erpml.yml"


def test_a_failure_between_delete_and_insert_rolls_back(
    scored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _copy(scored, tmp_path)
    before = _state(project)
    assert [r[0] for r in before] == ["features", "runs", "scores"]

    def fail(*args: Any) -> None:
        raise RuntimeError("injected failure after the delete")

    monkeypatch.setattr(score_module, "_insert", fail)
    for scheduled in (T, "2026-07-31"):  # a rerun of the batch, and a new batch
        with pytest.raises(RuntimeError, match="injected"):
            erpml(
                "score",
                "--project",
                str(project),
                "--model",
                "late_payment",
                "--job",
                "nightly",
                "--scheduled-time",
                scheduled,
            )
        assert _state(project) == before


def test_a_killed_scoring_process_leaves_the_previous_scores(scored: Path, tmp_path: Path) -> None:
    project = _copy(scored, tmp_path)
    before = _state(project)
    marker = tmp_path / "deleted"
    script = textwrap.dedent(
        f"""
        import pathlib, time
        from mlops.models import score
        def stall(*args):
            pathlib.Path({str(marker)!r}).write_text("the old batch is deleted, not committed")
            time.sleep(120)
        score._insert = stall
        from mlops.cli.main import main
        main(["score", "--project", {str(project)!r}, "--model", "late_payment",
              "--job", "nightly", "--scheduled-time", {T!r}])
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():
            assert proc.poll() is None, "the scoring process ended before the write"
            assert time.monotonic() < deadline, "the scoring process never reached the write"
            time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert _state(project) == before


def _manifest() -> Manifest:
    return Manifest.model_validate(
        {
            "name": "demo",
            "version": 1,
            "created_at": datetime(2026, 7, 1),
            "task": "classification",
            "feature_set": "demo@1",
            "snapshot_id": "s1",
            "snapshot_table": "snapshots.demo__v1__s1",
            "entity_key": "invoice_key",
            "label": "late",
            "fingerprints": {"amount@1": "a" * 16, "category@1": "c" * 16},
            "columns": [
                ColumnSpec(name="amount", ref="amount@1", kind="numeric"),
                ColumnSpec(name="category", ref="category@1", kind="categorical"),
            ],
            "training_cutoff": datetime(2026, 6, 30),
            "model_sha256": "0" * 64,
            "estimator_class": "x.Y",
            "erpml_version": "0",
        }
    )


def _batch(run_id: str, n: int, scheduled: datetime, extra: bool = False) -> Any:
    m = _manifest()
    if extra:
        m = m.model_copy(
            update={
                "columns": [*m.columns, ColumnSpec(name="terms", ref="terms@1", kind="numeric")]
            }
        )
    frame = pd.DataFrame(
        {
            "invoice_key": [f"k{i}" for i in range(n)],
            "as_of": pd.Timestamp(scheduled),
            "amount": [float(i) for i in range(n)],
            "category": ['A, "quoted"', None] * (n // 2) + ["B"] * (n % 2),
            "terms": 30.0,
        }
    )
    run = ScoreRun(run_id, m.spec, "scores.demo", n, scheduled, "nightly", scheduled, ["w, 1"])
    return score_module._batch(m, run, frame, [i / n for i in range(n)], datetime(2026, 7, 1))


@pytest.mark.servers
def test_the_postgres_write_path_replaces_and_rolls_back(
    database_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlops.warehouse import open_warehouse

    project = tmp_path / "erpml.yml"
    url = database_factory("postgresql")
    project.write_text(yaml.safe_dump({"warehouse": {"kind": "postgres", "url": url}}))
    june, july = datetime(2026, 6, 30), datetime(2026, 7, 31)

    def state() -> list[tuple[Any, ...]]:
        with open_warehouse(project, read_only=True) as wh:
            return wh.rows(
                "select 'scores', run_id, count(*) from scores.demo group by 1, 2 union all "
                "select 'features', run_id, count(*) from scores.demo_features group by 1, 2 "
                "union all select 'runs', run_id, count(*) from _erpml.score_runs "
                "group by 1, 2 order by 1, 2"
            )

    for batch in (_batch("r1", 5, june), _batch("r2", 4, june), _batch("r3", 3, july)):
        with open_warehouse(project) as wh:
            write_batch(wh, batch)
    assert state() == [
        ("features", "r2", 4),
        ("features", "r3", 3),
        ("runs", "r2", 1),
        ("runs", "r3", 1),
        ("scores", "r2", 4),
        ("scores", "r3", 3),
    ]
    with open_warehouse(project, read_only=True) as wh:
        [[category, fingerprints]] = wh.rows(
            "select f.category, s.feature_fingerprints from scores.demo_features f join "
            "scores.demo s using (run_id, entity_key) where run_id = 'r2' and entity_key = 'k0'"
        )
    assert (
        category == 'A, "quoted"'
        and fingerprints == '{"amount@1": "aaaaaaaaaaaaaaaa", "category@1": "cccccccccccccccc"}'
    )

    before = state()

    def fail(*args: Any) -> None:
        raise RuntimeError("injected failure after the delete")

    with monkeypatch.context() as mp:
        mp.setattr(score_module, "_insert", fail)
        with pytest.raises(RuntimeError), open_warehouse(project) as wh:
            write_batch(wh, _batch("r4", 6, june))
    assert state() == before

    with open_warehouse(project) as wh:  # a model with one more feature: the column is added
        write_batch(wh, _batch("r5", 2, july, extra=True))
    with open_warehouse(project, read_only=True) as wh:
        rows = wh.rows("select run_id, terms from scores.demo_features order by run_id, terms")
    assert {r for r in rows} == {("r2", None), ("r5", 30.0)}
