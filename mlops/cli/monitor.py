"""``erpml monitor`` (drift and accuracy of scoring batches, alerts) and ``erpml report``."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from mlops.monitoring.monitor import Outcome

EXIT_ALERTS = 9
SHOWN_ALERTS = 20
ALERT_ORDER = ("definition_changed", "accuracy", "new_category", "null_rate", "drift")
PROJECT = click.option(
    "--project",
    type=click.Path(path_type=Path),
    default=Path("erpml.yml"),
    show_default=True,
    help="Project file (warehouse, definitions, models, monitoring).",
)


@click.command("monitor")
@PROJECT
@click.option(
    "--model", "spec", default=None, help="NAME, NAME@VERSION or NAME@ALIAS (default: every model)."
)
@click.option(
    "--job",
    default=None,
    help="Scoring job of the batch to monitor (or the monitor job the scheduler runs).",
)
@click.option(
    "--scheduled-time", type=click.DateTime(), default=None, help="Scheduled time of the batch."
)
@click.option("--rerun", is_flag=True, help="Monitor every batch again, replacing its rows.")
@click.option(
    "--labels-as-of",
    type=click.DateTime(),
    default=None,
    help="Labels settled by this time count (default: the entity mart's latest known_at, "
    "at most now).",
)
@click.option(
    "--labels",
    "labels_table",
    default=None,
    help="Labels table schema.name (entity_key, label, label_known_at) instead of the "
    "feature set's label.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def monitor_cmd(
    project: Path,
    spec: str | None,
    job: str | None,
    scheduled_time: datetime | None,
    rerun: bool,
    labels_as_of: datetime | None,
    labels_table: str | None,
    fmt: str,
) -> None:
    """Drift and accuracy of scoring batches against the training snapshot; exits 9 on alerts.

    Default: every batch not monitored yet, and the accuracy of batches whose labels have
    settled since. Writes monitoring.drift, monitoring.accuracy, monitoring.alerts and
    monitoring.runs, one transaction per batch.
    """
    from mlops.definitions import load_definitions
    from mlops.models import store_for
    from mlops.monitoring.monitor import MonitorOptions, monitor_model
    from mlops.monitoring.settings import load_settings

    catalog = load_definitions(project).catalog
    settings = load_settings(project, catalog)
    store = store_for(project)
    options = MonitorOptions(job, scheduled_time, rerun, labels_as_of, labels_table)
    specs = [spec] if spec else store.names()
    outcomes = []
    for one in specs:
        outcomes += monitor_model(project, catalog, one, options, store=store, settings=settings)
    alerts = sum(len(o.result.alerts) for o in outcomes)
    if fmt == "json":
        click.echo(json.dumps(_as_json(outcomes), indent=2, default=str))
    else:
        _summary(outcomes, specs)
    if alerts:
        sys.exit(EXIT_ALERTS)


def _as_json(outcomes: list[Outcome]) -> dict[str, Any]:
    batches = []
    for o in outcomes:
        r = o.result
        batches.append(
            {
                "model": r.batch.model,
                "run_id": r.batch.run_id,
                "job": r.batch.job,
                "scheduled_time": r.batch.scheduled_time,
                "as_of": r.batch.as_of,
                "part": o.part,
                "reference_rows": r.reference_rows,
                "current_rows": r.current_rows,
                "labels_as_of": r.labels_as_of,
                "labelled": r.labelled,
                "pending_labels": r.pending_labels,
                "unknown_labels": r.unknown_labels,
                "definition_changes": r.definition_changes,
                "drifted": sorted({d.feature for d in r.drift if d.drifted}),
                "accuracy": [a.__dict__ for a in r.accuracy if a.metric != "labelled"],
                "alerts": [a.__dict__ for a in r.alerts],
            }
        )
    return {"batches": batches, "alerts": sum(len(o.result.alerts) for o in outcomes)}


def _summary(outcomes: list[Outcome], specs: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    if not outcomes:
        click.echo(f"nothing to monitor for {', '.join(specs) or 'no models'}")
        return
    table = Table(title="monitored scoring batches")
    for name in ("model", "batch", "part", "rows", "drifted", "labelled", "auc", "alerts"):
        table.add_column(name, justify="left" if name in ("model", "batch", "part") else "right")
    for o in outcomes:
        r = o.result
        drifted = {d.feature for d in r.drift if d.drifted and d.segment == "all"}
        auc = [a.value for a in r.accuracy if a.metric == "auc" and a.value is not None]
        table.add_row(
            r.batch.model,
            f"{r.batch.job} {r.batch.scheduled_time:%Y-%m-%d %H:%M}",
            o.part,
            str(r.current_rows),
            f"{len(drifted)}/{len(r.refs)}" if o.part == "all" else "-",
            f"{r.labelled}" + (f" ({r.unknown_labels} unknown)" if r.unknown_labels else ""),
            f"{auc[-1]:.3f}" if auc else "-",
            str(len(r.alerts)),
        )
    Console().print(table)
    alerts = [a for o in outcomes for a in o.result.alerts]
    alerts.sort(key=lambda a: (a.segment not in (None, "all"), ALERT_ORDER.index(a.kind)))
    for alert in alerts[:SHOWN_ALERTS]:
        click.echo(f"alert: {alert.message}")
    if len(alerts) > SHOWN_ALERTS:
        click.echo(f"... and {len(alerts) - SHOWN_ALERTS} more in monitoring.alerts")


@click.command("report")
@PROJECT
@click.option(
    "--model", "spec", default=None, help="NAME@VERSION or NAME@ALIAS (default: every model)."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for monitoring_report.html and .json (default: .erpml/report beside the "
    "project file).",
)
def report_cmd(project: Path, spec: str | None, out: Path | None) -> None:
    """Write the monitoring report: drift and accuracy over time, definitions, alerts."""
    from mlops.models import store_for
    from mlops.report import write_report

    folder = out or project.parent / ".erpml" / "report"
    written = write_report(project, folder, store_for(project), spec)
    size = written.html.stat().st_size
    click.echo(
        f"report of {', '.join(written.models)} ({written.alerts} alerts): {written.html} "
        f"({size / 1024:.0f} KiB) and {written.json}"
    )
