"""Real ``erpml extract`` jobs writing one DuckDB file at the same time, through the real CLI."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from mlops.cli.demo import demo_project
from mlops.schedule import read_runs

TABLES = {"jde": "F0101", "vista": "bARCM"}


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JDE and Vista fixture databases (SQLite, scale 0.02)."""
    from fixtures import Settings, generate

    home = tmp_path_factory.mktemp("schedule_sources")
    (home / "sources").mkdir()
    url = f"sqlite:///{home.resolve()}/sources/{{erp}}.db"
    generate(list(TABLES), Settings(scale=0.02), url, out=home / "fixtures", replace=True)
    return home


def project_file(home: Path, folder: Path) -> Path:
    config: dict[str, Any] = demo_project(home)
    config["sources"] = [s for s in config["sources"] if s["name"] in TABLES]
    config["warehouse"] = {"kind": "duckdb", "path": "wh.duckdb"}
    config["jobs"] = [
        {
            "name": f"land_{erp}",
            "kind": "extract",
            "cron": "*/15 * * * *",
            "args": ["--source", erp, "--table", table],
        }
        for erp, table in TABLES.items()
    ]
    folder.mkdir()
    path = folder / "erpml.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def erpml(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mlops.cli.main", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    return [(p.wait(timeout=300), p.communicate()[0]) for p in procs]


def test_two_scheduled_extracts_at_once_both_land(sources: Path, tmp_path: Path) -> None:
    project = project_file(sources, tmp_path / "scheduled")
    at = "2026-07-01T06:00:00+00:00"
    results = finish(
        [
            erpml("schedule", "run-job", f"land_{erp}", "--project", str(project), "--at", at)
            for erp in TABLES
        ]
    )
    assert [code for code, _ in results] == [0, 0], results
    runs = read_runs(project)
    assert sorted((r.job, r.status, r.exit_code, r.attempts) for r in runs) == [
        ("land_jde", "ok", 0, 1),
        ("land_vista", "ok", 0, 1),
    ]
    assert {r.scheduled_time for r in runs} == {at}
    con = duckdb.connect(str(tmp_path / "scheduled" / "wh.duckdb"), read_only=True)
    try:
        for erp, table in TABLES.items():
            rows = con.execute(f'select count(*) from "{erp}"."{table}"').fetchone()
            assert rows is not None and rows[0] > 0, (erp, table)
    finally:
        con.close()


def test_a_job_waits_out_a_writer_outside_the_scheduler(sources: Path, tmp_path: Path) -> None:
    """A hand-run writer (here: this test) holds the DuckDB file: plain `erpml extract` fails,
    the scheduled job retries until the file is free."""
    project = project_file(sources, tmp_path / "busy")
    outsider = duckdb.connect(str(tmp_path / "busy" / "wh.duckdb"))
    try:
        # (from the project's folder: erpml extract reads a relative warehouse path from the
        # current directory, where the scheduler runs its commands)
        plain = erpml("extract", "--project", str(project), "--source", "jde", cwd=project.parent)
        (plain_result,) = finish([plain])
        assert plain_result[0] == 5, plain_result
        assert "Could not set lock on file" in plain_result[1], plain_result
        job = erpml("-v", "schedule", "run-job", "land_jde", "--project", str(project))
        busy = threading.Event()
        lines: list[str] = []

        def read() -> None:
            assert job.stdout is not None
            for line in job.stdout:
                lines.append(line)
                if "is busy, retrying" in line:
                    busy.set()

        reader = threading.Thread(target=read)
        reader.start()
        assert busy.wait(timeout=120), "".join(lines)
    finally:
        outsider.close()
    assert job.wait(timeout=300) == 0, "".join(lines)
    reader.join()
    (run,) = read_runs(project)
    assert (run.job, run.status, run.exit_code) == ("land_jde", "ok", 0)
    assert run.attempts >= 2


def test_a_score_firing_reaches_erpml_score_with_arguments_it_accepts(tmp_path: Path) -> None:
    """The real `erpml score` takes the scheduler's arguments (it fails later: no model yet)."""
    from mlops.schedule import load_jobs, run_job

    project = tmp_path / "erpml.yml"
    project.write_text(
        "warehouse: {kind: duckdb, path: wh.duckdb}\n"
        "jobs:\n"
        '  - {name: nightly, kind: score, cron: "0 6 * * *", model: late_payment@champion,\n'
        "     args: [--where, \"status <> 'paid'\"]}\n"
    )
    duckdb.connect(str(tmp_path / "wh.duckdb")).close()
    (job,) = load_jobs(project)
    record = run_job(project, job, datetime(2026, 7, 1, 6, tzinfo=UTC))
    assert (record.status, record.exit_code) == ("failed", 4), record.output_tail
    assert "unknown model 'late_payment'" in record.output_tail
