"""What the monitoring report shows, read once from the warehouse, the model store and the catalog.

:func:`read_report` gathers, per monitored model version: its manifest (feature set, training
snapshot, holdout metrics), the definition and fingerprint of each input feature at training
and in the catalog now, and the rows of ``monitoring.runs``, ``monitoring.drift`` (all rows,
and the drifted segments), ``monitoring.accuracy`` and ``monitoring.alerts``. Rendering is
:mod:`mlops.report.html`; nothing here formats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops.errors import MlopsError
from mlops.models.store import ModelStore, parse_spec
from mlops.monitoring.sources import literal, table_exists, utc_now
from mlops.monitoring.store import SCHEMA
from mlops.warehouse import Warehouse, open_warehouse

if TYPE_CHECKING:
    from mlops.definitions import Definitions
    from mlops.models.store import Manifest

MAX_ALERTS = 500
MAX_SEGMENT_ROWS = 200
Row = dict[str, Any]


@dataclass(frozen=True)
class FeatureDefinition:
    """A model input: its definition now, and its fingerprint at training and now."""

    column: str
    ref: str
    kind: str
    trained_fingerprint: str | None
    catalog_fingerprint: str | None  # None: the catalog no longer defines it
    definition: dict[str, Any]

    @property
    def status(self) -> str:
        if self.catalog_fingerprint is None:
            return "no longer defined"
        if self.catalog_fingerprint != self.trained_fingerprint:
            return "changed since training"
        return "as trained"


@dataclass(frozen=True)
class ModelReport:
    model: str  # name@version
    task: str
    feature_set: str
    snapshot_table: str
    training_cutoff: datetime
    holdout: dict[str, float | None]
    features: list[FeatureDefinition]
    runs: list[Row] = field(default_factory=list)
    drift: list[Row] = field(default_factory=list)  # segment "all"
    segment_drift: list[Row] = field(default_factory=list)  # drifted rows of segments
    accuracy: list[Row] = field(default_factory=list)
    alerts: list[Row] = field(default_factory=list)  # newest first, at most MAX_ALERTS
    alerts_total: int = 0


@dataclass(frozen=True)
class Report:
    generated_at: datetime
    project: str
    models: list[ModelReport]


def read_report(
    project: Path, defs: Definitions, store: ModelStore, spec: str | None = None
) -> Report:
    """The report of model ``spec`` (every monitored model when None)."""
    with open_warehouse(project, read_only=True) as wh:
        monitored = table_exists(wh, SCHEMA, "runs")
        specs = _models(wh, store, spec, monitored)
        models = [_model(wh, defs, store.manifest(s), monitored) for s in specs]
    return Report(utc_now(), str(project), models)


def _models(wh: Warehouse, store: ModelStore, spec: str | None, monitored: bool) -> list[str]:
    if spec is not None:
        name, version = store.resolve(spec)
        return [f"{name}@{version}"]
    found = []
    if monitored:
        rows = wh.rows(
            f"select distinct model_name, model_version from {SCHEMA}.runs order by 1, 2"
        )
        found = [f"{r[0]}@{r[1]}" for r in rows if _stored(store, f"{r[0]}@{r[1]}")]
    if not found:
        found = [f"{n}@{store.versions(n)[-1]}" for n in store.names()]
    if not found:
        raise MlopsError(f"no models in {store.root} and no monitoring rows: nothing to report")
    return found


def _stored(store: ModelStore, spec: str) -> bool:
    name, _ = parse_spec(spec)
    return int(spec.split("@")[1]) in store.versions(name)


def _model(wh: Warehouse, defs: Definitions, m: Manifest, monitored: bool) -> ModelReport:
    report = ModelReport(
        model=m.spec,
        task=m.task,
        feature_set=m.feature_set,
        snapshot_table=m.snapshot_table,
        training_cutoff=m.training_cutoff,
        holdout=dict(m.metrics),
        features=_features(defs, m),
    )
    if not monitored:
        return report
    where = f"model_name = {literal(m.name)} and model_version = {int(m.version)}"
    total = wh.rows(f"select count(*) from {SCHEMA}.alerts where {where}")[0][0]
    return replace(
        report,
        runs=_rows(wh, f"select * from {SCHEMA}.runs where {where} order by scheduled_time, job"),
        drift=_rows(
            wh,
            f"select * from {SCHEMA}.drift where {where} and segment = 'all' "
            "order by scheduled_time, job, feature, statistic",
        ),
        segment_drift=_rows(
            wh,
            f"select * from {SCHEMA}.drift where {where} and segment <> 'all' and drifted "
            f"order by scheduled_time desc, feature, segment limit {MAX_SEGMENT_ROWS}",
        ),
        accuracy=_rows(
            wh,
            f"select * from {SCHEMA}.accuracy where {where} "
            "order by window_start, scheduled_time, metric",
        ),
        alerts=_rows(
            wh,
            f"select * from {SCHEMA}.alerts where {where} "
            f"order by scheduled_time desc, kind, feature, segment limit {MAX_ALERTS}",
        ),
        alerts_total=int(total),
    )


def _features(defs: Definitions, m: Manifest) -> list[FeatureDefinition]:
    out = []
    for c in m.columns:
        kind = "derived_features" if c.ref in defs.catalog.derived_features else "features"
        now = defs.prints.get((kind, c.ref))
        definition: dict[str, Any] = {}
        found = defs.catalog.kind(kind).get(c.ref)
        if found is not None:
            definition = found.model_dump(mode="json", exclude_none=True)
        out.append(
            FeatureDefinition(
                column=c.name,
                ref=c.ref,
                kind=c.kind,
                trained_fingerprint=m.fingerprints.get(c.ref),
                catalog_fingerprint=now.fingerprint if now else None,
                definition=definition,
            )
        )
    return out


def _rows(wh: Warehouse, sql: str) -> list[Row]:
    """The rows of ``sql`` as plain Python values (None for every kind of missing)."""
    import pandas as pd

    frame = wh.frame(sql).astype(object)
    rows: list[Row] = frame.to_dict("records")
    for row in rows:
        for key, value in row.items():
            if value is None or isinstance(value, str | bool):
                continue
            if pd.isna(value) or (isinstance(value, float) and not math.isfinite(value)):
                row[key] = None
            elif isinstance(value, pd.Timestamp):
                row[key] = value.to_pydatetime()
    return rows
