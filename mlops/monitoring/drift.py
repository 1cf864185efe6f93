"""Drift report: statistics of each feature, over all rows and per segment, as rows to store.

The statistics are :mod:`mlops.monitoring.drift_statistics` (PSI, Kolmogorov-Smirnov and
normalized Wasserstein for numeric features; chi-square, Jensen-Shannon and new categories for
categorical ones; the null rate for both). The caller fetches reference (the model's training
snapshot) and current (a scoring batch) and keys the rows on ``(feature, fingerprint)``: a
feature whose definition fingerprint changed gets one ``definition_changed`` row, never drift.

A row is ``drifted`` when ``|value| > threshold`` and, where the row has a p-value threshold,
``p_value < p_threshold``: with a million rows any difference is "significant", and with a
hundred rows large effect sizes happen by chance, so each effect size is paired with a test (KS
for D and Wasserstein, chi-square for Jensen-Shannon, its own approximation for PSI). The
``chi2`` row drifts together with the ``jensen_shannon`` row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mlops.errors import MlopsError
from mlops.monitoring.columns import (
    FloatArray,
    Frame,
    IntArray,
    as_arrow,
    category_counts,
    column,
    float_values,
    row_count,
    segment_groups,
    take,
)
from mlops.monitoring.drift_statistics import (
    categorical_stats,
    null_rate_test,
    numeric_stats,
    numeric_stats_sorted,
    sorted_finite,
)

__all__ = [
    "ALL_ROWS",
    "DriftConfig",
    "DriftRow",
    "DriftThresholds",
    "drift_report",
    "numeric_stats",  # of two samples, as mlops.diff uses it
]

ALL_ROWS = "all"
"""The segment label of rows computed over every row."""
KINDS = ("numeric", "categorical")


class DriftThresholds(BaseModel):
    """When a statistic counts as drift. Defaults, and why:

    - ``psi`` 0.2: the credit-scoring convention (below 0.1 stable, above 0.2 a real shift).
    - ``ks_statistic`` 0.1: the CDFs differ by 10 points somewhere.
    - ``wasserstein`` 0.1: distributions moved a tenth of a reference standard deviation.
    - ``jensen_shannon`` 0.1: the distance Evidently also uses for categorical drift.
    - ``new_category_share`` 0.0: any current row in an unseen category is flagged.
    - ``null_rate`` 0.05: the share of missing values moved by 5 points.
    - every ``*_p_value`` 0.01: the test must also reject "same distribution" at 1%.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    psi: float = Field(0.2, ge=0)
    psi_p_value: float = Field(0.01, gt=0, le=1)
    ks_statistic: float = Field(0.1, ge=0, le=1)
    ks_p_value: float = Field(0.01, gt=0, le=1)
    wasserstein: float = Field(0.1, ge=0)
    jensen_shannon: float = Field(0.1, ge=0, le=1)
    chi2_p_value: float = Field(0.01, gt=0, le=1)
    new_category_share: float = Field(0.0, ge=0, le=1)
    null_rate: float = Field(0.05, ge=0, le=1)
    null_rate_p_value: float = Field(0.01, gt=0, le=1)


class DriftConfig(BaseModel):
    """Thresholds for every feature, overrides per feature, and the computation's settings.

    An override names only the thresholds it changes: ``DriftConfig(features={"days_late":
    DriftThresholds(psi=0.3)})`` keeps every other default. Below ``min_rows`` non-missing
    values on either side a statistic is not computed (status ``insufficient_data``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: DriftThresholds = DriftThresholds()
    features: dict[str, DriftThresholds] = {}
    psi_bins: int = Field(10, ge=2)
    psi_epsilon: float = Field(1e-4, gt=0, lt=1)
    min_rows: int = Field(30, ge=1)

    def thresholds(self, feature: str) -> DriftThresholds:
        """The default thresholds with the fields ``feature``'s override sets."""
        override = self.features.get(feature)
        if override is None:
            return self.default
        changed = {name: getattr(override, name) for name in override.model_fields_set}
        return self.default.model_copy(update=changed)


@dataclass(frozen=True, slots=True)
class DriftRow:
    """One statistic of one feature in one segment.

    ``n_ref``/``n_cur`` count the non-missing values the statistic used (all rows for
    ``null_rate``). ``status`` is ``ok``, ``insufficient_data`` (no value) or
    ``definition_changed`` (the fingerprints differ: no statistic, never drift).
    ``fingerprint`` is the current definition's, when the caller gave one.
    """

    feature: str
    segment: str
    statistic: str
    value: float | None
    p_value: float | None
    threshold: float | None
    p_threshold: float | None
    drifted: bool
    n_ref: int
    n_cur: int
    status: Literal["ok", "insufficient_data", "definition_changed"] = "ok"
    fingerprint: str | None = None
    detail: str = ""


# --------------------------------------------------------------------------- report


def drift_report(
    reference: Frame,
    current: Frame,
    features: Mapping[str, str],
    config: DriftConfig | None = None,
    *,
    segments: Sequence[str] | None = None,
    fingerprints: Mapping[str, tuple[str, str]] | None = None,
) -> list[DriftRow]:
    """Drift rows of every feature, over all rows and per segment.

    ``features`` maps a column to ``numeric`` or ``categorical``; ``segments`` names columns
    whose value combinations are segments (``source_system=jde``) besides ``all``;
    ``fingerprints`` maps a feature to (reference, current) definition fingerprints: when they
    differ the feature gets one ``definition_changed`` row and no statistic.

    >>> rows = drift_report({"x": [1.0, 2.0]}, {"x": [1.0, None]}, {"x": "numeric"})
    >>> [(r.statistic, r.value) for r in rows][0]
    ('null_rate', 0.5)
    """
    config = config or DriftConfig()
    groups: list[tuple[str, IntArray | None, IntArray | None]] = [(ALL_ROWS, None, None)]
    if segments:
        groups += segment_groups(reference, current, segments)
    rows: list[DriftRow] = []
    for feature, kind in features.items():
        if kind not in KINDS:
            raise MlopsError(f"feature {feature!r} has kind {kind!r}; expected one of {KINDS}")
        ref_fp, cur_fp = (fingerprints or {}).get(feature, (None, None))
        if ref_fp != cur_fp:
            rows.append(_definition_changed(feature, ref_fp, cur_fp, reference, current))
            continue
        convert = float_values if kind == "numeric" else as_arrow
        ref_all = convert(column(reference, feature))
        cur_all = convert(column(current, feature))
        rows_of = _numeric_rows if kind == "numeric" else _category_rows
        for segment, ref_rows, cur_rows in groups:
            where = _Where(feature, segment, cur_fp, config.thresholds(feature), config)
            rows += rows_of(where, take(ref_all, ref_rows), take(cur_all, cur_rows))
    return rows


def _definition_changed(
    feature: str, ref_fp: str | None, cur_fp: str | None, reference: Frame, current: Frame
) -> DriftRow:
    return DriftRow(
        feature=feature,
        segment=ALL_ROWS,
        statistic="definition",
        value=None,
        p_value=None,
        threshold=None,
        p_threshold=None,
        drifted=False,
        n_ref=row_count(reference),
        n_cur=row_count(current),
        status="definition_changed",
        fingerprint=cur_fp,
        detail=f"reference fingerprint {ref_fp}, current fingerprint {cur_fp}",
    )


@dataclass(frozen=True)
class _Where:
    """Which feature and segment rows are for, and the limits that apply there."""

    feature: str
    segment: str
    fingerprint: str | None
    limits: DriftThresholds
    config: DriftConfig

    def row(
        self,
        statistic: str,
        found: tuple[float, float | None],
        limits: tuple[float, float | None],
        counts: tuple[int, int],
        detail: str = "",
    ) -> DriftRow:
        (value, p), (threshold, p_threshold) = found, limits
        significant = p_threshold is None or (p is not None and p < p_threshold)
        return DriftRow(
            feature=self.feature,
            segment=self.segment,
            statistic=statistic,
            value=value,
            p_value=p,
            threshold=threshold,
            p_threshold=p_threshold,
            drifted=abs(value) > threshold and significant,
            n_ref=counts[0],
            n_cur=counts[1],
            fingerprint=self.fingerprint,
            detail=detail,
        )

    def missing(self, statistics: Sequence[str], counts: tuple[int, int]) -> list[DriftRow]:
        detail = f"fewer than {self.config.min_rows} non-missing values on a side"
        return [
            DriftRow(
                feature=self.feature,
                segment=self.segment,
                statistic=name,
                value=None,
                p_value=None,
                threshold=None,
                p_threshold=None,
                drifted=False,
                n_ref=counts[0],
                n_cur=counts[1],
                status="insufficient_data",
                fingerprint=self.fingerprint,
                detail=detail,
            )
            for name in statistics
        ]

    def null_rate(self, missing: tuple[int, int], rows: tuple[int, int]) -> list[DriftRow]:
        if min(rows) == 0:
            return self.missing(["null_rate"], rows)
        found = null_rate_test(missing[0], rows[0], missing[1], rows[1])
        detail = f"reference {missing[0] / rows[0]:.4f}, current {missing[1] / rows[1]:.4f}"
        limits = (self.limits.null_rate, self.limits.null_rate_p_value)
        return [self.row("null_rate", found, limits, rows, detail)]


def _numeric_rows(where: _Where, ref: FloatArray, cur: FloatArray) -> list[DriftRow]:
    xs, ys = sorted_finite(ref), sorted_finite(cur)
    rows = where.null_rate((ref.size - xs.size, cur.size - ys.size), (ref.size, cur.size))
    counts = (xs.size, ys.size)
    if min(counts) < where.config.min_rows:
        return rows + where.missing(["psi", "ks", "wasserstein"], counts)
    found = numeric_stats_sorted(xs, ys, where.config.psi_bins, where.config.psi_epsilon)
    t = where.limits
    ks_limits = (t.ks_statistic, t.ks_p_value)
    return [
        *rows,
        where.row(
            "psi",
            (found.psi, found.psi_p_value),
            (t.psi, t.psi_p_value),
            counts,
            f"{found.psi_bins} bins",
        ),
        where.row("ks", (found.ks_statistic, found.ks_p_value), ks_limits, counts),
        where.row(
            "wasserstein",
            (found.wasserstein_normalized, found.ks_p_value),
            (t.wasserstein, t.ks_p_value),
            counts,
            f"{found.wasserstein:.6g} before dividing by the reference standard deviation; "
            "p-value of KS",
        ),
    ]


def _category_rows(where: _Where, ref: Any, cur: Any) -> list[DriftRow]:
    ref_counts, ref_missing = category_counts(ref)
    cur_counts, cur_missing = category_counts(cur)
    rows = where.null_rate((ref_missing, cur_missing), (len(ref), len(cur)))
    counts = (len(ref) - ref_missing, len(cur) - cur_missing)
    if min(counts) < where.config.min_rows:
        return rows + where.missing(["chi2", "jensen_shannon", "new_categories"], counts)
    found = categorical_stats(ref_counts, cur_counts)
    t = where.limits
    js = where.row(
        "jensen_shannon",
        (found.jensen_shannon, found.chi2_p_value),
        (t.jensen_shannon, t.chi2_p_value),
        counts,
        "p-value of chi2",
    )
    chi2 = replace(
        js,
        statistic="chi2",
        value=found.chi2,
        threshold=None,
        detail=f"dof {found.dof}; drifts together with jensen_shannon",
    )
    new = [str(k) for k in found.new_categories]
    listed = ", ".join(new[:20]) + (f" and {len(new) - 20} more" if len(new) > 20 else "")
    flagged = (found.new_share, None)
    new_row = where.row("new_categories", flagged, (t.new_category_share, None), counts, listed)
    return [*rows, chi2, js, new_row]
