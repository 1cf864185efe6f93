"""``erpml train``: a reference scikit-learn pipeline fit on a snapshot, judged on a time holdout.

The snapshot's rows without a settled label are dropped. The holdout is the latest 20% of the
rest by prediction time (``as_of``): rows at or after the ``as_of`` found at the 80% point go
to the holdout, so no prediction time sits on both sides. The model is fit on the earlier rows
only and stored as fit, so its metrics describe exactly the stored estimator. Note: a training
row's label may have settled after the holdout starts (an invoice paid later); a model deployed
at that time could not have seen it, so holdout metrics can be slightly optimistic.

A boolean label gives a classifier (``HistGradientBoostingClassifier``; score = probability of
the positive class; metrics AUC, Brier score, log loss, ECE, precision at 100), a numeric label
a regressor (``HistGradientBoostingRegressor``; MAE, RMSE, WAPE): the metrics of
``mlops.monitoring.accuracy``, so training and monitoring report the same numbers. Text
features are one-hot encoded (missing as its own category, unseen categories ignored),
numeric ones imputed with the median.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mlops.errors import MlopsError
from mlops.models.inputs import ColumnSpec, prepare
from mlops.models.register import (
    SnapshotRecord,
    latest_snapshot,
    read_snapshot,
    register_model,
    snapshot_columns,
    snapshot_frame,
)
from mlops.models.store import Manifest, ModelStore

if TYPE_CHECKING:
    import pandas as pd

    from semantic_models.catalog import Catalog

log = logging.getLogger(__name__)
HOLDOUT_SHARE = 0.2
MIN_ROWS = 10
Task = Literal["classification", "regression"]


@dataclass(frozen=True)
class Split:
    train: pd.DataFrame
    holdout: pd.DataFrame
    starts: Any  # the first as_of of the holdout


def time_split(frame: pd.DataFrame, share: float = HOLDOUT_SHARE) -> Split:
    """The latest ``share`` of rows by ``as_of`` as holdout; ties stay on one side."""
    ordered = frame.sort_values("as_of", kind="stable")
    cut = ordered["as_of"].iloc[min(int(len(ordered) * (1 - share)), len(ordered) - 1)]
    train, holdout = ordered[ordered["as_of"] < cut], ordered[ordered["as_of"] >= cut]
    if len(train) < MIN_ROWS or holdout.empty:
        raise MlopsError(
            f"too few labelled rows for a time holdout: {len(train)} before {cut}, "
            f"{len(holdout)} from it (need {MIN_ROWS} and 1)"
        )
    return Split(train, holdout, cut)


def task_of(labels: pd.Series) -> Task:
    import pandas as pd

    return "classification" if pd.api.types.is_bool_dtype(labels.dtype) else "regression"


def reference_pipeline(columns: list[ColumnSpec], task: Task) -> Any:
    """Median imputation and one-hot encoding, then histogram gradient boosting."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    numeric = [c.name for c in columns if c.kind != "categorical"]
    text = [c.name for c in columns if c.kind == "categorical"]
    encode = Pipeline(
        [
            ("missing", SimpleImputer(strategy="constant", fill_value="(missing)")),
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
    )
    prep = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median", keep_empty_features=True), numeric),
            ("text", encode, text),
        ]
    )
    # Shallow trees and few rounds: the starter sets are small and drift over time.
    params = {
        "max_iter": 100,
        "learning_rate": 0.05,
        "max_depth": 3,
        "min_samples_leaf": 20,
        "random_state": 0,
    }
    model = (
        HistGradientBoostingClassifier(**params)
        if task == "classification"
        else HistGradientBoostingRegressor(**params)
    )
    return Pipeline([("prep", prep), ("model", model)])


def predictions(estimator: Any, task: Task, x: pd.DataFrame) -> Any:
    """Scores: probability of the positive class, or the predicted value."""
    import numpy as np

    if task == "regression":
        return np.asarray(estimator.predict(x), dtype="float64")
    classes = list(estimator.classes_)
    positive = classes.index(1) if 1 in classes else len(classes) - 1
    return np.asarray(estimator.predict_proba(x)[:, positive], dtype="float64")


def holdout_metrics(task: Task, truth: Any, scores: Any) -> dict[str, float | None]:
    """The accuracy monitors' metrics (``mlops.monitoring.accuracy``) on the holdout.

    Classifier: AUC (None with one class), Brier, log loss, ECE, precision at 100, positive
    rate; regressor: MAE, RMSE, WAPE. Plus ``rows``. Monitoring later reports the same names.
    """
    import numpy as np

    from mlops.monitoring.accuracy import classifier_metrics, regressor_metrics

    y = np.asarray(truth, dtype="float64")
    if task == "regression":
        metrics = regressor_metrics(y, scores)
    else:
        metrics, _ = classifier_metrics(y, scores)
    return {**metrics, "rows": float(len(y))}


def train_model(
    project: Path,
    catalog: Catalog,
    ref: str,
    *,
    store: ModelStore,
    snapshot_id: str | None = None,
    model_name: str | None = None,
) -> Manifest:
    """Fit the reference pipeline on a snapshot of ``ref`` (default its latest) and store it."""
    from semantic_models.errors import DefinitionError

    try:
        fset = catalog.feature_set(ref)
    except DefinitionError as exc:
        raise MlopsError(str(exc)) from None
    if fset.label is None:
        raise MlopsError(f"feature set {ref} has no label: nothing to train on")
    snap = read_snapshot(project, snapshot_id) if snapshot_id else latest_snapshot(project, ref)
    if snap.feature_set != ref:
        raise MlopsError(f"snapshot {snap.id} is of {snap.feature_set}, not {ref}")
    frame = snapshot_frame(project, snap)
    labelled = frame[frame["label"].notna()]
    columns = snapshot_columns(catalog, snap, frame)
    estimator, metrics, holdout = fit(labelled, columns, snap)
    manifest = register_model(
        store,
        model_name or fset.name,
        estimator,
        snap.id,
        project=project,
        catalog=catalog,
        metrics=metrics,
        holdout=holdout,
    )
    log.info("stored %s: %s", manifest.spec, metrics)
    return manifest


def fit(
    labelled: pd.DataFrame, columns: list[ColumnSpec], snap: SnapshotRecord
) -> tuple[Any, dict[str, float | None], dict[str, Any]]:
    """The fitted reference pipeline, its holdout metrics and a description of the holdout."""
    task = task_of(labelled["label"])
    split = time_split(labelled)
    y_train = split.train["label"].astype("float64" if task == "regression" else "int64")
    if task == "classification" and y_train.nunique() < 2:
        raise MlopsError(f"snapshot {snap.id}: the training rows hold only one label value")
    estimator = reference_pipeline(columns, task)
    estimator.fit(prepare(split.train, columns), y_train)
    scores = predictions(estimator, task, prepare(split.holdout, columns))
    metrics = holdout_metrics(task, split.holdout["label"].astype("float64"), scores)
    holdout = {
        "method": f"latest {HOLDOUT_SHARE:.0%} of labelled rows by as_of",
        "starts": split.starts.isoformat(),
        "train_rows": len(split.train),
        "holdout_rows": len(split.holdout),
        "unlabelled_rows_dropped": snap.rows - len(labelled),
    }
    return estimator, metrics, holdout
