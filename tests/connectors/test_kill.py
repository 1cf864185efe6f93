"""A killed extraction, rerun, loses nothing and duplicates nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from fixtures import Settings
from fixtures.run import generate
from tests.connectors.compare import assert_same, warehouse_query

TABLES = ["F0911", "F42119", "F03B11"]


def _extract(project: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlops.cli.main",
            "extract",
            "--project",
            str(project),
            "--format",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_table_then_rerun(tmp_path: Path, database_factory: Any) -> None:
    url = database_factory("postgresql")
    generate(["jde"], Settings(scale=0.4), url, out=tmp_path / "fx")
    entry = {"name": "jde", "kind": "jde", "connection": {"url": url}, "tables": TABLES}

    # how long one whole extraction takes here, in a warehouse of its own
    timing = tmp_path / "timing.yml"
    timing.write_text(
        yaml.safe_dump({"warehouse": {"path": str(tmp_path / "t.duckdb")}, "sources": [entry]})
    )
    start = time.perf_counter()
    assert _extract(timing).wait() == 0
    whole = time.perf_counter() - start

    project = tmp_path / "erpml.yml"
    warehouse = {"path": str(tmp_path / "wh.duckdb")}
    project.write_text(yaml.safe_dump({"warehouse": warehouse, "sources": [entry]}))
    proc = _extract(project)
    time.sleep(whole * 0.6)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the extraction finished before it could be killed"

    rerun = _extract(project)
    _, err = rerun.communicate()
    assert rerun.returncode == 0, err
    for table in TABLES:
        assert_same(url, "PRODDTA", warehouse, "jde", table)
    runs = warehouse_query(
        warehouse, "SELECT count(*) FROM _erpml.extract_runs WHERE status = 'ok'"
    )
    assert runs[0][0] >= len(TABLES)
