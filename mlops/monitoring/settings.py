"""The ``monitoring:`` section of the project file: thresholds, segments and accuracy settings.

```yaml
monitoring:
  drift:                         # mlops.monitoring.drift.DriftConfig
    default: {psi: 0.25}         # DriftThresholds fields; the documented defaults otherwise
    features:                    # per feature column, only the thresholds it changes
      cust_tenure_days: {psi: 1.0, ks_statistic: 1.0, wasserstein: 5.0}
    min_rows: 30                 # fewer non-missing values on a side: no statistic
  reference_days: 365            # compare with the snapshot's last 365 days (default: all of it)
  segments:                      # each entry: entity-mart columns whose values form segments
    - [source_system]
    - [source_system, company_id]
  accuracy:
    window: M                    # M: calendar month of the prediction time, W: ISO week
    min_labels: 30               # a window with fewer labelled predictions raises no alert
    auc_drop: 0.05               # alert below the model's holdout AUC minus this
    ece: 0.1                     # alert above this expected calibration error
```

Every field is optional. ``reference_days`` keeps the training snapshot's rows whose
prediction time (``as_of``) lies within that many days of its latest one: features that grow
with history (tenure, counts over long windows) differ between a snapshot spanning years and
one month of scoring without anything having changed. ``segments: false`` (or ``[]``)
monitors all rows only; a segment column the entity mart lacks is skipped.

:func:`load_settings` validates with pydantic and names the file and line of the first error
(``erpml.yml:7: monitoring.accuracy.window: ...``); a per-feature override must name a
feature column of the catalog.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mlops.errors import MlopsError
from mlops.monitoring.drift import DriftConfig

if TYPE_CHECKING:
    from semantic_models.catalog import Catalog

DEFAULT_SEGMENTS = (("source_system",), ("source_system", "company_id"))


class AccuracySettings(BaseModel):
    """Windows, the metrics' settings, and when a window's metric raises an alert.

    Thresholds relative to the model's holdout metrics (from its manifest) catch a model that
    got worse than it was when it was judged; a threshold set to ``null`` is off.

    - ``auc_drop`` 0.05: AUC below holdout AUC minus 0.05.
    - ``brier_rise`` 0.05: Brier score above holdout Brier plus 0.05.
    - ``log_loss_rise``: off by default (log loss is dominated by a few confident mistakes).
    - ``ece`` 0.1: probabilities off by ten points on average (absolute, no holdout needed).
    - ``mae_rise`` / ``rmse_rise`` 0.25: regressors, 25% above the holdout's error.
    - ``wape``: off by default (absolute ceiling on the weighted MAPE).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    window: Literal["M", "W"] = "M"
    min_labels: int = Field(30, ge=1)
    top_k: int = Field(100, ge=1)
    n_bins: int = Field(10, ge=2)
    auc_drop: float | None = Field(0.05, ge=0, le=1)
    brier_rise: float | None = Field(0.05, ge=0)
    log_loss_rise: float | None = Field(None, ge=0)
    ece: float | None = Field(0.1, ge=0, le=1)
    mae_rise: float | None = Field(0.25, ge=0)
    rmse_rise: float | None = Field(0.25, ge=0)
    wape: float | None = Field(None, ge=0)


class MonitoringSettings(BaseModel):
    """Everything ``erpml monitor`` reads from ``monitoring:``; see the module docstring."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drift: DriftConfig = DriftConfig()
    reference_days: int | None = Field(None, ge=1)
    segments: tuple[tuple[str, ...], ...] = DEFAULT_SEGMENTS
    accuracy: AccuracySettings = AccuracySettings()

    @field_validator("segments", mode="before")
    @classmethod
    def _segments(cls, value: Any) -> Any:
        if value is False or value is None:
            return ()
        if value is True:
            return DEFAULT_SEGMENTS
        if isinstance(value, list):
            # a plain column name is a segmentation by that column alone
            return [[v] if isinstance(v, str) else v for v in value]
        return value

    @field_validator("segments")
    @classmethod
    def _columns(cls, value: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for columns in value:
            if not columns:
                raise ValueError("a segment lists at least one column")
            bad = [c for c in columns if not c.isidentifier()]
            if bad:
                raise ValueError(f"segment column {bad[0]!r} is not a column name")
        return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    monitoring: MonitoringSettings = MonitoringSettings()


def load_settings(project: Path, catalog: Catalog | None = None) -> MonitoringSettings:
    """``monitoring:`` of ``project`` (defaults when absent); errors name file and line.

    With ``catalog``, every feature named under ``drift.features`` must be a feature column
    of the catalog (``name``, or ``name__v2`` where a set shows two versions).
    """
    from connectors.config import describe, read_yaml
    from connectors.errors import ConfigError

    if not project.exists():
        return MonitoringSettings()
    try:
        data, lines = read_yaml(project)
    except ConfigError as exc:
        raise MlopsError(str(exc)) from None
    raw = data.get("monitoring")
    if raw is None:
        return MonitoringSettings()
    try:
        settings = _Section.model_validate({"monitoring": raw}).monitoring
    except ValidationError as exc:
        raise MlopsError(describe(exc, project, lines)) from None
    if catalog is not None:
        known = _feature_columns(catalog)
        for name in settings.drift.features:
            if name not in known:
                line = _key_line(project, name, lines.get(("monitoring",), 1))
                where = f"{project}:{line}" if line else str(project)
                raise MlopsError(
                    f"{where}: monitoring.drift.features.{name}: no feature column named "
                    f"{name!r} in the catalog"
                )
    return settings


def _feature_columns(catalog: Catalog) -> set[str]:
    names: set[str] = set()
    for table in (catalog.features, catalog.derived_features):
        for definition in table.values():
            names |= {definition.name, f"{definition.name}__v{definition.version}"}
    return names


def _key_line(project: Path, key: str, start: int) -> int | None:
    """The line of the first ``key:`` at or after line ``start`` (the key, not its value)."""
    pattern = re.compile(rf"^\s*['\"]?{re.escape(key)}['\"]?\s*:")
    for number, text in enumerate(project.read_text().splitlines(), start=1):
        if number >= start and pattern.match(text):
            return number
    return None
