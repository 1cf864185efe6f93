"""Accuracy of scored predictions once their labels have arrived, per prediction-time window.

Pure functions over arrays; values match scikit-learn's to 1e-9 relative (tested).

Classifiers (labels 0/1, predictions the probability of 1):
- ``roc_auc``: ``sklearn.metrics.roc_auc_score`` (ties count one half); None with one class.
- ``brier_score``: mean squared error of the probability.
- ``log_loss``: probabilities clipped to ``[eps, 1 - eps]``, ``eps`` the float64 machine
  epsilon, as ``sklearn.metrics.log_loss`` does, so one confident mistake costs at most ~36.
- ``reliability_curve`` and ``expected_calibration_error``: ``n_bins`` (default 10) equal-width
  bins over [0, 1], closed on the right except the first (``[0, 0.1], (0.1, 0.2], ...``, the
  bins of ``sklearn.calibration.calibration_curve(strategy="uniform")``); ECE is the
  count-weighted mean of ``|observed rate - mean predicted|`` over non-empty bins.
- ``precision_at_k``: share of positives among the ``k`` highest scores; predictions tied at
  the cut-off count in proportion (the expected precision under a random tie break).

Regressors: ``mae``, ``rmse`` and ``wape`` = ``sum |y - yhat| / sum |y|``, the weighted MAPE.
The per-row MAPE ``mean |y - yhat| / |y|`` is infinite when one target is zero and meaningless
when targets are negative (invoice adjustments, credit memos); WAPE divides once, by the total
absolute target, so it stays finite unless every target is zero (then None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from mlops.errors import MlopsError
from mlops.monitoring.columns import FloatArray, Frame, as_arrow, column, float_values

Kind = Literal["classifier", "regressor"]
Window = Literal["W", "M"]


class AccuracyConfig(BaseModel):
    """Which columns hold labels and predictions, and the metrics' settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = "label"
    prediction: str = "prediction"
    top_k: int = Field(100, ge=1)
    n_bins: int = Field(10, ge=1)


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    lower: float
    upper: float
    mean_predicted: float
    observed_rate: float
    count: int


@dataclass(frozen=True, slots=True)
class AccuracyWindow:
    """Metrics of the labelled predictions made in ``[window_start, window_end)`` (UTC)."""

    window_start: date
    window_end: date
    kind: Kind
    n: int
    n_unlabelled: int
    metrics: dict[str, float | None]
    reliability: tuple[ReliabilityBin, ...] = field(default=())


# --------------------------------------------------------------------------- classifiers


def roc_auc(y_true: npt.ArrayLike, y_score: npt.ArrayLike) -> float | None:
    """Area under the ROC curve; None when only one class is present.

    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y, score = _binary(y_true), np.asarray(y_score, dtype=np.float64)
    positives = int(y.sum())
    negatives = y.size - positives
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(score, kind="stable")
    sorted_score, sorted_y = score[order], y[order]
    starts = np.flatnonzero(np.r_[True, sorted_score[1:] != sorted_score[:-1]])
    pos_in_run = np.add.reduceat(sorted_y, starts).astype(np.float64)
    neg_in_run = np.diff(np.r_[starts, y.size]) - pos_in_run
    neg_below = np.cumsum(neg_in_run) - neg_in_run
    wins = np.sum(pos_in_run * neg_below) + 0.5 * np.sum(pos_in_run * neg_in_run)
    return float(wins / (positives * negatives))


def brier_score(y_true: npt.ArrayLike, y_prob: npt.ArrayLike) -> float:
    y, p = _binary(y_true), _probabilities(y_prob)
    return float(np.mean((y - p) ** 2))


def log_loss(y_true: npt.ArrayLike, y_prob: npt.ArrayLike) -> float:
    y, p = _binary(y_true), _probabilities(y_prob)
    eps = np.finfo(np.float64).eps
    p_one = np.clip(p, eps, 1 - eps)
    p_zero = np.clip(1 - p, eps, 1 - eps)
    return float(np.mean(-np.where(y == 1, np.log(p_one), np.log(p_zero))))


def reliability_curve(
    y_true: npt.ArrayLike, y_prob: npt.ArrayLike, n_bins: int = 10
) -> list[ReliabilityBin]:
    """Mean predicted probability, observed rate and count of each non-empty bin."""
    y, p = _binary(y_true), _probabilities(y_prob)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bin_of = np.searchsorted(edges[1:-1], p, side="left")
    counts = np.bincount(bin_of, minlength=n_bins)
    predicted = np.bincount(bin_of, weights=p, minlength=n_bins)
    observed = np.bincount(bin_of, weights=y, minlength=n_bins)
    return [
        ReliabilityBin(
            float(edges[b]),
            float(edges[b + 1]),
            float(predicted[b] / counts[b]),
            float(observed[b] / counts[b]),
            int(counts[b]),
        )
        for b in np.flatnonzero(counts)
    ]


def expected_calibration_error(
    y_true: npt.ArrayLike, y_prob: npt.ArrayLike, n_bins: int = 10
) -> float:
    return _ece(reliability_curve(y_true, y_prob, n_bins))


def _ece(curve: list[ReliabilityBin]) -> float:
    total = sum(b.count for b in curve)
    return float(sum(b.count * abs(b.observed_rate - b.mean_predicted) for b in curve) / total)


def precision_at_k(y_true: npt.ArrayLike, y_score: npt.ArrayLike, k: int) -> float:
    """Share of positives among the ``k`` highest scores (``k`` capped at the row count).

    >>> precision_at_k([1, 0, 1, 0], [0.9, 0.8, 0.8, 0.1], 2)
    0.75
    """
    y, score = _binary(y_true), np.asarray(y_score, dtype=np.float64)
    k = min(k, y.size)
    if k < 1:
        raise ValueError("precision at k needs k >= 1 and at least one row")
    cutoff = np.partition(score, y.size - k)[y.size - k]  # the k-th highest score
    above, tied = score > cutoff, score == cutoff
    taken_from_tie = k - int(above.sum())
    tied_positive_rate = float(y[tied].mean())
    return float((y[above].sum() + taken_from_tie * tied_positive_rate) / k)


# --------------------------------------------------------------------------- regressors


def mae(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    return float(np.mean(np.abs(_floats(y_true) - _floats(y_pred))))


def rmse(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    return float(np.sqrt(np.mean((_floats(y_true) - _floats(y_pred)) ** 2)))


def wape(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float | None:
    """``sum |y - yhat| / sum |y|``: finite with zero and negative targets.

    >>> wape([0.0, -2.0, 2.0], [1.0, -2.0, 1.0])
    0.5
    """
    y = _floats(y_true)
    scale = float(np.sum(np.abs(y)))
    if scale == 0:
        return None
    return float(np.sum(np.abs(y - _floats(y_pred))) / scale)


# --------------------------------------------------------------------------- windows


def classifier_metrics(
    y_true: npt.ArrayLike, y_prob: npt.ArrayLike, config: AccuracyConfig | None = None
) -> tuple[dict[str, float | None], list[ReliabilityBin]]:
    config = config or AccuracyConfig()
    curve = reliability_curve(y_true, y_prob, config.n_bins)
    metrics: dict[str, float | None] = {
        "auc": roc_auc(y_true, y_prob),
        "brier": brier_score(y_true, y_prob),
        "log_loss": log_loss(y_true, y_prob),
        "ece": _ece(curve),
        "precision_at_k": precision_at_k(y_true, y_prob, config.top_k),
        "positive_rate": float(np.mean(_binary(y_true))),
    }
    return metrics, curve


def regressor_metrics(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> dict[str, float | None]:
    return {"mae": mae(y_true, y_pred), "rmse": rmse(y_true, y_pred), "wape": wape(y_true, y_pred)}


def accuracy_by_window(
    frame: Frame,
    time_column: str,
    window: Window = "W",
    kind: Kind = "classifier",
    config: AccuracyConfig | None = None,
) -> list[AccuracyWindow]:
    """Metrics per prediction-time window: ISO weeks from Monday (``W``) or calendar months
    (``M``), in UTC. Rows whose label is still missing count as ``n_unlabelled``; a window with
    no labelled row has no metrics.
    """
    if window not in ("W", "M"):
        raise MlopsError(f"window must be 'W' (weeks) or 'M' (months), not {window!r}")
    if kind not in ("classifier", "regressor"):
        raise MlopsError(f"kind must be 'classifier' or 'regressor', not {kind!r}")
    config = config or AccuracyConfig()
    starts = _window_starts(column(frame, time_column), window)
    labels = float_values(column(frame, config.label))
    predictions = float_values(column(frame, config.prediction))
    labelled = ~np.isnan(labels) & ~np.isnan(predictions)
    known = ~np.isnat(starts)
    windows = []
    for start in np.unique(starts[known]):
        rows = known & (starts == start)
        used = rows & labelled
        metrics: dict[str, float | None] = {}
        curve: list[ReliabilityBin] = []
        if used.any() and kind == "classifier":
            metrics, curve = classifier_metrics(labels[used], predictions[used], config)
        elif used.any():
            metrics = regressor_metrics(labels[used], predictions[used])
        windows.append(
            AccuracyWindow(
                window_start=_as_date(start),
                window_end=_as_date(_next_window(start, window)),
                kind=kind,
                n=int(used.sum()),
                n_unlabelled=int(rows.sum() - used.sum()),
                metrics=metrics,
                reliability=tuple(curve),
            )
        )
    return windows


def _window_starts(values: Any, window: Window) -> npt.NDArray[np.datetime64]:
    arrow = as_arrow(values)
    if pa.types.is_timestamp(arrow.type) or pa.types.is_date(arrow.type):
        arrow = arrow.cast(pa.timestamp("us"))  # a time zone's values are UTC underneath
    else:
        raise MlopsError(f"the prediction time column holds {arrow.type}, not timestamps")
    days = np.asarray(arrow.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
    if window == "M":
        months: npt.NDArray[np.datetime64] = days.astype("datetime64[M]").astype("datetime64[D]")
        return months
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    mondays: npt.NDArray[np.datetime64] = days - weekday.astype("timedelta64[D]")
    return mondays


def _next_window(start: np.datetime64, window: Window) -> np.datetime64:
    following: np.datetime64 = (
        (start.astype("datetime64[M]") + 1).astype("datetime64[D]")
        if window == "M"
        else start + np.timedelta64(7, "D")
    )
    return following


def _as_date(day: np.datetime64) -> date:
    return date.fromisoformat(str(day.astype("datetime64[D]")))


def _floats(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _probabilities(values: npt.ArrayLike) -> FloatArray:
    p = _floats(values)
    if p.size and (p.min() < 0 or p.max() > 1 or math.isnan(float(p.sum()))):
        raise MlopsError("predicted probabilities must lie in [0, 1]")
    return p


def _binary(values: npt.ArrayLike) -> FloatArray:
    y = _floats(values)
    if not np.isin(y, (0.0, 1.0)).all():
        raise MlopsError("classifier labels must be 0 or 1")
    return y
