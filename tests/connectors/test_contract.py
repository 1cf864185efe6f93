"""One contract every connector passes, on every source engine it supports.

For each ERP and engine: generate the fixture source, extract it, and show the landing equals
the source row for row; extract again and show nothing is duplicated; apply the fixture's later
activity (updates, deletes, moves) and show one incremental extraction brings the landing back
to equality with the source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors import extract, load
from fixtures import Settings
from fixtures.run import advance, generate
from tests.connectors import harness_jde, harness_netsuite, harness_vista
from tests.connectors.compare import assert_same, warehouse_query
from tests.connectors.harness import ADVANCE_TO, SCALE, Harness

HARNESSES: tuple[Harness, ...] = (
    harness_jde.HARNESS,
    harness_vista.HARNESS,
    harness_netsuite.HARNESS,
)
# OneStream's contract runs in test_onestream_contract.py: its landing is the conformed cube,
# compared with export files and DataRecord tables, and its fixture needs every ERP.
CASES = [pytest.param(h, e, "duckdb", id=f"{h.erp}-{e}") for h in HARNESSES for e in h.engines]
# the second warehouse target: one case per connector lands into PostgreSQL
CASES += [
    pytest.param(h, h.engines[0], "postgres", id=f"{h.erp}-{h.engines[0]}-to-postgres")
    for h in HARNESSES
]


def project_file(tmp: Path, entry: dict[str, Any], warehouse: dict[str, Any]) -> Path:
    path = tmp / "erpml.yml"
    path.write_text(yaml.safe_dump({"warehouse": warehouse, "sources": [entry]}))
    return path


def make_warehouse(kind: str, tmp: Path, database_factory: Any) -> dict[str, Any]:
    if kind == "postgres":
        return {"kind": "postgres", "url": database_factory("postgresql")}
    return {"path": str(tmp / "wh.duckdb")}


def landed_count(warehouse: dict[str, Any], source: str, table: str) -> int:
    return int(warehouse_query(warehouse, f'SELECT count(*) FROM "{source}"."{table}"')[0][0])


def assert_all_same(h: Harness, engine: str, url: str, warehouse: dict[str, Any]) -> dict[str, int]:
    return {t: assert_same(url, schema, warehouse, h.erp, t) for t, schema in h.tables(engine)}


@pytest.mark.parametrize(("h", "engine", "wh_kind"), CASES)
def test_connector_contract(
    h: Harness, engine: str, wh_kind: str, database_factory: Any, tmp_path: Path
) -> None:
    run_contract(h, engine, wh_kind, database_factory, tmp_path)


def run_contract(
    h: Harness, engine: str, wh_kind: str, database_factory: Any, tmp_path: Path
) -> None:
    """The contract body, shared by every connector's cases."""
    server = {"rest": "sqlite"}.get(engine, engine.removeprefix("odbc-"))
    url = database_factory(server)
    try:
        _contract_body(h, engine, wh_kind, database_factory, tmp_path, url)
    finally:
        if h.cleanup is not None:
            h.cleanup()


def _contract_body(
    h: Harness, engine: str, wh_kind: str, database_factory: Any, tmp_path: Path, url: str
) -> None:
    fixture_url = h.fixture_url(engine, url) if h.fixture_url else url
    generate([h.erp], Settings(scale=SCALE), fixture_url, out=tmp_path / "fx")
    warehouse = make_warehouse(wh_kind, tmp_path, database_factory)
    config = load(project_file(tmp_path, h.source_entry(engine, url, tmp_path), warehouse))

    first = extract(config)
    assert [o.error for o in first if o.status != "ok"] == []
    counts = assert_all_same(h, engine, fixture_url, warehouse)
    assert sum(counts.values()) > 0

    assert all(o.changed == o.rows for o in first)  # a first load lands every row
    again = extract(config)  # a rerun with nothing new: same landing, no duplicates
    assert all(o.status == "ok" for o in again)
    # re-pulled rows equal to the landed ones keep their batch: no batch changed anything
    assert {o.table: o.changed for o in again if o.changed} == {}
    for table, n in counts.items():
        assert landed_count(warehouse, h.erp, table) == n

    advance([h.erp], fixture_url, ADVANCE_TO, out=tmp_path / "fx")
    later = extract(config, reconcile=h.reconcile_after_advance)
    assert [o.error for o in later if o.status != "ok"] == []
    after = assert_all_same(h, engine, fixture_url, warehouse)
    assert after != counts, "the fixture's later activity changed nothing"
    assert 0 < sum(o.changed for o in later) <= sum(o.rows for o in later)
    incremental = [o for o in later if o.pulls != ["all rows"]]
    assert incremental, "no table was extracted incrementally"
