"""The embedded scheduler: APScheduler 3 with its jobs persisted in ``.erpml/schedule.sqlite``.

``run_scheduler(project, jobs)`` registers the jobs of the project file in a persistent
``SQLAlchemyJobStore`` and fires them until ``until`` (or SIGTERM / Ctrl-C); ``once=True`` fires
only the jobs due now and returns. Each firing runs :func:`mlops.schedule.runner.run_job`.

Semantics, all per job: ``coalesce=True`` (firings missed while the scheduler was down run once,
for the latest missed time, when it comes back), ``misfire_grace_time`` =
``misfire_grace_seconds`` (a firing later than that is recorded as ``missed`` instead of run),
``max_instances=1``. A job whose cron and timezone are unchanged keeps its stored next firing
across restarts, which is what lets a missed firing be caught up; a changed schedule starts
afresh from now. Jobs no longer in the file are removed from the store. One scheduler per
project at a time (``.erpml/schedule.lock``): APScheduler 3 cannot share a job store.
"""

from __future__ import annotations

import concurrent.futures
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.executors.base import BaseExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from pydantic import ValidationError

from mlops.errors import MlopsError
from mlops.schedule.jobs import Job
from mlops.schedule.lock import file_lock
from mlops.schedule.runner import RunRecord, record_missed, run_job, state_dir

log = logging.getLogger(__name__)

WORKERS = 4  # firings run in parallel threads; warehouse writers still take turns (the lock)
OnRun = Callable[[RunRecord], None]


def store_url(project: Path) -> str:
    return f"sqlite:///{state_dir(project) / 'schedule.sqlite'}"


def fire(
    project: str, spec: str, scheduled: datetime | None = None, missed: bool = False
) -> RunRecord:
    """The job function stored in APScheduler: one firing of the job described by ``spec``.

    ``scheduled`` and ``missed`` come from the executor of :func:`run_scheduler`.
    """
    if scheduled is None:
        raise MlopsError("fire() needs the scheduled time: run it through run_scheduler")
    job = Job.model_validate_json(spec)
    if missed:
        return record_missed(Path(project), job, scheduled)
    return run_job(Path(project), job, scheduled)


def run_scheduler(
    project: Path,
    jobs: list[Job],
    *,
    once: bool = False,
    until: datetime | None = None,
    on_run: OnRun | None = None,
) -> list[RunRecord]:
    """Fire the jobs (all due now with ``once``, else until ``until`` or a signal).

    Returns the records of the firings that ran; a failing command is a record, not an error.
    ``MlopsError`` when a firing could not run at all (e.g. the warehouse section is invalid).
    """
    project = project.resolve()
    state_dir(project).mkdir(parents=True, exist_ok=True)
    done = _Finished(on_run)
    with file_lock(state_dir(project) / "schedule.lock", timeout=0, holder="erpml schedule run"):
        scheduler = _scheduler(project, FiringExecutor(done))
        scheduler.start(paused=True)
        try:
            _sync(scheduler, project, jobs)
            if once:
                now = datetime.now(UTC)
                due = {
                    j.id for j in scheduler.get_jobs() if j.next_run_time and j.next_run_time <= now
                }
                scheduler.resume()
                done.wait_for(due)
            else:
                scheduler.resume()
                with _stop_on_signal() as stop:
                    _wait(stop, until)
        finally:
            scheduler.shutdown(wait=True)
    if done.errors:
        raise MlopsError(f"{done.errors[0]} (see the log for the traceback)")
    return done.records


def registered(project: Path) -> dict[str, datetime | None]:
    """The next firing of each job in the store (``None`` for a paused job)."""
    if not (state_dir(project) / "schedule.sqlite").exists():
        return {}
    with job_store(project) as scheduler:
        return {job.id: job.next_run_time for job in scheduler.get_jobs()}


@contextmanager
def job_store(project: Path) -> Iterator[Any]:
    """The project's job store under a paused scheduler: to look at or move stored jobs."""
    scheduler = _scheduler(project, None)
    scheduler.start(paused=True)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


class _Scheduler(BackgroundScheduler):  # type: ignore[misc]
    """APScheduler's background scheduler, minus one pass over due jobs after ``shutdown``.

    APScheduler 3's loop processes due jobs once more after ``shutdown()``: it cannot submit
    them any longer but still moves their next firing past them, so a firing due at shutdown
    would be lost without a trace. Here it stays due and runs at the next start.
    """

    def _process_jobs(self) -> float | None:
        if self.state == STATE_STOPPED:
            return None
        result: float | None = super()._process_jobs()
        return result


def _scheduler(project: Path, executor: BaseExecutor | None) -> Any:
    executors = {"default": executor} if executor is not None else {}
    return _Scheduler(
        jobstores={"default": SQLAlchemyJobStore(url=store_url(project))},
        executors=executors,
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=UTC,
    )


def _sync(scheduler: Any, project: Path, jobs: list[Job]) -> None:
    """Make the store hold exactly the file's jobs, keeping next firings of unchanged ones."""
    stored = {job.id: job for job in scheduler.get_jobs()}
    for job in jobs:
        options = {
            "kwargs": {"project": str(project), "spec": job.model_dump_json()},
            "misfire_grace_time": job.misfire_grace_seconds,
            "coalesce": True,
            "max_instances": 1,
        }
        old = stored.pop(job.name, None)
        if old is not None and _same_schedule(old.kwargs.get("spec"), job):
            scheduler.modify_job(job.name, **options)
        else:
            trigger = job.schedule.trigger(job.timezone)
            scheduler.add_job(
                fire, trigger, id=job.name, name=job.name, replace_existing=True, **options
            )
            log.info("job %s registered: cron %r in %s", job.name, job.cron, job.timezone)
    for name in stored:
        scheduler.remove_job(name)
        log.info("job %s is no longer in the project file: removed", name)


def _same_schedule(spec: Any, job: Job) -> bool:
    try:
        old = Job.model_validate_json(spec)
    except (ValidationError, TypeError, ValueError):
        return False
    return (old.cron, old.timezone) == (job.cron, job.timezone)


class _Finished:
    """The firings that finished, for ``once`` to wait on and the CLI to print."""

    def __init__(self, on_run: OnRun | None) -> None:
        self.records: list[RunRecord] = []
        self.errors: list[str] = []
        self._names: set[str] = set()
        self._on_run = on_run
        self._changed = threading.Condition()

    def add(self, name: str, record: RunRecord | None, error: str | None = None) -> None:
        with self._changed:
            self._names.add(name)
            if record is not None:
                self.records.append(record)
            if error is not None:
                self.errors.append(f"job {name}: {error}")
            self._changed.notify_all()
        if record is not None and self._on_run is not None:
            self._on_run(record)

    def wait_for(self, names: set[str]) -> None:
        with self._changed:
            self._changed.wait_for(lambda: names <= self._names)


class FiringExecutor(BaseExecutor):  # type: ignore[misc]
    """An APScheduler executor that hands the job function its scheduled time.

    APScheduler 3's own executors call the job function without the time it was scheduled for;
    this one passes the (coalesced, latest) run time as ``scheduled`` and whether it is later
    than the job's misfire grace time as ``missed``, and reports each finished firing.
    """

    def __init__(self, done: _Finished) -> None:
        super().__init__()
        self._done = done
        self._pool = concurrent.futures.ThreadPoolExecutor(WORKERS, "erpml-job")

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        scheduled = run_times[-1]
        grace = job.misfire_grace_time
        missed = grace is not None and datetime.now(UTC) - scheduled > timedelta(seconds=grace)
        future = self._pool.submit(
            job.func, *job.args, scheduled=scheduled, missed=missed, **job.kwargs
        )
        future.add_done_callback(lambda f: self._finished(job.id, f))

    def _finished(self, job_id: str, future: concurrent.futures.Future[Any]) -> None:
        exc = future.exception()
        if exc is not None:
            self._run_job_error(job_id, exc, exc.__traceback__)
            self._done.add(job_id, None, str(exc))
            return
        self._run_job_success(job_id, [])
        self._done.add(job_id, future.result())

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait)


@contextmanager
def _stop_on_signal() -> Iterator[threading.Event]:
    """An event set by SIGTERM (and SIGINT); handlers are restored afterwards."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: object) -> None:
        log.warning("signal %d: stopping after the running jobs finish", signum)
        stop.set()

    saved = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


def _wait(stop: threading.Event, until: datetime | None) -> None:
    while not stop.is_set():
        if until is None:
            stop.wait(1.0)
            continue
        left = (until - datetime.now(UTC)).total_seconds()
        if left <= 0:
            return
        stop.wait(min(left, 1.0))
