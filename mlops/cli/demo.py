"""``erpml demo``: the main job end to end on the embedded default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml

DEMO_HOME = Path(".erpml/demo")


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
    """Generate the four fixture ERPs, extract them into DuckDB, build the dbt layer on them.

    Later capabilities (marts, snapshot, train, score, monitor) join this command as they land.
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
    (home / "erpml.yml").write_text(yaml.safe_dump(project, sort_keys=False))
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

    console.rule("3. build the semantic layer (dbt: sources and staging so far)")
    from mlops.build import BuildOptions, build, failure_line
    from mlops.cli.build import EXIT_BUILD_FAILED, _NodeProgress
    from mlops.cli.build import _summary as build_summary

    with _NodeProgress(console) as node_progress:
        nodes = build(BuildOptions(project=home / "erpml.yml"), on_event=node_progress.event)
    build_summary(nodes, console)
    line = failure_line(nodes)
    if line:
        click.echo(f"error: {line}", err=True)
        raise SystemExit(EXIT_BUILD_FAILED)
    console.print(f"project file: {home / 'erpml.yml'}; warehouse: {home / 'warehouse.duckdb'}")
