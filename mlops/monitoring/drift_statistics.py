"""Drift statistics of two samples: pure functions over numpy arrays and category counts.

Values match scipy's to 1e-9 relative (tested in ``tests/monitoring/test_drift.py``):

- numeric (``NaN`` and ``±inf`` are missing and left out):
  - **PSI** over ``psi_bins`` (default 10) bins cut at the reference's quantiles ``i / bins``
    (inverted CDF: the sorted reference value of rank ``ceil(i n / bins)``, so cut points are
    observed values; equal cut points merge, so a column with few distinct values gets fewer
    bins), bins closed on the right. Bin shares are floored at ``psi_epsilon`` (default 1e-4)
    so an empty bin adds a large but finite term. Its p-value is the chi-square approximation
    ``PSI / (1/n_ref + 1/n_cur) ~ chi2(bins - 1)`` (PSI is the symmetric Kullback-Leibler
    divergence, whose scaled sampling distribution under no drift is that chi-square).
  - **Kolmogorov-Smirnov** D and p-value as ``scipy.stats.ks_2samp(method="auto")``: exact
    distribution when both samples hold at most 10,000 values, else Smirnov's asymptotic
    ``kstwo.sf(D, round(n m / (n + m)))``.
  - **Wasserstein-1** distance (``scipy.stats.wasserstein_distance``) divided by the reference's
    population standard deviation (``ddof=0``); a constant reference gives 0 or ``inf``.
  KS and Wasserstein come from one sort of each sample and one merge of the two.
- categorical (category counts; categories compare by value):
  - **chi-square** as the two-sample test of homogeneity: reference and current counts are the
    two rows of a contingency table (``scipy.stats.chi2_contingency(correction=False)``: Yates'
    correction, which scipy would apply to two categories only, is off so the test means the
    same for any number of categories). The reference is a sample, not the truth, so a small
    reference does not make an unchanged column alarm.
  - **Jensen-Shannon distance**, base 2 (in [0, 1]; ``scipy.spatial.distance.jensenshannon``).
  - **new categories**: seen in current, absent from reference, and their share of current.
- **null rate**: current minus reference, with the pooled two-proportion z-test's p-value (the
  p-value of chi-square on the 2 x 2 table without correction).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from mlops.monitoring.columns import FloatArray

_KS_EXACT_MAX_N = 10_000  # scipy's method="auto" is exact up to this sample size


@dataclass(frozen=True, slots=True)
class NumericStats:
    psi: float
    psi_p_value: float
    psi_bins: int
    ks_statistic: float
    ks_p_value: float
    wasserstein: float
    wasserstein_normalized: float


@dataclass(frozen=True, slots=True)
class CategoricalStats:
    chi2: float
    chi2_p_value: float
    dof: int
    jensen_shannon: float
    new_categories: tuple[Any, ...]
    new_share: float


# --------------------------------------------------------------------------- numeric


def numeric_stats(
    reference: npt.ArrayLike,
    current: npt.ArrayLike,
    *,
    psi_bins: int = 10,
    psi_epsilon: float = 1e-4,
) -> NumericStats:
    """PSI, KS and Wasserstein of two samples (missing values left out).

    >>> numeric_stats([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]).ks_statistic
    0.0
    """
    xs, ys = sorted_finite(reference), sorted_finite(current)
    if not (xs.size and ys.size):
        raise ValueError("both samples need at least one non-missing value")
    return numeric_stats_sorted(xs, ys, psi_bins, psi_epsilon)


def sorted_finite(values: npt.ArrayLike) -> FloatArray:
    """The finite values, sorted, in a new array."""
    array = np.asarray(values, dtype=np.float64)
    kept = array[np.isfinite(array)]  # a copy, so sorting in place is safe
    kept.sort()
    return kept


def numeric_stats_sorted(
    xs: FloatArray, ys: FloatArray, psi_bins: int, epsilon: float
) -> NumericStats:
    """:func:`numeric_stats` of two non-empty samples already sorted and finite."""
    d, w = _ks_wasserstein(xs, ys)
    psi, psi_p, bins = _psi(xs, ys, psi_bins, epsilon)
    std = float(np.std(xs))
    normalized = w / std if std > 0 else (0.0 if w == 0 else math.inf)
    return NumericStats(psi, psi_p, bins, d, _ks_p_value(d, xs, ys), w, normalized)


def _ks_wasserstein(xs: FloatArray, ys: FloatArray) -> tuple[float, float]:
    """KS D and Wasserstein-1 of two sorted samples, from one merge.

    Both empirical CDFs are evaluated at the last value of each run of equal values of the
    merged sample (as scipy's ``searchsorted(side="right")`` does), where the count of
    reference values below is the running count of reference positions in the merge order.
    """
    n1, n2 = xs.size, ys.size
    both = np.concatenate((xs, ys))
    order = np.argsort(both, kind="stable")  # timsort: a single merge of the two sorted runs
    merged = both[order]
    del both
    counts = np.cumsum(order < n1, out=order)  # reference values at or below each position
    ties = merged[1:] == merged[:-1]
    if ties.any():  # keep the last position of each run of equal values
        ends = np.append(np.flatnonzero(~ties), merged.size - 1)
        counts, merged, below = counts[ends], merged[ends], ends + 1
    else:
        below = np.arange(1, merged.size + 1)
    gap = counts / n1
    np.subtract(below, counts, out=below)  # now: current values at or below
    gap -= below / n2
    del below, counts
    d = float(max(gap.max(), -gap.min()))
    np.abs(gap, out=gap)
    steps = np.subtract(merged[1:], merged[:-1])
    w = float(np.sum(np.multiply(gap[:-1], steps, out=steps)))
    return d, w


def _ks_p_value(d: float, xs: FloatArray, ys: FloatArray) -> float:
    if max(xs.size, ys.size) <= _KS_EXACT_MAX_N:  # scipy's exact distribution, small and cheap
        return float(stats.ks_2samp(xs, ys).pvalue)
    m, n = sorted((float(xs.size), float(ys.size)), reverse=True)
    return float(np.clip(stats.kstwo.sf(d, np.round(m * n / (m + n))), 0.0, 1.0))


def _psi(xs: FloatArray, ys: FloatArray, bins: int, epsilon: float) -> tuple[float, float, int]:
    n = xs.size
    ranks = [-(-i * n // bins) - 1 for i in range(1, bins)]  # ceil(i n / bins) - 1, exactly
    edges = np.unique(xs[ranks])
    ref_share = _bin_shares(xs, edges, epsilon)
    cur_share = _bin_shares(ys, edges, epsilon)
    psi = float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))
    scaled = psi / (1.0 / xs.size + 1.0 / ys.size)
    return psi, float(stats.chi2.sf(scaled, edges.size)), edges.size + 1


def _bin_shares(sorted_values: FloatArray, edges: FloatArray, epsilon: float) -> FloatArray:
    cuts = np.searchsorted(sorted_values, edges, side="right")
    counts = np.diff(cuts, prepend=0, append=sorted_values.size)
    shares: FloatArray = np.maximum(counts / sorted_values.size, epsilon)
    return shares


# --------------------------------------------------------------------------- categorical


def categorical_stats(reference: Mapping[Any, int], current: Mapping[Any, int]) -> CategoricalStats:
    """Chi-square, Jensen-Shannon and new categories from category counts.

    >>> categorical_stats({"a": 5, "b": 5}, {"a": 5, "b": 4, "c": 1}).new_categories
    ('c',)
    """
    keys = [k for k, n in reference.items() if n > 0]
    keys += [k for k, n in current.items() if n > 0 and reference.get(k, 0) == 0]
    ref = np.array([reference.get(k, 0) for k in keys], dtype=np.float64)
    cur = np.array([current.get(k, 0) for k in keys], dtype=np.float64)
    if not (ref.sum() and cur.sum()):
        raise ValueError("both samples need at least one non-missing value")
    chi2, p, dof = chi2_homogeneity(ref, cur)
    new = tuple(k for k, r in zip(keys, ref, strict=True) if r == 0)
    new_share = float(cur[ref == 0].sum() / cur.sum())
    return CategoricalStats(chi2, p, dof, jensen_shannon(ref, cur), new, new_share)


def chi2_homogeneity(reference: FloatArray, current: FloatArray) -> tuple[float, float, int]:
    """Pearson's chi-square of the 2 x k table of counts; (statistic, p-value, dof)."""
    table = np.vstack((reference, current))
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    dof = table.shape[1] - 1
    if dof == 0:
        return 0.0, 1.0, 0
    statistic = float(np.sum((table - expected) ** 2 / expected))
    return statistic, float(stats.chi2.sf(statistic, dof)), dof


def jensen_shannon(reference: FloatArray, current: FloatArray) -> float:
    """Jensen-Shannon distance, base 2, of two count (or probability) vectors."""
    p = reference / np.sum(reference)
    q = current / np.sum(current)
    m = (p + q) / 2.0
    divergence = np.sum(special.rel_entr(p, m)) + np.sum(special.rel_entr(q, m))
    return float(np.sqrt(divergence / np.log(2.0) / 2.0))


# --------------------------------------------------------------------------- null rate


def null_rate_test(
    ref_missing: int, ref_rows: int, cur_missing: int, cur_rows: int
) -> tuple[float, float]:
    """Current minus reference null rate, and the pooled two-proportion z-test's p-value."""
    difference = cur_missing / cur_rows - ref_missing / ref_rows
    pooled = (ref_missing + cur_missing) / (ref_rows + cur_rows)
    if pooled in (0.0, 1.0):
        return difference, 1.0
    z = difference / math.sqrt(pooled * (1 - pooled) * (1 / ref_rows + 1 / cur_rows))
    return difference, float(2 * stats.norm.sf(abs(z)))
