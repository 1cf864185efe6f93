"""Rich progress display shared by long-running commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

console = Console(stderr=True)


@contextmanager
def row_progress(label: str) -> Iterator[Callable[[str, int], None]]:
    """A hook ``(table, rows)`` that shows one line per table with its rows and rows/s."""
    columns = (
        TextColumn("[bold]{task.description:<28}"),
        BarColumn(bar_width=None, pulse_style="cyan"),
        TextColumn("{task.completed:>12,.0f} rows"),
        TextColumn("{task.fields[rate]:>10} rows/s"),
        TimeElapsedColumn(),
    )
    tasks: dict[str, TaskID] = {}
    with Progress(*columns, console=console, transient=False) as progress:

        def hook(table: str, rows: int) -> None:
            key = f"{label}.{table}" if label else table
            if key not in tasks:
                tasks[key] = progress.add_task(key, total=None, rate="-")
            task_id = tasks[key]
            progress.advance(task_id, rows)
            task = progress.tasks[task_id]
            elapsed = task.elapsed or 0.0
            rate = f"{task.completed / elapsed:,.0f}" if elapsed > 0.05 else "-"
            progress.update(task_id, rate=rate)

        yield hook
