"""Train, store and score on a warehouse built from the fixture ERPs (DuckDB), through the CLI.

Covers: the reference pipelines of the three starter sets and their manifests; a user's own
estimator registered the same way; scores equal the model applied to the training snapshot's
rows (same definitions, same values); a rerun of a job and scheduled time replaces its scores;
the definition guard's two paths; and bad input (unknown feature set, model, alias, a changed
model file, an empty batch, a bad --where), each a one-line error with nothing written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlops.errors import MlopsError
from mlops.models import ScoreOptions, score_model, store_for
from mlops.models.store import MODEL_FILE
from tests.models.conftest import SETS, Built, duck_rows, erpml


@pytest.fixture(scope="module")
def trained(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse copy with late_payment@1 trained on its snapshot (model late_payment@1)."""
    project = built.project(tmp_path_factory.mktemp("trained"))
    ran = erpml("train", "--project", str(project), "--feature-set", "late_payment@1")
    assert ran.code == 0, ran.err
    return project


def _copy(trained: Path, dest: Path, **extra: Any) -> Path:
    """A private copy of the trained project (warehouse and model store)."""
    import yaml

    shutil.copyfile(trained.parent / "warehouse.duckdb", dest / "warehouse.duckdb")
    shutil.copytree(trained.parent / ".erpml", dest / ".erpml")
    data = {"warehouse": {"kind": "duckdb", "path": str(dest / "warehouse.duckdb")}, **extra}
    project = dest / "erpml.yml"
    project.write_text(yaml.safe_dump(data))
    return project


def _count(project: Path, table: str) -> int:
    found = duck_rows(
        project,
        "select count(*) from information_schema.tables "
        f"where table_schema || '.' || table_name = '{table}'",
    )
    if not found[0][0]:
        return 0
    return int(duck_rows(project, f"select count(*) from {table}")[0][0])


@pytest.mark.parametrize("ref", SETS)
def test_train_stores_the_reference_model_with_its_manifest(
    built: Built, ref: str, tmp_path: Path
) -> None:
    project = built.project(tmp_path)
    snapshot = built.snapshots[ref]
    ran = erpml("train", "--project", str(project), "--feature-set", ref, "--snapshot", snapshot)
    assert ran.code == 0, ran.err
    name = ref.split("@", maxsplit=1)[0]
    assert ran.out.startswith(f"model {name}@1: ")
    m = store_for(project).manifest(name)
    [[features, rows]] = duck_rows(
        project,
        f"select features, row_count from _erpml.snapshots where snapshot_id = '{snapshot}'",
    )
    assert m.fingerprints == json.loads(features) and m.snapshot_id == snapshot
    assert m.feature_set == ref and m.training_cutoff.date().isoformat() == "2026-06-30"
    labelled = rows - m.holdout["unlabelled_rows_dropped"]
    assert m.holdout["train_rows"] + m.holdout["holdout_rows"] == labelled
    assert m.holdout["holdout_rows"] >= 0.2 * labelled - 1
    if ref == "item_demand@1":
        assert m.task == "regression" and m.label == "next_30d_quantity"
        assert {"mae", "rmse"} <= set(m.metrics) and m.metrics["mae"] is not None
    else:
        assert m.task == "classification"
        assert {"auc", "brier", "log_loss"} <= set(m.metrics)
        assert 0 <= (m.metrics["brier"] or 0) <= 1
    if ref == "late_payment@1":  # the planted signal: better than chance on later invoices
        assert (m.metrics["auc"] or 0) > 0.6, m.metrics
        assert m.label == "paid_late_30" and m.entity_key == "invoice_key"
        assert {c.name: c.kind for c in m.columns}["cust_category"] == "categorical"
    listed = erpml("models", "list", "--project", str(project))
    assert f"{name}@1" in listed.out


def test_scores_equal_the_model_on_the_training_snapshot(trained: Path, tmp_path: Path) -> None:
    """Same definitions, same SQL: scoring at an invoice's snapshot time reproduces its row."""
    from mlops.models.inputs import prepare
    from mlops.models.train import predictions

    trained = _copy(trained, tmp_path)
    model = store_for(trained).load("late_payment")
    m = model.manifest
    frame = _frame(trained, m.snapshot_table)
    as_of = frame["as_of"].value_counts().index[0]  # the time most invoices share
    rows = frame[frame["as_of"] == as_of]
    assert len(rows) >= 2
    keys = ", ".join(f"'{k}'" for k in rows["invoice_key"])
    ran = erpml(
        "score",
        "--project",
        str(trained),
        "--model",
        "late_payment",
        "--as-of",
        f"{as_of:%Y-%m-%d %H:%M:%S}",
        "--job",
        "parity",
        "--where",
        f"invoice_key in ({keys})",
    )
    assert ran.code == 0, ran.err
    scored = _frame(trained, "scores.late_payment").query("job == 'parity'")
    expected = predictions(model.estimator, m.task, prepare(rows, m.columns))
    got = scored.set_index("entity_key").loc[rows["invoice_key"], "score"].to_numpy()
    assert len(scored) == len(rows)
    assert got == pytest.approx(expected, rel=1e-12)
    used = _frame(trained, "scores.late_payment_features").query("job == 'parity'")
    assert set(used.columns) >= {c.name for c in m.columns} | {"entity_key", "as_of", "run_id"}
    assert (scored["feature_fingerprints"].map(json.loads) == [m.fingerprints] * len(scored)).all()


def _frame(project: Path, table: str) -> pd.DataFrame:
    from mlops.warehouse import open_warehouse

    with open_warehouse(project, read_only=True) as wh:
        return wh.frame(f"select * from {table}")


def test_a_rerun_replaces_its_own_scores(trained: Path, tmp_path: Path) -> None:
    project = _copy(trained, tmp_path)
    args = ["score", "--project", str(project), "--model", "late_payment@1", "--job", "nightly"]
    first = erpml(*args, "--scheduled-time", "2026-06-30", "--where", "status <> 'paid'")
    assert first.code == 0, first.err
    n = _count(project, "scores.late_payment")
    assert n > 10 and n == _count(project, "scores.late_payment_features")
    again = erpml(*args, "--scheduled-time", "2026-06-30", "--where", "status <> 'paid'")
    assert again.code == 0, again.err
    scores = _frame(project, "scores.late_payment")
    assert len(scores) == n and scores["run_id"].nunique() == 1
    assert scores["run_id"].iloc[0] in again.out  # the rerun's rows replaced the first's
    assert (scores["as_of"] == pd.Timestamp("2026-06-30")).all()
    runs = _frame(project, "_erpml.score_runs")
    assert len(runs) == 1 and runs["row_count"].iloc[0] == n
    later = erpml(*args, "--scheduled-time", "2026-07-31")
    assert later.code == 0, later.err
    assert _count(project, "_erpml.score_runs") == 2
    assert _count(project, "scores.late_payment") > n
    assert _count(project, "scores.late_payment") == _count(project, "scores.late_payment_features")


def test_a_users_own_estimator_registers_and_scores(built: Built, tmp_path: Path) -> None:
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mlops.definitions import load_definitions
    from mlops.models import register_model
    from mlops.models.inputs import prepare
    from mlops.models.register import read_snapshot, snapshot_columns, snapshot_frame

    project = built.project(tmp_path)
    catalog = load_definitions(project).catalog
    snap = read_snapshot(project, built.snapshots["late_payment@1"])
    frame = snapshot_frame(project, snap).dropna(subset=["label"])
    columns = snapshot_columns(catalog, snap, frame)
    numeric = [c.name for c in columns if c.kind != "categorical"]
    est = make_pipeline(
        make_column_transformer((make_pipeline(SimpleImputer(), StandardScaler()), numeric)),
        LogisticRegression(),
    ).fit(prepare(frame, columns), frame["label"].astype(int))
    m = register_model(
        store_for(project), "late_payment_lr", est, snap.id, project=project, catalog=catalog
    )
    assert m.spec == "late_payment_lr@1" and m.task == "classification"
    assert m.fingerprints == snap.features and m.metrics == {}
    store_for(project).set_alias("late_payment_lr", 1, "champion")
    run = score_model(
        project, catalog, "late_payment_lr@champion", ScoreOptions(), store=store_for(project)
    )
    assert run.rows == _count(project, "scores.late_payment_lr") > 100
    with pytest.raises(MlopsError, match="cannot predict_proba on the snapshot's feature columns"):
        register_model(store_for(project), "x", LogisticRegression(), snap.id, project=project)


def test_the_guard_warns_while_the_trained_table_remains_and_refuses_once_rebuilt(
    trained: Path, tmp_path: Path
) -> None:
    from mlops.definitions import STARTER

    shutil.copytree(STARTER, tmp_path / "catalog")
    path = tmp_path / "catalog" / "late_payment.yml"
    text = path.read_text()
    path.write_text(text.replace("due_date - invoice_date\n", "(due_date - invoice_date) * 1\n"))
    project = _copy(trained, tmp_path, definitions="catalog")
    old = store_for(project).manifest("late_payment").fingerprints["invoice_terms_days@1"]
    args = ["score", "--project", str(project), "--model", "late_payment", "--as-of", "2026-06-30"]

    warned = erpml(*args)
    assert warned.code == 0, warned.err
    [line] = warned.err.strip().splitlines()
    assert line.startswith("warning: feature invoice_terms_days@1: the catalog's fingerprint")
    assert f"trained on {old}" in line
    n = _count(project, "scores.late_payment")
    assert n > 100
    [[stored]] = duck_rows(project, "select warnings from _erpml.score_runs")
    assert json.loads(stored) == [line.removeprefix("warning: ")]

    # Someone rebuilds the table from the edited definition: the trained one is gone.
    from mlops.warehouse import open_warehouse

    with open_warehouse(project) as wh:
        wh.execute(
            "comment on table features.feat_invoice_terms_days__v1 is "
            "'erpml:invoice_terms_days@1:0123456789abcdef'"
        )
    refused = erpml(*args, "--scheduled-time", "2026-07-01")
    assert refused.code == 4
    [line] = refused.err.strip().splitlines()
    assert line.startswith(
        f"error: feature invoice_terms_days@1: model late_payment@1 was trained on fingerprint "
        f"{old}, the catalog now has "
    )
    assert "features.feat_invoice_terms_days__v1 was rebuilt from 0123456789abcdef" in line
    assert _count(project, "scores.late_payment") == n
    assert _count(project, "_erpml.score_runs") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["train", "--feature-set", "late_payment@9"],
            "error: unknown feature set 'late_payment@9' (known: ",
        ),
        (["train", "--feature-set", "late_payment@1", "--snapshot", "nope"], "no snapshot 'nope'"),
        (["score", "--model", "nope"], "error: unknown model 'nope' in "),
        (["score", "--model", "late_payment@9"], "error: model late_payment has no version 9"),
        (["score", "--model", "late_payment@staging"], "has no alias 'staging' (aliases: none)"),
        (["models", "alias", "late_payment", "4", "champion"], "has no version 4"),
        (
            ["score", "--model", "late_payment", "--where", "1 = 0"],
            "error: no entities to score for late_payment@1 at ",
        ),
        (["score", "--model", "late_payment", "--where", "status ="], "does not parse"),
        (["score", "--model", "late_payment", "--where", "drop table x"], "is not a condition"),
        (
            ["score", "--model", "late_payment", "--where", "no_such_column = 1"],
            "error: cannot select the entities to score: ",
        ),
    ],
    ids=[
        "unknown-feature-set-version",
        "unknown-snapshot",
        "unknown-model",
        "unknown-version",
        "unknown-alias",
        "alias-to-missing-version",
        "empty-batch",
        "unparsable-where",
        "statement-as-where",
        "unknown-column-in-where",
    ],
)
def test_bad_input_is_a_one_line_error_and_writes_nothing(
    trained: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    project = _copy(trained, tmp_path)
    ran = erpml(*args, "--project", str(project))
    assert ran.code == 4, (ran.out, ran.err)
    lines = ran.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert _count(project, "scores.late_payment") == 0
    assert store_for(project).versions("late_payment") == [1]


def test_a_model_file_that_does_not_match_its_manifest_is_refused(
    trained: Path, tmp_path: Path
) -> None:
    project = _copy(trained, tmp_path)
    path = tmp_path / ".erpml" / "models" / "late_payment" / "1" / MODEL_FILE
    path.write_bytes(path.read_bytes() + b"\0")
    ran = erpml("score", "--project", str(project), "--model", "late_payment")
    assert ran.code == 4
    [line] = ran.err.strip().splitlines()
    assert line.startswith("error: model late_payment@1: ") and "sha256" in line
    assert _count(project, "scores.late_payment") == 0


def test_scoring_with_a_model_from_mlflow(
    trained: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", (tmp_path / "mlruns").as_uri())
    project = _copy(trained, tmp_path)
    logged = erpml(
        "models", "log", "late_payment", "--registered-name", "lp", "--project", str(project)
    )
    assert logged.code == 0 and logged.out.strip() == "models:/lp/1", logged.err
    ran = erpml(
        "score", "--project", str(project), "--model", "models:/lp/1", "--as-of", "2026-06-30"
    )
    assert ran.code == 0, ran.err
    assert "with late_payment@1" in ran.out
    assert _count(project, "scores.late_payment") > 100
