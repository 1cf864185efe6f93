"""``erpml diff``: the definition-change report between two git revisions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_BLOCKING = 8


@click.command("diff")
@click.option("--base", default=None, help="Git revision (default: merge base of HEAD and main).")
@click.option("--head", default=None, help="Git revision (default: the working tree).")
@click.option(
    "--project",
    type=click.Path(path_type=Path),
    default=Path("erpml.yml"),
    show_default=True,
    help="Project file: its warehouse measures values and scores, its store holds the models.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for change_report.md, .html and .json (default: print Markdown).",
)
@click.option("--no-values", is_flag=True, help="Skip computing old and new values.")
@click.option("--print", "echo", is_flag=True, help="Also print the Markdown with --out.")
@click.option(
    "--repo",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Git work tree holding semantic_models/ and dbt_project/ (default: erpml's own).",
)
def diff_cmd(
    base: str | None,
    head: str | None,
    project: Path,
    out: Path | None,
    no_values: bool,
    echo: bool,
    repo: Path | None,
) -> None:
    """What changed, what it touches, how much values and scores move.

    Exits 8 when a released definition changes what it computes without a new version, or a
    mart's contract breaks without a new model version.
    """
    from mlops.diff import ROOT, compare, load_side, merge_base, touched_models_and_jobs
    from mlops.diff_report import to_html, to_json, to_markdown
    from mlops.diff_values import measure

    root = (repo or ROOT).resolve()
    base_side = load_side(base or merge_base(root), root)
    head_side = load_side(head, root)
    report = compare(base_side, head_side, project if project.exists() else None)
    if project.exists():
        touched_models_and_jobs(report, project)
        if not no_values:
            measure(report, base_side, head_side, project)
    markdown = to_markdown(report)
    if out is None or echo:
        click.echo(markdown)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "change_report.md").write_text(markdown)
        (out / "change_report.html").write_text(to_html(report))
        (out / "change_report.json").write_text(to_json(report))
        click.echo(f"wrote {out}/change_report.md, .html, .json")
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    if report.errors:
        sys.exit(EXIT_BLOCKING)
