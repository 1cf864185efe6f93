"""``erpml monitor``: drift and accuracy of a model's scoring batches, with alerts.

For each scoring batch (a row of ``_erpml.score_runs``): reference = the training snapshot of
the model version that scored it (manifest ``snapshot_table``), current = the batch's rows of
``scores.<model>_features``; drift per feature keyed on ``(feature@version, fingerprint)``
(manifest against the batch's ``feature_fingerprints``), over all rows and per segment
(``monitoring.segments``: columns of the entity mart, joined on the entity key); accuracy per
prediction-time window once labels have settled: the feature set's label (its ``expression``
where its ``known_at`` is at or before ``labels_as_of``) or a labels table. See
:mod:`mlops.monitoring.evaluate` for the rules, :mod:`mlops.monitoring.sources` for the inputs
and :mod:`mlops.monitoring.store` for the tables.

Which batches:

- ``job`` and ``scheduled_time`` of a scoring job: that batch, drift and accuracy again;
- otherwise every batch not monitored yet (drift and accuracy), and every monitored batch that
  still had predictions without labels when labels have settled further since (accuracy only:
  its drift rows and alerts stay); ``rerun``: every batch again;
- the scheduler runs ``erpml monitor --job <monitor job> --scheduled-time <firing>``: when
  ``job`` is a monitor job declared in ``jobs:``, the default selection applies and the job and
  firing are recorded in ``monitoring.runs``.

Each batch is written in its own transaction (a rerun replaces it); a batch without feature
rows stops the run before anything is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlops.errors import MlopsError
from mlops.models.store import ModelStore, parse_spec
from mlops.monitoring.evaluate import (
    Batch,
    BatchInputs,
    BatchResult,
    evaluate,
    recent,
    with_accuracy,
)
from mlops.monitoring.settings import MonitoringSettings
from mlops.monitoring.sources import (
    Mart,
    batch_fingerprints,
    feature_row_counts,
    labels_settled_by,
    mart_of,
    read_current,
    read_label_table,
    read_labels,
    read_reference,
    score_batches,
)
from mlops.monitoring.store import MonitorRun, Part, monitored, write_result
from mlops.warehouse import Warehouse, open_warehouse
from semantic_models.errors import DefinitionError

if TYPE_CHECKING:
    import pandas as pd

    from mlops.monitoring.evaluate import Labels
    from semantic_models.catalog import Catalog
    from semantic_models.schema import FeatureSet

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MonitorOptions:
    job: str | None = None  # a scoring job (with scheduled_time: one batch) or a monitor job
    scheduled_time: datetime | None = None
    rerun: bool = False
    labels_as_of: datetime | None = None  # default: what the entity mart knows, at most now
    labels_table: str | None = None  # schema.name with entity_key, label, label_known_at


@dataclass(frozen=True)
class Outcome:
    result: BatchResult
    part: Part  # all: drift and accuracy; accuracy: labels settled since the last run


def monitor_model(
    project: Path,
    catalog: Catalog,
    spec: str,
    options: MonitorOptions,
    *,
    store: ModelStore,
    settings: MonitoringSettings,
) -> list[Outcome]:
    """Monitor the scoring batches of model ``spec``; see the module docstring."""
    name, which = parse_spec(spec)
    version = store.resolve(spec)[1] if which else None
    if which is None:
        store.resolve(name)  # an unknown model is an error, not "no batches"
    by, wanted = _who(project, options)
    outcomes: list[Outcome] = []
    with open_warehouse(project) as wh:
        run = _Run(wh, catalog, store, options, settings)
        batches = score_batches(wh, name, version)
        todo = run.select(batches, spec, wanted)
        counts = feature_row_counts(wh, name)
        for batch, _ in todo:
            if counts.get(batch.run_id, 0) == 0:
                raise MlopsError(
                    f"{batch} (run {batch.run_id}) has no rows in "
                    f'scores."{name}_features": nothing to monitor, nothing written'
                )
        for batch, part in todo:
            result = run.monitor(batch, part)
            table = store.manifest(batch.model).snapshot_table
            write_result(wh, result, part=part, reference_table=table, by=by)
            log.info("%s: %d alerts", batch, len(result.alerts))
            outcomes.append(Outcome(result, part))
    return outcomes


def _who(
    project: Path, options: MonitorOptions
) -> tuple[MonitorRun, tuple[str, datetime | None] | None]:
    """Who runs this monitor, and the scoring batch asked for (job, time) if any."""
    if options.job is None:
        if options.scheduled_time is not None:
            raise MlopsError("--scheduled-time needs --job (the scoring job of the batch)")
        return MonitorRun(), None
    if _is_monitor_job(project, options.job):
        return MonitorRun(options.job, options.scheduled_time), None
    return MonitorRun(), (options.job, options.scheduled_time)


def _is_monitor_job(project: Path, job: str) -> bool:
    from mlops.schedule.jobs import load_jobs

    if not project.exists():
        return False
    return any(j.name == job and j.kind == "monitor" for j in load_jobs(project))


@dataclass
class _Run:
    """One ``erpml monitor`` over an open warehouse (references read once per snapshot)."""

    wh: Warehouse
    catalog: Catalog
    store: ModelStore
    options: MonitorOptions
    settings: MonitoringSettings
    references: dict[str, pd.DataFrame] = field(default_factory=dict)

    def select(
        self, batches: list[Batch], spec: str, wanted: tuple[str, datetime | None] | None
    ) -> list[tuple[Batch, Part]]:
        """The batches to monitor and what to recompute; see the module docstring."""
        if wanted is not None:
            job, at = wanted
            chosen = [b for b in batches if b.job == job and at in (None, b.scheduled_time)]
            if not chosen:
                when = f" scheduled at {at}" if at else ""
                raise MlopsError(
                    f"no scoring batch of {spec} from job {job!r}{when} in _erpml.score_runs"
                )
            return [(b, "all") for b in chosen]
        if self.options.rerun:
            return [(b, "all") for b in batches]
        done = monitored(self.wh, batches[0].model_name) if batches else {}
        todo: list[tuple[Batch, Part]] = []
        for b in batches:
            if b.run_id not in done:
                todo.append((b, "all"))
                continue
            settled, pending = done[b.run_id]
            if pending and self._labels_settled_since(b, settled):
                todo.append((b, "accuracy"))
        return todo

    def _labels_settled_since(self, batch: Batch, settled: datetime | None) -> bool:
        fset, mart = self._mart(batch)
        if fset.label is None and self.options.labels_table is None:
            return False
        return settled is None or self._settled_by(mart) > settled

    def monitor(self, batch: Batch, part: Part) -> BatchResult:
        manifest = self.store.manifest(batch.model)
        fset, mart = self._mart(batch)
        segments = _segments(mart, self.settings)
        columns = sorted({c for seg in segments for c in seg})
        current = read_current(self.wh, batch, mart, columns)
        labels = self._labels(batch, mart, fset)
        if part == "accuracy" and labels is not None:  # only when a label source exists
            base = BatchResult(batch, [], [], [], 0, len(current))
            empty = current.iloc[0:0]
            inputs = BatchInputs(batch, manifest, empty, current, {}, labels, segments)
            return with_accuracy(base, inputs, self.settings.accuracy)
        table = manifest.snapshot_table
        if table not in self.references:
            reference = read_reference(self.wh, manifest, mart, columns)
            self.references[table] = recent(reference, self.settings.reference_days)
        inputs = BatchInputs(
            batch=batch,
            manifest=manifest,
            reference=self.references[table],
            current=current,
            fingerprints=batch_fingerprints(self.wh, batch),
            labels=labels,
            segments=segments,
        )
        return evaluate(inputs, self.settings)

    def _mart(self, batch: Batch) -> tuple[FeatureSet, Mart]:
        manifest = self.store.manifest(batch.model)
        try:
            fset = self.catalog.feature_set(manifest.feature_set)
        except DefinitionError as exc:
            raise MlopsError(f"model {manifest.spec}: {exc}") from None
        return fset, mart_of(self.wh, self.catalog.entity(fset.entity))

    def _settled_by(self, mart: Mart) -> datetime:
        return labels_settled_by(self.wh, mart, self.options.labels_as_of)

    def _labels(self, batch: Batch, mart: Mart, fset: FeatureSet) -> Labels | None:
        table = self.options.labels_table
        if table is None and fset.label is None:
            return None
        settled_by = self._settled_by(mart)
        if table is not None:
            return read_label_table(self.wh, batch, mart, table, settled_by)
        assert fset.label is not None
        return read_labels(self.wh, batch, mart, fset.label, settled_by)


def _segments(mart: Mart, settings: MonitoringSettings) -> list[tuple[str, ...]]:
    """The segmentations whose columns the entity mart has."""
    usable = []
    for columns in settings.segments:
        missing = [c for c in columns if c not in mart.columns]
        if missing:
            log.info("segments by %s skipped: marts.%s has no %s", columns, mart.relation, missing)
            continue
        usable.append(columns)
    return usable
