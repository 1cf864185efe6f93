"""``erpml train``, ``erpml score`` and ``erpml models list|show|alias|log``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

PROJECT = click.option(
    "--project",
    type=click.Path(path_type=Path),
    default=Path("erpml.yml"),
    show_default=True,
    help="Project file (warehouse, definitions, models: {store: ...}).",
)


def _metrics(values: dict[str, float | None]) -> str:
    shown = [f"{k} {v:.4g}" for k, v in values.items() if v is not None and k != "rows"]
    return ", ".join(shown) or "no metrics"


@click.command("train")
@PROJECT
@click.option("--feature-set", "ref", required=True, help="name@version")
@click.option("--snapshot", "snapshot_id", default=None, help="Snapshot id (default: the latest).")
@click.option("--model-name", default=None, help="Default: the feature set's name.")
def train_cmd(project: Path, ref: str, snapshot_id: str | None, model_name: str | None) -> None:
    """Fit the reference pipeline on a snapshot, judge it on a time holdout, store it."""
    from mlops.definitions import load_definitions
    from mlops.models import store_for, train_model

    catalog = load_definitions(project).catalog
    m = train_model(
        project,
        catalog,
        ref,
        store=store_for(project),
        snapshot_id=snapshot_id,
        model_name=model_name,
    )
    h = m.holdout
    click.echo(
        f"model {m.spec}: {m.task} on snapshot {m.snapshot_id} ({h['train_rows']} training rows, "
        f"{h['holdout_rows']} holdout rows from {h['starts']}): {_metrics(m.metrics)}"
    )


@click.command("score")
@PROJECT
@click.option(
    "--model", "spec", required=True, help="NAME, NAME@VERSION, NAME@ALIAS or models:/NAME/VERSION"
)
@click.option(
    "--as-of", type=click.DateTime(), default=None, help="Default: --scheduled-time, else now."
)
@click.option("--job", default="adhoc", show_default=True, help="Job name of the batch.")
@click.option(
    "--scheduled-time", type=click.DateTime(), default=None, help="Default: the as-of time."
)
@click.option("--where", default=None, help="SQL condition over the entity mart's columns.")
@click.option(
    "--at-spine-time",
    is_flag=True,
    help="Score each entity at its own prediction time (the feature set's spine time, e.g. an "
    "invoice at its creation), as training snapshots do; default: everyone at --as-of.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def score_cmd(
    project: Path,
    spec: str,
    as_of: datetime | None,
    job: str,
    scheduled_time: datetime | None,
    where: str | None,
    at_spine_time: bool,
    fmt: str,
) -> None:
    """Score the entities of the model's feature set; a rerun of a job and time replaces it."""
    from mlops.definitions import load_definitions
    from mlops.models import ScoreOptions, score_model, store_for

    options = ScoreOptions(
        as_of=as_of,
        job=job,
        scheduled_time=scheduled_time,
        where=where,
        at_spine_time=at_spine_time,
    )
    catalog = load_definitions(project).catalog
    run = score_model(project, catalog, spec, options, store=store_for(project))
    for warning in run.warnings:
        click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        click.echo(json.dumps(run.__dict__, default=str, indent=2))
        return
    click.echo(
        f"scored {run.rows} entities with {run.model} at {run.as_of} into {run.table} "
        f"(run {run.run_id}, job {run.job}, scheduled {run.scheduled_time})"
    )


@click.group("models")
def models_group() -> None:
    """The model store: versions, manifests, aliases."""


@models_group.command("list")
@PROJECT
def list_cmd(project: Path) -> None:
    """Every stored model version with its feature set, snapshot, aliases and metrics."""
    from mlops.models import store_for

    store = store_for(project)
    names = store.names()
    if not names:
        click.echo(f"no models in {store.root}")
    for name in names:
        aliases = store.aliases(name)
        for version in store.versions(name):
            m = store.manifest(f"{name}@{version}")
            tags = ",".join(a for a, v in sorted(aliases.items()) if v == version)
            click.echo(
                f"{m.spec:28} {tags or '-':12} {m.feature_set:18} {m.snapshot_id:26} "
                f"{m.created_at:%Y-%m-%d %H:%M}  {_metrics(m.metrics)}"
            )


@models_group.command("show")
@PROJECT
@click.argument("spec")
def show_cmd(project: Path, spec: str) -> None:
    """The manifest of a model (NAME, NAME@VERSION or NAME@ALIAS) as JSON."""
    from mlops.models import store_for

    click.echo(store_for(project).manifest(spec).model_dump_json(indent=2))


@models_group.command("alias")
@PROJECT
@click.argument("name")
@click.argument("version", type=int)
@click.argument("alias")
def alias_cmd(project: Path, name: str, version: int, alias: str) -> None:
    """Point ALIAS (champion, challenger, ...) at VERSION of model NAME."""
    from mlops.models import store_for

    store_for(project).set_alias(name, version, alias)
    click.echo(f"{name}@{alias} -> {name}@{version}")


@models_group.command("log")
@PROJECT
@click.argument("spec")
@click.option("--registered-name", default=None, help="Register in MLflow under this name.")
@click.option("--tracking-uri", default=None, help="Default: MLFLOW_TRACKING_URI.")
def log_cmd(
    project: Path, spec: str, registered_name: str | None, tracking_uri: str | None
) -> None:
    """Log a stored model with its manifest to MLflow (needs the mlflow extra)."""
    from mlops.models import store_for
    from mlops.models.mlflow_registry import log_model

    uri = log_model(
        store_for(project), spec, registered_name=registered_name, tracking_uri=tracking_uri
    )
    click.echo(uri)
