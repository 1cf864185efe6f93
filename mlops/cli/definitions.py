"""``erpml definitions``, ``erpml snapshot`` and ``erpml features``: the feature catalog at work."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

EXIT_DEFINITIONS = 7
PROJECT = click.option(
    "--project",
    type=click.Path(path_type=Path),
    default=Path("erpml.yml"),
    show_default=True,
    help="Project file (its `definitions:` folder; default the starter catalog).",
)


@click.group("definitions")
def definitions_group() -> None:
    """Versioned metric and feature definitions: check, lock, compile."""


@definitions_group.command("check")
@PROJECT
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def check_cmd(project: Path, fmt: str) -> None:
    """Fail when a released version's fingerprint changed without a new version number."""
    from mlops.definitions import load_definitions

    defs = load_definitions(project)
    findings = defs.findings()
    if fmt == "json":
        click.echo(json.dumps([f.__dict__ for f in findings], indent=2))
    else:
        for f in findings:
            if f.status != "locked":
                click.echo(f"{f.status:8} {f.kind} {f.ref}: {f.message}")
        counts = {s: sum(f.status == s for f in findings) for s in ("locked", "new", "changed")}
        click.echo(", ".join(f"{n} {s}" for s, n in counts.items()))
    broken = [f for f in findings if f.breaks]
    if broken:
        first = broken[0]
        click.echo(
            f"error: {defs.catalog.located(first.kind, first.ref)}: {first.message}", err=True
        )
        sys.exit(EXIT_DEFINITIONS)


@definitions_group.command("lock")
@PROJECT
def lock_cmd(project: Path) -> None:
    """Record new definition versions in the lock file (released ones are never rewritten)."""
    from mlops.definitions import load_definitions, lock

    defs = load_definitions(project)
    findings = lock(defs)
    new = [f.ref for f in findings if f.status == "new"]
    click.echo(f"{defs.lock_path}: {len(defs.prints)} definitions, {len(new)} newly locked")


@definitions_group.command("compile")
@PROJECT
def compile_cmd(project: Path) -> None:
    """Generate the feature timeline models and semantic-layer YAML into the dbt project."""
    from mlops.definitions import compile_definitions, load_definitions

    written = compile_definitions(load_definitions(project))
    click.echo(f"wrote {len(written)} files")


@definitions_group.command("list")
@PROJECT
def list_cmd(project: Path) -> None:
    """Every definition with its fingerprint and owner."""
    from mlops.definitions import load_definitions

    defs = load_definitions(project)
    for (kind, ref), fp in sorted(defs.prints.items()):
        owner = defs.catalog.kind(kind)[ref].owner
        click.echo(f"{kind:16} {ref:40} {fp.fingerprint}  {owner}")


@click.group("snapshot")
def snapshot_group() -> None:
    """Point-in-time-correct training snapshots."""


@snapshot_group.command("create")
@PROJECT
@click.option("--feature-set", "ref", required=True, help="name@version")
@click.option("--cutoff", type=click.DateTime(), default=None, help="Default: now.")
@click.option(
    "--spine",
    default=None,
    help="Table or query with the entity key column and as_of (default: the set's own spine).",
)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Also write Parquet.")
def snapshot_create(
    project: Path, ref: str, cutoff: datetime | None, spine: str | None, out: Path | None
) -> None:
    """Build a training snapshot of a feature set over its spine."""
    from mlops.definitions import load_definitions
    from mlops.features import create_snapshot

    catalog = load_definitions(project).catalog
    snap = create_snapshot(project, catalog, ref, cutoff, spine=spine, out=out)
    click.echo(
        f"snapshot {snap.id}: {snap.rows} rows in {snap.table}, checksum {snap.checksum[:16]}"
        + (f", {out}" if out else "")
    )


@click.group("features")
def features_group() -> None:
    """Governed feature values for scoring."""


@features_group.command("get")
@PROJECT
@click.option("--feature-set", "ref", required=True, help="name@version")
@click.option("--entity", "entities", multiple=True, required=True, help="Entity key (repeat).")
@click.option("--as-of", type=click.DateTime(), default=None, help="Default: now.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
def features_get(
    project: Path, ref: str, entities: tuple[str, ...], as_of: datetime | None, fmt: str
) -> None:
    """Feature values of entities at a time, as a training snapshot would hold them."""
    from mlops.definitions import load_definitions
    from mlops.features import get_features

    frame = get_features(project, load_definitions(project).catalog, ref, list(entities), as_of)
    if fmt == "json":
        click.echo(frame.to_json(orient="records", date_format="iso"))
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        click.echo(frame.to_string(index=False))
