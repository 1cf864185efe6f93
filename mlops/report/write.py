"""``erpml report``: write the monitoring report of a project as HTML and JSON."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlops.models.store import ModelStore
from mlops.report.data import read_report
from mlops.report.html import to_html, to_json

HTML_NAME = "monitoring_report.html"
JSON_NAME = "monitoring_report.json"


@dataclass(frozen=True)
class Written:
    html: Path
    json: Path
    models: list[str]
    alerts: int


def write_report(project: Path, out: Path, store: ModelStore, spec: str | None = None) -> Written:
    """Read the monitoring rows of ``spec`` (default: every monitored model), write both files."""
    from mlops.definitions import load_definitions

    report = read_report(project, load_definitions(project), store, spec)
    out.mkdir(parents=True, exist_ok=True)
    html_path, json_path = out / HTML_NAME, out / JSON_NAME
    html_path.write_text(to_html(report), encoding="utf-8")
    json_path.write_text(to_json(report), encoding="utf-8")
    return Written(
        html_path,
        json_path,
        [m.model for m in report.models],
        sum(m.alerts_total for m in report.models),
    )
