"""OneStream fixture: the cube ties to the ERP ledgers, eliminates IC, and both shapes agree.

Most tests run against synthetic upstream GL months (built here) so they do not depend on the
ERP fixtures; one test goes through ``fixtures.run.generate`` with whatever the ERP generators
currently produce. Tables are checked on SQLite, PostgreSQL and MariaDB; export files once.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from fixtures import FixtureError
from fixtures import advance as run_advance
from fixtures import generate as run_generate
from fixtures.core import (
    AdvanceContext,
    Context,
    CountingSink,
    GlMonth,
    Golden,
    Result,
    Settings,
    SqlSink,
)
from fixtures.core.chart import BY_CODE
from fixtures.onestream import FIXTURE
from fixtures.onestream.exports import write_export
from fixtures.registry import BY_NAME

ENGINES = ("sqlite", "postgresql", "mariadb")
AS_OF = date(2026, 6, 30)
UNTIL = date(2027, 2, 28)
COMPANIES = {
    "jde": [("00001", "USD", 2), ("00010", "USD", 2), ("00200", "EUR", 2)],
    "vista": [("1", "USD", 2), ("2", "USD", 2)],
    "netsuite": [("1", "USD", 2), ("3", "JPY", 0), ("4", "KWD", 3)],
}
PREFIX = {"jde": "JDE", "vista": "VISTA", "netsuite": "NS"}
IC_PAIRS = {"jde": ("00001", "00010"), "vista": ("1", "2"), "netsuite": ("1", "3")}
DECIMALS = {f"{PREFIX[s]}_{c}": d for s, cs in COMPANIES.items() for c, _, d in cs}
CURRENCY = {f"{PREFIX[s]}_{c}": cur for s, cs in COMPANIES.items() for c, cur, _ in cs}
TIME_MEMBER = re.compile(r"^\d{4}M([1-9]|1[0-2])$")


# -- synthetic upstream ---------------------------------------------------------------------
def _months(first: date, last: date) -> Iterator[date]:
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield date(y, m, 1)
        y, m = y + (m == 12), m % 12 + 1


def synthetic_upstream(first: date, last: date) -> dict[str, Result]:
    """Balanced monthly GL activity per company, with matched IC between one pair per ERP."""
    out = {}
    for source, companies in COMPANIES.items():
        rng = np.random.default_rng([len(source), first.toordinal()])
        gl: list[GlMonth] = []
        for company, cur, dec in companies:
            unit = 10**dec
            for month in _months(first, last):
                rev = int(rng.integers(1000, 50000)) * unit
                cogs, sal = rev * 6 // 10, int(rng.integers(100, 9000)) * unit
                rec = int(rev * rng.uniform(0.7, 1.1))
                lines = [
                    ("5010", "4000", -(rev // 3)),
                    ("5020", "4000", rev // 3 - rev),
                    ("1210", "1200", rev - rec),
                    ("6010", "5000", cogs),
                    ("1410", "1400", -cogs),
                    ("7010", "6000", sal),
                    ("1010", "1000", rec - sal),
                ]
                if month.month % 3 == 0:  # quarterly interest: gaps in an income account
                    i = int(rng.integers(10, 500)) * unit
                    lines += [("8010", "7000", i), ("2510", "2500", -i)]
                gl += [GlMonth(source, company, a, g, cur, dec, month, v) for a, g, v in lines]
        a, b = IC_PAIRS[source]
        (ca, cura, deca), (cb, curb, decb) = (c for c in companies if c[0] in (a, b))
        for month in _months(first, last):
            amt = int(rng.integers(100, 5000))
            va, vb = amt * 10**deca, amt * 10**decb
            gl += [
                GlMonth(source, ca, "ic", "1300", cura, deca, month, va, cb),
                GlMonth(source, ca, "ic", "4900", cura, deca, month, -va, cb),
                GlMonth(source, cb, "ic", "5900", curb, decb, month, vb, ca),
                GlMonth(source, cb, "ic", "2100", curb, decb, month, -vb, ca),
            ]
        out[source] = Result(source, gl_months=gl)
    return out


LATE = [  # a late posting into a closed month, restated by the ERP's advance
    GlMonth("jde", "00001", "7010", "6000", "USD", 2, date(2025, 3, 1), 12345),
    GlMonth("jde", "00001", "1010", "1000", "USD", 2, date(2025, 3, 1), -12345),
]


def restated_upstream() -> dict[str, Result]:
    """What the ERPs' advance returns: every month through UNTIL, one earlier month changed."""
    old, new = (
        synthetic_upstream(date(2023, 1, 1), AS_OF),
        synthetic_upstream(date(2026, 7, 1), UNTIL),
    )
    extra = {"jde": LATE}
    return {
        n: Result(n, gl_months=old[n].gl_months + new[n].gl_months + extra.get(n, [])) for n in old
    }


def erp_months(upstreams: list[dict[str, Result]]) -> dict[tuple[str, str, date], int]:
    totals: dict[tuple[str, str, date], int] = defaultdict(int)
    for upstream in upstreams:
        for r in upstream.values():
            for g in r.gl_months:
                totals[(f"{PREFIX[g.source]}_{g.company}", g.group_account, g.month)] += g.amount
    return totals


# -- reading the cube back ------------------------------------------------------------------
@dataclass
class Db:
    kind: str
    engine: sa.Engine
    out: Path
    schema: str | None
    before: dict[tuple[Any, ...], list[Decimal | None]] | None = None
    ids_before: dict[int, tuple[int, str]] | None = None

    def table(self, name: str) -> sa.Table:
        return sa.Table(name, sa.MetaData(), schema=self.schema, autoload_with=self.engine)

    def rows(self, name: str) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(self.table(name))))

    def members(self) -> dict[int, tuple[int, str]]:
        return {r.MemberId: (r.DimTypeId, r.Name) for r in self.rows("Member")}

    def years(self) -> list[int]:
        names = sa.inspect(self.engine).get_table_names(schema=self.schema)
        return sorted(int(n[10:]) for n in names if re.fullmatch(r"DataRecord\d{4}", n))

    def cells(self) -> dict[tuple[Any, ...], list[Decimal | None]]:
        """(scenario, year, entity, parent, cons, origin, account, ic) -> 12 YTD amounts."""
        names = {i: n for i, (_, n) in self.members().items()}
        out = {}
        for year in self.years():
            for r in self.rows(f"DataRecord{year}"):
                ent, cons = names[r.EntityId], names[r.ConsId]
                places = DECIMALS.get(ent, 2) if cons == "Local" else 2  # else group currency
                values = [
                    None
                    if getattr(r, f"M{m}Status") == 0
                    else round(Decimal(str(getattr(r, f"M{m}Value"))), places)
                    for m in range(1, 13)
                ]
                key = (
                    names[r.ScenarioId],
                    year,
                    ent,
                    names[r.ParentId],
                    cons,
                    names[r.OriginId],
                    names[r.AccountId],
                    names[r.ICId],
                )
                assert key not in out
                out[key] = values
        return out


def is_balance(account: str) -> bool:
    return account == "ICPlugBS" or (
        account in BY_CODE and BY_CODE[account].type in ("asset", "liability", "equity")
    )


def periodic_actual(cells: dict[tuple[Any, ...], list[Decimal | None]]) -> dict[Any, Decimal]:
    """(entity, account, month) -> Periodic Actual Local, derived from stored YTD."""
    out: dict[Any, Decimal] = defaultdict(Decimal)
    last: dict[tuple[str, str, str], Decimal] = {}
    for (scen, year, ent, _, cons, _, acc, ic), values in sorted(cells.items()):
        if scen != "Actual" or cons != "Local":
            continue
        prev = last.get((ent, acc, ic), Decimal(0)) if is_balance(acc) else Decimal(0)
        for m, v in enumerate(values, start=1):
            if v is not None:
                out[(ent, acc, date(year, m, 1))] += v - prev
                prev = v
        last[(ent, acc, ic)] = values[11] or Decimal(0)
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def export_cells(folder: Path) -> dict[tuple[Any, ...], Decimal]:
    out = {}
    for path in sorted(folder.glob("*.csv")):
        for line in read_csv(path):
            year, month = (int(x) for x in line["Time"].split("M"))
            key = (
                line["Scenario"],
                year,
                line["Entity"],
                line["Parent"],
                line["Cons"],
                line["Origin"],
                line["Account"],
                line["IC"],
                month,
            )
            assert key not in out
            out[key] = Decimal(line["Amount"])
    return out


def make_db(kind: str, url: str, out: Path) -> Db:
    engine = sa.create_engine(url)
    return Db(kind, engine, out, "dbo" if kind == "postgresql" else None)


def generate_into(db: Db) -> None:
    sink = SqlSink(db.engine)
    sink.create(FIXTURE.tables())
    upstream = synthetic_upstream(date(2023, 1, 1), AS_OF)
    golden = Golden(db.out / "onestream" / "golden")
    try:
        FIXTURE.generate(Context("onestream", Settings(as_of=AS_OF), sink, golden, upstream))
        sink.commit()
    finally:
        sink.close()


@pytest.fixture(scope="module", params=ENGINES)
def cube(
    request: pytest.FixtureRequest, database_factory: Any, tmp_path_factory: Any
) -> Iterator[Db]:
    db = make_db(request.param, database_factory(request.param), tmp_path_factory.mktemp("os"))
    try:
        generate_into(db)
        yield db
    finally:
        db.engine.dispose()


@pytest.fixture(scope="module", params=ENGINES)
def advanced(
    request: pytest.FixtureRequest, database_factory: Any, tmp_path_factory: Any
) -> Iterator[Db]:
    db = make_db(request.param, database_factory(request.param), tmp_path_factory.mktemp("osa"))
    try:
        generate_into(db)
        db.before, db.ids_before = db.cells(), db.members()
        sink = SqlSink(db.engine)
        golden = Golden(db.out / "onestream" / "golden")
        ctx = AdvanceContext(
            "onestream",
            Settings(as_of=AS_OF),
            sink,
            golden,
            restated_upstream(),
            until=UNTIL,
            target=sink,
        )
        try:
            FIXTURE.advance(ctx)
            sink.commit()
        finally:
            sink.close()
        yield db
    finally:
        db.engine.dispose()


# -- the generated cube ---------------------------------------------------------------------
def test_every_member_id_exists_in_its_dimension(cube: Db) -> None:
    """SQL: no DataRecord id without a Member row of the right dimension type."""
    expected = {
        "EntityId": [0],
        "ParentId": [0],
        "ConsId": [2],
        "ScenarioId": [3],
        "AccountId": [6],
        "FlowId": [7],
        "OriginId": [8],
        "ICId": [0, 9],
        **{f"UD{i}Id": [9 + i] for i in range(1, 9)},
    }
    member, cube_table = cube.table("Member"), cube.table("Cube")
    total = 0
    with cube.engine.connect() as conn:
        for year in cube.years():
            t = cube.table(f"DataRecord{year}")
            total += conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for col, dims in expected.items():
                known = sa.exists().where(
                    member.c.MemberId == t.c[col], member.c.DimTypeId.in_(dims)
                )
                orphans = sa.select(sa.func.count()).select_from(t).where(~known)
                assert conn.execute(orphans).scalar_one() == 0, (year, col)
            no_cube = (
                sa.select(sa.func.count())
                .select_from(t)
                .where(~sa.exists().where(cube_table.c.CubeId == t.c.CubeId))
            )
            assert conn.execute(no_cube).scalar_one() == 0
    assert total > 500


def test_time_members_and_export_times_have_onestream_form(cube: Db) -> None:
    months = [n for d, n in cube.members().values() if d == 4 and "M" in n]
    assert len(months) == 12 * len(cube.years())
    assert all(TIME_MEMBER.match(n) for n in months), months
    assert "2024M1" in months and "2024M01" not in months
    if cube.kind == "sqlite":  # the files are the same for every engine: check them once
        for path in (cube.out / "onestream" / "exports").glob("*.csv"):
            times = {line["Time"] for line in read_csv(path)}
            assert times and all(TIME_MEMBER.match(t) for t in times), path


def test_actual_ties_exactly_to_upstream_gl(cube: Db) -> None:
    erp = erp_months([synthetic_upstream(date(2023, 1, 1), AS_OF)])
    cube_months = periodic_actual(cube.cells())
    for (ent, acc, month), amount in erp.items():
        assert cube_months[(ent, acc, month)] == Decimal(amount).scaleb(-DECIMALS[ent])
    extra = {k: v for k, v in cube_months.items() if k not in erp and v != 0}
    assert not extra
    tie = read_csv(cube.out / "onestream" / "golden" / "actual_tie.csv")
    assert len(tie) >= len(erp)
    for row in tie:
        assert row["amount_onestream"] == row["amount_erp"], row
        key = (row["entity"], row["group_account"], date.fromisoformat(row["month"]))
        assert Decimal(row["amount_erp"]) == Decimal(erp.get(key, 0)).scaleb(-DECIMALS[key[0]])


def _children(db: Db) -> dict[str, list[str]]:
    members = db.members()
    out: dict[str, list[str]] = defaultdict(list)
    for r in db.rows("Relationship"):
        if r.DimTypeId == 0:
            out[members[r.ParentId][1]].append(members[r.ChildId][1])
    return out


def test_entity_hierarchy_is_two_levels(cube: Db) -> None:
    children = _children(cube)
    assert sorted(children["Group"]) == ["JDE_Ops", "NetSuite_Ops", "Vista_Ops"]
    assert sorted(children["JDE_Ops"]) == ["JDE_00001", "JDE_00010", "JDE_00200"]
    leaves = {e for p in children["Group"] for e in children[p]}
    assert leaves == set(DECIMALS)
    assert not any(children.get(e) for e in leaves)
    parents = [p for p, cs in children.items() for _ in cs]
    assert len(parents) == len(set(leaves)) + 3


def test_intercompany_eliminates_to_zero_at_the_common_parent(cube: Db) -> None:
    """Per parent and IC account, SQL sums of the group-currency rows plus eliminations are 0."""
    children = _children(cube)
    ids = {(d, n): i for i, (d, n) in cube.members().items()}
    cons = {n: ids[(2, n)] for n in ("Local", "USD", "Elimination")}
    ic_accounts = [ids[(6, a)] for a in ("1300", "2100", "4900", "5900")]
    checked = 0
    for parent in ("JDE_Ops", "Vista_Ops", "NetSuite_Ops"):
        under = children[parent]
        usd = [ids[(0, e)] for e in under if CURRENCY[e] == "USD"]
        other = [ids[(0, e)] for e in under if CURRENCY[e] != "USD"]
        for year in cube.years():
            t = cube.table(f"DataRecord{year}")
            group_rows = sa.or_(
                sa.and_(t.c.ConsId == cons["Local"], t.c.EntityId.in_(usd)),
                sa.and_(t.c.ConsId == cons["USD"], t.c.EntityId.in_(other)),
            )
            elim = sa.and_(t.c.ConsId == cons["Elimination"], t.c.ParentId == ids[(0, parent)])
            values = [t.c[f"M{m}Value"] for m in range(1, 13)]
            query = (
                sa.select(
                    t.c.AccountId,
                    *(sa.func.sum(v) for v in values),
                    *(sa.func.sum(sa.case((group_rows, v), else_=0)) for v in values),
                )
                .where(
                    t.c.ScenarioId == ids[(3, "Actual")],
                    t.c.AccountId.in_(ic_accounts),
                    t.c.EntityId.in_(usd + other),
                    sa.or_(group_rows, elim),
                )
                .group_by(t.c.AccountId)
            )
            with cube.engine.connect() as conn:
                rows = list(conn.execute(query))
            assert len(rows) == 4, (parent, year)
            for row in rows:
                after, before = row[1:13], row[13:25]
                assert all(abs(Decimal(str(v))) < Decimal("0.005") for v in after), (parent, row)
                assert any(abs(Decimal(str(v))) > 1 for v in before), (parent, row)
                checked += 1
    assert checked == 3 * 4 * len(cube.years())


def test_translation_uses_the_stored_rates(cube: Db) -> None:
    names = {i: n for i, (_, n) in cube.members().items()}
    rates = {
        (r.FxRateType, names[r.TimeId], r.SourceCurrency): Decimal(str(r.Amount))
        for r in cube.rows("FxRate")
        if r.DestCurrency == "USD"
    }
    assert {c for _, _, c in rates} == {c for c in CURRENCY.values() if c != "USD"}
    cells, checked = cube.cells(), 0
    for (scen, year, ent, par, cons, orig, acc, ic), usd in cells.items():
        if cons != "USD":
            continue
        local = cells[(scen, year, ent, par, "Local", orig, acc, ic)]
        prev, total = Decimal(0), Decimal(0)
        for m, (lv, uv) in enumerate(zip(local, usd, strict=True), start=1):
            assert (lv is None) == (uv is None)
            if lv is None or uv is None:
                continue
            time = f"{year}M{m}"
            if is_balance(acc):
                expected = round(lv * rates[("ClosingRate", time, CURRENCY[ent])], 2)
            else:
                total += round((lv - prev) * rates[("AverageRate", time, CURRENCY[ent])], 2)
                expected, prev = total, lv
            assert uv == expected, (ent, acc, time)
            checked += 1
    assert checked > 500


def test_plug_holds_only_the_mismatch(cube: Db) -> None:
    plug: dict[tuple[str, int, int], Decimal] = defaultdict(Decimal)
    for (_, year, _, parent, cons, _, acc, _), values in cube.cells().items():
        if cons == "Elimination" and acc == "ICPlugBS":
            for m, v in enumerate(values):
                plug[(parent, year, m)] += v or 0
    jde = [v for k, v in plug.items() if k[0] == "JDE_Ops"]
    ns = [v for k, v in plug.items() if k[0] == "NetSuite_Ops"]
    assert jde and all(v == 0 for v in jde)  # matched same-currency IC
    assert ns and any(v != 0 for v in ns)  # cross-currency IC: translation differences


def test_eliminations_golden(cube: Db) -> None:
    rows = read_csv(cube.out / "onestream" / "golden" / "eliminations.csv")
    assert {r["parent"] for r in rows} == {"JDE_Ops", "Vista_Ops", "NetSuite_Ops", "Group"}
    assert all(Decimal(r["ic_total_after"]) == 0 for r in rows)
    assert all(Decimal(r["ic_total_before"]) == -Decimal(r["elimination"]) for r in rows)
    assert any(Decimal(r["ic_total_before"]) != 0 for r in rows)


def test_budget_and_forecast_exist_for_each_year(cube: Db) -> None:
    cells = cube.cells()
    for year in range(2023, 2027):
        for scen in ("Actual", "Budget", "Forecast"):
            assert any(k[0] == scen and k[1] == year for k in cells), (scen, year)
            assert (cube.out / "onestream" / "exports" / f"{scen}_{year}.csv").is_file()


def test_forecast_takes_closed_months_from_actual(cube: Db) -> None:
    cells = cube.cells()
    for year, closed in ((2025, 9), (2026, 6)):
        keys = [k for k in cells if k[0] == "Forecast" and k[1] == year]
        assert keys
        differs = False
        for k in keys:
            actual = cells.get(("Actual", *k[1:5], "Import", *k[6:]))
            assert actual is not None
            fc = cells[k]
            assert [v or 0 for v in fc[:closed]] == [v or 0 for v in actual[:closed]], k
            differs |= fc[closed:] != actual[closed:]
        assert differs


def test_exports_hold_the_same_data_as_datarecord(cube: Db) -> None:
    files = export_cells(cube.out / "onestream" / "exports")
    stored = {
        (*k, m): v
        for k, vs in cube.cells().items()
        for m, v in enumerate(vs, start=1)
        if v is not None
    }
    assert stored and files == stored


def test_physical_forms(cube: Db) -> None:
    table = cube.table("DataRecord2024")
    names = [c.name for c in table.columns]
    assert names[:18] == [
        "PartitionId",
        "CubeId",
        "EntityId",
        "ParentId",
        "ConsId",
        "ScenarioId",
        "AccountId",
        "FlowId",
        "OriginId",
        "ICId",
        *(f"UD{i}Id" for i in range(1, 9)),
    ]
    assert names[18:22] == ["M1Value", "M1Status", "M2Value", "M2Status"]
    value = table.c.M1Value.type
    assert isinstance(value, sa.Numeric)
    if cube.kind != "sqlite":
        assert (value.precision, value.scale) == (28, 9)
    pk = sa.inspect(cube.engine).get_pk_constraint("DataRecord2024", schema=cube.schema)
    assert pk["constrained_columns"][0] == "CubeId" and len(pk["constrained_columns"]) == 17


def test_golden_trial_balance_plan_and_samples_agree_with_db(cube: Db) -> None:
    golden = cube.out / "onestream" / "golden"
    cells, actual = cube.cells(), periodic_actual(cube.cells())
    tb = read_csv(golden / "trial_balance.csv")
    assert len(tb) == len(actual)
    for r in tb:
        key = (r["company"], r["account"], date(int(r["fiscal_year"]), int(r["period"]), 1))
        assert Decimal(r["amount"]) == actual[key] and r["currency"] == CURRENCY[r["company"]]
    plan = read_csv(golden / "plan.csv")
    totals: dict[tuple[str, str, str, int], Decimal] = defaultdict(Decimal)
    for (scen, year, ent, _, _, _, acc, _), values in cells.items():
        if scen in ("Budget", "Forecast"):
            start = Decimal(0)
            if is_balance(acc):  # plans carry the Actual balance into the year
                start = sum(
                    (v for k, v in actual.items() if k[:2] == (ent, acc) and k[2].year < year),
                    Decimal(0),
                )
            totals[(scen, ent, acc, year)] += (values[11] or 0) - start
    assert {
        (r["scenario"], r["entity"], r["account"], int(r["year"])): Decimal(r["total"])
        for r in plan
    } == totals
    samples = read_csv(golden / "decoded_samples.csv")
    assert {s["cons"] for s in samples} == {"Local", "USD", "Elimination"} and len(samples) >= 5
    members = cube.members()
    for s in samples:
        rows = [
            r
            for r in cube.rows(s["table"])
            if r.EntityId == int(s["EntityId"])
            and r.AccountId == int(s["AccountId"])
            and r.ConsId == int(s["ConsId"])
            and r.ScenarioId == int(s["ScenarioId"])
            and r.ICId == int(s["ICId"])
            and r.ParentId == int(s["ParentId"])
        ]
        assert len(rows) == 1
        assert round(Decimal(str(getattr(rows[0], s["value_column"]))), 9) == Decimal(
            s["raw_value"]
        )
        assert members[int(s["EntityId"])][1] == s["entity"]
        assert members[int(s["AccountId"])][1] == s["account"]
        export = cube.out / "onestream" / "exports" / s["export_file"]
        line = read_csv(export)[int(s["export_line"]) - 2]
        assert (line["Entity"], line["Account"], line["Time"], line["Amount"]) == (
            s["entity"],
            s["account"],
            s["time"],
            s["export_amount"],
        )
        assert Decimal(s["amount"]) == Decimal(s["export_amount"])


# -- engine-independent behaviour -----------------------------------------------------------
def test_generation_is_deterministic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    upstream = synthetic_upstream(date(2023, 1, 1), AS_OF)
    sums, texts = [], []
    for run in ("a", "b"):
        sink = CountingSink()
        golden = Golden(tmp_path / run / "onestream" / "golden")
        FIXTURE.generate(Context("onestream", Settings(as_of=AS_OF), sink, golden, upstream))
        sums.append(sink.checksums())
        texts.append({p.name: p.read_text() for p in (tmp_path / run / "onestream").rglob("*.*")})
        assert not [p for p in (tmp_path / run).rglob("*") if p.name.endswith(".tmp")]
    assert sums[0] == sums[1] and texts[0] == texts[1]
    assert len(texts[0]) == 12 + 6  # export files and golden files


def test_export_write_is_atomic(tmp_path: Path) -> None:
    target = write_export(tmp_path, "Actual_2024.csv", [])
    original = target.read_text()

    def failing() -> Iterator[dict[str, str]]:
        yield {
            c: "x"
            for c in (
                "Cube",
                "Entity",
                "Parent",
                "Cons",
                "Scenario",
                "Time",
                "View",
                "Account",
                "Flow",
                "Origin",
                "IC",
                "Amount",
                *(f"UD{i}" for i in range(1, 9)),
            )
        }
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_export(tmp_path, "Actual_2024.csv", failing())
    assert target.read_text() == original
    assert [p.name for p in tmp_path.iterdir()] == ["Actual_2024.csv"]


def test_bad_upstream_is_a_one_line_error() -> None:
    settings = Settings(as_of=AS_OF)
    bad_account = {
        "jde": Result(
            "jde", gl_months=[GlMonth("jde", "00001", "x", "9999", "USD", 2, date(2024, 1, 1), 1)]
        )
    }
    two_currencies = {
        "jde": Result(
            "jde",
            gl_months=[
                GlMonth("jde", "00001", "x", "1000", "USD", 2, date(2024, 1, 1), 1),
                GlMonth("jde", "00001", "x", "1000", "EUR", 2, date(2024, 2, 1), 1),
            ],
        )
    }
    for upstream, message in (
        (bad_account, "unknown group account"),
        (two_currencies, "one currency per company"),
    ):
        ctx = Context("onestream", settings, CountingSink(), Golden(None), upstream)
        with pytest.raises(FixtureError, match=message) as err:
            FIXTURE.generate(ctx)
        assert "\n" not in str(err.value)


def test_through_the_runner_with_the_current_erp_generators(tmp_path: Path) -> None:
    settings = Settings(scale=0.05, as_of=AS_OF)
    url = f"sqlite:///{tmp_path / 'os.db'}"
    run_generate(["onestream"], settings, url, out=tmp_path)
    upstream = {
        n: BY_NAME[n].generate(Context(n, settings, CountingSink(), Golden(None)))
        for n in FIXTURE.needs_upstream
    }
    db = make_db("sqlite", url, tmp_path)
    assert {n for d, n in db.members().values() if d == 0} >= {
        "Group",
        "JDE_Ops",
        "Vista_Ops",
        "NetSuite_Ops",
    }
    erp = erp_months([upstream])
    n_rows = sum(len(db.rows(f"DataRecord{y}")) for y in db.years())
    if not erp:  # the ERP generators write no GL yet: an empty but valid cube
        assert n_rows == 0
        for path in (tmp_path / "onestream" / "exports").glob("*.csv"):
            assert len(path.read_text().splitlines()) == 1
    else:
        tie = read_csv(tmp_path / "onestream" / "golden" / "actual_tie.csv")
        assert n_rows > 0 and tie
        assert all(r["amount_onestream"] == r["amount_erp"] for r in tie)
        assert {
            (r["entity"], r["group_account"], r["month"])
            for r in tie
            if Decimal(r["amount_erp"]) != 0
        } == {(e, a, m.isoformat()) for (e, a, m), v in erp.items() if v != 0}
    with pytest.raises(FixtureError, match="together with jde, vista, netsuite"):
        run_advance(["onestream"], url, UNTIL, out=tmp_path)


# -- advance --------------------------------------------------------------------------------
def test_advance_loads_new_months_and_keeps_the_rules(advanced: Db) -> None:
    cells = advanced.cells()
    erp = erp_months([restated_upstream()])
    cube_months = periodic_actual(cells)
    assert max(m for _, _, m in erp) == date(2027, 2, 1)
    for (ent, acc, month), amount in erp.items():
        assert cube_months[(ent, acc, month)] == Decimal(amount).scaleb(-DECIMALS[ent])
    assert 2027 in advanced.years()
    for scen in ("Actual", "Budget", "Forecast"):
        assert any(k[0] == scen and k[1] == 2027 for k in cells)
    elim = read_csv(advanced.out / "onestream" / "golden" / "eliminations.csv")
    assert "2027-02-01" in {r["month"] for r in elim}
    assert all(Decimal(r["ic_total_after"]) == 0 for r in elim)
    tie = read_csv(advanced.out / "onestream" / "golden" / "actual_tie.csv")
    assert "2027-02-01" in {r["month"] for r in tie}
    assert all(r["amount_onestream"] == r["amount_erp"] for r in tie)
    files = export_cells(advanced.out / "onestream" / "exports")
    stored = {
        (*k, m): v for k, vs in cells.items() for m, v in enumerate(vs, start=1) if v is not None
    }
    assert files == stored


def test_advance_replaces_partitions_and_keeps_member_ids(advanced: Db) -> None:
    before, ids_before = advanced.before or {}, advanced.ids_before or {}
    after, ids_after = advanced.cells(), advanced.members()
    assert all(ids_after[i] == v for i, v in ids_before.items())
    assert {n for d, n in ids_after.values() if d == 4} >= {"2027", "2027M1", "2027M12"}
    budget_2026 = {k: v for k, v in before.items() if k[:2] == ("Budget", 2026)}
    assert budget_2026 and all(after[k] == v for k, v in budget_2026.items())
    old_2024 = {k: v for k, v in before.items() if k[1] == 2024}
    assert all(after[k] == v for k, v in old_2024.items())
    late = ("Actual", 2025, "JDE_00001", "None", "Local", "Import", "6000", "None")
    assert after[late][2] == (before[late][2] or 0) + Decimal("123.45")  # March restated
    assert after[late][1] == before[late][1]
    assert after[("Forecast", *late[1:5], "Forms", *late[6:])][2] == after[late][2]
    changed = 0
    for k, v in after.items():
        if k[0] == "Forecast" and k[1] == 2026:  # now nine months of Actual
            actual = after[("Actual", *k[1:5], "Import", *k[6:])]
            assert [x or 0 for x in v[:9]] == [x or 0 for x in actual[:9]]
            changed += before.get(k) != v
        if k[:2] == ("Actual", 2026) and k[4] == "Local":
            assert v[6] is not None  # July loaded
    assert changed > 0
    forecast_2027 = [v for k, v in after.items() if k[:2] == ("Forecast", 2027)]
    assert forecast_2027 and all(x is not None for v in forecast_2027 for x in v)


def test_advance_is_refused_without_the_erps(advanced: Db) -> None:
    sink = SqlSink(advanced.engine)
    ctx = AdvanceContext(
        "onestream",
        Settings(as_of=UNTIL),
        sink,
        Golden(None),
        {"jde": Result("jde")},
        until=date(2027, 3, 31),
        target=sink,
    )
    with pytest.raises(FixtureError, match="together with vista, netsuite"):
        FIXTURE.advance(ctx)


def test_advance_adds_an_erp_result_that_holds_only_new_months(tmp_path: Path) -> None:
    db = make_db("sqlite", f"sqlite:///{tmp_path / 'os.db'}", tmp_path)
    generate_into(db)
    sink = SqlSink(db.engine)
    deltas = synthetic_upstream(date(2026, 7, 1), UNTIL)
    ctx = AdvanceContext(
        "onestream", Settings(as_of=AS_OF), sink, Golden(None), deltas, until=UNTIL, target=sink
    )
    try:
        FIXTURE.advance(ctx)
        sink.commit()
    finally:
        sink.close()
    erp = erp_months([synthetic_upstream(date(2023, 1, 1), AS_OF), deltas])
    cube_months = periodic_actual(db.cells())
    assert {k: v for k, v in cube_months.items() if v != 0} == {
        k: Decimal(v).scaleb(-DECIMALS[k[0]]) for k, v in erp.items() if v != 0
    }
    db.engine.dispose()
