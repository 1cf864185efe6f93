"""The model store on its own: versions, aliases, manifests, the safe format and its refusals."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlops.errors import MlopsError
from mlops.models.inputs import ColumnSpec, prepare
from mlops.models.store import MANIFEST_FILE, MODEL_FILE, ModelStore, store_for
from mlops.models.train import reference_pipeline

COLUMNS = [
    ColumnSpec(name="amount", ref="amount@1", kind="numeric"),
    ColumnSpec(name="since", ref="since@1", kind="timestamp"),
    ColumnSpec(name="category", ref="category@1", kind="categorical"),
]


def _frame(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "amount": rng.normal(100, 20, n),
            "since": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, n), "D"),
            "category": rng.choice(["A", "B", None], n),
        }
    )


def _fitted() -> Any:
    frame = _frame()
    y = (frame["amount"] > 100).astype(int)
    return reference_pipeline(COLUMNS, "classification").fit(prepare(frame, COLUMNS), y)


def _fields() -> dict[str, Any]:
    return {
        "task": "classification",
        "feature_set": "demo@1",
        "snapshot_id": "20260630T000000_abcdef12",
        "snapshot_table": "snapshots.demo__v1__20260630T000000_abcdef12",
        "entity_key": "invoice_key",
        "label": "late",
        "fingerprints": {"amount@1": "a" * 16, "since@1": "b" * 16, "category@1": "c" * 16},
        "columns": COLUMNS,
        "training_cutoff": datetime(2026, 6, 30),
    }


def my_function(x: Any) -> Any:
    return x


class HomeMadeModel:
    def predict(self, x: Any) -> Any:
        return np.zeros(len(x))


def test_versions_aliases_and_round_trip(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models")
    est = _fitted()
    first = store.save("demo", est, _fields())
    second = store.save("demo", est, _fields())
    assert (first.version, second.version) == (1, 2)
    assert store.names() == ["demo"] and store.versions("demo") == [1, 2]
    assert store.resolve("demo") == ("demo", 2) == store.resolve("demo@latest")
    store.set_alias("demo", 1, "champion")
    assert store.resolve("demo@champion") == ("demo", 1)
    store.set_alias("demo", 2, "champion")  # moving an alias
    assert store.resolve("demo@champion") == ("demo", 2)
    assert json.loads((tmp_path / "models" / "demo" / "aliases.json").read_text()) == {
        "champion": 2
    }

    loaded = store.load("demo@1")
    x = prepare(_frame(20), COLUMNS)
    assert np.allclose(loaded.estimator.predict_proba(x), est.predict_proba(x))
    m = loaded.manifest
    assert m.spec == "demo@1" and m.created_at.tzinfo is not None
    assert m.estimator_class == "sklearn.pipeline.Pipeline"
    assert m.fingerprints == _fields()["fingerprints"] and m.columns == COLUMNS
    assert len(m.model_sha256) == 64 and m.erpml_version


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nope", "unknown model 'nope'"),
        ("demo@7", "model demo has no version 7 (versions: 1)"),
        ("demo@champion", "model demo has no alias 'champion' (aliases: none)"),
        ("Demo; drop", "a name is lower-case letters"),
    ],
)
def test_unknown_model_version_or_alias(tmp_path: Path, spec: str, message: str) -> None:
    store = ModelStore(tmp_path)
    store.save("demo", _fitted(), _fields())
    with pytest.raises(MlopsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        store.load(spec)


def test_alias_rules(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    store.save("demo", _fitted(), _fields())
    with pytest.raises(MlopsError, match="has no version 3"):
        store.set_alias("demo", 3, "champion")
    with pytest.raises(MlopsError, match="alias 'latest'"):
        store.set_alias("demo", 1, "latest")
    with pytest.raises(MlopsError, match="alias '3'"):
        store.set_alias("demo", 1, "3")


def test_a_changed_model_file_is_refused(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    store.save("demo", _fitted(), _fields())
    path = tmp_path / "demo" / "1" / MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(MlopsError, match=r"does not match|its manifest says") as info:
        store.load("demo")
    assert "refusing to load a file that was changed" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "estimator",
    [HomeMadeModel(), "function"],
    ids=["foreign-class", "python-function"],
)
def test_types_outside_sklearn_and_numpy_are_refused_when_stored(
    tmp_path: Path, estimator: Any
) -> None:
    from sklearn.preprocessing import FunctionTransformer

    if estimator == "function":
        estimator = FunctionTransformer(func=my_function).fit(np.zeros((3, 1)))
    store = ModelStore(tmp_path)
    with pytest.raises(MlopsError, match="refusing types outside scikit-learn and numpy"):
        store.save("demo", estimator, _fields())
    assert store.versions("demo") == []  # the unfinished version is not listed
    assert store.save("demo", _fitted(), _fields()).version == 2  # and its number not reused


def test_a_planted_file_with_foreign_types_is_refused_when_loaded(tmp_path: Path) -> None:
    """A store copied from somewhere else: the hash matches, the content is not allowed."""
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    from mlops.models.safe import sha256

    store = ModelStore(tmp_path)
    store.save("demo", _fitted(), _fields())
    folder = tmp_path / "demo" / "1"
    sio.dump(FunctionTransformer(func=os.system), folder / MODEL_FILE)
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    manifest["model_sha256"] = sha256(folder / MODEL_FILE)
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(
        MlopsError, match=r"refusing types outside scikit-learn and numpy: .*system"
    ):
        store.load("demo@1")


def test_store_location_from_the_project_file(tmp_path: Path) -> None:
    project = tmp_path / "erpml.yml"
    project.write_text("warehouse: {kind: duckdb, path: w.duckdb}\n")
    assert store_for(project).root == tmp_path / ".erpml" / "models"
    project.write_text("warehouse: {kind: duckdb, path: w.duckdb}\nmodels:\n  store: elsewhere\n")
    assert store_for(project).root == tmp_path / "elsewhere"
    project.write_text("warehouse: {kind: duckdb, path: w.duckdb}\nmodels:\n  stor: elsewhere\n")
    with pytest.raises(MlopsError, match=r"erpml.yml:3: .*stor"):
        store_for(project)


def test_prepare_types_the_model_input() -> None:
    frame = pd.DataFrame(
        {
            "amount": pd.array([1, None], dtype="Int64"),
            "flag": pd.array([True, None], dtype="boolean"),
            "since": pd.to_datetime(["1970-01-03", None]),
            "category": pd.array(["A", None], dtype="string"),
        }
    )
    columns = [
        ColumnSpec(name="amount", ref="amount@1", kind="numeric"),
        ColumnSpec(name="flag", ref="flag@1", kind="numeric"),
        ColumnSpec(name="since", ref="since@1", kind="timestamp"),
        ColumnSpec(name="category", ref="category@1", kind="categorical"),
    ]
    x = prepare(frame, columns)
    assert list(x.dtypes.astype(str)) == ["float64", "float64", "float64", "object"]
    assert x.iloc[0].tolist() == [1.0, 1.0, 2.0, "A"]
    assert x.iloc[1].isna().all() and isinstance(x.iloc[1, 3], float)
    with pytest.raises(MlopsError, match="feature columns missing from the frame: flag"):
        prepare(frame.drop(columns="flag"), columns)


def test_a_boosted_tree_pointing_outside_itself_is_refused_when_loaded(tmp_path: Path) -> None:
    """skops trusts the class; the node links are checked before predict can follow them."""
    est = _fitted()
    predictor = est.named_steps["model"]._predictors[3][0]
    predictor.nodes["right"][0] = len(predictor.nodes) + 1000
    store = ModelStore(tmp_path)
    store.save("demo", est, _fields())
    with pytest.raises(MlopsError, match="a boosted tree's node 0 points outside its tree"):
        store.load("demo")
