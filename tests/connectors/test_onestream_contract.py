"""The connector contract for OneStream, on export files and on each source database engine.

The body is the contract suite's (``test_contract.run_contract``) with two differences OneStream
needs: the fixture is generated and advanced with every ERP (OneStream loads their new GL
months), and ``cube_data`` is compared with the fixture's export files or DataRecord tables by
``harness_onestream.assert_cube_same`` (the landing is not a copy of one source table).

Generating every ERP is the slow part, so each fixture is generated once per module: the SQLite
one is copied per case (its export files with it), the PostgreSQL one is shared by the contract
case and the ODBC case (which compares with whatever state the database is in).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from connectors import extract, load
from connectors.onestream import OneStreamConnector
from connectors.registry import CONNECTORS
from fixtures import Settings
from fixtures.run import advance, generate
from tests.connectors.harness import ADVANCE_TO, SCALE
from tests.connectors.harness_onestream import HARNESS, assert_cube_same
from tests.connectors.test_contract import assert_all_same, landed_count, project_file


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until ``connectors/registry.py`` lists OneStream (see the room's README)."""
    monkeypatch.setitem(CONNECTORS, "onestream", OneStreamConnector)


@pytest.fixture(scope="module")
def sqlite_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every ERP generated once into SQLite (``all.db``) with its files (``fx/``)."""
    folder = tmp_path_factory.mktemp("os_sqlite")
    generate(["all"], Settings(scale=SCALE), f"sqlite:///{folder / 'all.db'}", out=folder / "fx")
    return folder


@pytest.fixture(scope="module")
def pg_fixture(database_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """Every ERP generated once into a PostgreSQL database; (url, out folder)."""
    url: str = database_factory("postgresql")
    out = tmp_path_factory.mktemp("os_pg") / "fx"
    generate(["all"], Settings(scale=SCALE), url, out=out)
    return url, out


def _source(engine: str, request: pytest.FixtureRequest, tmp: Path) -> str:
    """A generated fixture database for ``engine``; its export files are in ``tmp/fx``."""
    if engine in ("files", "sqlite"):
        template: Path = request.getfixturevalue("sqlite_fixture")
        shutil.copy(template / "all.db", tmp / "all.db")
        shutil.copytree(template / "fx", tmp / "fx")
        return f"sqlite:///{tmp / 'all.db'}"
    if engine == "postgresql":
        url, out = request.getfixturevalue("pg_fixture")
        shutil.copytree(out, tmp / "fx")
        return str(url)
    url = str(request.getfixturevalue("database_factory")(engine))
    generate(["all"], Settings(scale=SCALE), url, out=tmp / "fx")
    return url


def _all_same(engine: str, url: str, tmp: Path, warehouse: dict[str, Any]) -> dict[str, int]:
    counts = assert_all_same(HARNESS, engine, url, warehouse)
    counts["cube_data"] = assert_cube_same(engine, url, tmp, warehouse)
    return counts


def _warehouse(tmp: Path) -> dict[str, Any]:
    return {"kind": "duckdb", "path": str(tmp / "wh.duckdb")}


@pytest.mark.parametrize("engine", HARNESS.engines)
def test_onestream_contract(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url = _source(engine, request, tmp_path)
    warehouse = _warehouse(tmp_path)
    config = load(project_file(tmp_path, HARNESS.source_entry(engine, url, tmp_path), warehouse))

    first = extract(config)
    assert [o.error for o in first if o.status != "ok"] == []
    assert [o.table for o in first] == ["cube_data", *(t for t, _ in HARNESS.tables(engine))]
    counts = _all_same(engine, url, tmp_path, warehouse)
    assert counts["cube_data"] > 1000

    again = extract(config)  # a rerun with nothing new: same landing, no duplicates
    assert all(o.status == "ok" for o in again)
    for table, n in counts.items():
        assert landed_count(warehouse, HARNESS.erp, table) == n
    # the whole cube is pulled again, but rows equal to the landed ones keep their batch
    assert {o.table: o.changed for o in again if o.changed} == {}

    advance(["all"], url, ADVANCE_TO, out=tmp_path / "fx")
    later = extract(config)
    assert [o.error for o in later if o.status != "ok"] == []
    after = _all_same(engine, url, tmp_path, warehouse)
    assert after["cube_data"] != counts["cube_data"], "the fixture's later activity changed nothing"
    cube = next(o for o in later if o.table == "cube_data")
    assert cube.pulls != ["all rows"] and cube.rows == after["cube_data"]
    assert 0 < cube.changed < cube.rows  # only the new months' rows take the new batch


def test_onestream_through_odbc(pg_fixture: tuple[str, Path], tmp_path: Path) -> None:
    """The application database read through unixODBC and arrow-odbc lands the same cube."""
    url, _ = pg_fixture
    engine = "odbc-postgresql"
    warehouse = _warehouse(tmp_path)
    config = load(project_file(tmp_path, HARNESS.source_entry(engine, url, tmp_path), warehouse))
    assert config.sources[0].connection.odbc is not None  # type: ignore[union-attr]

    outcomes = extract(config)
    assert [o.error for o in outcomes if o.status != "ok"] == []
    counts = _all_same(engine, url, tmp_path, warehouse)
    assert counts["cube_data"] > 1000 and counts["Member"] > 100
