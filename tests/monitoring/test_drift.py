"""Drift statistics: agreement with scipy, and the decisions drift_report takes on planted data."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from mlops.errors import MlopsError
from mlops.monitoring import DriftConfig, DriftThresholds, drift_report
from mlops.monitoring.drift_statistics import (
    categorical_stats,
    chi2_homogeneity,
    null_rate_test,
    numeric_stats,
)

REL = 1e-9
SIZES = [(1, 1), (3, 5), (50, 50), (200, 350), (10_000, 10_000), (12_000, 9_000), (40_000, 25_000)]


def close(value: float, expected: float) -> bool:
    return value == pytest.approx(expected, rel=REL, abs=0)


def samples(seed: int, n1: int, n2: int, ties: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(0, 1, n1), rng.normal(0.1, 1.2, n2)
    return (x.round(1), y.round(1)) if ties else (x, y)


# --------------------------------------------------------------------------- numeric vs scipy


@pytest.mark.parametrize("ties", [False, True], ids=["continuous", "ties"])
@pytest.mark.parametrize(("n1", "n2"), SIZES)
@pytest.mark.parametrize("seed", range(4))
def test_ks_and_wasserstein_agree_with_scipy(seed: int, n1: int, n2: int, ties: bool) -> None:
    x, y = samples(seed, n1, n2, ties)
    found = numeric_stats(x, y)
    ks = stats.ks_2samp(x, y, method="auto")
    w = stats.wasserstein_distance(x, y)
    assert close(found.ks_statistic, ks.statistic)
    assert close(found.ks_p_value, ks.pvalue)
    assert close(found.wasserstein, w)
    if np.std(x) > 0:
        assert close(found.wasserstein_normalized, w / np.std(x))


def test_missing_values_are_left_out() -> None:
    x, y = samples(7, 500, 400, ties=True)
    dirty_x = np.concatenate([x, [np.nan, np.inf, -np.inf]])
    dirty_y = np.concatenate([[np.nan] * 10, y])
    found = numeric_stats(dirty_x, dirty_y)
    assert close(found.ks_statistic, stats.ks_2samp(x, y).statistic)
    assert close(found.wasserstein, stats.wasserstein_distance(x, y))


def test_identical_and_constant_samples() -> None:
    same = numeric_stats([2.0, 2.0, 2.0], [2.0, 2.0])
    assert (same.ks_statistic, same.wasserstein, same.wasserstein_normalized, same.psi) == (
        0.0,
        0.0,
        0.0,
        0.0,
    )
    moved = numeric_stats([2.0] * 40, [3.0] * 40)
    assert moved.ks_statistic == 1.0
    assert moved.wasserstein_normalized == math.inf


def psi_by_definition(x: np.ndarray, y: np.ndarray, bins: int = 10, eps: float = 1e-4) -> float:
    """PSI written out from its documented definition, one bin at a time."""
    xs = sorted(x)
    cuts = sorted({xs[math.ceil(i * len(xs) / bins) - 1] for i in range(1, bins)})
    bounds = [-math.inf, *cuts, math.inf]
    total = 0.0
    for lo, hi in itertools.pairwise(bounds):
        ref = max(sum(lo < v <= hi for v in x) / len(x), eps)
        cur = max(sum(lo < v <= hi for v in y) / len(y), eps)
        total += (cur - ref) * math.log(cur / ref)
    return total


@pytest.mark.parametrize("ties", [False, True], ids=["continuous", "ties"])
@pytest.mark.parametrize(("n1", "n2"), [(1, 1), (7, 3), (101, 250), (1000, 999)])
@pytest.mark.parametrize("seed", range(3))
def test_psi_follows_its_definition(seed: int, n1: int, n2: int, ties: bool) -> None:
    x, y = samples(seed, n1, n2, ties)
    assert close(numeric_stats(x, y).psi, psi_by_definition(x, y))


def test_psi_p_value_is_calibrated_without_drift() -> None:
    """Under no drift the PSI's chi-square p-value falls below 1% about 1% of the time."""
    rng = np.random.default_rng(11)
    p_values = [
        numeric_stats(rng.normal(size=2000), rng.normal(size=3000)).psi_p_value for _ in range(300)
    ]
    assert np.mean(np.array(p_values) < 0.01) < 0.03
    assert 0.35 < np.mean(np.array(p_values) < 0.5) < 0.65


# --------------------------------------------------------------------------- categorical vs scipy


@pytest.mark.parametrize("k", [1, 2, 3, 8])
@pytest.mark.parametrize("seed", range(4))
def test_chi2_and_jensen_shannon_agree_with_scipy(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    ref = rng.integers(1, 400, k).astype(float)
    cur = rng.integers(1, 900, k).astype(float)
    statistic, p, dof = chi2_homogeneity(ref, cur)
    expected = stats.chi2_contingency(np.vstack([ref, cur]), correction=False)
    assert close(statistic, expected.statistic)
    assert close(p, expected.pvalue)
    assert dof == expected.dof
    found = categorical_stats(dict(enumerate(ref)), dict(enumerate(cur)))
    assert close(found.jensen_shannon, jensenshannon(ref, cur, base=2))


def test_new_categories_are_flagged_and_tested() -> None:
    ref = {"a": 50, "b": 30}
    cur = {"a": 40, "b": 30, "z": 5, "y": 5}
    found = categorical_stats(ref, cur)
    assert set(found.new_categories) == {"z", "y"}
    assert found.new_share == pytest.approx(10 / 80)
    table = np.array([[50, 30, 0, 0], [40, 30, 5, 5]], dtype=float)
    assert close(found.chi2, stats.chi2_contingency(table, correction=False).statistic)
    assert close(found.jensen_shannon, jensenshannon(table[0], table[1], base=2))


def test_a_small_reference_does_not_alarm_an_unchanged_column() -> None:
    """The reference is a sample: taking its shares as exact (Evidently's chi-square) alarms on
    an unchanged column once the current batch is large; the contingency test does not."""
    shares = [0.4, 0.3, 0.15, 0.1, 0.05]
    categories = np.array(list("abcde"))
    exact_alarms = contingency_alarms = report_alarms = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        ref = rng.choice(categories, 300, p=shares)
        cur = rng.choice(categories, 200_000, p=shares)
        ref_counts = np.array([(ref == c).sum() for c in categories], dtype=float)
        cur_counts = np.array([(cur == c).sum() for c in categories], dtype=float)
        exact = stats.chisquare(cur_counts, ref_counts / ref_counts.sum() * cur_counts.sum())
        exact_alarms += exact.pvalue < 0.01
        contingency_alarms += chi2_homogeneity(ref_counts, cur_counts)[1] < 0.01
        rows = drift_report({"c": ref}, {"c": cur}, {"c": "categorical"})
        report_alarms += any(r.drifted for r in rows)
    assert exact_alarms >= 15
    assert contingency_alarms <= 2
    assert report_alarms == 0


# --------------------------------------------------------------------------- null rate


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2"), [(5, 100, 9, 120), (0, 50, 3, 60), (200, 10_000, 1500, 20_000)]
)
def test_null_rate_test_is_the_two_by_two_chi_square(k1: int, n1: int, k2: int, n2: int) -> None:
    difference, p = null_rate_test(k1, n1, k2, n2)
    assert difference == pytest.approx(k2 / n2 - k1 / n1)
    table = np.array([[k1, n1 - k1], [k2, n2 - k2]])
    assert close(p, stats.chi2_contingency(table, correction=False).pvalue)
    assert null_rate_test(0, 10, 0, 20) == (0.0, 1.0)


def test_null_rate_is_its_own_signal() -> None:
    rng = np.random.default_rng(3)
    ref, cur = rng.normal(size=20_000), rng.normal(size=20_000)
    ref[rng.random(ref.size) < 0.02] = np.nan
    cur[rng.random(cur.size) < 0.15] = np.nan
    rows = {r.statistic: r for r in drift_report({"x": ref}, {"x": cur}, {"x": "numeric"})}
    assert rows["null_rate"].drifted
    assert rows["null_rate"].value == pytest.approx(0.13, abs=0.01)
    assert (rows["null_rate"].n_ref, rows["null_rate"].n_cur) == (20_000, 20_000)
    assert not any(rows[s].drifted for s in ("psi", "ks", "wasserstein"))
    assert rows["ks"].n_cur == np.isfinite(cur).sum()


# --------------------------------------------------------------------------- the report


def planted(seed: int, n: int = 20_000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Eight numeric and two categorical features; ``shifted_*`` move in current."""
    rng = np.random.default_rng(seed)

    def side(current: bool) -> pd.DataFrame:
        move = 1 if current else 0
        cats = ["a", "b", "c", "d"]
        return pd.DataFrame(
            {
                "steady_normal": rng.normal(10, 2, n),
                "steady_amount": rng.lognormal(4, 1, n),
                "steady_count": rng.poisson(3, n).astype(float),
                "steady_signed": rng.uniform(-5, 5, n),
                "shifted_mean": rng.normal(10 + 0.8 * move, 2, n),
                "shifted_scale": rng.normal(0, 1 + 0.6 * move, n),
                "shifted_count": rng.poisson(3 + 1.5 * move, n).astype(float),
                "steady_tiny_move": rng.normal(0.02 * move, 1, n),
                "steady_category": rng.choice(cats, n, p=[0.4, 0.3, 0.2, 0.1]),
                "shifted_category": rng.choice(
                    cats, n, p=[0.1, 0.2, 0.3, 0.4] if current else [0.4, 0.3, 0.2, 0.1]
                ),
            }
        )

    return side(False), side(True)


def kinds(frame: pd.DataFrame) -> dict[str, str]:
    return {c: "categorical" if c.endswith("category") else "numeric" for c in frame.columns}


@pytest.mark.parametrize("seed", range(3))
def test_planted_shifts_are_found_and_steady_features_are_not(seed: int) -> None:
    ref, cur = planted(seed)
    rows = drift_report(ref, cur, kinds(ref))
    drifted = {r.feature for r in rows if r.drifted}
    assert drifted == {c for c in ref.columns if c.startswith("shifted")}
    for name in ("shifted_mean", "shifted_scale", "shifted_count"):
        found = {r.statistic for r in rows if r.feature == name and r.drifted}
        assert {"ks", "wasserstein"} <= found
    assert {r.statistic for r in rows if r.feature == "shifted_category" and r.drifted} == {
        "chi2",
        "jensen_shannon",
    }
    assert all(r.status == "ok" and r.segment == "all" for r in rows)


def test_frames_of_every_kind_give_the_same_rows() -> None:
    ref, cur = planted(5, n=2000)
    features = kinds(ref)
    from_pandas = drift_report(ref, cur, features)
    from_arrow = drift_report(pa.Table.from_pandas(ref), pa.Table.from_pandas(cur), features)
    as_dict = drift_report(
        {c: ref[c].to_numpy() for c in ref}, {c: cur[c].to_numpy() for c in cur}, features
    )
    assert from_pandas == from_arrow == as_dict


def test_segments_locate_the_shift() -> None:
    rng = np.random.default_rng(8)
    n = 6000
    ref = {"x": rng.normal(size=n), "source_system": np.array(["jde", "vista"] * (n // 2))}
    cur_x = rng.normal(size=n)
    cur_system = np.array(["jde", "vista"] * (n // 2) + ["netsuite"] * 10)
    cur_x[cur_system[:n] == "vista"] += 1.0
    cur = {"x": np.concatenate([cur_x, rng.normal(size=10)]), "source_system": cur_system}
    rows = drift_report(ref, cur, {"x": "numeric"}, segments=["source_system"])
    by = {(r.segment, r.statistic): r for r in rows}
    assert by[("source_system=vista", "ks")].drifted
    assert not any(r.drifted for r in rows if r.segment == "source_system=jde")
    assert by[("source_system=netsuite", "ks")].status == "insufficient_data"
    assert by[("source_system=netsuite", "ks")].value is None
    assert by[("source_system=vista", "ks")].n_ref == n // 2
    assert [s for s, _ in by if _ == "ks"] == [
        "all",
        "source_system=jde",
        "source_system=netsuite",
        "source_system=vista",
    ]


def test_new_category_row() -> None:
    ref = {"kind": np.array(["inv", "credit"] * 500)}
    cur = {"kind": np.array(["inv", "credit"] * 495 + ["debit_memo"] * 10)}
    rows = {r.statistic: r for r in drift_report(ref, cur, {"kind": "categorical"})}
    assert rows["new_categories"].drifted
    assert rows["new_categories"].value == pytest.approx(0.01)
    assert rows["new_categories"].detail == "debit_memo"
    assert not rows["jensen_shannon"].drifted


def test_a_changed_definition_is_never_drift() -> None:
    rng = np.random.default_rng(1)
    ref = {"days_late": rng.normal(10, 3, 1000), "amount": rng.normal(size=1000)}
    cur = {"days_late": rng.normal(30, 3, 1000), "amount": rng.normal(size=1000)}
    features = {"days_late": "numeric", "amount": "numeric"}
    fingerprints = {"days_late": ("aaaa", "bbbb"), "amount": ("cccc", "cccc")}
    rows = drift_report(ref, cur, features, segments=None, fingerprints=fingerprints)
    changed = [r for r in rows if r.feature == "days_late"]
    assert len(changed) == 1
    (row,) = changed
    assert (row.status, row.statistic, row.value, row.drifted) == (
        "definition_changed",
        "definition",
        None,
        False,
    )
    assert row.fingerprint == "bbbb"
    assert "aaaa" in row.detail
    assert "bbbb" in row.detail
    kept = [r for r in rows if r.feature == "amount"]
    assert {r.statistic for r in kept} == {"null_rate", "psi", "ks", "wasserstein"}
    assert all(r.fingerprint == "cccc" and r.status == "ok" for r in kept)


def test_thresholds_are_configurable_per_feature() -> None:
    config = DriftConfig(
        default=DriftThresholds(psi=0.3), features={"x": DriftThresholds(ks_statistic=0.5)}
    )
    assert config.thresholds("x").psi == 0.3
    assert config.thresholds("x").ks_statistic == 0.5
    assert config.thresholds("y").ks_statistic == 0.1
    ref, cur = planted(2, n=5000)
    features = {"shifted_mean": "numeric"}
    loose = DriftConfig(
        features={"shifted_mean": DriftThresholds(ks_statistic=0.9, wasserstein=9, psi=9)}
    )
    assert any(r.drifted for r in drift_report(ref, cur, features))
    assert not any(r.drifted for r in drift_report(ref, cur, features, loose))


def test_too_few_rows_give_no_statistic() -> None:
    rows = drift_report({"x": [1.0, 2.0, 3.0]}, {"x": [5.0, 6.0]}, {"x": "numeric"})
    assert [(r.statistic, r.status) for r in rows] == [
        ("null_rate", "ok"),
        ("psi", "insufficient_data"),
        ("ks", "insufficient_data"),
        ("wasserstein", "insufficient_data"),
    ]
    assert not any(r.drifted for r in rows)
    rows = drift_report(
        {"x": [1.0, 2.0, 3.0]}, {"x": [5.0, 6.0]}, {"x": "numeric"}, DriftConfig(min_rows=2)
    )
    assert all(r.status == "ok" for r in rows)


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(MlopsError, match="kind 'text'"):
        drift_report({"x": [1.0]}, {"x": [1.0]}, {"x": "text"})
    with pytest.raises(MlopsError, match="column 'y' is not in the data"):
        drift_report({"x": [1.0]}, {"x": [1.0]}, {"y": "numeric"})
    with pytest.raises(MlopsError, match="numeric feature holds string"):
        drift_report({"x": ["a"]}, {"x": ["b"]}, {"x": "numeric"})
