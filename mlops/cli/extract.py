"""``erpml extract``: land ERP source tables in the warehouse, incrementally."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

DEFAULT_PROJECT = Path("erpml.yml")


@click.command("extract")
@click.option(
    "--project",
    "project",
    type=click.Path(path_type=Path),
    default=DEFAULT_PROJECT,
    show_default=True,
    help="The project file declaring sources and warehouse.",
)
@click.option("--source", help="Only this source (by name).")
@click.option("--table", "tables", multiple=True, help="Only these tables (repeatable).")
@click.option("--full-refresh", is_flag=True, help="Pull every row again (deletes are detected).")
@click.option("--reconcile", is_flag=True, help="Check primary keys for deletes now.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def extract_cmd(
    project: Path,
    source: str | None,
    tables: tuple[str, ...],
    full_refresh: bool,
    reconcile: bool,
    fmt: str,
) -> None:
    """Extract sources into the warehouse; exits 5 if any table failed."""
    from connectors import extract, load

    config = load(project)
    if fmt == "json":
        outcomes = extract(
            config, source=source, tables=tables, full_refresh=full_refresh, reconcile=reconcile
        )
        click.echo(json.dumps([asdict(o) for o in outcomes], indent=2, default=str))
    else:
        from mlops.cli.progress import TableProgress, console

        with TableProgress() as progress:
            outcomes = extract(
                config,
                source=source,
                tables=tables,
                full_refresh=full_refresh,
                reconcile=reconcile,
                progress=progress,
            )
        _summary(outcomes, console)
    failed = [o for o in outcomes if o.status != "ok"]
    for o in failed:
        click.echo(f"error: {o.error}", err=True)
    if failed:
        raise SystemExit(5)


def _summary(outcomes: list[Any], console: Any) -> None:
    from rich.table import Table

    table = Table(title="extraction")
    numbers = {"rows", "changed", "deleted", "seconds", "rows/s"}
    for name in ("source", "table", "status", "rows", "changed", "deleted", "seconds", "rows/s"):
        table.add_column(name, justify="right" if name in numbers else "left")
    table.add_column("pulls")
    for o in outcomes:
        rate = f"{o.rows / o.seconds:,.0f}" if o.seconds > 0 else "-"
        style = "" if o.status == "ok" else "red"
        table.add_row(
            o.source,
            o.table,
            o.status,
            f"{o.rows:,}",
            f"{o.changed:,}",
            f"{o.deleted:,}",
            f"{o.seconds:.1f}",
            rate,
            _pulls(o.pulls),
            style=style,
        )
    console.print(table)


def _pulls(labels: list[str]) -> str:
    return "; ".join(labels) if len(labels) <= 2 else f"{len(labels)} pulls ({labels[0]}, ...)"
