"""NetSuite extraction SQL for a fixed watermark, against golden files.

``extract.suiteql.sql``: what SuiteQL over REST sends (Oracle syntax), each pull as the page
after a key (``TO_CHAR`` dates, ``TO_TIMESTAMP`` window, key-set predicate and order).
``extract.tsql.sql``: the same pulls through SuiteAnalytics Connect rendered for T-SQL. Both
change only with ``pytest --regenerate-golden``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.config import NetSuiteSource
from connectors.core.catalog import LandingColumn
from connectors.core.connector import Connector, TableState
from connectors.core.sql import render
from connectors.netsuite import NetSuiteConnector, SuiteQLConnector
from connectors.netsuite.columns import declared_columns
from connectors.netsuite.queries import keyset_page
from tests.conftest import check_golden

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "netsuite"
WATERMARK = "2026-06-30T17:19:00"


def _rest(monkeypatch: pytest.MonkeyPatch) -> SuiteQLConnector:
    monkeypatch.setenv("ERPML_GOLDEN_TOKEN", "unused")
    rest = {"account": "TSTDRV1", "token_env": "ERPML_GOLDEN_TOKEN"}
    return SuiteQLConnector(
        NetSuiteSource.model_validate({"name": "ns", "kind": "netsuite", "rest": rest})
    )


def _connect() -> NetSuiteConnector:
    connection = {"odbc": "Driver={NetSuite};Host=x;Port=1708", "dialect": "tsql"}
    config = NetSuiteSource.model_validate(
        {"name": "ns", "kind": "netsuite", "connection": connection}
    )
    connector = NetSuiteConnector(config)
    for spec in connector.tables():  # the catalog Connect would report, without a server
        connector._columns[spec.name] = declared_columns("ns", spec.name)
    return connector


def _after(columns: list[LandingColumn], key: tuple[str, ...]) -> list[object]:
    types = {c.name: c.type for c in columns}
    return [1000 if types[k] in ("INTEGER", "BIGINT") else "K" for k in key]


def _render(connector: Connector, dialect: str, paged: bool) -> str:
    out = []
    for spec in connector.tables():
        state = TableState({w: WATERMARK for w in spec.watermarks})
        columns = connector.landing_columns(spec)
        for pull in connector.plan(spec, state, full_refresh=False, reconcile=True):
            assert pull.query is not None
            query, key = pull.query, pull.match or spec.primary_key
            if paged:
                query = keyset_page(query, key, _after(columns, key))
            out.append(f"-- {spec.name}: {pull.mode}, {pull.label}\n{render(query, dialect)};\n")
    return "\n".join(out)


def test_suiteql_matches_golden(monkeypatch: pytest.MonkeyPatch, regenerate_golden: bool) -> None:
    text = _render(_rest(monkeypatch), "oracle", paged=True)
    check_golden(GOLDEN / "extract.suiteql.sql", text, regenerate_golden)


def test_connect_tsql_matches_golden(regenerate_golden: bool) -> None:
    check_golden(
        GOLDEN / "extract.tsql.sql", _render(_connect(), "tsql", paged=False), regenerate_golden
    )


def test_golden_sql_quotes_identifiers_and_keeps_time_of_day() -> None:
    suiteql = (GOLDEN / "extract.suiteql.sql").read_text()
    tsql = (GOLDEN / "extract.tsql.sql").read_text()
    assert 'TO_CHAR("lastmodifieddate", \'YYYY-MM-DD HH24:MI:SS\') AS "lastmodifieddate"' in suiteql
    assert (
        "\"lastmodifieddate\" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')"
        in suiteql
    )
    assert 'SELECT "recordid" AS "transaction" FROM "deletedrecord"' in suiteql
    assert "[lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2)" in tsql
    assert "FROM [transaction] WHERE" in tsql and "TO_CHAR" not in tsql
