"""``erpml schedule``: run the project's jobs on their cron schedules, or export them."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click

EXIT_JOB_FAILED = 9
PROJECT = click.option(
    "--project",
    type=click.Path(path_type=Path),
    default=Path("erpml.yml"),
    show_default=True,
    help="The project file declaring the jobs (`jobs:`) and the warehouse.",
)
DURATION = re.compile(r"^\+(?P<n>[0-9]+(?:\.[0-9]+)?)(?P<unit>[smh])$")


@click.group("schedule")
def schedule_group() -> None:
    """Scoring, monitoring, build and extract jobs on cron schedules (`jobs:` in erpml.yml)."""


@schedule_group.command("run")
@PROJECT
@click.option(
    "--once", is_flag=True, help="Fire the jobs due now (a missed firing too), then exit."
)
@click.option(
    "--until",
    metavar="TIME",
    help="Stop at TIME (ISO 8601, naive = UTC) or after +N[s|m|h]; default: until stopped.",
)
def run_cmd(project: Path, once: bool, until: str | None) -> None:
    """Run the embedded scheduler (jobs persisted in .erpml/schedule.sqlite).

    Exits 9 if any firing failed while it ran.
    """
    from mlops.errors import MlopsError
    from mlops.schedule import load_jobs, run_scheduler

    jobs = load_jobs(project)
    if not jobs:
        raise MlopsError(f"{project}: no jobs to schedule: declare them under jobs:")
    stop = _until(until) if until else None
    records = run_scheduler(
        project, jobs, once=once, until=stop, on_run=lambda r: click.echo(r.line())
    )
    if once and not records:
        click.echo("no job is due", err=True)
    if any(r.failed for r in records):
        sys.exit(EXIT_JOB_FAILED)


@schedule_group.command("run-job")
@click.argument("name")
@PROJECT
@click.option(
    "--at",
    metavar="TIME",
    help="The firing's scheduled time (ISO 8601, naive = the job's timezone); default now.",
)
def run_job_cmd(name: str, project: Path, at: str | None) -> None:
    """Fire one job now, as the firing scheduled at TIME; exits 9 if it did not succeed.

    Rerunning a firing (same job, same --at) replaces what that firing wrote.
    """
    from mlops.schedule import find_job, load_jobs, run_job

    job = find_job(load_jobs(project), name, project)
    scheduled = _time(at, job.timezone) if at else datetime.now(UTC).replace(microsecond=0)
    record = run_job(project, job, scheduled)
    click.echo(record.line())
    if record.status != "ok":
        click.echo(record.output_tail.rstrip(), err=True)
        sys.exit(EXIT_JOB_FAILED)


@schedule_group.command("list")
@PROJECT
def list_cmd(project: Path) -> None:
    """The jobs with their next firing (UTC) and their last recorded run."""
    from mlops.schedule import load_jobs, read_runs
    from mlops.schedule.scheduler import registered

    jobs = load_jobs(project)
    stored = registered(project)
    last = {r.job: r for r in read_runs(project)}
    now = datetime.now(UTC)
    rows = [("job", "kind", "cron", "timezone", "next firing (UTC)", "last run")]
    for job in jobs:
        upcoming = stored.get(job.name) or job.schedule.trigger(job.timezone).get_next_fire_time(
            None, now
        )
        run = last.get(job.name)
        rows.append(
            (
                job.name,
                job.kind,
                job.cron,
                job.timezone,
                upcoming.astimezone(UTC).isoformat(timespec="minutes") if upcoming else "-",
                f"{run.scheduled_time} {run.status}" if run else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@schedule_group.command("export")
@PROJECT
@click.option("--to", "to", type=click.Choice(["airflow", "dagster"]), required=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Folder to write the file into.",
)
@click.option(
    "--project-path",
    help="The project file's path on the orchestrator's workers (default: its absolute path).",
)
@click.option(
    "--erpml", "erpml", default="erpml", show_default=True, help="The erpml command on workers."
)
def export_cmd(project: Path, to: str, out: Path, project_path: str | None, erpml: str) -> None:
    """Write an Airflow DAG file or a Dagster definitions file for the jobs."""
    from mlops.schedule import ExportOptions, export, load_jobs

    jobs = load_jobs(project)
    options = ExportOptions(project=project_path or str(project.resolve()), erpml=erpml)
    path = export(jobs, to, out, options)
    click.echo(f"wrote {path} ({len(jobs)} jobs)")


def _time(text: str, timezone: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def _until(text: str) -> datetime:
    match = DURATION.match(text)
    if match is None:
        return _time(text, "UTC")
    unit = {"s": "seconds", "m": "minutes", "h": "hours"}[match["unit"]]
    return datetime.now(UTC) + timedelta(**{unit: float(match["n"])})
