"""Accuracy metrics: agreement with scikit-learn, a MAPE that survives zero and negative targets,
and metrics per prediction-time window."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn import metrics
from sklearn.calibration import calibration_curve

from mlops.errors import MlopsError
from mlops.monitoring import AccuracyConfig, accuracy_by_window
from mlops.monitoring.accuracy import (
    brier_score,
    classifier_metrics,
    expected_calibration_error,
    log_loss,
    mae,
    precision_at_k,
    reliability_curve,
    rmse,
    roc_auc,
    wape,
)

REL = 1e-9


def close(value: float | None, expected: float) -> bool:
    return value == pytest.approx(expected, rel=REL, abs=0)


def scored(seed: int, n: int, ties: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    y[:2] = [0, 1]  # both classes, however small
    p = np.clip(0.3 + 0.25 * (y - 0.3) + rng.normal(0, 0.2, n), 0, 1)
    return y, (p.round(1) if ties else p)


CASES = [(n, ties) for n in (2, 5, 37, 1000, 50_000) for ties in (False, True)]


@pytest.mark.parametrize(("n", "ties"), CASES)
@pytest.mark.parametrize("seed", range(3))
def test_classifier_metrics_agree_with_sklearn(seed: int, n: int, ties: bool) -> None:
    y, p = scored(seed, n, ties)
    assert close(roc_auc(y, p), metrics.roc_auc_score(y, p))
    assert close(brier_score(y, p), metrics.brier_score_loss(y, p))
    assert close(log_loss(y, p), metrics.log_loss(y, p))


@pytest.mark.parametrize(("n", "ties"), CASES)
@pytest.mark.parametrize("seed", range(3))
def test_reliability_curve_agrees_with_sklearn(seed: int, n: int, ties: bool) -> None:
    y, p = scored(seed, n, ties)
    curve = reliability_curve(y, p, n_bins=10)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    assert np.allclose([b.observed_rate for b in curve], prob_true, rtol=REL, atol=0)
    assert np.allclose([b.mean_predicted for b in curve], prob_pred, rtol=REL, atol=0)
    assert sum(b.count for b in curve) == n


def test_bin_edges_and_ece_by_hand() -> None:
    y = [0, 1, 1, 0, 1]
    p = [0.0, 0.1, 0.15, 0.9, 1.0]  # 0.1 closes the first bin; 0.9 the ninth
    curve = reliability_curve(y, p)
    assert [(b.lower, b.count) for b in curve] == [(0.0, 2), (0.1, 1), (0.8, 1), (0.9, 1)]
    assert [b.upper for b in curve] == pytest.approx([0.1, 0.2, 0.9, 1.0])
    # |0.5 - 0.05| * 2 + |1 - 0.15| + |0 - 0.9| + |1 - 1| over 5 rows
    assert expected_calibration_error(y, p) == pytest.approx((0.9 + 0.85 + 0.9) / 5)


def test_log_loss_clips_certain_mistakes_like_sklearn() -> None:
    y, p = [1, 0, 1, 0], [0.0, 1.0, 1.0, 0.0]
    assert np.isfinite(log_loss(y, p))
    assert close(log_loss(y, p), metrics.log_loss(y, p))


def test_auc_with_one_class_is_none() -> None:
    assert roc_auc([1, 1, 1], [0.2, 0.4, 0.9]) is None


def test_precision_at_k() -> None:
    y, p = scored(4, 500, ties=False)
    top = np.argsort(-p)[:50]
    assert precision_at_k(y, p, 50) == pytest.approx(y[top].mean())
    # the cut-off falls inside a tie of three rows, one of them positive: 2 of them count 1/3 each
    assert precision_at_k([1, 1, 0, 1, 0, 0], [0.9, 0.8, 0.5, 0.5, 0.5, 0.1], 4) == pytest.approx(
        (2 + 2 / 3) / 4
    )
    assert precision_at_k([1, 0], [0.3, 0.2], 100) == 0.5


@pytest.mark.parametrize("seed", range(3))
def test_regressor_metrics_agree_with_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.normal(100, 50, 3000)
    yhat = y + rng.normal(0, 10, 3000)
    assert close(mae(y, yhat), metrics.mean_absolute_error(y, yhat))
    assert close(rmse(y, yhat), metrics.root_mean_squared_error(y, yhat))
    assert close(wape(y, yhat), np.abs(y - yhat).sum() / np.abs(y).sum())


def test_wape_stays_finite_with_zero_and_negative_targets() -> None:
    y = np.array([0.0, -250.0, 120.0, 0.0, -30.0, 1e-9])  # credit memos, zero balances
    yhat = np.array([5.0, -240.0, 100.0, -3.0, -20.0, 2.0])
    value = wape(y, yhat)
    assert value is not None
    assert np.isfinite(value)
    assert value == pytest.approx((5 + 10 + 20 + 3 + 10 + 2) / (250 + 120 + 30 + 1e-9))
    # the per-row MAPE explodes on the same data
    assert metrics.mean_absolute_percentage_error(y, yhat) > 1e10
    assert wape([0.0, 0.0], [1.0, 2.0]) is None


def labelled_frame() -> pd.DataFrame:
    rng = np.random.default_rng(9)
    times = pd.to_datetime(
        ["2026-03-01 23:30", "2026-03-02 00:10", "2026-03-08 12:00", "2026-03-09 08:00"] * 50
    ).tz_localize("UTC")
    y, p = scored(9, len(times), ties=False)
    label = y.astype(float)
    label[rng.random(len(times)) < 0.1] = np.nan  # not paid yet
    return pd.DataFrame({"predicted_at": times, "label": label, "prediction": p})


def test_accuracy_by_week() -> None:
    frame = labelled_frame()
    windows = accuracy_by_window(frame, "predicted_at", "W", "classifier")
    # Sunday 2026-03-01 belongs to the week of Monday 2026-02-23
    assert [(w.window_start, w.window_end) for w in windows] == [
        (date(2026, 2, 23), date(2026, 3, 2)),
        (date(2026, 3, 2), date(2026, 3, 9)),
        (date(2026, 3, 9), date(2026, 3, 16)),
    ]
    assert sum(w.n + w.n_unlabelled for w in windows) == len(frame)
    assert sum(w.n_unlabelled for w in windows) == frame["label"].isna().sum()
    second = frame[frame["predicted_at"].dt.day.isin([2, 8]) & frame["label"].notna()]
    expected, curve = classifier_metrics(
        second["label"], second["prediction"], AccuracyConfig(top_k=10)
    )
    got = accuracy_by_window(frame, "predicted_at", "W", "classifier", AccuracyConfig(top_k=10))
    assert got[1].metrics == expected
    assert got[1].reliability == tuple(curve)
    auc = metrics.roc_auc_score(second["label"], second["prediction"])
    assert close(got[1].metrics["auc"], auc)


def test_accuracy_by_month_in_utc_from_arrow_with_a_time_zone() -> None:
    frame = labelled_frame()
    frame["predicted_at"] = frame["predicted_at"].dt.tz_convert("America/Denver")
    windows = accuracy_by_window(pa.Table.from_pandas(frame), "predicted_at", "M", "classifier")
    assert [(w.window_start, w.window_end) for w in windows] == [
        (date(2026, 3, 1), date(2026, 4, 1))
    ]
    assert windows[0].n == frame["label"].notna().sum()


def test_regressor_windows() -> None:
    frame = pd.DataFrame(
        {
            "at": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-02-01"]),
            "label": [0.0, -10.0, 4.0],
            "prediction": [1.0, -8.0, 4.0],
        }
    )
    windows = accuracy_by_window(frame, "at", "M", "regressor")
    assert windows[0].metrics == {"mae": 1.5, "rmse": pytest.approx(np.sqrt(2.5)), "wape": 0.3}
    assert windows[1].metrics["wape"] == 0.0
    assert windows[0].reliability == ()


def test_bad_input_is_a_clear_error() -> None:
    at = pd.to_datetime(["2026-01-05"])
    frame = pd.DataFrame({"at": at, "label": [2.0], "prediction": [0.5]})
    with pytest.raises(MlopsError, match="labels must be 0 or 1"):
        accuracy_by_window(frame, "at", "W", "classifier")
    with pytest.raises(MlopsError, match="window must be"):
        accuracy_by_window(frame, "at", "D", "classifier")  # type: ignore[arg-type]
    with pytest.raises(MlopsError, match="not timestamps"):
        accuracy_by_window(frame, "label", "W", "regressor")
    with pytest.raises(MlopsError, match=r"\[0, 1\]"):
        brier_score([1], [1.5])
