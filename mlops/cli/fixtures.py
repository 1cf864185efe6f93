"""``erpml fixtures``: generate and advance synthetic ERP source systems."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

ERP_CHOICES = ("jde", "vista", "netsuite", "onestream", "all")
DEFAULT_OUT = Path(".erpml/fixtures")


def _date(_: click.Context, __: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.group("fixtures")
def fixtures_group() -> None:
    """Synthetic, schema-exact ERP source systems with a planted signal and golden answers."""


@fixtures_group.command("generate")
@click.option(
    "--erp",
    "erps",
    multiple=True,
    default=("all",),
    show_default=True,
    help="jde, vista, netsuite, onestream or all (repeatable).",
)
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    help="1 is tens of thousands of rows; 100 about 10 million GL lines.",
)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option(
    "--into", "url", required=True, help="SQLAlchemy URL; {erp} in it is replaced by the ERP name."
)
@click.option("--as-of", callback=_date, help="Last day of generated history (default 2026-06-30).")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder for golden answers and OneStream export files.",
)
@click.option("--replace", is_flag=True, help="Overwrite fixture tables already in the target.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def generate_cmd(
    erps: tuple[str, ...],
    scale: float,
    seed: int,
    url: str,
    as_of: date | None,
    out: Path,
    replace: bool,
    fmt: str,
) -> None:
    """Write fixture ERPs into a database (SQLite, PostgreSQL, MariaDB, ...)."""
    from fixtures import Settings, generate
    from mlops.cli.progress import row_progress

    if scale <= 0:
        raise click.BadParameter(f"scale must be positive, got {scale}", param_hint="--scale")
    settings = Settings(seed=seed, scale=scale, **({"as_of": as_of} if as_of else {}))
    with row_progress("") as hook:
        results = generate(list(erps), settings, url, out=out, replace=replace, progress=hook)
    _report(results, fmt, url, out)


@fixtures_group.command("advance")
@click.option("--erp", "erps", multiple=True, default=("all",), show_default=True)
@click.option("--into", "url", required=True, help="The fixture database (SQLAlchemy URL).")
@click.option("--to", "until", callback=_date, required=True, help="New as-of date (YYYY-MM-DD).")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def advance_cmd(erps: tuple[str, ...], url: str, until: date, out: Path, fmt: str) -> None:
    """Apply later activity (new documents, receipts, deletes, moves) to fixture databases."""
    from fixtures import advance
    from mlops.cli.progress import row_progress

    with row_progress("") as hook:
        results = advance(list(erps), url, until, out=out, progress=hook)
    _report(results, fmt, url, out)


def _report(results: dict[str, Any], fmt: str, url: str, out: Path) -> None:
    if fmt == "json":
        click.echo(json.dumps({k: {"rows": r.rows} for k, r in results.items()}, indent=2))
        return
    from rich.table import Table

    from mlops.cli.progress import console

    table = Table(title="fixture tables written")
    for col in ("erp", "tables", "rows", "target"):
        table.add_column(col, justify="right" if col in ("tables", "rows") else "left")
    for name, r in results.items():
        table.add_row(
            name, str(len(r.rows)), f"{sum(r.rows.values()):,}", url.replace("{erp}", name)
        )
    console.print(table)
    console.print(f"golden answers in {out}/<erp>/golden")
