"""One firing: the command it runs, its record, the writer lock, DuckDB busy retries, overlaps."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from mlops.schedule import Job, load_jobs, read_runs, run_job
from mlops.schedule.lock import file_lock
from mlops.schedule.runner import warehouse_lock_path
from tests.schedule.conftest import STUB, write_project

CHICAGO_6AM = datetime(2026, 7, 1, 6, 0, tzinfo=ZoneInfo("America/Chicago"))


def one_job(tmp_path: Path, **fields: Any) -> tuple[Path, Job]:
    spec = {"name": "nightly", "kind": "build", "cron": "0 6 * * *", **fields}
    project = write_project(tmp_path, [spec])
    return project, load_jobs(project)[0]


def logged(path: Path) -> list[list[str]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_score_firing_passes_model_job_and_scheduled_time(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    log = tmp_path / "argv.jsonl"
    project, job = one_job(
        tmp_path, kind="score", model="late_payment@champion", args=["--log", str(log)]
    )
    first = run_job(project, job, CHICAGO_6AM)
    rerun = run_job(project, job, CHICAGO_6AM)
    expected = [
        *("score", "--project", str(project.resolve()), "--model", "late_payment@champion"),
        *("--job", "nightly", "--scheduled-time", "2026-07-01T11:00:00"),  # UTC
        *("--log", str(log)),
    ]
    # A rerun of the same firing passes the same scheduled time: score replaces its own rows.
    assert logged(log) == [expected, expected]
    assert first.command == [*stub_cli, *expected]
    assert (first.status, first.exit_code, first.attempts) == ("ok", 0, 1)
    assert first.scheduled_time == "2026-07-01T11:00:00+00:00"
    assert "stub score done" in first.output_tail
    assert read_runs(project) == [first, rerun]


def test_build_and_extract_commands(tmp_path: Path, stub_cli: tuple[str, ...]) -> None:
    log = tmp_path / "argv.jsonl"
    specs = [
        {"name": "b", "kind": "build", "cron": "@daily", "target": "duckdb"},
        {"name": "e", "kind": "extract", "cron": "@daily"},
    ]
    project = write_project(tmp_path, [{**s, "args": ["--log", str(log)]} for s in specs])
    for job in load_jobs(project):
        assert run_job(project, job, CHICAGO_6AM).status == "ok"
    path = str(project.resolve())
    assert logged(log) == [
        ["build", "--project", path, "--target", "duckdb", "--log", str(log)],
        ["extract", "--project", path, "--log", str(log)],
    ]


def test_a_failing_command_is_recorded_with_its_exit_code_and_output(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    project, job = one_job(tmp_path, args=["--exit", "3"])
    record = run_job(project, job, CHICAGO_6AM)
    assert (record.status, record.exit_code, record.failed) == ("failed", 3, True)
    assert record.line() == (
        "nightly 2026-07-01T11:00:00+00:00 failed (exit 3, 1 attempt): stub build done, exit 3"
    )
    assert read_runs(project)[-1].status == "failed"


def test_a_command_past_its_timeout_is_killed(tmp_path: Path, stub_cli: tuple[str, ...]) -> None:
    project, job = one_job(tmp_path, timeout_seconds=1, args=["--sleep", "60"])
    started = time.monotonic()
    record = run_job(project, job, CHICAGO_6AM)
    assert time.monotonic() - started < 20
    assert (record.status, record.exit_code) == ("timeout", None)
    assert "killed after timeout_seconds=1" in record.output_tail


def test_a_second_instance_of_a_running_job_is_skipped(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    project, job = one_job(tmp_path, args=["--sleep", "4"])
    results: list[Any] = []
    first = threading.Thread(target=lambda: results.append(run_job(project, job, CHICAGO_6AM)))
    first.start()
    job_lock = tmp_path / ".erpml" / "locks" / "job-nightly.lock"
    deadline = time.monotonic() + 10
    while not (job_lock.exists() and job_lock.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = run_job(project, job, CHICAGO_6AM)
    first.join()
    assert (second.status, second.attempts) == ("skipped", 0)
    assert "already running" in second.output_tail and "job nightly (pid" in second.output_tail
    assert results[0].status == "ok"


def test_a_held_writer_lock_is_waited_for_then_given_up_with_a_clear_message(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    project, job = one_job(tmp_path, lock_timeout_seconds=0.5)
    lock = warehouse_lock_path(project)
    assert lock == (tmp_path / "wh.duckdb.lock").resolve()
    with file_lock(lock, timeout=0, holder="a test"):
        record = run_job(project, job, CHICAGO_6AM)
    assert (record.status, record.exit_code, record.attempts) == ("failed", None, 0)
    assert record.output_tail.startswith(f"{lock} is held by a test (pid ")
    assert record.output_tail.endswith("gave up after waiting 0.5 s")
    assert run_job(project, job, CHICAGO_6AM).status == "ok"  # released: runs


def test_a_busy_duckdb_file_is_retried_until_it_is_free(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    """`erpml build` run by hand does not take the lock: the job retries DuckDB's conflict."""
    project, job = one_job(tmp_path, args=["--write"], lock_timeout_seconds=60)
    outsider = duckdb.connect(str(tmp_path / "wh.duckdb"))  # another writer holds the file
    threading.Timer(2.5, outsider.close).start()
    record = run_job(project, job, CHICAGO_6AM)
    assert (record.status, record.exit_code) == ("ok", 0)
    assert record.attempts >= 2
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    assert con.execute("select count(*) from stub_writes").fetchone() == (1,)
    con.close()


def test_a_duckdb_file_busy_past_the_lock_timeout_fails_with_duckdbs_message(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    project, job = one_job(tmp_path, args=["--write"], lock_timeout_seconds=2)
    outsider = duckdb.connect(str(tmp_path / "wh.duckdb"))
    try:
        record = run_job(project, job, CHICAGO_6AM)
    finally:
        outsider.close()
    assert record.status == "failed" and record.exit_code != 0
    assert record.attempts >= 2
    assert "Could not set lock on file" in record.output_tail


def test_without_the_lock_two_writers_collide(tmp_path: Path) -> None:
    """The control for the scheduler's serialization test: DuckDB admits one writing process."""
    project = write_project(tmp_path, [])
    command = [sys.executable, str(STUB), "build", "--project", str(project), "--write"]
    procs = [
        subprocess.Popen(
            [*command, "--sleep", "2", "--name", name],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("a", "b")
    ]
    outputs = [(p.wait(), p.communicate()[0]) for p in procs]
    assert sorted(code == 0 for code, _ in outputs) == [False, True]
    assert any("Could not set lock on file" in out for code, out in outputs if code != 0)
