"""Put a fitted estimator in the model store with the manifest of the snapshot it was fit on.

:func:`register_model` is how ``erpml train`` stores its reference pipeline, and how users store
their own scikit-learn-compatible estimator: fit it on a snapshot's feature columns (as
:func:`mlops.models.inputs.prepare` gives them), then register it with that snapshot's id.
The manifest takes every ``feature@version -> fingerprint`` from the snapshot's record in
``_erpml.snapshots``, so scoring can later tell whether a definition changed since.

>>> catalog = load_definitions(project).catalog
>>> snap = latest_snapshot(project, "late_payment@1")
>>> frame = snapshot_frame(project, snap).dropna(subset=["label"])
>>> columns = snapshot_columns(catalog, snap, frame)
>>> numeric = [c.name for c in columns if c.kind != "categorical"]
>>> est = make_pipeline(make_column_transformer((SimpleImputer(), numeric)), LogisticRegression())
>>> est.fit(prepare(frame, columns), frame["label"].astype(int))
>>> register_model(store_for(project), "late_payment_lr", est, snap.id, project=project)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops.errors import MlopsError
from mlops.features import META
from mlops.models.inputs import ColumnSpec, columns_of, prepare
from mlops.models.store import Manifest, ModelStore
from mlops.warehouse import open_warehouse

if TYPE_CHECKING:
    import pandas as pd

    from semantic_models.catalog import Catalog


@dataclass(frozen=True)
class SnapshotRecord:
    """A row of ``_erpml.snapshots``."""

    id: str
    feature_set: str
    table: str
    rows: int
    cutoff: datetime
    features: dict[str, str]  # feature@version -> fingerprint


def _records(project: Path, where: str, params: tuple[Any, ...]) -> list[SnapshotRecord]:
    with open_warehouse(project, read_only=True) as wh:
        known = wh.rows(
            "select count(*) from information_schema.tables "
            "where table_schema = '_erpml' and table_name = 'snapshots'"
        )
        if not known[0][0]:
            return []
        marker = "?" if wh.dialect == "duckdb" else "%s"
        rows = wh.rows(
            "select snapshot_id, feature_set, table_name, row_count, cutoff, features "
            f"from {META}.snapshots where {where.replace('?', marker)} "
            "order by created_at desc",
            params,
        )
    return [
        SnapshotRecord(str(r[0]), str(r[1]), str(r[2]), int(r[3]), r[4], json.loads(r[5]))
        for r in rows
    ]


def read_snapshot(project: Path, snapshot_id: str) -> SnapshotRecord:
    found = _records(project, "snapshot_id = ?", (snapshot_id,))
    if not found:
        raise MlopsError(f"no snapshot {snapshot_id!r} (see erpml snapshot create)")
    return found[0]


def latest_snapshot(project: Path, ref: str) -> SnapshotRecord:
    found = _records(project, "feature_set = ?", (ref,))
    if not found:
        raise MlopsError(f"no snapshot of {ref} yet: run erpml snapshot create --feature-set {ref}")
    return found[0]


def snapshot_frame(project: Path, snap: SnapshotRecord) -> pd.DataFrame:
    with open_warehouse(project, read_only=True) as wh:
        return wh.frame(f"select * from {snap.table}")


def snapshot_columns(
    catalog: Catalog, snap: SnapshotRecord, frame: pd.DataFrame
) -> list[ColumnSpec]:
    """The feature columns of a snapshot, each with the definition it was computed from."""
    from mlops.features import plan
    from semantic_models.errors import DefinitionError

    try:
        p = plan(catalog, catalog.feature_set(snap.feature_set))
    except DefinitionError as exc:
        raise MlopsError(str(exc)) from None
    refs = {c.name: c.ref for c in p.columns if not c.hidden}
    absent = [n for n, r in refs.items() if n not in frame.columns or r not in snap.features]
    if absent:
        raise MlopsError(
            f"snapshot {snap.id} lacks features the catalog's {snap.feature_set} has: "
            f"{', '.join(absent)} (take a new snapshot)"
        )
    return columns_of(frame, refs)


def register_model(
    store: ModelStore,
    name: str,
    estimator: Any,
    snapshot_id: str,
    *,
    project: Path,
    catalog: Catalog | None = None,
    metrics: dict[str, float | None] | None = None,
    holdout: dict[str, Any] | None = None,
) -> Manifest:
    """Store a fitted estimator as the next version of ``name``, trained on ``snapshot_id``."""
    from sklearn.base import is_classifier

    from mlops.definitions import load_definitions

    catalog = catalog or load_definitions(project).catalog
    snap = read_snapshot(project, snapshot_id)
    frame = snapshot_frame(project, snap)
    columns = snapshot_columns(catalog, snap, frame)
    task = "classification" if is_classifier(estimator) else "regression"
    _check_predicts(estimator, task, prepare(frame.head(5), columns))
    fset = catalog.feature_set(snap.feature_set)
    fields = {
        "task": task,
        "feature_set": snap.feature_set,
        "snapshot_id": snap.id,
        "snapshot_table": snap.table,
        "entity_key": catalog.entity(fset.entity).key,
        "label": fset.label.name if fset.label else None,
        "fingerprints": snap.features,
        "columns": columns,
        "training_cutoff": snap.cutoff,
        "holdout": holdout or {},
        "metrics": metrics or {},
    }
    return store.save(name, estimator, fields)


def _check_predicts(estimator: Any, task: str, sample: pd.DataFrame) -> None:
    method = "predict_proba" if task == "classification" else "predict"
    if not callable(getattr(estimator, method, None)):
        raise MlopsError(f"{type(estimator).__name__} has no {method}: cannot score with it")
    if sample.empty:
        return
    try:
        getattr(estimator, method)(sample)
    except Exception as exc:  # the user's estimator: any failure means it cannot score
        raise MlopsError(
            f"{type(estimator).__name__} cannot {method} on the snapshot's feature columns "
            f"(is it fitted on them?): {exc}"
        ) from None
