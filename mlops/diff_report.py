"""The change report of ``erpml diff`` as Markdown (a pull-request comment), JSON and HTML.

The HTML page is self-contained (inline CSS and SVG bar charts, no scripts): the share of rows
whose value moves per feature, and the score change per model.
"""

from __future__ import annotations

import dataclasses
import html
import json
from typing import Any

from mlops.diff import Report

ICONS = {
    "metadata-only": "metadata-only",
    "equivalent": "equivalent",
    "value-changing": "**value-changing**",
    "schema-breaking": "**schema-breaking**",
    "added": "added",
    "removed": "**removed**",
    "additive": "additive",
}


def to_json(report: Report) -> str:
    data = dataclasses.asdict(report)
    del data["sql"]  # compiled SELECTs: long, and the Markdown names what they compute
    data["touched"] = {k: sorted(v) for k, v in report.touched.items()}
    data["exit_code"] = report.exit_code()
    return json.dumps(data, indent=2, default=str)


def to_markdown(report: Report) -> str:
    lines = [f"## erpml definition-change report: `{report.base}` -> `{report.head}`", ""]
    if report.errors:
        lines += ["**Blocking:**", ""] + [f"- {e}" for e in report.errors] + [""]
    if not report.definitions and not report.marts:
        return "\n".join([*lines, "No definition or model changes."])
    for section in (_definitions, _models, _touched, _mart_values, _values, _scores):
        lines += section(report)
    return "\n".join(lines)


def _definitions(report: Report) -> list[str]:
    if not report.definitions:
        return []
    lines = ["### Definitions", "", "| kind | definition | change | why |", "|---|---|---|---|"]
    for c in report.definitions:
        lines.append(f"| {c.kind} | `{c.ref}` | {ICONS[c.change]} | {_cell(c.reasons)} |")
    lines.append("")
    for c in report.definitions:
        lines += _details(c.ref, c.yaml_diff)
    return lines


def _cell(reasons: tuple[str, ...] | list[str]) -> str:
    """Reasons joined for one Markdown table cell (a ``|`` in a reason would split the row)."""
    return "; ".join(reasons).replace("|", "\\|")


def _details(title: str, diff: str | None) -> list[str]:
    """A folded ``diff`` block under ``title``; nothing when there is no diff."""
    if not diff:
        return []
    return [f"<details><summary>{title}</summary>", "", "```diff", diff, "```", "</details>", ""]


def _models(report: Report) -> list[str]:
    if not report.marts:
        return []
    lines = ["### dbt models", "", "| model | file | change | why |", "|---|---|---|---|"]
    for m in report.marts:
        change = ICONS.get(m.change, m.change)
        lines.append(f"| `{m.relation or m.model}` | {m.path} | {change} | {_cell(m.reasons)} |")
    if report.columns:
        lines += ["", "Columns whose values may move (column-level lineage):", ""]
        for model, cols in sorted(report.columns.items()):
            lines.append(f"- `{model}`: {', '.join(f'`{c}`' for c in cols)}")
    lines.append("")
    for m in report.marts:
        lines += _details(m.path, m.text_diff)
    return lines


def _mart_values(report: Report) -> list[str]:
    if not report.mart_values:
        return []
    lines = [
        "### How much model rows move (old and new SELECT on the current warehouse)",
        "",
        "| model | key | rows old -> new | rows changed | share | added | removed | by column |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for v in report.mart_values:
        by = ", ".join(f"{c}: {n}" for c, n in v.get("columns", {}).items() if n)
        lines.append(
            f"| `{v['model']}` | {v.get('key') or ''} | {v['rows_old']} -> {v['rows_new']} | "
            f"{v.get('rows_changed', '')} | "
            f"{format(v['share_changed'], '.1%') if 'share_changed' in v else ''} | "
            f"{v.get('rows_added', '')} | {v.get('rows_removed', '')} | {by} |"
        )
    return [*lines, ""]


def _touched(report: Report) -> list[str]:
    if not (report.touched or report.models or report.jobs):
        return []
    lines = ["### What it touches", ""]
    for kind, refs in sorted(report.touched.items()):
        lines.append(f"- {kind}: {', '.join(f'`{r}`' for r in sorted(refs))}")
    if report.models:
        lines.append(f"- stored models: {', '.join(f'`{m}`' for m in report.models)}")
    if report.jobs:
        lines.append(f"- scoring and monitoring jobs: {', '.join(report.jobs)}")
    return [*lines, ""]


def _values(report: Report) -> list[str]:
    if not report.values:
        return []
    lines = [
        "### How much values move (latest training snapshot)",
        "",
        "| feature set | feature | rows | changed | share | mean old -> new | PSI | KS |",
        "|---|---|---:|---:|---:|---|---:|---:|",
    ]
    for v in report.values:
        drift = v.get("drift", {})
        mean = f"{v['mean_old']:.4g} -> {v['mean_new']:.4g}" if "mean_old" in v else ""
        lines.append(
            f"| `{v['feature_set']}` | `{v['feature']}` | {v['rows']} | {v['rows_changed']} | "
            f"{v['share_changed']:.1%} | {mean} | {_num(drift.get('psi'))} | "
            f"{_num(drift.get('ks_statistic'))} |"
        )
    return [*lines, ""]


def _scores(report: Report) -> list[str]:
    if not report.scores:
        return []
    lines = [
        "### How much scores move",
        "",
        "| model | rows | mean abs change | max abs change | flipped at 0.5 | AUC old -> new |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for s in report.scores:
        auc = f"{s['auc_old']:.3f} -> {s['auc_new']:.3f}" if "auc_old" in s else ""
        lines.append(
            f"| `{s['model']}` | {s['rows']} | {s['mean_abs_change']:.4f} | "
            f"{s['max_abs_change']:.4f} | {s.get('decisions_flipped', '')} | {auc} |"
        )
    return [*lines, ""]


def _num(value: Any) -> str:
    return "" if value is None else f"{value:.3g}"


def _bars(title: str, items: list[tuple[str, float]], fmt: str) -> str:
    """An inline SVG horizontal bar chart."""
    if not items:
        return ""
    width, row = 640, 22
    top = max(v for _, v in items) or 1.0
    height = row * len(items) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{html.escape(title)}">',
        f'<text x="0" y="14" font-size="13" font-weight="bold">{html.escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = 24 + i * row
        w = int(300 * value / top)
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label[:40])}</text>'
            f'<rect x="270" y="{y + 3}" width="{w}" height="14" fill="#4a7ab5"/>'
            f'<text x="{275 + w}" y="{y + 14}" font-size="12">{format(value, fmt)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def to_html(report: Report) -> str:
    import markdown_it

    body = markdown_it.MarkdownIt("commonmark").enable("table").render(to_markdown(report))
    charts = (
        _bars(
            "Share of snapshot rows whose value changes",
            [(f"{v['feature']}", float(v["share_changed"])) for v in report.values],
            ".1%",
        )
        + _bars(
            "Share of model rows whose changed columns move",
            [
                (v["model"], float(v["share_changed"]))
                for v in report.mart_values
                if "share_changed" in v
            ],
            ".1%",
        )
        + _bars(
            "Mean absolute score change",
            [(s["model"], float(s["mean_abs_change"])) for s in report.scores],
            ".4f",
        )
    )
    style = (
        "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px}"
        "pre{background:#f6f6f6;padding:8px;overflow:auto}"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>erpml change report</title><style>{style}</style></head><body>"
        f"{body}<div class='charts'>{charts}</div></body></html>"
    )
