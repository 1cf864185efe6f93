"""A built DuckDB warehouse with training snapshots, once per session, for the model tests.

The four fixture ERPs at scale 0.05 are generated into SQLite, extracted into DuckDB, the
feature timelines built (``erpml build --select +tag:erpml_feature ...``) and one snapshot of
each starter feature set taken at the fixtures' reference date. Tests work on private copies
(:func:`project`): DuckDB allows one writer per file.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

SCALE = 0.05
CUTOFF = datetime(2026, 6, 30)
SELECT = "+tag:erpml_feature +spine_job_month +spine_item_month"
SETS = ("late_payment@1", "job_overrun@1", "item_demand@1")


@dataclass(frozen=True)
class Built:
    home: Path
    warehouse: Path
    snapshots: dict[str, str]  # feature set -> snapshot id

    def project(self, dest: Path, **extra: Any) -> Path:
        """A project file over a private copy of the warehouse (``extra``: more sections)."""
        target = dest / "warehouse.duckdb"
        shutil.copyfile(self.warehouse, target)
        project = dest / "erpml.yml"
        data = {"warehouse": {"kind": "duckdb", "path": str(target)}, **extra}
        project.write_text(yaml.safe_dump(data, sort_keys=False))
        return project


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    from connectors import extract
    from connectors.config import Sources
    from fixtures import Settings, generate
    from mlops.build import _release_duckdb
    from mlops.cli.demo import demo_project
    from mlops.cli.main import cli
    from mlops.definitions import load_definitions
    from mlops.features import create_snapshot

    home = tmp_path_factory.mktemp("models_built")
    (home / "sources").mkdir()
    url = f"sqlite:///{home.resolve()}/sources/{{erp}}.db"
    erps = ["jde", "vista", "netsuite", "onestream"]
    generate(erps, Settings(scale=SCALE), url, out=home / "fixtures", replace=True)
    data = demo_project(home)
    failed = [o for o in extract(Sources.model_validate(data)) if o.status != "ok"]
    assert not failed, failed
    project = home / "erpml.yml"
    project.write_text(yaml.safe_dump({"warehouse": data["warehouse"]}))
    result = CliRunner().invoke(
        cli, ["build", "--project", str(project), "--select", SELECT], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    _release_duckdb()
    catalog = load_definitions(project).catalog
    snaps = {ref: create_snapshot(project, catalog, ref, cutoff=CUTOFF).id for ref in SETS}
    return Built(home, home / "warehouse.duckdb", snaps)


def duck_rows(project: Path, sql: str) -> list[tuple[Any, ...]]:
    from mlops.warehouse import open_warehouse

    with open_warehouse(project, read_only=True) as wh:
        return wh.rows(sql)


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def erpml(*args: str) -> Ran:
    """Run ``erpml`` in-process through ``main`` (its one-line errors and exit codes)."""
    from mlops.cli.main import main

    with CliRunner().isolation() as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        return Ran(code, out.getvalue().decode(), err.getvalue().decode())
