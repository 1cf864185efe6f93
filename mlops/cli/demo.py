"""``erpml demo``: the main job end to end on the embedded default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml

DEMO_HOME = Path(".erpml/demo")
# The demo project's monitoring settings (mlops/monitoring/settings.py).
DEMO_MONITORING: dict[str, Any] = {
    # Compare with the last year of the training snapshot: features that grow with history
    # (counts, long windows) differ between years of warm-up and one month of scoring.
    "reference_days": 365,
    # Tenure grows by design as customers age: watched, with thresholds for a trend.
    "drift": {
        "features": {"cust_tenure_days": {"psi": 2.0, "ks_statistic": 0.5, "wasserstein": 2.0}},
        # PSI's approximate p-value is unreliable on small samples (mlops/monitoring/README.md):
        # a segment with fewer rows in a month is not tested (the all-rows batch always is).
        "min_rows": 100,
    },
    "segments": [["source_system"]],
}


def demo_project(home: Path) -> dict[str, Any]:
    """The project file the demo writes: the four fixture ERPs as sources, DuckDB warehouse."""
    src = home.resolve() / "sources"
    return {
        "warehouse": {"kind": "duckdb", "path": str(home.resolve() / "warehouse.duckdb")},
        "sources": [
            {
                "name": "jde",
                "kind": "jde",
                "connection": {"url": f"sqlite:///{src}/jde.db"},
                "data_schema": None,
                "control_schema": None,
            },
            {
                "name": "vista",
                "kind": "vista",
                "connection": {"url": f"sqlite:///{src}/vista.db"},
                "schema": None,
            },
            {
                "name": "netsuite",
                "kind": "netsuite",
                "connection": {"url": f"sqlite:///{src}/netsuite.db"},
            },
            {
                "name": "onestream",
                "kind": "onestream",
                "exports": str(home.resolve() / "fixtures" / "onestream" / "exports"),
            },
        ],
    }


@click.command("demo")
@click.option("--scale", type=float, default=1.0, show_default=True)
@click.option("--home", type=click.Path(path_type=Path), default=DEMO_HOME, show_default=True)
def demo(scale: float, home: Path) -> None:
    """The whole loop on the fixture ERPs and DuckDB.

    Generate the four fixture ERPs (as of 2026-06-30), extract them, build the marts and feature
    timelines, snapshot and train the late-payment model on 2025, score each month of 2026,
    monitor drift and accuracy, write the HTML report, and print a sample change report.
    """
    from connectors import extract
    from connectors.config import Sources
    from fixtures import Settings, generate
    from mlops.cli.extract import _summary
    from mlops.cli.fixtures import _report
    from mlops.cli.progress import TableProgress, console, row_progress

    url = f"sqlite:///{home.resolve()}/sources/{{erp}}.db"
    console.rule("1. fixture ERP sources")
    with row_progress("") as hook:
        results = generate(
            ["all"], Settings(scale=scale), url, out=home / "fixtures", replace=True, progress=hook
        )
    _report(results, "text", url, home / "fixtures")

    console.rule("2. extract into the warehouse")
    project = demo_project(home)
    full = {**project, "monitoring": DEMO_MONITORING}
    (home / "erpml.yml").write_text(yaml.safe_dump(full, sort_keys=False))
    (home / "warehouse.duckdb").unlink(missing_ok=True)
    config = Sources.model_validate(project)
    with TableProgress() as progress:
        outcomes = extract(config, progress=progress)
    _summary(outcomes, console)
    failed = [o for o in outcomes if o.status != "ok"]
    if failed:
        for o in failed:
            click.echo(f"error: {o.error}", err=True)
        raise SystemExit(5)

    console.rule("3. build the semantic layer (marts, feature timelines, tests)")
    from mlops.build import BuildOptions, build, failure_line
    from mlops.cli.build import EXIT_BUILD_FAILED, _NodeProgress
    from mlops.cli.build import _summary as build_summary

    with _NodeProgress(console) as node_progress:
        nodes = build(BuildOptions(project=home / "erpml.yml"), on_event=node_progress.event)
    build_summary(nodes, console, failed_only=True)
    line = failure_line(nodes)
    if line:
        click.echo(f"error: {line}", err=True)
        raise SystemExit(EXIT_BUILD_FAILED)
    _loop(home)
    console.print(f"project file: {home / 'erpml.yml'}; warehouse: {home / 'warehouse.duckdb'}")


TRAIN_CUTOFF = "2025-12-31"
SCORE_MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06")


def _loop(home: Path) -> None:
    """Snapshot, train, score the later months, monitor, report, and a sample change report."""
    from mlops.cli.progress import console

    project = str(home / "erpml.yml")
    steps: list[tuple[str, list[str], tuple[int, ...]]] = [
        ("4. definitions: the lock holds", ["definitions", "check", "--project", project], (0,)),
        (
            f"5. training snapshot of late_payment@1 (labels settled by {TRAIN_CUTOFF})",
            [
                "snapshot",
                "create",
                "--project",
                project,
                "--feature-set",
                "late_payment@1",
                "--cutoff",
                TRAIN_CUTOFF,
            ],
            (0,),
        ),
        (
            "6. train the late-payment model",
            ["train", "--project", project, "--feature-set", "late_payment@1"],
            (0,),
        ),
        (
            "   alias it champion",
            ["models", "alias", "--project", project, "late_payment", "1", "champion"],
            (0,),
        ),
    ]
    for month in SCORE_MONTHS:
        start, end = _month_bounds(month)
        steps.append(
            (
                f"7. score the invoices of {month}, each at its creation",
                [
                    "score",
                    "--project",
                    project,
                    "--model",
                    "late_payment@champion",
                    "--as-of",
                    end,
                    "--job",
                    "monthly",
                    "--scheduled-time",
                    end,
                    "--where",
                    f"invoice_date >= date '{start}' and invoice_date <= date '{end}'",
                ],
                (0,),
            )
        )
    steps += [
        ("8. monitor drift and accuracy (the planted 2026 shifts raise alerts: exit 9)",
         ["monitor", "--project", project, "--model", "late_payment@champion"], (0, 9)),
        ("9. report", ["report", "--project", project, "--out", str(home / "report")], (0,)),
    ]  # fmt: skip
    for title, args, allowed in steps:
        console.rule(title)
        code = _run(args)
        if code not in allowed:
            raise SystemExit(code)
    console.rule("10. change report for a demo edit (cust_avg_days_late_365d v2: 180 days)")
    code = _run(_demo_edit(home))
    if code not in (0, 8):
        raise SystemExit(code)


def _month_bounds(month: str) -> tuple[str, str]:
    import calendar

    year, mon = (int(x) for x in month.split("-"))
    last = calendar.monthrange(year, mon)[1]
    return f"{month}-01", f"{month}-{last:02d}"


def _run(args: list[str]) -> int:
    """Run an erpml command in this process; its exit code."""
    from mlops.cli.main import main

    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _demo_edit(home: Path) -> list[str]:
    """A scratch git repository with the catalog plus a new version of one feature."""
    from mlops.diff import scratch_repo

    repo = scratch_repo(home / "change_demo")
    path = repo / "semantic_models" / "catalog" / "late_payment.yml"
    text = path.read_text()
    start = text.index("  - name: cust_avg_days_late_365d")
    end = text.index("  - name: cust_share_paid_late_365d")
    block = text[start:end]
    v2 = block.replace("version: 1", "version: 2", 1).replace("365 days", "180 days")
    path.write_text(text[:end] + v2 + text[end:])
    return ["diff", "--repo", str(repo), "--base", "HEAD", "--project", str(home / "erpml.yml"),
            "--out", str(home / "change_report"), "--print"]  # fmt: skip
