"""Extraction SQL rendered for Oracle and SQL Server, against golden files.

No Oracle or SQL Server server runs here; the same plans execute on PostgreSQL, MariaDB and
SQLite in the contract suite, and their rendered text for the production dialects is pinned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.config import JdeSource, VistaSource
from connectors.core.catalog import LandingColumn
from connectors.core.connector import SqlConnector, TableState
from connectors.core.sql import render
from connectors.jde import JdeConnector
from connectors.vista import VistaConnector
from fixtures.jde import FIXTURE as JDE_FIXTURE
from fixtures.vista import FIXTURE as VISTA_FIXTURE
from tests.conftest import check_golden

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _jde(database: str | None) -> SqlConnector:
    config = JdeSource(name="jde", kind="jde", connection={"url": "sqlite://"}, database=database)
    return JdeConnector(config)


def _vista(database: str | None) -> SqlConnector:
    config = VistaSource.model_validate(
        {"name": "vista", "kind": "vista", "connection": {"url": "sqlite://"}, "database": database}
    )
    return VistaConnector(config)


CASES: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "jde": (_jde, JDE_FIXTURE, {"UPMJ": 126150, "UPMT": 120000, "TDAY": 120000}),
    "vista": (
        _vista,
        VISTA_FIXTURE,
        {"KeyID": 1000, "Mth": "2026-05-01", "PREndDate": "2026-05-31"},
    ),
}


def _watermarks(spec: Any, marks: dict[str, Any]) -> dict[str, Any]:
    return {w: next(v for k, v in marks.items() if w.endswith(k)) for w in spec.watermarks}


@pytest.mark.parametrize(
    ("erp", "dialect", "database"),
    [("jde", "oracle", None), ("jde", "tsql", "JDE_PRODUCTION"), ("vista", "tsql", "Viewpoint")],
)
def test_rendered_sql_matches_golden(
    erp: str, dialect: str, database: str | None, regenerate_golden: bool
) -> None:
    make, fixture, marks = CASES[erp]
    connector = make(database)
    physical = {t.name: t for t in fixture.tables()}
    out = []
    for spec in connector.tables():
        connector._columns[spec.name] = [
            LandingColumn(c.name, "VARCHAR") for c in physical[spec.name].columns
        ]
        state = TableState(_watermarks(spec, marks))
        for pull in connector.plan(spec, state, full_refresh=False, reconcile=True):
            assert pull.query is not None
            out.append(
                f"-- {spec.name}: {pull.mode}, {pull.label}\n{render(pull.query, dialect)};\n"
            )
    check_golden(GOLDEN / erp / f"extract.{dialect}.sql", "\n".join(out), regenerate_golden)


def test_golden_sql_quotes_every_identifier() -> None:
    text = (GOLDEN / "jde" / "extract.tsql.sql").read_text()
    assert "[GLREG#]" in text and "[JDE_PRODUCTION].[PRODDTA].[F0911]" in text
    assert "[PRODCTL].[F0005]" in text
