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


class TableProgress:
    """Progress for extraction: one bar per table with rows and rows/s."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description:<28}"),
            BarColumn(bar_width=None, pulse_style="cyan"),
            TextColumn("{task.completed:>12,.0f} rows"),
            TextColumn("{task.fields[rate]:>10} rows/s"),
            TimeElapsedColumn(),
            console=console,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> TableProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def start(self, source: str, table: str) -> None:
        self._task = self._progress.add_task(f"{source}.{table}", total=None, rate="-")

    def rows(self, n: int) -> None:
        if self._task is None:
            return
        self._progress.advance(self._task, n)
        task = self._progress.tasks[self._task]
        elapsed = task.elapsed or 0.0
        rate = f"{task.completed / elapsed:,.0f}" if elapsed > 0.05 else "-"
        self._progress.update(self._task, rate=rate)

    def finish(self, outcome: object) -> None:
        if self._task is not None:
            status = getattr(outcome, "status", "ok")
            self._progress.update(
                self._task,
                total=self._progress.tasks[self._task].completed,
                description=f"{self._progress.tasks[self._task].description}"
                + ("" if status == "ok" else " [red]failed"),
            )
        self._task = None
