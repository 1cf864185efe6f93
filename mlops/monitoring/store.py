"""The ``monitoring`` tables: what a monitor run writes, one transaction per scoring batch.

Tables (schema ``monitoring``, created on first write; types valid on DuckDB and PostgreSQL):

- ``monitoring.drift``: one statistic of one feature in one segment of one batch
  (:data:`DRIFT_COLUMNS`), keyed on ``(feature_ref, fingerprint)``.
- ``monitoring.accuracy``: one metric of one prediction-time window of one batch; the ``ece``
  row's ``detail`` holds the reliability curve as JSON.
- ``monitoring.alerts``: thresholds breached (kind, model, feature, segment, statistic, value,
  threshold, batch).
- ``monitoring.runs``: one row per monitored batch: sizes, labels settled, alert counts.

A batch is written in ONE transaction that first deletes the rows of the same scoring batch
(model, job, scheduled time: a rescored batch replaces its monitor rows too), so a rerun
replaces and a failed or killed run leaves the previous rows. Reading a monitor's inputs is
:mod:`mlops.monitoring.sources`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from mlops.models.score import transaction
from mlops.monitoring.evaluate import Batch, BatchResult
from mlops.monitoring.sources import marker, table_exists, utc_now

if TYPE_CHECKING:
    import pandas as pd

    from mlops.warehouse import Warehouse

SCHEMA = "monitoring"
Part = Literal["all", "accuracy"]
BATCH_COLUMNS = (
    ("run_id", "varchar"),
    ("model_name", "varchar"),
    ("model_version", "integer"),
    ("job", "varchar"),
    ("scheduled_time", "timestamp"),
    ("as_of", "timestamp"),
)
DRIFT_COLUMNS = (
    *BATCH_COLUMNS,
    ("feature", "varchar"),
    ("feature_ref", "varchar"),
    ("reference_fingerprint", "varchar"),
    ("fingerprint", "varchar"),
    ("segment", "varchar"),
    ("statistic", "varchar"),
    ("value", "double precision"),
    ("p_value", "double precision"),
    ("threshold", "double precision"),
    ("p_threshold", "double precision"),
    ("drifted", "boolean"),
    ("n_ref", "bigint"),
    ("n_cur", "bigint"),
    ("status", "varchar"),
    ("detail", "varchar"),
    ("monitored_at", "timestamp"),
)
ACCURACY_COLUMNS = (
    *BATCH_COLUMNS,
    ("window_start", "date"),
    ("window_end", "date"),
    ("metric", "varchar"),
    ("value", "double precision"),
    ("threshold", "double precision"),
    ("breached", "boolean"),
    ("n", "bigint"),
    ("n_unlabelled", "bigint"),
    ("detail", "varchar"),
    ("monitored_at", "timestamp"),
)
ALERT_COLUMNS = (
    *BATCH_COLUMNS,
    ("model", "varchar"),
    ("kind", "varchar"),
    ("feature", "varchar"),
    ("segment", "varchar"),
    ("statistic", "varchar"),
    ("value", "double precision"),
    ("threshold", "double precision"),
    ("message", "varchar"),
    ("raised_at", "timestamp"),
)
RUN_COLUMNS = (
    *BATCH_COLUMNS,
    ("reference_table", "varchar"),
    ("reference_rows", "bigint"),
    ("current_rows", "bigint"),
    ("labels_as_of", "timestamp"),
    ("labelled", "bigint"),
    ("pending_labels", "bigint"),
    ("unknown_labels", "bigint"),
    ("drift_alerts", "bigint"),
    ("accuracy_alerts", "bigint"),
    ("definition_changes", "bigint"),
    ("monitor_job", "varchar"),
    ("monitor_scheduled_time", "timestamp"),
    ("monitored_at", "timestamp"),
)
TABLES = {
    "drift": DRIFT_COLUMNS,
    "accuracy": ACCURACY_COLUMNS,
    "alerts": ALERT_COLUMNS,
    "runs": RUN_COLUMNS,
}


@dataclass(frozen=True)
class MonitorRun:
    """Who ran the monitor: a declared monitor job and its firing, or by hand (None)."""

    job: str | None = None
    scheduled_time: datetime | None = None


def monitored(wh: Warehouse, name: str) -> dict[str, tuple[datetime | None, int]]:
    """Run id -> (labels settled by, predictions still without a label) of monitored batches."""
    if not table_exists(wh, SCHEMA, "runs"):
        return {}
    m = marker(wh)
    rows = wh.rows(
        f"select run_id, labels_as_of, pending_labels from {SCHEMA}.runs where model_name = {m}",
        (name,),
    )
    return {str(r[0]): (r[1], int(r[2] or 0)) for r in rows}


# --------------------------------------------------------------------------- writing


def write_result(
    wh: Warehouse,
    result: BatchResult,
    *,
    part: Part,
    reference_table: str,
    by: MonitorRun,
) -> None:
    """Replace the batch's monitor rows (``part``: all, or its accuracy only) in one transaction."""
    import pandas as pd

    now = utc_now()
    frames = {
        "accuracy": _accuracy_frame(result, now),
        "alerts": _alert_frame(result, now, part),
    }
    if part == "all":
        frames["drift"] = _drift_frame(result, now)
        frames["runs"] = pd.DataFrame([_run_row(result, reference_table, by, now)])
    wh.execute(f"create schema if not exists {SCHEMA}")
    for table, frame in frames.items():
        wh.write(f"_erpml_monitor_{table}", frame, temporary=True)
    with transaction(wh):
        for table, columns in TABLES.items():
            ddl = ", ".join(f'"{c}" {t}' for c, t in columns)
            wh.execute(f"create table if not exists {SCHEMA}.{table} ({ddl})")
        _delete(wh, result.batch, part)
        for table, _frame in frames.items():
            columns = TABLES[table]
            names = ", ".join(f'"{c}"' for c, _ in columns)
            casts = ", ".join(f'cast("{c}" as {t})' for c, t in columns)
            wh.execute(
                f"insert into {SCHEMA}.{table} ({names}) select {casts} from _erpml_monitor_{table}"
            )
        if part == "accuracy":
            _update_run(wh, result, now)


def _delete(wh: Warehouse, batch: Batch, part: Part) -> None:
    m = marker(wh)
    if part == "accuracy":
        wh.execute(f"delete from {SCHEMA}.accuracy where run_id = {m}", (batch.run_id,))
        wh.execute(
            f"delete from {SCHEMA}.alerts where run_id = {m} and kind = 'accuracy'",
            (batch.run_id,),
        )
        return
    key = (batch.model_name, batch.job, batch.scheduled_time)
    for table in TABLES:
        wh.execute(
            f"delete from {SCHEMA}.{table} "
            f"where model_name = {m} and job = {m} and scheduled_time = {m}",
            key,
        )


def _update_run(wh: Warehouse, result: BatchResult, now: datetime) -> None:
    m = marker(wh)
    accuracy_alerts = sum(a.kind == "accuracy" for a in result.alerts)
    wh.execute(
        f"update {SCHEMA}.runs set labels_as_of = {m}, labelled = {m}, pending_labels = {m}, "
        f"unknown_labels = {m}, accuracy_alerts = {m}, monitored_at = {m} where run_id = {m}",
        (
            result.labels_as_of,
            result.labelled,
            result.pending_labels,
            result.unknown_labels,
            accuracy_alerts,
            now,
            result.batch.run_id,
        ),
    )


def _batch_values(batch: Batch) -> dict[str, Any]:
    return {
        "run_id": batch.run_id,
        "model_name": batch.model_name,
        "model_version": batch.model_version,
        "job": batch.job,
        "scheduled_time": batch.scheduled_time,
        "as_of": batch.as_of,
    }


def _frame(rows: list[dict[str, Any]], columns: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """Rows as a frame with every column (object dtype where values are mixed or missing)."""
    import pandas as pd

    names = [c for c, _ in columns]
    frame = pd.DataFrame(rows, columns=names)
    for name, sql_type in columns:
        if sql_type in ("varchar", "timestamp", "date") or frame[name].isna().all():
            frame[name] = frame[name].astype(object)
    return frame


def _drift_frame(result: BatchResult, now: datetime) -> pd.DataFrame:
    head = _batch_values(result.batch)
    rows = [
        {
            **head,
            "feature": r.feature,
            "feature_ref": result.refs.get(r.feature),
            "reference_fingerprint": result.reference_fingerprints.get(r.feature),
            "fingerprint": r.fingerprint,
            "segment": r.segment,
            "statistic": r.statistic,
            "value": r.value,
            "p_value": r.p_value,
            "threshold": r.threshold,
            "p_threshold": r.p_threshold,
            "drifted": r.drifted,
            "n_ref": r.n_ref,
            "n_cur": r.n_cur,
            "status": r.status,
            "detail": r.detail,
            "monitored_at": now,
        }
        for r in result.drift
    ]
    return _frame(rows, DRIFT_COLUMNS)


def _accuracy_frame(result: BatchResult, now: datetime) -> pd.DataFrame:
    head = _batch_values(result.batch)
    rows = [
        {
            **head,
            "window_start": r.window_start,
            "window_end": r.window_end,
            "metric": r.metric,
            "value": r.value,
            "threshold": r.threshold,
            "breached": r.breached,
            "n": r.n,
            "n_unlabelled": r.n_unlabelled,
            "detail": r.detail,
            "monitored_at": now,
        }
        for r in result.accuracy
    ]
    return _frame(rows, ACCURACY_COLUMNS)


def _alert_frame(result: BatchResult, now: datetime, part: Part) -> pd.DataFrame:
    head = _batch_values(result.batch)
    alerts = [a for a in result.alerts if part == "all" or a.kind == "accuracy"]
    rows = [
        {
            **head,
            "model": result.batch.model,
            "kind": a.kind,
            "feature": a.feature,
            "segment": a.segment,
            "statistic": a.statistic,
            "value": a.value,
            "threshold": a.threshold,
            "message": a.message,
            "raised_at": now,
        }
        for a in alerts
    ]
    return _frame(rows, ALERT_COLUMNS)


def _run_row(
    result: BatchResult, reference_table: str, by: MonitorRun, now: datetime
) -> dict[str, Any]:
    return {
        **_batch_values(result.batch),
        "reference_table": reference_table,
        "reference_rows": result.reference_rows,
        "current_rows": result.current_rows,
        "labels_as_of": result.labels_as_of,
        "labelled": result.labelled,
        "pending_labels": result.pending_labels,
        "unknown_labels": result.unknown_labels,
        "drift_alerts": sum(a.kind != "accuracy" for a in result.alerts),
        "accuracy_alerts": sum(a.kind == "accuracy" for a in result.alerts),
        "definition_changes": result.definition_changes,
        "monitor_job": by.job,
        "monitor_scheduled_time": by.scheduled_time,
        "monitored_at": now,
    }
