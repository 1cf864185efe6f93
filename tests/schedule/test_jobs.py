"""The ``jobs:`` section: what it accepts, and one-line errors with file and line for the rest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mlops.errors import MlopsError
from mlops.schedule import load_jobs

GOOD = """\
warehouse:
  kind: duckdb
  path: wh.duckdb
jobs:
  - name: nightly_late_payment
    kind: score
    cron: "0 6 * * mon-fri"
    timezone: America/Chicago
    model: late_payment@champion
    feature_set: late_payment@1
    args: [--where, "status <> 'paid'", --limit, 5]
  - name: drift
    kind: monitor
    cron: "@daily"
    model: late_payment@3
  - name: rebuild
    kind: build
    cron: "0 2 * * *"
    target: duckdb
  - name: land
    kind: extract
    cron: "*/30 * * * *"
"""


def project_with(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "erpml.yml"
    path.write_text(text)
    return path


def test_jobs_load_with_defaults(tmp_path: Path) -> None:
    jobs = load_jobs(project_with(tmp_path, GOOD))
    assert [j.name for j in jobs] == ["nightly_late_payment", "drift", "rebuild", "land"]
    score = jobs[0]
    assert (score.kind, score.model, score.feature_set) == (
        "score",
        "late_payment@champion",
        "late_payment@1",
    )
    assert score.args == ("--where", "status <> 'paid'", "--limit", "5")  # YAML's 5 is text
    assert jobs[1].timezone == "UTC" and jobs[1].misfire_grace_seconds == 86400
    assert jobs[2].target == "duckdb"


def test_a_project_without_jobs_has_none(tmp_path: Path) -> None:
    assert load_jobs(project_with(tmp_path, "warehouse: {kind: duckdb}\n")) == []


def replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'cron: "0 6 * * mon-fri"',
            'cron: "0 6 * *"',
            ":7: jobs.0.cron: '0 6 * *' is not a cron expression: expected 5 fields",
        ),
        (
            'cron: "0 2 * * *"',
            'cron: "0 25 * * *"',
            ":18: jobs.2.cron: '0 25 * * *': hour 25 is out of range 0-23",
        ),
        (
            "kind: monitor",
            "kind: predict",
            ":13: jobs.1.kind: unknown job kind 'predict': use one of score, monitor, build,"
            " extract",
        ),
        (
            "model: late_payment@champion",
            "model: late_payment",
            ":9: jobs.0.model: model 'late_payment' is not NAME@ALIAS or NAME@VERSION",
        ),
        (
            "model: late_payment@3",
            "model: Late Payment@champion",
            ":15: jobs.1.model: model 'Late Payment@champion' is not NAME@ALIAS",
        ),
        (
            "feature_set: late_payment@1",
            "feature_set: late_payment@latest",
            ":10: jobs.0.feature_set: feature_set 'late_payment@latest' is not NAME@VERSION",
        ),
        (
            "    model: late_payment@3\n",
            "",
            ":12: jobs.1: job 'drift': a monitor job needs model: NAME@ALIAS",
        ),
        (
            "    target: duckdb\n",
            "    model: late_payment@1\n",
            ":16: jobs.2: job 'rebuild': model applies to score and monitor jobs, not build",
        ),
        (
            'cron: "*/30 * * * *"',
            'cron: "*/30 * * * *"\n    target: postgres',
            ":20: jobs.3: job 'land': target applies to build jobs",
        ),
        (
            "timezone: America/Chicago",
            "timezone: America/Chicagoo",
            ":8: jobs.0.timezone: unknown timezone 'America/Chicagoo'",
        ),
        (
            "name: land",
            "name: drift",
            ":20: jobs.3.name: job name 'drift' is used twice (first at line 12)",
        ),
        (
            "name: rebuild",
            "name: Rebuild-All",
            ":16: jobs.2.name: job name 'Rebuild-All': use lowercase letters",
        ),
        (
            "args: [--where",
            "args: [--job, x, --where",
            ":11: jobs.0.args: --job is set by the scheduler, not in args",
        ),
        (
            'cron: "@daily"',
            'cron: "@daily"\n    schedule: daily',
            ":15: jobs.1.schedule: Extra inputs are not permitted",
        ),
    ],
)
def test_bad_jobs_are_one_line_errors_with_file_and_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = project_with(tmp_path, replace(GOOD, old, new))
    with pytest.raises(MlopsError) as caught:
        load_jobs(path)
    text = str(caught.value)
    assert text.startswith(f"{path}:"), text
    assert message in text, text
    assert "\n" not in text


def erpml(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlops.cli.main", *args], capture_output=True, text=True, check=False
    )


def test_cli_reports_a_bad_cron_on_one_line_with_exit_4(tmp_path: Path) -> None:
    path = project_with(tmp_path, replace(GOOD, 'cron: "0 2 * * *"', 'cron: "0 2 * * mon-fry"'))
    for command in (("run", "--once"), ("export", "--to", "airflow", "--out", str(tmp_path))):
        out = erpml("schedule", *command, "--project", str(path))
        assert out.returncode == 4, out.stderr
        assert out.stderr.splitlines() == [
            f"error: {path}:18: jobs.2.cron: '0 2 * * mon-fry': day-of-week 'fry' is not a "
            "number or a name"
        ]
    assert not (tmp_path / ".erpml" / "schedule.sqlite").exists()
    assert not (tmp_path / "erpml_airflow_dags.py").exists()


def test_cli_unknown_job_and_bad_time(tmp_path: Path) -> None:
    path = project_with(tmp_path, GOOD)
    out = erpml("schedule", "run-job", "nope", "--project", str(path))
    assert out.returncode == 4
    assert out.stderr.splitlines() == [
        f"error: {path}: no job named 'nope' (known: nightly_late_payment, drift, rebuild, land)"
    ]
    out = erpml("schedule", "run-job", "land", "--project", str(path), "--at", "yesterday")
    assert out.returncode == 2 and "'yesterday' is not an ISO 8601 time" in out.stderr
