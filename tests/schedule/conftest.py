"""Project files with jobs, and a stub in place of the erpml CLI the runner calls."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

STUB = Path(__file__).with_name("stub_cli.py")


def write_project(folder: Path, jobs: list[dict[str, Any]]) -> Path:
    """An ``erpml.yml`` in ``folder`` with a DuckDB warehouse beside it and these jobs."""
    folder.mkdir(parents=True, exist_ok=True)
    project = folder / "erpml.yml"
    config = {"warehouse": {"kind": "duckdb", "path": "wh.duckdb"}, "jobs": jobs}
    project.write_text(yaml.safe_dump(config, sort_keys=False))
    return project


@pytest.fixture
def stub_cli(monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    """Make the runner call the stub instead of ``python -m mlops.cli.main``."""
    cli = (sys.executable, str(STUB))
    monkeypatch.setattr("mlops.schedule.runner.ERPML_CLI", cli)
    return cli
