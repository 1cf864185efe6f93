"""The optional MLflow integration: log a stored model with its manifest, load models:/ back.

MLflow runs against a local folder store (``MLFLOW_ALLOW_FILE_STORE=true``); scoring through a
``models:/`` URI is tested in ``test_train_score.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlops.errors import MlopsError
from mlops.models.inputs import prepare
from mlops.models.mlflow_registry import load_model, log_model
from mlops.models.store import MODEL_FILE, ModelStore
from tests.models.test_store import COLUMNS, _fields, _fitted, _frame


@pytest.fixture
def tracking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "mlruns"
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", folder.as_uri())
    return folder


def test_log_and_load_a_registered_model(tmp_path: Path, tracking: Path) -> None:
    import mlflow.sklearn

    store = ModelStore(tmp_path / "models")
    est = _fitted()
    store.save("demo", est, _fields() | {"metrics": {"auc": 0.75, "ece": None}})
    uri = log_model(store, "demo@1", registered_name="demo")
    assert uri == "models:/demo/1"

    loaded = load_model(uri)
    assert loaded.manifest == store.manifest("demo@1")
    x = prepare(_frame(10), COLUMNS)
    assert np.allclose(loaded.estimator.predict_proba(x), est.predict_proba(x))
    # MLflow's own loader reads it too (skops, the trusted types recorded in MLmodel).
    assert np.allclose(mlflow.sklearn.load_model(uri).predict_proba(x), est.predict_proba(x))
    run = mlflow.get_run(mlflow.search_runs(output_format="list")[0].info.run_id)
    assert run.data.metrics == {"auc": 0.75} and run.data.tags["erpml.model"] == "demo@1"

    unregistered = log_model(store, "demo")
    assert unregistered.startswith("runs:/") and load_model(unregistered).manifest.version == 1


def test_a_changed_or_unknown_mlflow_model_is_refused(tmp_path: Path, tracking: Path) -> None:
    store = ModelStore(tmp_path / "models")
    store.save("demo", _fitted(), _fields())
    uri = log_model(store, "demo", registered_name="demo")
    [logged] = [p for p in tracking.rglob(MODEL_FILE)]
    logged.write_bytes(logged.read_bytes() + b"\0")
    with pytest.raises(MlopsError, match="does not match the sha256 of its erpml manifest"):
        load_model(uri)
    with pytest.raises(MlopsError, match=r"models:/nope/1: cannot fetch from MLflow: "):
        load_model("models:/nope/1")
