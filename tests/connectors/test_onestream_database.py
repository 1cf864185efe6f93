"""OneStream application database: DataRecord unpivot, member joins, partitions, bad input.

A tiny application database is built here on SQLite (the fixture's table shapes, a handful of
rows), so each case takes a fraction of a second; the contract suite runs the fixture's full cube
on SQLite, PostgreSQL, MariaDB and ODBC.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlalchemy as sa

from connectors import extract, load
from connectors.errors import SourceError
from connectors.extraction import TableOutcome
from connectors.onestream import OneStreamConnector
from connectors.onestream import connector as connector_module
from connectors.registry import CONNECTORS
from tests.connectors.test_contract import project_file

IDS = (
    "Entity",
    "Parent",
    "Cons",
    "Scenario",
    "Account",
    "Flow",
    "Origin",
    "IC",
    *(f"UD{i}" for i in range(1, 9)),
)
MEMBERS = {1: "E1", 2: "None", 3: "Local", 4: "Actual", 5: "Budget", 6: "1000", 7: "Import"}


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CONNECTORS, "onestream", OneStreamConnector)


def record(scenario: int = 4, account: int = 6, **months: tuple[Any, int]) -> dict[str, Any]:
    """A DataRecord row; ``M3=(12.5, 33)`` sets month 3's value and status (else 0, 0)."""
    ids = {f"{d}Id": 2 for d in IDS}
    row: dict[str, Any] = {
        "PartitionId": 0,
        "CubeId": 0,
        **ids,
        "EntityId": 1,
        "ConsId": 3,
        "ScenarioId": scenario,
        "AccountId": account,
        "OriginId": 7,
    }
    for m in range(1, 13):
        value, status = months.get(f"M{m}", (0, 0))
        row[f"M{m}Value"], row[f"M{m}Status"] = value, status
    return row


class AppDb:
    """A SQLite application database and a project reading it as source ``os``."""

    def __init__(self, tmp: Path, **settings: Any) -> None:
        self.url = f"sqlite:///{tmp / 'app.db'}"
        self.engine = sa.create_engine(self.url)
        self.meta = sa.MetaData()
        member = sa.Table(
            "Member",
            self.meta,
            sa.Column("MemberId", sa.Integer, primary_key=True),
            sa.Column("DimTypeId", sa.Integer),
            sa.Column("Name", sa.String(100)),
        )
        sa.Table(
            "DimType",
            self.meta,
            sa.Column("DimTypeId", sa.Integer, primary_key=True),
            sa.Column("Name", sa.String(50)),
        )
        sa.Table(
            "Relationship",
            self.meta,
            *(
                sa.Column(c, sa.Integer, primary_key=True)
                for c in ("DimTypeId", "ParentId", "ChildId")
            ),
        )
        self.meta.create_all(self.engine)
        with self.engine.begin() as conn:
            conn.execute(
                member.insert(),
                [{"MemberId": i, "DimTypeId": 0, "Name": n} for i, n in MEMBERS.items()],
            )
        self.warehouse = tmp / "wh.duckdb"
        entry = {
            "name": "os",
            "kind": "onestream",
            "connection": {"url": self.url},
            "schema": None,
            **settings,
        }
        self.path = project_file(tmp, entry, {"kind": "duckdb", "path": str(self.warehouse)})

    def year(self, year: int, rows: list[dict[str, Any]]) -> None:
        cols = [sa.Column("PartitionId", sa.Integer), sa.Column("CubeId", sa.Integer)]
        cols += [sa.Column(f"{d}Id", sa.Integer) for d in IDS]
        for m in range(1, 13):
            cols += [
                sa.Column(f"M{m}Value", sa.Numeric(28, 9)),
                sa.Column(f"M{m}Status", sa.Integer),
            ]
        table = sa.Table(f"DataRecord{year}", sa.MetaData(), *cols)
        with self.engine.begin() as conn:
            table.drop(conn, checkfirst=True)
            table.create(conn)
            conn.exec_driver_sql(str(table.insert().compile()), rows)

    def drop(self, name: str) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP TABLE "{name}"')

    def extract(self, **options: Any) -> dict[str, TableOutcome]:
        return {o.table: o for o in extract(load(self.path), **options)}

    def cube(self, live_only: bool = True) -> list[tuple[Any, ...]]:
        if not self.warehouse.exists():
            return []
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            where = "WHERE NOT _erpml_deleted" if live_only else ""
            return con.execute(
                "SELECT entity, parent, cons, scenario, time, view, account, flow, origin, ic,"
                f" ud8, amount, source_file FROM os.cube_data {where} ORDER BY ALL"
            ).fetchall()
        except duckdb.CatalogException:
            return []
        finally:
            con.close()


@pytest.fixture
def app(tmp_path: Path) -> AppDb:
    db = AppDb(tmp_path)
    db.year(
        2024,
        [
            record(M1=(1234.5, 33), M2=(10, 33), M3=(99, 0)),
            record(scenario=5, M12=(-0.000000001, 97)),
        ],
    )
    db.year(2025, [record(M1=(7, 33))])
    return db


def test_months_with_data_land_as_cells_with_member_names(app: AppDb) -> None:
    outcomes = app.extract()
    assert {t: o.status for t, o in outcomes.items()} == {
        "cube_data": "ok",
        "Member": "ok",
        "Relationship": "ok",
        "DimType": "ok",
    }
    assert outcomes["cube_data"].pulls == ["DataRecord2024", "DataRecord2025"]
    base = ("E1", "None", "Local")
    tail = ("YTD", "1000", "None", "Import", "None", "None")
    assert app.cube() == [
        (*base, "Actual", "2024M1", *tail, Decimal("1234.5"), "DataRecord2024"),
        (*base, "Actual", "2024M2", *tail, Decimal("10"), "DataRecord2024"),
        (*base, "Actual", "2025M1", *tail, Decimal("7"), "DataRecord2025"),
        (*base, "Budget", "2024M12", *tail, Decimal("-0.000000001"), "DataRecord2024"),
    ]
    assert outcomes["Member"].rows == len(MEMBERS) and outcomes["cube_data"].rows == 4


def test_a_year_is_replaced_whole_and_vanished_years_wait_for_full_refresh(app: AppDb) -> None:
    app.extract()
    app.year(2024, [record(M1=(1234.75, 33))])
    assert app.extract()["cube_data"].deleted == 2
    assert [(r[4], r[11]) for r in app.cube() if r[4].startswith("2024")] == [
        ("2024M1", Decimal("1234.75"))
    ]
    app.drop("DataRecord2024")
    assert app.extract()["cube_data"].deleted == 0 and len(app.cube()) == 2
    full = app.extract(full_refresh=True)["cube_data"]
    assert full.pulls == ["DataRecord2025", "partitions without a source"] and full.deleted == 1
    assert [r[4] for r in app.cube()] == ["2025M1"]


def test_reload_years_reads_only_the_last_years_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connector_module, "current_year", lambda: 2025)
    db = AppDb(tmp_path, reload_years=1)
    db.year(2024, [record(M1=(1, 33))])
    db.year(2025, [record(M1=(2, 33))])
    assert db.extract()["cube_data"].pulls == ["DataRecord2024", "DataRecord2025"]
    assert db.extract()["cube_data"].pulls == ["DataRecord2025"]
    db.year(2026, [record(M1=(3, 33))])
    assert db.extract()["cube_data"].pulls == ["DataRecord2025", "DataRecord2026"]


def _failed(outcome: TableOutcome) -> str:
    assert outcome.status == "failed" and outcome.error is not None
    assert "\n" not in outcome.error
    return outcome.error


def test_a_member_id_missing_from_member_fails_the_table(app: AppDb) -> None:
    app.extract()
    before = app.cube(live_only=False)
    app.year(2025, [record(account=999, M1=(7, 33))])
    error = _failed(app.extract()["cube_data"])
    assert error == "os.cube_data: DataRecord2025: AccountId 999 has no row in Member"
    assert app.cube(live_only=False) == before


def test_an_amount_sqlite_cannot_hold_exactly_fails(tmp_path: Path) -> None:
    db = AppDb(tmp_path)
    db.year(2024, [record(M5=(0.1 + 0.2, 33))])
    error = _failed(db.extract()["cube_data"])
    assert "DataRecord2024: M5Value value '0.30000000000000004' cannot land exactly" in error
    assert db.cube() == []


def test_missing_tables_fail_one_line(tmp_path: Path) -> None:
    db = AppDb(tmp_path)
    assert "no DataRecord<year> tables" in _failed(db.extract()["cube_data"])
    db.year(2024, [record(M1=(1, 33))])
    db.drop("Member")
    outcomes = db.extract()
    assert _failed(outcomes["cube_data"]).startswith("os.cube_data: DataRecord2024: ")
    assert "table Member does not exist" in _failed(outcomes["Member"])
    assert outcomes["DimType"].status == "ok"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
        "mysql+pymysql://nobody_erpml:wrong@127.0.0.1:3306/nowhere",
    ],
    ids=["unreachable-host", "wrong-credentials"],
)
def test_unreachable_or_refused_source_fails_before_landing(
    tmp_path: Path, url: str, servers: None
) -> None:
    entry = {"name": "os", "kind": "onestream", "connection": {"url": url}}
    warehouse = tmp_path / "wh.duckdb"
    path = project_file(tmp_path, entry, {"kind": "duckdb", "path": str(warehouse)})
    with pytest.raises(SourceError) as err:
        extract(load(path))
    message = str(err.value)
    assert message.startswith("source os: cannot connect: ") and "\n" not in message
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("SELECT schema_name FROM information_schema.schemata").fetchall()
    con.close()
    assert "os" not in {r[0] for r in rows}
