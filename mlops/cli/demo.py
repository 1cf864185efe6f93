"""``erpml demo``: the main job end to end on the embedded default."""

from __future__ import annotations

from pathlib import Path

import click

DEMO_HOME = Path(".erpml/demo")


@click.command("demo")
@click.option("--scale", type=float, default=1.0, show_default=True)
@click.option("--home", type=click.Path(path_type=Path), default=DEMO_HOME, show_default=True)
def demo(scale: float, home: Path) -> None:
    """Generate the four fixture ERPs into local SQLite files and summarise them.

    Later capabilities (extract, build, snapshot, train, score, monitor) join this command as
    they land.
    """
    from fixtures import Settings, generate
    from mlops.cli.fixtures import _report
    from mlops.cli.progress import console, row_progress

    url = f"sqlite:///{home.resolve()}/sources/{{erp}}.db"
    console.rule("1. fixture ERP sources")
    with row_progress("") as hook:
        results = generate(
            ["all"], Settings(scale=scale), url, out=home / "fixtures", replace=True, progress=hook
        )
    _report(results, "text", url, home / "fixtures")
