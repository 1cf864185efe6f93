"""One scoring batch against its model's training snapshot: drift, accuracy and alerts.

Pure: frames in, rows out; :mod:`mlops.monitoring.store` reads and writes the warehouse and
:mod:`mlops.monitoring.monitor` puts the two together.

- **Drift** of every model input, keyed on ``(feature@version, fingerprint)``: the reference
  fingerprint is the model manifest's, the current one the batch's; when they differ the feature
  gets one ``definition_changed`` row (and alert), never drift statistics. Over all rows, then
  per segment for each segmentation whose columns both frames hold. Timestamp features are
  compared as days since 1970-01-01.
- **Accuracy** per prediction-time window (``as_of``): the batch's scores joined by entity to
  the labels settled so far; labels of entities the batch did not score are ignored and
  counted (``unknown_labels``); an entity with several labels keeps its latest settled one.
- **Alerts**: drifted rows (``chi2`` drifts with ``jensen_shannon`` and is not repeated), new
  categories, null-rate moves, changed definitions, and accuracy metrics past their
  thresholds in windows with at least ``min_labels`` labelled predictions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from mlops.monitoring.accuracy import AccuracyConfig, AccuracyWindow, Kind, accuracy_by_window
from mlops.monitoring.drift import ALL_ROWS, DriftConfig, DriftRow, drift_report
from mlops.monitoring.settings import AccuracySettings, MonitoringSettings

if TYPE_CHECKING:
    import pandas as pd

    from mlops.models.store import Manifest

AlertKind = Literal["drift", "new_category", "null_rate", "definition_changed", "accuracy"]
NONE = "(none)"  # the fingerprint of a feature a manifest or batch does not list
KIND_OF_STATISTIC: dict[str, AlertKind] = {
    "new_categories": "new_category",
    "null_rate": "null_rate",
}


@dataclass(frozen=True)
class Batch:
    """A row of ``_erpml.score_runs``: one scoring run of one model version."""

    run_id: str
    job: str
    scheduled_time: datetime
    as_of: datetime
    model_name: str
    model_version: int
    rows: int

    @property
    def model(self) -> str:
        return f"{self.model_name}@{self.model_version}"

    def __str__(self) -> str:
        return f"{self.model} batch {self.job} {self.scheduled_time:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class Labels:
    """Labels settled by ``settled_by``: ``entity_key``, ``label``, ``label_known_at``."""

    frame: pd.DataFrame
    settled_by: datetime


@dataclass(frozen=True)
class BatchInputs:
    batch: Batch
    manifest: Manifest
    reference: pd.DataFrame  # the training snapshot: feature columns (+ segment columns)
    current: pd.DataFrame  # entity_key, as_of, score, feature columns (+ segment columns)
    fingerprints: Mapping[str, str]  # feature@version -> fingerprint the batch was computed from
    labels: Labels | None = None
    segments: Sequence[Sequence[str]] = ()


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    feature: str | None
    segment: str | None
    statistic: str
    value: float | None
    threshold: float | None
    message: str


@dataclass(frozen=True)
class AccuracyRow:
    """One metric of one prediction-time window; ``detail`` of ``ece`` is the reliability curve
    as JSON ``[[lower, upper, mean_predicted, observed_rate, count], ...]``."""

    window_start: date
    window_end: date
    metric: str
    value: float | None
    threshold: float | None
    breached: bool
    n: int
    n_unlabelled: int
    detail: str = ""


@dataclass(frozen=True)
class BatchResult:
    batch: Batch
    drift: list[DriftRow]
    accuracy: list[AccuracyRow]
    alerts: list[Alert]
    reference_rows: int
    current_rows: int
    labelled: int = 0
    pending_labels: int = 0
    unknown_labels: int = 0
    labels_as_of: datetime | None = None
    refs: dict[str, str] = field(default_factory=dict)  # feature column -> feature@version
    reference_fingerprints: dict[str, str] = field(default_factory=dict)  # column -> manifest's

    @property
    def definition_changes(self) -> int:
        return sum(r.status == "definition_changed" for r in self.drift)


def evaluate(inputs: BatchInputs, settings: MonitoringSettings) -> BatchResult:
    """Drift, accuracy and alerts of one batch; see the module docstring."""
    drift = drift_rows(inputs, settings.drift)
    alerts = [_drift_alert(inputs.batch, r) for r in drift if _alerting(r)]
    result = BatchResult(
        batch=inputs.batch,
        drift=drift,
        accuracy=[],
        alerts=alerts,
        reference_rows=len(inputs.reference),
        current_rows=len(inputs.current),
        refs={c.name: c.ref for c in inputs.manifest.columns},
        reference_fingerprints={
            c.name: inputs.manifest.fingerprints[c.ref]
            for c in inputs.manifest.columns
            if c.ref in inputs.manifest.fingerprints
        },
    )
    if inputs.labels is None:
        return result
    return with_accuracy(result, inputs, settings.accuracy)


def with_accuracy(
    result: BatchResult, inputs: BatchInputs, settings: AccuracySettings
) -> BatchResult:
    """``result`` with the accuracy rows and alerts of the batch's labels (replacing any)."""
    assert inputs.labels is not None
    frame, unknown = match_labels(inputs.current, inputs.labels.frame)
    kind: Kind = "classifier" if inputs.manifest.task == "classification" else "regressor"
    config = AccuracyConfig(
        label="label", prediction="score", top_k=settings.top_k, n_bins=settings.n_bins
    )
    windows = accuracy_by_window(frame, "as_of", settings.window, kind, config)
    rows = [row for w in windows for row in _window_rows(w, inputs.manifest.metrics, settings)]
    alerts = [a for a in result.alerts if a.kind != "accuracy"]
    alerts += [_accuracy_alert(inputs.batch, r) for r in rows if r.breached]
    labelled = int(frame["label"].notna().sum())
    return replace(
        result,
        accuracy=rows,
        alerts=alerts,
        labelled=labelled,
        pending_labels=len(frame) - labelled,
        unknown_labels=unknown,
        labels_as_of=inputs.labels.settled_by,
    )


# --------------------------------------------------------------------------- drift


def drift_rows(inputs: BatchInputs, config: DriftConfig) -> list[DriftRow]:
    """Drift rows over all rows, then per segment of each segmentation both frames hold."""
    m = inputs.manifest
    kinds = {c.name: "categorical" if c.kind == "categorical" else "numeric" for c in m.columns}
    prints = {
        c.name: (m.fingerprints.get(c.ref, NONE), inputs.fingerprints.get(c.ref, NONE))
        for c in m.columns
    }
    reference = _comparable(inputs.reference, m)
    current = _comparable(inputs.current, m)
    rows = drift_report(reference, current, kinds, config, fingerprints=prints)
    for columns in inputs.segments:
        if not all(c in reference and c in current for c in columns):
            continue
        segmented = drift_report(
            reference, current, kinds, config, segments=list(columns), fingerprints=prints
        )
        rows += [r for r in segmented if r.segment != ALL_ROWS]
    return rows


def recent(reference: pd.DataFrame, days: int | None) -> pd.DataFrame:
    """The reference rows whose ``as_of`` lies within ``days`` of the latest (all when None)."""
    import pandas as pd

    if days is None or "as_of" not in reference or reference.empty:
        return reference
    stamps = pd.to_datetime(reference["as_of"])
    return reference[stamps >= stamps.max() - pd.Timedelta(days=days)].reset_index(drop=True)


def _comparable(frame: pd.DataFrame, m: Manifest) -> dict[str, Any]:
    """The frame's columns, timestamp features as days since 1970-01-01."""
    import pandas as pd

    out: dict[str, Any] = {name: frame[name] for name in frame.columns}
    for c in m.columns:
        if c.kind == "timestamp" and c.name in frame:
            stamps = pd.to_datetime(frame[c.name])
            out[c.name] = ((stamps - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy(
                dtype="float64", na_value=float("nan")
            )
    return out


def _alerting(row: DriftRow) -> bool:
    return row.status == "definition_changed" or (row.drifted and row.statistic != "chi2")


def _drift_alert(batch: Batch, row: DriftRow) -> Alert:
    if row.status == "definition_changed":
        return Alert(
            "definition_changed",
            row.feature,
            row.segment,
            row.statistic,
            None,
            None,
            f"{batch}: {row.feature} definition changed ({row.detail}); not compared",
        )
    kind = KIND_OF_STATISTIC.get(row.statistic, "drift")
    shown = f"{row.value:.4g} > {row.threshold:.4g}" if row.threshold is not None else ""
    if row.p_value is not None and row.p_threshold is not None:
        shown += f" (p {row.p_value:.2g})"
    extra = f": {row.detail}" if kind == "new_category" and row.detail else ""
    return Alert(
        kind,
        row.feature,
        row.segment,
        row.statistic,
        row.value,
        row.threshold,
        f"{batch}: {row.feature} {row.statistic} {shown} in {row.segment}{extra}",
    )


# --------------------------------------------------------------------------- accuracy


def match_labels(current: pd.DataFrame, labels: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The batch's ``entity_key``, ``as_of``, ``score`` with a ``label`` (NaN: not settled),
    and the number of labels whose entity the batch does not hold (ignored)."""
    import pandas as pd

    keys = current["entity_key"].astype("string")
    settled = labels[labels["label"].notna()].copy()
    settled["entity_key"] = settled["entity_key"].astype("string")
    if "label_known_at" in settled:
        settled = settled.sort_values("label_known_at", kind="stable", na_position="first")
    latest = settled.drop_duplicates("entity_key", keep="last")
    unknown = int((~latest["entity_key"].isin(set(keys.dropna()))).sum())
    values = pd.Series(
        pd.to_numeric(latest["label"].astype("float64"), errors="coerce").to_numpy(),
        index=latest["entity_key"].to_numpy(),
    )
    frame = pd.DataFrame(
        {
            "entity_key": keys,
            "as_of": pd.to_datetime(current["as_of"]),
            "score": current["score"].astype("float64"),
            "label": keys.map(values).astype("float64"),
        }
    )
    return frame, unknown


def _window_rows(
    window: AccuracyWindow, holdout: Mapping[str, float | None], settings: AccuracySettings
) -> list[AccuracyRow]:
    enough = window.n >= settings.min_labels
    detail = "" if enough else f"fewer than {settings.min_labels} labelled predictions: no alert"

    def row(
        metric: str, value: float | None, threshold: float | None = None, note: str = ""
    ) -> AccuracyRow:
        breached = _breached(metric, value, threshold) and enough
        return AccuracyRow(
            window.window_start,
            window.window_end,
            metric,
            value,
            threshold,
            breached,
            window.n,
            window.n_unlabelled,
            note or (detail if threshold is not None else ""),
        )

    curve = [
        [b.lower, b.upper, b.mean_predicted, b.observed_rate, b.count] for b in window.reliability
    ]
    rows = [row("labelled", float(window.n))]
    for metric, value in window.metrics.items():
        note = json.dumps(curve) if metric == "ece" else ""
        rows.append(row(metric, value, _threshold(metric, holdout, settings), note))
    return rows


def _threshold(
    metric: str, holdout: Mapping[str, float | None], s: AccuracySettings
) -> float | None:
    """The bound a window's ``metric`` is held to (None: not checked); see AccuracySettings."""
    absolute = {"ece": s.ece, "wape": s.wape}
    if metric in absolute:
        return absolute[metric]
    base = holdout.get(metric)
    if base is None or not math.isfinite(base):
        return None  # relative to the holdout, which did not measure it
    if metric == "auc":
        return None if s.auc_drop is None else base - s.auc_drop
    added = {"brier": s.brier_rise, "log_loss": s.log_loss_rise}.get(metric)
    if added is not None:
        return base + added
    scaled = {"mae": s.mae_rise, "rmse": s.rmse_rise}.get(metric)
    return None if scaled is None else base * (1 + scaled)


def _breached(metric: str, value: float | None, threshold: float | None) -> bool:
    if value is None or threshold is None or not math.isfinite(value):
        return False
    return value < threshold if metric == "auc" else value > threshold


def _accuracy_alert(batch: Batch, row: AccuracyRow) -> Alert:
    assert row.value is not None and row.threshold is not None
    side = "<" if row.metric == "auc" else ">"
    return Alert(
        "accuracy",
        None,
        ALL_ROWS,
        row.metric,
        row.value,
        row.threshold,
        f"{batch}: {row.metric} {row.value:.4g} {side} {row.threshold:.4g} in the window from "
        f"{row.window_start} ({row.n} labelled predictions)",
    )
