"""The monitoring report as one self-contained HTML page (inline CSS and SVG, no scripts, no
external requests) and as JSON.

Per model version: a summary, the monitored batches, drift over time per feature (the main
statistic per batch: PSI for numeric features, Jensen-Shannon distance for categorical ones,
with the threshold line; drifted batches in red), accuracy over time per window (AUC, Brier
score and ECE, or MAE, RMSE and WAPE) with the reliability curve of all labelled predictions,
the definitions and fingerprints in play, drifted segments and alerts.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from html import escape
from typing import Any

from mlops.report.data import ModelReport, Report, Row
from mlops.report.svg import Series, line_chart, reliability_chart

MAIN_STATISTIC = {"numeric": "psi", "categorical": "jensen_shannon"}
LATEST_STATISTICS = ("null_rate", "psi", "ks", "wasserstein", "jensen_shannon", "new_categories")
ACCURACY_METRICS = {
    "classification": ("auc", "brier", "ece"),
    "regression": ("mae", "rmse", "wape"),
}
DEFINITION_FIELDS = (
    *("mart", "mart_version", "aggregation", "expression", "filter", "window"),
    *("event_time", "known_at", "inputs"),
)
CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}
h3{font-size:15px;margin-top:20px}
table{border-collapse:collapse;margin:8px 0;font-size:12px}
td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}
.charts{display:flex;flex-wrap:wrap;gap:8px}
.charts figure{margin:0;border:1px solid #eee;padding:2px}
.tick{font-size:10px;fill:#555}.chart-title{font-size:12px;font-weight:600;fill:#222}
.bad{color:#d62728;font-weight:600}.ok{color:#2ca02c}.muted{color:#777}
code{font-size:11px}
"""


def to_json(report: Report) -> str:
    data = dataclasses.asdict(report)
    for model, source in zip(data["models"], report.models, strict=True):
        for feature, f in zip(model["features"], source.features, strict=True):
            feature["status"] = f.status
    return json.dumps(data, indent=2, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def to_html(report: Report) -> str:
    body = [
        "<h1>erpml monitoring report</h1>",
        f'<p class="muted">{escape(report.project)} - generated '
        f"{report.generated_at:%Y-%m-%d %H:%M} UTC - {len(report.models)} model version(s)</p>",
    ]
    for m in report.models:
        body += _model(m)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>erpml monitoring report</title>"
        f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>"
    )


def _model(m: ModelReport) -> list[str]:
    holdout = ", ".join(f"{k} {v:.4g}" for k, v in m.holdout.items() if v is not None)
    parts = [
        f"<h2>{escape(m.model)}</h2>",
        f"<p>{escape(m.task)} on <code>{escape(m.feature_set)}</code>, trained on "
        f"<code>{escape(m.snapshot_table)}</code> (labels settled by {m.training_cutoff:%Y-%m-%d})"
        f"; holdout: {escape(holdout) or 'none'}. {len(m.runs)} batch(es) monitored, "
        f"{_alert_count(m.alerts_total)}.</p>",
    ]
    if not m.runs:
        parts.append('<p class="muted">No monitored batches yet: run erpml monitor.</p>')
    else:  # plots first, then the tables behind them
        parts += [*_drift(m), *_accuracy(m), *_batches(m), _latest_drift(m)]
        if m.accuracy:
            parts += ["<h3>Accuracy per window</h3>", _accuracy_table(m.accuracy)]
    parts += _definitions(m)
    if m.runs:
        parts += _segments(m)
        parts += _alerts(m)
    return parts


def _alert_count(n: int) -> str:
    return f'<span class="bad">{n} alert(s)</span>' if n else '<span class="ok">no alerts</span>'


def _batch_label(row: Row, jobs: int) -> str:
    when = row["scheduled_time"]
    stamp = f"{when:%Y-%m-%d}" if isinstance(when, datetime | date) else str(when)
    return f"{row['job']} {stamp}" if jobs > 1 else stamp


def _batch_keys(m: ModelReport) -> list[tuple[Any, str]]:
    return [(r["scheduled_time"], r["job"]) for r in m.runs]


def _batches(m: ModelReport) -> list[str]:
    head = (
        "batch", "as of", "reference rows", "current rows", "labelled", "pending",
        "unknown labels", "drift alerts", "accuracy alerts", "definition changes",
        "labels as of", "monitored at",
    )  # fmt: skip
    rows = [
        (
            f"{r['job']} {_day(r['scheduled_time'])}",
            r["as_of"],
            r["reference_rows"],
            r["current_rows"],
            r["labelled"],
            r["pending_labels"],
            r["unknown_labels"],
            r["drift_alerts"],
            r["accuracy_alerts"],
            r["definition_changes"],
            r["labels_as_of"],
            r["monitored_at"],
        )
        for r in m.runs
    ]
    return ["<h3>Scoring batches</h3>", _table(head, rows)]


def _drift(m: ModelReport) -> list[str]:
    keys = _batch_keys(m)
    jobs = len({job for _, job in keys})
    labels = [_batch_label(r, jobs) for r in m.runs]
    by_feature: dict[str, dict[tuple[Any, str], dict[str, Row]]] = defaultdict(dict)
    for row in m.drift:
        key = (row["scheduled_time"], row["job"])
        by_feature[row["feature"]].setdefault(key, {})[row["statistic"]] = row
    charts = []
    for f in m.features:
        statistic = MAIN_STATISTIC["categorical" if f.kind == "categorical" else "numeric"]
        rows = [by_feature[f.column].get(k, {}) for k in keys]
        values = [_value(r.get(statistic)) for r in rows]
        flagged = {i for i, r in enumerate(rows) if any(x["drifted"] for x in r.values())}
        changed = [labels[i] for i, r in enumerate(rows) if "definition" in r]
        threshold = next(
            (r[statistic]["threshold"] for r in reversed(rows) if statistic in r), None
        )
        title = f"{f.column} - {statistic}"
        chart = line_chart(title, labels, [Series(statistic, values, flagged)], threshold=threshold)
        note = (
            f'<figcaption class="bad">definition changed: {escape(", ".join(changed))}</figcaption>'
            if changed
            else ""
        )
        charts.append(f"<figure>{chart}{note}</figure>")
    return [
        "<h3>Drift over time (all rows; red: any statistic of the feature drifted)</h3>",
        f'<div class="charts">{"".join(charts)}</div>',
    ]


def _latest_drift(m: ModelReport) -> str:
    """The latest batch's statistics, one row per feature (drifted values in red)."""
    keys = _batch_keys(m)
    if not keys:
        return ""
    last = keys[-1]
    by_feature: dict[str, dict[str, Row]] = defaultdict(dict)
    for r in m.drift:
        if (r["scheduled_time"], r["job"]) == last:
            by_feature[r["feature"]][r["statistic"]] = r
    rows = []
    for f in m.features:
        found = by_feature.get(f.column, {})
        first = next(iter(found.values()), {})
        cells: list[Any] = [f.column, f"{f.ref} {first.get('fingerprint') or ''}"]
        cells += [_statistic(found.get(s)) for s in LATEST_STATISTICS]
        notes = sorted({r["status"] for r in found.values() if r["status"] != "ok"})
        new = found.get("new_categories")
        cells.append(", ".join(notes) + (f" new: {new['detail']}" if new and new["detail"] else ""))
        rows.append(cells)
    head = ("feature", "definition", *LATEST_STATISTICS, "notes")
    title = f"Latest batch ({last[1]} {_day(last[0])}), all rows"
    return f"<h3>{escape(title)}</h3>" + _table(head, rows)


def _statistic(row: Row | None) -> Any:
    if row is None or row["value"] is None:
        return None
    text = f"{row['value']:.4g}"
    if row["p_value"] is not None:
        text += f" (p {row['p_value']:.2g})"
    return _Raw(f'<span class="bad">{escape(text)}</span>') if row["drifted"] else text


def _accuracy(m: ModelReport) -> list[str]:
    if not m.accuracy:
        return ["<h3>Accuracy</h3><p class='muted'>No labelled predictions yet.</p>"]
    windows = sorted({r["window_start"] for r in m.accuracy})
    labels = [_day(w) for w in windows]
    charts = []
    for metric in ACCURACY_METRICS.get(m.task, ()):
        rows = _per_window(m.accuracy, metric, windows)
        values = [_value(r) for r in rows]
        flagged = {i for i, r in enumerate(rows) if r is not None and r["breached"]}
        threshold = next((r["threshold"] for r in reversed(rows) if r is not None), None)
        charts.append(
            "<figure>"
            + line_chart(metric, labels, [Series(metric, values, flagged)], threshold=threshold)
            + "</figure>"
        )
    bins = _pooled_reliability(m.accuracy)
    if bins:
        charts.append(
            "<figure>" + reliability_chart(bins, title="reliability (all windows)") + "</figure>"
        )
    return [
        "<h3>Accuracy over time (per prediction-time window; red: past its threshold)</h3>",
        f'<div class="charts">{"".join(charts)}</div>',
    ]


def _accuracy_table(rows: list[Row]) -> str:
    """One row per window and batch, a column per metric (breached values in red)."""
    by_window: dict[tuple[Any, Any, str], dict[str, Row]] = defaultdict(dict)
    for r in rows:
        by_window[(r["window_start"], r["scheduled_time"], r["job"])][r["metric"]] = r
    metrics = sorted({r["metric"] for r in rows} - {"labelled"})
    body = []
    for (window, scheduled, job), found in sorted(by_window.items(), key=lambda kv: kv[0][:2]):
        first = next(iter(found.values()))
        cells: list[Any] = [_day(window), f"{job} {_day(scheduled)}", first["n"]]
        cells.append(first["n_unlabelled"])
        for metric in metrics:
            cell = found.get(metric)
            if cell is None or cell["value"] is None:
                cells.append(None)
                continue
            text = f"{cell['value']:.4g}"
            cells.append(_Raw(f'<span class="bad">{text}</span>') if cell["breached"] else text)
        body.append(cells)
    return _table(("window", "batch", "labelled", "pending", *metrics), body)


def _per_window(rows: list[Row], metric: str, windows: Sequence[Any]) -> list[Row | None]:
    """The row of ``metric`` per window (the batch with most labelled predictions)."""
    best: dict[Any, Row] = {}
    for r in rows:
        if r["metric"] != metric:
            continue
        kept = best.get(r["window_start"])
        if kept is None or (r["n"] or 0) > (kept["n"] or 0):
            best[r["window_start"]] = r
    return [best.get(w) for w in windows]


def _pooled_reliability(rows: list[Row]) -> list[tuple[float, float, int]]:
    """Reliability bins of every window together: count-weighted means per bin."""
    pooled: dict[tuple[float, float], list[float]] = {}
    for r in rows:
        if r["metric"] != "ece" or not r["detail"]:
            continue
        for lower, upper, predicted, observed, count in json.loads(r["detail"]):
            acc = pooled.setdefault((lower, upper), [0.0, 0.0, 0.0])
            acc[0] += predicted * count
            acc[1] += observed * count
            acc[2] += count
    return [(p / n, o / n, int(n)) for _, (p, o, n) in sorted(pooled.items()) if n]


def _definitions(m: ModelReport) -> list[str]:
    head = (
        *("column", "feature", "kind", "trained fingerprint", "catalog fingerprint"),
        *("status", "definition"),
    )
    rows = []
    for f in m.features:
        shown = "; ".join(f"{k}: {f.definition[k]}" for k in DEFINITION_FIELDS if k in f.definition)
        status = f.status if f.status == "as trained" else f'<span class="bad">{f.status}</span>'
        rows.append(
            (
                f.column,
                f.ref,
                f.kind,
                f.trained_fingerprint,
                f.catalog_fingerprint,
                _Raw(status),
                shown,
            )
        )
    return ["<h3>Definitions and fingerprints in play</h3>", _table(head, rows)]


def _segments(m: ModelReport) -> list[str]:
    if not m.segment_drift:
        return ["<h3>Drifted segments</h3><p class='muted'>None.</p>"]
    head = ("batch", "feature", "segment", "statistic", "value", "threshold", "n ref", "n cur")
    rows = [
        (
            f"{r['job']} {_day(r['scheduled_time'])}",
            r["feature"],
            r["segment"],
            r["statistic"],
            r["value"],
            r["threshold"],
            r["n_ref"],
            r["n_cur"],
        )
        for r in m.segment_drift
    ]
    return ["<h3>Drifted segments</h3>", _table(head, rows)]


def _alerts(m: ModelReport) -> list[str]:
    if not m.alerts:
        return ["<h3>Alerts</h3><p class='ok'>No alerts.</p>"]
    more = (
        f"<p class='muted'>The newest {len(m.alerts)} of {m.alerts_total}.</p>"
        if m.alerts_total > len(m.alerts)
        else ""
    )
    head = ("batch", "kind", "feature", "segment", "statistic", "value", "threshold", "message")
    rows = [
        (
            f"{r['job']} {_day(r['scheduled_time'])}",
            r["kind"],
            r["feature"],
            r["segment"],
            r["statistic"],
            r["value"],
            r["threshold"],
            r["message"],
        )
        for r in m.alerts
    ]
    return [f"<h3>Alerts ({m.alerts_total})</h3>", more, _table(head, rows)]


class _Raw(str):
    """Markup placed in a cell as is."""


def _table(head: Iterable[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


def _cell(value: Any) -> str:
    if isinstance(value, _Raw):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return escape(str(value))


def _flag(value: Any) -> _Raw:
    return _Raw('<span class="bad">yes</span>' if value else "")


def _day(value: Any) -> str:
    return f"{value:%Y-%m-%d}" if isinstance(value, date) else str(value)


def _value(row: Row | None) -> float | None:
    if row is None or row.get("value") is None:
        return None
    return float(row["value"])
