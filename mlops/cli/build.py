"""``erpml build``: run the dbt project in-process with progress and a per-node summary."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

DEFAULT_PROJECT = Path("erpml.yml")
EXIT_BUILD_FAILED = 6


@click.command("build")
@click.option(
    "--project",
    "project",
    type=click.Path(path_type=Path),
    default=DEFAULT_PROJECT,
    show_default=True,
    help="The project file declaring the warehouse.",
)
@click.option(
    "--target",
    type=click.Choice(["duckdb", "postgres"]),
    default=None,
    help="dbt target (default: the kind of the project's warehouse).",
)
@click.option("--select", "select", multiple=True, help="dbt node selection (repeatable).")
@click.option(
    "--changed",
    is_flag=True,
    help="Only what the batches extracted since the last complete build can change "
    "(their tests over the new rows); a full build if none is recorded or the project changed.",
)
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Rebuild the incremental facts from all landed rows (dbt --full-refresh).",
)
def build_cmd(
    project: Path, target: str | None, select: tuple[str, ...], changed: bool, full_refresh: bool
) -> None:
    """Build the dbt project (models and tests); exits 6 if any model or test failed.

    DuckDB allows one writer per file: do not run while `erpml extract` writes the warehouse.
    """
    from mlops.build import BuildOptions, build, build_changed, failure_line
    from mlops.cli.progress import console

    if changed and (select or full_refresh):
        raise click.UsageError("--changed selects by itself: drop --select and --full-refresh")
    extra = ("--full-refresh",) if full_refresh else ()
    options = BuildOptions(project=project, target=target, select=select, extra_args=extra)  # type: ignore[arg-type]
    with _NodeProgress(console) as progress:
        if changed:
            outcome = build_changed(options, on_event=progress.event)
            results = outcome.results
        else:
            results = build(options, on_event=progress.event)
    if changed:
        console.print(_plan_line(outcome.plan))
        if not results:
            return
    _summary(results, console)
    line = failure_line(results)
    if line:
        click.echo(f"error: {line}", err=True)
        raise SystemExit(EXIT_BUILD_FAILED)


def _plan_line(plan: Any) -> str:
    """What a changed build did: a full build and why, nothing, or the new batches it took."""
    if plan.full_reason:
        return f"full build: {plan.full_reason}"
    if not plan.tables:
        return "nothing extracted since the last build: nothing to do"
    return (
        f"changed build: {len(plan.tables)} landing tables with new rows in "
        f"{len(plan.batches)} batches (from batch {plan.from_batch})"
    )


class _NodeProgress:
    """One bar over all nodes, fed by dbt's NodeStart/NodeFinished events."""

    def __init__(self, console: Any) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]dbt build"),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("", total=None)

    def __enter__(self) -> _NodeProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def event(self, name: str, data: Mapping[str, Any]) -> None:
        total = data.get("total")
        if isinstance(total, int) and total > 0:
            self._progress.update(self._task, total=total)
        if name == "NodeStart":
            self._progress.update(self._task, description=str(data.get("node_name", "")))
        elif name == "NodeFinished":
            self._progress.advance(self._task)


def _summary(results: list[Any], console: Any, *, failed_only: bool = False) -> None:
    """A table per node (``failed_only``: models and seeds, plus tests that did not pass)."""
    from rich.table import Table

    table = Table(title="build")
    for name in ("node", "kind", "status", "rows", "seconds"):
        table.add_column(name, justify="right" if name in {"rows", "seconds"} else "left")
    for r in results:
        if failed_only and r.kind not in ("model", "seed") and r.status == "pass":
            continue
        style = "red" if r.failed else ("yellow" if r.status == "warn" else "")
        rows = "-" if r.rows is None else f"{r.rows:,}"
        table.add_row(r.name, r.kind, r.status, rows, f"{r.seconds:.2f}", style=style)
    console.print(table)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    console.print(", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
