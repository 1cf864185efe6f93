"""The SuiteAnalytics Connect path on SQLite copies of the fixture: tombstones, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors import extract
from connectors.config import Source, Sources
from connectors.core.connector import Connector
from connectors.netsuite import netsuite_connector
from connectors.registry import CONNECTORS
from fixtures import Settings
from fixtures.run import advance, generate
from tests.connectors.compare import warehouse_query
from tests.connectors.harness import ADVANCE_TO, SCALE

LINKED = ("transaction", "transactionline", "previoustransactionlinelink")


def _netsuite(config: Source) -> Connector:
    assert config.kind == "netsuite"
    return netsuite_connector(config)


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until ``connectors/registry.py`` lists NetSuite."""
    monkeypatch.setitem(CONNECTORS, "netsuite", _netsuite)


def _config(tmp: Path, url: str, tables: list[str] | None = None) -> Sources:
    entry = {"name": "ns", "kind": "netsuite", "connection": {"url": url}, "tables": tables}
    return Sources.model_validate(
        {"warehouse": {"path": str(tmp / "wh.duckdb")}, "sources": [entry]}
    )


def _landed(tmp: Path, query: str) -> list[tuple[object, ...]]:
    return warehouse_query({"path": str(tmp / "wh.duckdb")}, query)


def test_deleted_transactions_take_their_lines_and_links_with_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ns.sqlite'}"
    generate(["netsuite"], Settings(scale=SCALE), url, out=tmp_path / "fx")
    config = _config(tmp_path, url, [*LINKED, "transactionaccountingline", "deletedrecord"])
    first = {o.table: o for o in extract(config)}
    assert {o.pulls[0] for o in first.values()} == {"all rows"}
    advance(["netsuite"], url, ADVANCE_TO, out=tmp_path / "fx")
    with sa.create_engine(url).connect() as conn:
        gone = {r[0] for r in conn.exec_driver_sql('SELECT "recordid" FROM "deletedrecord"')}
        lines = conn.exec_driver_sql(
            'SELECT count(*) FROM "transactionline" WHERE "transaction" IN ({})'.format(
                ", ".join(str(g) for g in gone))
        ).scalar_one()  # fmt: skip
    assert gone and lines == 0

    later = {o.table: o for o in extract(config)}
    assert [o.error for o in later.values()] == [None] * len(later)
    assert later["transaction"].pulls == [
        "lastmodifieddate >= 2026-06-30 16:19:00", "deletedrecord since 2026-06-30 16:19:00 on id"
    ]  # fmt: skip
    links = later["previoustransactionlinelink"].pulls
    assert [p.split(" on ")[-1] for p in links[1:]] == ["previousdoc", "nextdoc"]
    assert later["transactionaccountingline"].pulls == ["all rows"]
    deleted = _landed(tmp_path, 'SELECT "id" FROM ns."transaction" WHERE _erpml_deleted')
    assert {r[0] for r in deleted} == gone and later["transaction"].deleted == len(gone)
    for name, column in [
        ("transactionline", "transaction"),
        ("previoustransactionlinelink", "nextdoc"),
    ]:
        flagged = _landed(
            tmp_path, f'SELECT DISTINCT "{column}" FROM ns."{name}" WHERE _erpml_deleted'
        )
        assert {r[0] for r in flagged} == gone, name
        assert later[name].deleted > 0
    acct = _landed(
        tmp_path,
        'SELECT DISTINCT "transaction" FROM ns."transactionaccountingline" WHERE _erpml_deleted',
    )
    assert {r[0] for r in acct} == gone  # the full refresh saw them go

    again = {o.table: o for o in extract(config)}  # tombstones already applied: nothing more
    assert all(o.deleted == 0 for o in again.values())


def test_missing_table_fails_only_that_table_with_a_one_line_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ns.sqlite'}"
    with sa.create_engine(url).begin() as conn:
        conn.exec_driver_sql(
            'CREATE TABLE "subsidiary" ("id" INTEGER PRIMARY KEY, "lastmodifieddate" DATETIME)'
        )
        conn.exec_driver_sql("INSERT INTO \"subsidiary\" VALUES (1, '2026-06-30 17:19:00')")
    outcomes = {o.table: o for o in extract(_config(tmp_path, url, ["subsidiary", "term"]))}
    assert outcomes["subsidiary"].status == "ok" and outcomes["subsidiary"].rows == 1
    assert outcomes["term"].status == "failed"
    assert (
        outcomes["term"].error
        == "source ns: table term does not exist or is not visible to this login"
    )
