"""The embedded scheduler: persistence, catch-up of missed firings, misfires, one writer."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from mlops.cli.main import main
from mlops.schedule import load_jobs, read_runs, run_job, run_scheduler
from mlops.schedule.lock import LockTimeoutError, file_lock
from mlops.schedule.scheduler import job_store, registered
from tests.schedule.conftest import write_project


def down_since(project: Path, firings: dict[str, datetime]) -> None:
    """As if the scheduler had stopped before these firings: their stored next firing."""
    with job_store(project) as scheduler:
        for name, moment in firings.items():
            scheduler.modify_job(name, next_run_time=moment)


def hourly_minute_away(minutes: int) -> tuple[str, datetime]:
    """An hourly cron whose latest firing was about ``minutes`` ago, and that firing."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    latest = now - timedelta(minutes=minutes)
    return f"{latest.minute} * * * *", latest


def test_jobs_persist_with_one_instance_coalescing_and_their_grace(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    spec = {"name": "yearly", "kind": "build", "cron": "0 0 1 1 *", "misfire_grace_seconds": 600}
    project = write_project(tmp_path, [spec])
    assert run_scheduler(project, load_jobs(project), once=True) == []  # nothing due
    assert (tmp_path / ".erpml" / "schedule.sqlite").exists()
    with job_store(project) as scheduler:
        (job,) = scheduler.get_jobs()
    assert (job.id, job.max_instances, job.coalesce, job.misfire_grace_time) == (
        "yearly",
        1,
        True,
        600,
    )
    assert job.next_run_time == datetime(datetime.now(UTC).year + 1, 1, 1, tzinfo=UTC)
    assert job.func_ref == "mlops.schedule.scheduler:fire"


def test_firings_missed_while_down_run_once_for_the_latest(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    log = tmp_path / "argv.jsonl"
    cron, latest = hourly_minute_away(30)
    spec = {"name": "hourly", "kind": "score", "cron": cron, "model": "late_payment@champion"}
    project = write_project(tmp_path, [{**spec, "args": ["--log", str(log)]}])
    run_scheduler(project, load_jobs(project), once=True)  # registers; not due
    down_since(project, {"hourly": latest - timedelta(hours=3)})  # missed 4 firings

    records = run_scheduler(project, load_jobs(project), once=True)

    assert [(r.job, r.status, r.scheduled_time) for r in records] == [
        ("hourly", "ok", latest.isoformat())
    ]
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) == 1
    assert calls[0][calls[0].index("--scheduled-time") + 1] == latest.isoformat()[:19]
    with job_store(project) as scheduler:
        assert scheduler.get_job("hourly").next_run_time == latest + timedelta(hours=1)
    assert run_scheduler(project, load_jobs(project), once=True) == []  # caught up


def test_a_firing_later_than_the_grace_time_is_recorded_as_missed(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    log = tmp_path / "argv.jsonl"
    cron, latest = hourly_minute_away(30)
    spec = {"name": "hourly", "kind": "build", "cron": cron, "misfire_grace_seconds": 600}
    project = write_project(tmp_path, [{**spec, "args": ["--log", str(log)]}])
    run_scheduler(project, load_jobs(project), once=True)
    down_since(project, {"hourly": latest})

    records = run_scheduler(project, load_jobs(project), once=True)

    assert [(r.status, r.scheduled_time, r.attempts) for r in records] == [
        ("missed", latest.isoformat(), 0)
    ]
    assert not log.exists()  # the command did not run
    assert read_runs(project)[-1].output_tail == ("missed by more than misfire_grace_seconds=600")


def test_editing_the_file_keeps_unchanged_schedules_and_restarts_changed_ones(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    cron, latest = hourly_minute_away(30)
    other, _ = hourly_minute_away(20)
    jobs = [{"name": name, "kind": "build", "cron": cron} for name in ("same", "edited", "gone")]
    project = write_project(tmp_path, jobs)
    run_scheduler(project, load_jobs(project), once=True)
    down_since(project, {name: latest for name in ("same", "edited", "gone")})
    write_project(
        tmp_path,
        [
            {"name": "same", "kind": "build", "cron": cron, "args": ["--sleep", "0"]},
            {"name": "edited", "kind": "build", "cron": other},
            {"name": "new", "kind": "build", "cron": cron},
        ],
    )

    records = run_scheduler(project, load_jobs(project), once=True)

    # "same" kept its missed firing (new args apply); "edited" starts afresh; "gone" is gone.
    assert [(r.job, r.status) for r in records] == [("same", "ok")]
    assert records[0].command[-2:] == ["--sleep", "0"]
    with job_store(project) as scheduler:
        assert sorted(j.id for j in scheduler.get_jobs()) == ["edited", "new", "same"]


def test_two_warehouse_writers_due_together_run_one_after_the_other(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    cron, latest = hourly_minute_away(30)
    jobs = [
        {"name": name, "kind": kind, "cron": cron, "args": ["--write", "--sleep", "1.5"]}
        for name, kind in (("rebuild", "build"), ("land", "extract"))
    ]
    jobs = [{**j, "args": [*j["args"], "--name", j["name"]]} for j in jobs]
    project = write_project(tmp_path, jobs)
    run_scheduler(project, load_jobs(project), once=True)
    down_since(project, {"rebuild": latest, "land": latest})

    records = run_scheduler(project, load_jobs(project), once=True)

    assert sorted((r.job, r.status, r.attempts) for r in records) == [
        ("land", "ok", 1),
        ("rebuild", "ok", 1),
    ]
    starts = [datetime.fromisoformat(r.started_at) for r in records]
    assert abs((starts[0] - starts[1]).total_seconds()) < 1.5  # fired together
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    spans = con.execute("select job, started, ended from stub_writes order by started").fetchall()
    con.close()
    assert sorted(s[0] for s in spans) == ["land", "rebuild"]
    assert spans[0][2] <= spans[1][1]  # the second wrote after the first let go


def test_the_live_loop_fires_due_jobs_and_stops_at_until(
    tmp_path: Path, stub_cli: tuple[str, ...]
) -> None:
    cron, latest = hourly_minute_away(30)
    project = write_project(tmp_path, [{"name": "hourly", "kind": "build", "cron": cron}])
    run_scheduler(project, load_jobs(project), once=True)
    down_since(project, {"hourly": latest})
    seen: list[str] = []
    started = time.monotonic()

    records = run_scheduler(
        project,
        load_jobs(project),
        until=datetime.now(UTC) + timedelta(seconds=5),
        on_run=lambda r: seen.append(r.line()),
    )

    assert time.monotonic() - started >= 4.5
    assert [(r.job, r.status, r.scheduled_time) for r in records] == [
        ("hourly", "ok", latest.isoformat())
    ]
    assert seen == [records[0].line()]


def test_one_scheduler_per_project(tmp_path: Path, stub_cli: tuple[str, ...]) -> None:
    project = write_project(tmp_path, [{"name": "a", "kind": "build", "cron": "@daily"}])
    with (
        file_lock(tmp_path / ".erpml" / "schedule.lock", timeout=0, holder="erpml schedule run"),
        pytest.raises(LockTimeoutError, match=r"schedule.lock is held by erpml schedule run"),
    ):
        run_scheduler(project, load_jobs(project), once=True)


def test_cli_once_exits_9_when_a_firing_failed(
    tmp_path: Path, stub_cli: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    cron, latest = hourly_minute_away(30)
    jobs = [
        {"name": "good", "kind": "build", "cron": cron},
        {"name": "bad", "kind": "build", "cron": cron, "args": ["--exit", "6"]},
    ]
    project = write_project(tmp_path, jobs)
    run_scheduler(project, load_jobs(project), once=True)
    down_since(project, {"good": latest, "bad": latest})

    with pytest.raises(SystemExit) as caught:
        main(["schedule", "run", "--once", "--project", str(project)])

    assert caught.value.code == 9
    lines = sorted(capsys.readouterr().out.splitlines())
    assert lines == [
        f"bad {latest.isoformat()} failed (exit 6, 1 attempt): stub build done, exit 6",
        f"good {latest.isoformat()} ok (exit 0, 1 attempt)",
    ]


def test_sigterm_stops_the_scheduler_cleanly(tmp_path: Path) -> None:
    project = write_project(tmp_path, [{"name": "yearly", "kind": "build", "cron": "0 0 1 1 *"}])
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlops.cli.main", "schedule", "run", "--project", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lock = tmp_path / ".erpml" / "schedule.lock"
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert registered_soon(project), "the scheduler did not register its job"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0, proc.communicate()[0]
    assert lock.read_text() == ""  # released


def registered_soon(project: Path) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "yearly" in registered(project):
            return True
        time.sleep(0.2)
    return False


def test_list_shows_next_firing_and_last_run(
    tmp_path: Path, stub_cli: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = [
        {"name": "yearly", "kind": "build", "cron": "0 0 1 1 *"},
        {"name": "chicago", "kind": "extract", "cron": "0 6 * * *", "timezone": "America/Chicago"},
    ]
    project = write_project(tmp_path, jobs)
    yearly = load_jobs(project)[0]
    run_job(project, yearly, datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(SystemExit) as done:
        main(["schedule", "list", "--project", str(project)])
    assert done.value.code == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    next_year = datetime.now(UTC).year + 1
    assert lines[1] == [
        "yearly", "build", "0", "0", "1", "1", "*", "UTC", f"{next_year}-01-01T00:00+00:00",
        "2026-01-01T00:00:00+00:00", "ok",
    ]  # fmt: skip
    assert lines[2][:7] == ["chicago", "extract", "0", "6", "*", "*", "*"]
    assert lines[2][7] == "America/Chicago" and lines[2][-1] == "-"
    assert lines[2][8][11:] in ("11:00+00:00", "12:00+00:00")  # 06:00 in Chicago
