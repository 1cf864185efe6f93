"""``erpml schedule export``: Airflow and Dagster files that are valid Python calling the CLI."""

from __future__ import annotations

import ast
import shlex
from pathlib import Path

import pytest

from mlops.cli.main import main
from mlops.schedule import ExportOptions, load_jobs
from mlops.schedule.export import EXPORTERS
from tests.conftest import ROOT, check_golden
from tests.schedule.conftest import write_project

GOLDEN = ROOT / "tests" / "golden" / "schedule"
JOBS = [
    {
        "name": "nightly_late_payment",
        "kind": "score",
        "cron": "0 6 * * mon-fri",
        "timezone": "America/Chicago",
        "model": "late_payment@champion",
        "feature_set": "late_payment@1",
        "args": ["--where", "status <> 'paid'"],
    },
    {"name": "drift", "kind": "monitor", "cron": "30 7 * * *", "model": "late_payment@champion"},
    {"name": "rebuild", "kind": "build", "cron": "0 2 * * *", "target": "duckdb"},
    {"name": "land_jde", "kind": "extract", "cron": "*/30 * * * *", "args": ["--source", "jde"]},
]
OPTIONS = ExportOptions(project="/srv/erpml/erpml.yml", erpml="/srv/erpml/.venv/bin/erpml")


@pytest.fixture
def exported(tmp_path: Path) -> dict[str, str]:
    project = write_project(tmp_path / "project", JOBS)
    texts = {}
    for to, (name, _) in EXPORTERS.items():
        main_args = ["schedule", "export", "--project", str(project), "--to", to]
        main_args += ["--out", str(tmp_path / "out"), "--project-path", OPTIONS.project]
        with pytest.raises(SystemExit) as done:
            main([*main_args, "--erpml", OPTIONS.erpml])
        assert done.value.code == 0
        texts[to] = (tmp_path / "out" / name).read_text()
    return texts


@pytest.mark.parametrize("to", ["airflow", "dagster"])
def test_export_matches_golden_and_compiles(
    exported: dict[str, str], to: str, regenerate_golden: bool
) -> None:
    text = exported[to]
    compile(text, f"erpml_{to}.py", "exec")
    check_golden(GOLDEN / f"{to}.py.txt", text, regenerate_golden)


def calls(tree: ast.AST, name: str) -> list[dict[str, object]]:
    """The keyword arguments (as Python values) of every call to ``name`` or ``x.name``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == name:
                found.append(
                    {k.arg: ast.literal_eval(k.value) for k in node.keywords if _literal(k.value)}
                )
    return found


def _literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def test_airflow_has_one_dag_per_job_with_its_cron_and_run_job(
    exported: dict[str, str], tmp_path: Path
) -> None:
    tree = ast.parse(exported["airflow"])
    dags = calls(tree, "DAG")
    jobs = load_jobs(write_project(tmp_path / "check", JOBS))
    assert [(d["dag_id"], d["schedule"]) for d in dags] == [
        (f"erpml_{j.name}", j.cron) for j in jobs
    ]
    assert all(d["catchup"] is False and d["max_active_runs"] == 1 for d in dags)
    tasks = calls(tree, "BashOperator")
    assert len(tasks) == len(jobs)
    for job, task in zip(jobs, tasks, strict=True):
        assert shlex.split(str(task["bash_command"])) == [
            *(OPTIONS.erpml, "schedule", "run-job", job.name, "--project", OPTIONS.project),
            *("--at", "{{", "data_interval_end.isoformat()", "}}"),
        ]
    timezones = [
        ast.literal_eval(k.value)
        for c in ast.walk(tree)
        if isinstance(c, ast.Call) and getattr(c.func, "attr", "") == "datetime"
        for k in c.keywords
        if k.arg == "tz"
    ]
    assert timezones == [j.timezone for j in jobs]
    # The comment names the command each firing runs, e.g. the score call with its model.
    assert (
        "erpml score --project /srv/erpml/erpml.yml --model late_payment@champion "
        "--job nightly_late_payment --scheduled-time '<fire time>' --where "
        "'status <> '\"'\"'paid'\"'\"''" in exported["airflow"]
    )


def test_dagster_has_a_job_and_schedule_per_job_running_the_cli(
    exported: dict[str, str], tmp_path: Path
) -> None:
    text = exported["dagster"]
    tree = ast.parse(text)
    jobs = load_jobs(write_project(tmp_path / "check", JOBS))
    schedules = calls(tree, "schedule")
    assert [(s["cron_schedule"], s["execution_timezone"]) for s in schedules] == [
        (j.cron, j.timezone) for j in jobs
    ]
    assert [c["name"] for c in calls(tree, "op")] == [j.name for j in jobs]
    assert [c["name"] for c in calls(tree, "job")] == [f"erpml_{j.name}" for j in jobs]
    assert [c["tags"] for c in calls(tree, "job")] == [{"erpml/job": j.name} for j in jobs]
    assignments = {
        t.id: ast.literal_eval(n.value)
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name) and _literal(n.value)
    }
    assert assignments["PROJECT"] == OPTIONS.project
    assert assignments["ERPML"] == [OPTIONS.erpml]
    assert '"schedule", "run-job", name, "--project", PROJECT]' in text
    assert "subprocess.run(command" in text
    defs = [n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "defs"]
    assert len(defs) == 1
    listed = {k.arg: [e.id for e in k.value.elts] for k in defs[0].value.keywords}
    assert listed == {
        "jobs": [f"{j.name}_job" for j in jobs],
        "schedules": [f"{j.name}_schedule" for j in jobs],
    }
