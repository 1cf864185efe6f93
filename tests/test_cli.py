"""The ``erpml`` command as a user runs it: exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa


def erpml(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlops.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_help_lists_command_groups() -> None:
    out = erpml("--help")
    assert out.returncode == 0
    assert "fixtures" in out.stdout and "demo" in out.stdout


def test_unknown_erp_is_a_one_line_error(tmp_path: Path) -> None:
    out = erpml("fixtures", "generate", "--erp", "sap", "--into", f"sqlite:///{tmp_path}/x.db")
    assert out.returncode == 3
    assert out.stderr.strip().splitlines() == [
        "error: unknown ERP 'sap': choose one of jde, vista, netsuite, onestream, all"
    ]
    assert not (tmp_path / "x.db").exists() or (tmp_path / "x.db").stat().st_size == 0


def test_unreachable_database_is_a_one_line_error() -> None:
    out = erpml(
        "fixtures",
        "generate",
        "--erp",
        "jde",
        "--into",
        "postgresql+psycopg://postgres@127.0.0.1:1/none",
    )
    assert out.returncode == 3
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot connect to postgresql")


def test_bad_scale_and_date_are_usage_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/x.db"
    assert erpml("fixtures", "generate", "--scale", "0", "--into", url).returncode == 2
    bad = erpml("fixtures", "generate", "--as-of", "2024-13-01", "--into", url)
    assert bad.returncode == 2 and "is not a date" in bad.stderr


def test_existing_fixture_is_not_overwritten_without_replace(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/jde.db"
    first = erpml(
        "fixtures",
        "generate",
        "--erp",
        "jde",
        "--scale",
        "0.02",
        "--into",
        url,
        "--out",
        str(tmp_path / "out"),
        "--format",
        "json",
    )
    assert first.returncode == 0, first.stderr
    rows = json.loads(first.stdout)["jde"]["rows"]
    assert sum(rows.values()) > 0
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        before = conn.execute(sa.text('select count(*) from "F0911"')).scalar_one()
    again = erpml(
        "fixtures",
        "generate",
        "--erp",
        "jde",
        "--scale",
        "0.05",
        "--into",
        url,
        "--out",
        str(tmp_path / "out"),
    )
    assert again.returncode == 3
    assert "already holds jde fixture tables" in again.stderr
    assert "--replace" in again.stderr
    with engine.connect() as conn:
        assert conn.execute(sa.text('select count(*) from "F0911"')).scalar_one() == before
    replaced = erpml(
        "fixtures",
        "generate",
        "--erp",
        "jde",
        "--scale",
        "0.05",
        "--into",
        url,
        "--out",
        str(tmp_path / "out"),
        "--replace",
    )
    assert replaced.returncode == 0, replaced.stderr
    with engine.connect() as conn:
        assert conn.execute(sa.text('select count(*) from "F0911"')).scalar_one() > before


def test_advance_requires_an_existing_fixture(tmp_path: Path) -> None:
    out = erpml(
        "fixtures",
        "advance",
        "--erp",
        "jde",
        "--into",
        f"sqlite:///{tmp_path}/e.db",
        "--to",
        "2026-09-30",
    )
    assert out.returncode == 3
    assert "holds no jde fixture" in out.stderr
