"""Optional MLflow integration (``pip install 'erpml[mlflow]'``): log a stored model, load it back.

:func:`log_model` puts a stored model into MLflow as an ``mlflow.sklearn`` model in the skops
format (loadable by MLflow users as usual), with the erpml manifest beside the model file
(``erpml_manifest.json``) and in the ``MLmodel`` metadata, the holdout metrics as run metrics,
and optionally registers it (``models:/<name>/<version>``). The model file is the store's own,
byte for byte, so the manifest's SHA-256 still holds.

:func:`load_model` reads a ``models:/...`` or ``runs:/...`` URI back with the same checks as
the store: the manifest's SHA-256 and the scikit-learn/numpy allow list. ``erpml score --model
models:/late_payment/3`` scores with it. The tracking server is MLflow's usual
``MLFLOW_TRACKING_URI`` (or ``tracking_uri``). MLflow's usage telemetry is switched off unless
``MLFLOW_DISABLE_TELEMETRY`` is set otherwise.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from mlops.errors import MlopsError
from mlops.models import safe
from mlops.models.store import MODEL_FILE, Manifest, ModelStore, StoredModel

SCHEMES = ("models:/", "runs:/")
MANIFEST_ARTIFACT = "erpml_manifest.json"


def is_mlflow_uri(spec: str) -> bool:
    return spec.startswith(SCHEMES)


def _mlflow(tracking_uri: str | None) -> Any:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    try:
        import mlflow
        import mlflow.sklearn
    except ImportError:
        raise MlopsError("MLflow is not installed: pip install 'erpml[mlflow]'") from None
    if tracking_uri:
        mlflow.set_tracking_uri(tracking_uri)
    return mlflow


def log_model(
    store: ModelStore,
    spec: str,
    *,
    registered_name: str | None = None,
    tracking_uri: str | None = None,
) -> str:
    """Log model ``spec`` of the store to MLflow; the ``models:/`` (or ``runs:/``) URI."""
    mlflow = _mlflow(tracking_uri)
    stored = store.load(spec)
    m = stored.manifest
    source = store.root / m.name / str(m.version) / MODEL_FILE
    trusted = safe.check_types(safe.untrusted_types(source), str(source))
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / "model"
        mlflow.sklearn.save_model(
            stored.estimator,
            str(local),
            serialization_format="skops",
            skops_trusted_types=trusted,
            metadata={"erpml_manifest": m.model_dump(mode="json")},
        )
        shutil.copyfile(source, local / MODEL_FILE)  # the store's bytes: the SHA-256 holds
        (local / MANIFEST_ARTIFACT).write_text(m.model_dump_json(indent=2))
        with mlflow.start_run(run_name=m.spec) as run:
            mlflow.set_tags(
                {
                    "erpml.model": m.spec,
                    "erpml.feature_set": m.feature_set,
                    "erpml.snapshot_id": m.snapshot_id,
                }
            )
            mlflow.log_metrics({k: v for k, v in m.metrics.items() if v is not None})
            mlflow.log_artifacts(str(local), artifact_path="model")
    uri = f"runs:/{run.info.run_id}/model"
    if registered_name is None:
        return uri
    version = mlflow.register_model(uri, registered_name)
    return f"models:/{registered_name}/{version.version}"


def load_model(uri: str, *, tracking_uri: str | None = None) -> StoredModel:
    """The estimator and erpml manifest of an MLflow model logged by :func:`log_model`."""
    mlflow = _mlflow(tracking_uri)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            local = Path(mlflow.artifacts.download_artifacts(uri, dst_path=tmp))
        except Exception as exc:  # MLflow raises its own kinds for unknown names and versions
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise MlopsError(f"{uri}: cannot fetch from MLflow: {first}") from None
        if not (local / MANIFEST_ARTIFACT).exists():
            raise MlopsError(f"{uri}: no {MANIFEST_ARTIFACT}: not a model logged by erpml")
        manifest = Manifest.model_validate_json((local / MANIFEST_ARTIFACT).read_text())
        path = local / MODEL_FILE
        if safe.sha256(path) != manifest.model_sha256:
            raise MlopsError(
                f"{uri}: {MODEL_FILE} does not match the sha256 of its erpml manifest; "
                "refusing to load a file that was changed"
            )
        return StoredModel(manifest, safe.load(path))
