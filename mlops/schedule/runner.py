"""Run one firing of a job: the erpml command as a subprocess, under the warehouse writer lock.

``run_job(project, job, scheduled)`` builds the command from :data:`COMMANDS` (one entry per
job kind), e.g. for a score job::

    python -m mlops.cli.main score --project /abs/erpml.yml --model late_payment@champion \\
        --job nightly --scheduled-time 2026-07-01T11:00:00 [args...]

The scheduled time is the firing's instant in UTC (without offset, as ``erpml score`` takes
it), so a rerun of the same job and firing passes the same value and ``erpml score`` replaces
that run's scores. Every job writes the
warehouse, and DuckDB allows one writing process per file, so the command runs while holding
the writer lock ``<warehouse>.lock`` (PostgreSQL: ``.erpml/warehouse.lock``), waited on for
``lock_timeout_seconds``. A process outside the scheduler (``erpml build`` by hand) does not
take that lock: when the command fails with DuckDB's lock conflict, it is retried with backoff
within the same timeout. At most one instance of a job runs at a time across processes
(``.erpml/locks/job-<name>.lock``); a second one is recorded as ``skipped``. Each firing
appends one line to ``.erpml/schedule_runs.jsonl``.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from mlops.errors import MlopsError
from mlops.schedule.jobs import Job
from mlops.schedule.lock import LockTimeoutError, file_lock

log = logging.getLogger(__name__)

ERPML_CLI: tuple[str, ...] = (sys.executable, "-m", "mlops.cli.main")
DUCKDB_LOCKED = re.compile(r"Could not set lock on file")
TAIL_CHARS = 4000
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 30.0
Status = Literal["ok", "failed", "timeout", "skipped", "missed"]


@dataclass(frozen=True)
class RunRecord:
    """One firing of a job, as written to ``.erpml/schedule_runs.jsonl``."""

    job: str
    kind: str
    scheduled_time: str  # ISO 8601, UTC
    started_at: str
    ended_at: str
    status: Status
    exit_code: int | None
    attempts: int
    command: list[str]
    output_tail: str

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "timeout")

    def line(self) -> str:
        """One human line: ``nightly 2026-07-01T11:00:00+00:00 ok (exit 0, 1 attempt)``."""
        exit_text = "" if self.exit_code is None else f"exit {self.exit_code}, "
        tries = f"{self.attempts} attempt" + ("" if self.attempts == 1 else "s")
        text = f"{self.job} {self.scheduled_time} {self.status} ({exit_text}{tries})"
        last = self.output_tail.strip().splitlines()[-1:] if self.status != "ok" else []
        return f"{text}: {last[0]}" if last else text


def iso(moment: datetime) -> str:
    """The UTC ISO text of a firing in records: ``2026-07-01T11:00:00+00:00``."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no time zone")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def command_time(moment: datetime) -> str:
    """The firing as erpml commands take it (``--scheduled-time``): UTC without offset."""
    return iso(moment).removesuffix("+00:00")


Command = Callable[[Job, str, str], list[str]]  # (job, project path, scheduled time) -> args


def _model_command(verb: str) -> Command:
    def command(job: Job, project: str, scheduled: str) -> list[str]:
        assert job.model is not None  # checked by Job
        return [
            *(verb, "--project", project, "--model", job.model),
            *("--job", job.name, "--scheduled-time", scheduled),
        ]

    return command


def _build(job: Job, project: str, scheduled: str) -> list[str]:
    target = ["--target", job.target] if job.target else []
    return ["build", "--project", project, *target]


def _extract(job: Job, project: str, scheduled: str) -> list[str]:
    return ["extract", "--project", project]


COMMANDS: dict[str, Command] = {
    "score": _model_command("score"),
    "monitor": _model_command("monitor"),
    "build": _build,
    "extract": _extract,
}


def command(job: Job, project: Path | str, scheduled: datetime | str) -> list[str]:
    """The erpml arguments of one firing (without the ``python -m mlops.cli.main`` prefix).

    ``project`` and ``scheduled`` may be given as the text to put in the command (exports).
    """
    path = str(project.resolve()) if isinstance(project, Path) else project
    when = command_time(scheduled) if isinstance(scheduled, datetime) else scheduled
    return [*COMMANDS[job.kind](job, path, when), *job.args]


def state_dir(project: Path) -> Path:
    return project.resolve().parent / ".erpml"


def runs_path(project: Path) -> Path:
    return state_dir(project) / "schedule_runs.jsonl"


def warehouse_lock_path(project: Path) -> Path:
    """``<warehouse file>.lock`` for DuckDB; ``.erpml/warehouse.lock`` beside the project else."""
    from connectors.config import load
    from connectors.errors import ConfigError

    try:
        warehouse = load(project, sections=("warehouse",)).warehouse
    except ConfigError as exc:
        raise MlopsError(str(exc)) from None
    if warehouse.kind == "duckdb":
        path = warehouse.path if warehouse.path.is_absolute() else project.parent / warehouse.path
        return path.resolve().with_name(path.name + ".lock")
    return state_dir(project) / "warehouse.lock"


def run_job(
    project: Path, job: Job, scheduled: datetime, *, cli: Sequence[str] | None = None
) -> RunRecord:
    """Run one firing of ``job`` now and record it; never raises for a failing command."""
    argv = [*(cli or ERPML_CLI), *command(job, project, scheduled)]
    started = datetime.now(UTC)
    try:
        with file_lock(_job_lock(project, job), timeout=0, holder=f"job {job.name}"):
            status, code, attempts, tail = _run_locked(project, job, argv)
    except LockTimeoutError as exc:
        status, code, attempts, tail = "skipped", None, 0, f"already running: {exc}"
    record = RunRecord(
        job=job.name,
        kind=job.kind,
        scheduled_time=iso(scheduled),
        started_at=iso(started),
        ended_at=iso(datetime.now(UTC)),
        status=status,
        exit_code=code,
        attempts=attempts,
        command=argv,
        output_tail=tail,
    )
    _append(project, record)
    log.info("%s", record.line())
    return record


def record_missed(project: Path, job: Job, scheduled: datetime) -> RunRecord:
    """Record a firing skipped because it came later than ``misfire_grace_seconds``."""
    now = iso(datetime.now(UTC))
    record = RunRecord(
        job=job.name,
        kind=job.kind,
        scheduled_time=iso(scheduled),
        started_at=now,
        ended_at=now,
        status="missed",
        exit_code=None,
        attempts=0,
        command=[],
        output_tail=f"missed by more than misfire_grace_seconds={job.misfire_grace_seconds}",
    )
    _append(project, record)
    log.warning("%s", record.line())
    return record


def read_runs(project: Path) -> list[RunRecord]:
    """Every recorded firing of the project, oldest first."""
    path = runs_path(project)
    if not path.exists():
        return []
    return [RunRecord(**json.loads(line)) for line in path.read_text().splitlines() if line]


def _run_locked(project: Path, job: Job, argv: list[str]) -> tuple[Status, int | None, int, str]:
    """Run under the warehouse lock, retrying while another process holds the DuckDB file."""
    deadline = time.monotonic() + job.lock_timeout_seconds
    try:
        with file_lock(
            warehouse_lock_path(project),
            timeout=job.lock_timeout_seconds,
            holder=f"erpml schedule job {job.name}",
        ):
            delay, attempts = RETRY_FIRST_SECONDS, 0
            while True:
                attempts += 1
                try:
                    done = subprocess.run(
                        argv,
                        cwd=project.resolve().parent,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        text=True,
                        timeout=job.timeout_seconds,
                        check=False,
                    )
                except subprocess.TimeoutExpired as exc:
                    out = exc.output if isinstance(exc.output, str) else ""
                    note = f"\nkilled after timeout_seconds={job.timeout_seconds:g}"
                    return "timeout", None, attempts, _tail(out + note)
                tail = _tail(done.stdout)
                if done.returncode == 0:
                    return "ok", 0, attempts, tail
                if not DUCKDB_LOCKED.search(done.stdout) or time.monotonic() + delay > deadline:
                    return "failed", done.returncode, attempts, tail
                log.info("job %s: the DuckDB file is busy, retrying in %.0f s", job.name, delay)
                time.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
    except LockTimeoutError as exc:
        return "failed", None, 0, str(exc)


def _job_lock(project: Path, job: Job) -> Path:
    return state_dir(project) / "locks" / f"job-{job.name}.lock"


def _tail(text: str) -> str:
    return text[-TAIL_CHARS:]


def _append(project: Path, record: RunRecord) -> None:
    path = runs_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        out.write(json.dumps(asdict(record)) + "\n")
