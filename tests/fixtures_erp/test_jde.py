"""The JDE fixture on SQLite, PostgreSQL and MariaDB: physical forms, exact consistency,
golden answers, the planted signal, and what ``advance`` changes.

Per engine the fixture is generated twice with the same settings: ``gen`` stays as generated,
``adv`` is then advanced to ``UNTIL``; comparing the two shows what advance changed.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from fixtures.core import (
    REFERENCE_DATE,
    SHIFT_START,
    Context,
    CountingSink,
    FixtureError,
    Golden,
    Result,
    Settings,
)
from fixtures.core.ddl import sa_table
from fixtures.jde import FIXTURE
from fixtures.jde import codecs as jc
from fixtures.jde.enterprise import CURRENCY, chart
from fixtures.jde.tables import TABLE_NAMES, spec
from fixtures.run import advance, generate

SCALE = 0.1
AS_OF = REFERENCE_DATE
UNTIL = date(2026, 9, 30)
START = date(2023, 1, 1)
ENGINES = ("sqlite", "postgresql", "mariadb")
SETTINGS = Settings(scale=SCALE)
DATA = Path(jc.__file__).resolve().parent / "data"


class Db:
    """Core queries on one fixture database (numbers as ``int``, strings as returned)."""

    def __init__(self, url: str, kind: str) -> None:
        self.engine = sa.create_engine(url)
        self.kind = kind
        self.metadata = sa.MetaData()

    def t(self, name: str) -> sa.Table:
        return sa_table(spec(name), self.metadata, self.engine.dialect.name)

    def rows(self, stmt: sa.Select[Any]) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(_plain(v) for v in r) for r in conn.execute(stmt)]

    def scalar(self, stmt: sa.Select[Any]) -> Any:
        return self.rows(stmt)[0][0]


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else v
    return v


def _stored_key(table: str, column: str, value: str) -> str | int:
    """A trimmed key value as stored: business units right-justified, other strings padded."""
    col = spec(table).column(column)
    if col.type != "nchar":
        return int(value)
    return jc.mcu(value) if column.endswith("MCU") else value.ljust(col.length or 0)


@dataclass
class Built:
    kind: str
    gen: Db
    adv: Db
    gen_golden: Path
    adv_golden: Path
    gen_result: Result
    adv_result: Result

    def db(self, state: str) -> Db:
        return self.gen if state == "gen" else self.adv

    def golden(self, state: str, name: str) -> list[dict[str, str]]:
        folder = self.gen_golden if state == "gen" else self.adv_golden
        with (folder / f"{name}.csv").open(newline="") as fh:
            return list(csv.DictReader(fh))

    def as_of(self, state: str) -> date:
        return AS_OF if state == "gen" else UNTIL


@pytest.fixture(scope="module", params=ENGINES)
def built(
    request: pytest.FixtureRequest, database_factory: Any, tmp_path_factory: Any
) -> Iterator[Built]:
    kind = request.param
    urls = database_factory(kind), database_factory(kind)
    outs = tmp_path_factory.mktemp(f"jde_gen_{kind}"), tmp_path_factory.mktemp(f"jde_adv_{kind}")
    gen_result = generate(["jde"], SETTINGS, urls[0], out=outs[0])["jde"]
    generate(["jde"], SETTINGS, urls[1], out=outs[1])
    adv_result = advance(["jde"], urls[1], UNTIL, out=outs[1])["jde"]
    built = Built(
        kind,
        Db(urls[0], kind),
        Db(urls[1], kind),
        outs[0] / "jde" / "golden",
        outs[1] / "jde" / "golden",
        gen_result,
        adv_result,
    )
    yield built
    built.gen.engine.dispose()
    built.adv.engine.dispose()


STATES = ("gen", "adv")


# -- schema and physical forms -------------------------------------------------------------


def test_tables_have_every_real_column_in_order(built: Built) -> None:
    insp = sa.inspect(built.gen.engine)
    expected_counts = {"F0911": 141, "F4211": 268, "F42119": 268, "F0902": 56, "F03B11": 157}
    for name in TABLE_NAMES:
        t = spec(name)
        schema = t.schema if built.kind == "postgresql" else None
        columns = [c["name"] for c in insp.get_columns(name, schema=schema)]
        assert columns == list(t.column_names), name
        if name in expected_counts:
            assert len(columns) == expected_counts[name]
    with (DATA / "jde_key_table_columns.csv").open(newline="") as fh:
        f0911 = [r["column"] for r in csv.DictReader(fh) if r["table"] == "F0911"]
    assert spec("F0911").column_names == tuple(f0911) and "GLREG#" in f0911
    if built.kind == "postgresql":
        assert "F0005" in insp.get_table_names(schema="PRODCTL")
        assert "F0911" in insp.get_table_names(schema="PRODDTA")
    t = built.gen.t("F0911")
    assert built.gen.scalar(sa.select(sa.func.count()).where(t.c["GLREG#"] > 0)) > 1000
    schema = "PRODDTA" if built.kind == "postgresql" else None
    types = {c["name"]: c["type"] for c in insp.get_columns("F0911", schema=schema)}
    assert "CHAR" in str(types["GLMCU"]).upper() and types["GLMCU"].length == 12
    assert re.search("NUMERIC|DECIMAL", str(types["GLAA"]).upper())
    assert all(
        not c["nullable"]
        for c in insp.get_columns("F0911", schema=schema)
        if c["name"] in spec("F0911").primary_key
    )


def test_no_nulls_in_jde_columns(built: Built) -> None:
    for name in ("F0911", "F03B11", "F4211", "F0101"):
        t = built.gen.t(name)
        for col in spec(name).columns[:60]:
            n = built.gen.scalar(
                sa.select(sa.func.count()).select_from(t).where(t.c[col.name].is_(None))
            )
            assert n == 0, f"{name}.{col.name}"


@pytest.mark.parametrize("state", STATES)
def test_every_table_carries_audit_stamps(built: Built, state: str) -> None:
    db = built.db(state)
    for name in TABLE_NAMES:
        t = db.t(name)
        stamp = next(c for c in spec(name).column_names if c.endswith("UPMJ"))
        user = next(c for c in spec(name).column_names if c.endswith("USER"))
        time_ = next(c for c in spec(name).column_names if c.endswith(("UPMT", "TDAY")))
        rows = db.rows(
            sa.select(
                sa.func.min(t.c[stamp]),
                sa.func.max(t.c[stamp]),
                sa.func.min(t.c[user]),
                sa.func.max(t.c[time_]),
            )
        )
        lo, hi, who, latest = rows[0]
        assert lo > 0 and jc.from_julian(hi) <= built.as_of(state), name
        assert who.strip() and 0 < latest <= 235959, name


def test_codecs_round_trip() -> None:
    assert jc.julian(date(2024, 1, 1)) == 124001
    assert jc.from_julian(100060) == date(2000, 2, 29)
    assert jc.from_julian(0) is None
    days = np.array(["2023-12-31", "2024-02-29", "NaT"], dtype="datetime64[D]")
    assert jc.julian_array(days).tolist() == [123365, 124060, 0]
    assert jc.from_julian_array(np.array([123365, 124060])).tolist() == [
        date(2023, 12, 31),
        date(2024, 2, 29),
    ]
    assert jc.mcu(20001) == "       20001" and jc.company(20) == "00020"
    assert jc.udc_key("999") == "       999" and jc.udc_key("RET") == "RET       "
    assert jc.units_text(10010, 2) == "100.10" and jc.units_text(-5, 3) == "-0.005"
    with pytest.raises(FixtureError):
        jc.julian(date(1899, 12, 31))
    with pytest.raises(FixtureError):
        jc.mcu("1234567890123")


JULIAN = {  # column: (days before history start, days after the as-of date) it may reach
    ("F0911", "GLDGJ"): (0, 0),
    ("F0911", "GLUPMJ"): (0, 0),
    ("F03B11", "RPDIVJ"): (0, 0),
    ("F03B11", "RPDDJ"): (0, 61),
    ("F03B11", "RPJCL"): (0, 0),
    ("F03B11", "RPUPMJ"): (0, 0),
    ("F03B13", "RYDMTJ"): (0, 0),
    ("F0411", "RPDDJ"): (0, 31),
    ("F0411", "RPUPMJ"): (0, 0),
    ("F4211", "SDTRDJ"): (0, 0),
    ("F4211", "SDDRQJ"): (0, 6),
    ("F4211", "SDADDJ"): (0, 0),
    ("F42119", "SDTRDJ"): (0, 0),
    ("F42119", "SDIVD"): (0, 0),
    ("F42119", "SDUPMJ"): (0, 0),
    ("F0101", "ABUPMJ"): (3000, 0),
    ("F03012", "AIDAOJ"): (900, 0),
    ("F0902", "GBUPMJ"): (0, 0),
    ("F0015", "CXEFT"): (0, 0),
    ("F0008", "CDD12J"): (366, 731),
}


@pytest.mark.parametrize("state", STATES)
def test_julian_dates_decode_within_history(built: Built, state: str) -> None:
    db = built.db(state)
    for (name, column), (back, ahead) in JULIAN.items():
        t = db.t(name)
        stmt = sa.select(sa.func.min(t.c[column]), sa.func.max(t.c[column]))
        lo, hi = db.rows(stmt.where(t.c[column] != 0))[0]
        assert lo is not None, f"{name}.{column} never set"
        first, last = jc.from_julian(int(lo)), jc.from_julian(int(hi))
        assert first is not None and last is not None
        earliest, latest = START - timedelta(days=back), built.as_of(state) + timedelta(days=ahead)
        assert earliest <= first <= last <= latest, column
        assert int(lo) % 1000 >= 1 and int(hi) % 1000 <= 366


def test_padding_and_codes(built: Built) -> None:
    db = built.gen
    gl = db.t("F0911")
    mcus = {r[0] for r in db.rows(sa.select(gl.c.GLMCU).distinct())}
    assert mcus and all(len(m) == 12 and m == m.strip().rjust(12) for m in mcus)
    assert "       20001" in mcus
    objects = {r[0] for r in db.rows(sa.select(gl.c.GLOBJ).distinct())}
    if (
        built.kind == "mariadb"
    ):  # PAD_CHAR_TO_FULL_LENGTH is off: trailing blanks come back stripped
        assert all(len(o) <= 6 and o == o.rstrip() for o in objects)
    else:
        assert all(len(o) == 6 and o == o.strip().ljust(6) for o in objects)
    for name, column in (
        ("F0911", "GLKCO"),
        ("F03B11", "RPKCO"),
        ("F0411", "RPKCO"),
        ("F0006", "MCCO"),
        ("F4211", "SDKCOO"),
        ("F0902", "GBCO"),
    ):
        t = db.t(name)
        codes = {r[0] for r in db.rows(sa.select(t.c[column]).distinct())}
        assert codes and all(re.fullmatch(r"\d{5}", c) for c in codes), (name, codes)
    udc = db.t("F0005")
    keys = dict(db.rows(sa.select(udc.c.DRKY, udc.c.DRDL01).where(udc.c.DRRT == "AT")))
    assert "       999" in keys and "       980" in keys
    alpha = [k for (k,) in db.rows(sa.select(udc.c.DRKY).where(udc.c.DRRT == "01"))]
    assert "RET" in [k.strip() for k in alpha]
    names = [r[0] for r in db.rows(sa.select(db.t("F0101").c.ABALPH).limit(20))]
    if built.kind == "mariadb":
        assert all(len(k) <= 10 and not k.startswith(" ") for k in alpha)
        assert all(len(n) < 40 and n == n.rstrip() for n in names)
    else:
        assert all(len(k) == 10 and k == k.rstrip().ljust(10) for k in alpha)
        assert all(len(n) == 40 for n in names)


def test_company_currencies_and_implied_decimals(built: Built) -> None:
    db = built.gen
    cc, cv = db.t("F0010"), db.t("F0013")
    companies = dict(db.rows(sa.select(cc.c.CCCO, cc.c.CCCRCD)))
    assert {k: v.strip() for k, v in companies.items()} == {
        "00000": "USD",
        "00001": "USD",
        "00010": "USD",
        "00020": "JPY",
        "00050": "KWD",
    }
    decimals = {k.strip(): v.strip() for k, v in db.rows(sa.select(cv.c.CVCRCD, cv.c.CVCDEC))}
    assert decimals == {"USD": "2", "JPY": "0", "KWD": "3"}
    gl = db.t("F0911")
    for kco, typical_abs in (("00020", 10_000), ("00050", 100)):
        avg = db.scalar(sa.select(sa.func.avg(sa.func.abs(gl.c.GLAA))).where(gl.c.GLKCO == kco))
        assert float(avg) > typical_abs  # yen stored whole, dinar in fils: never divided by 100
    so = db.t("F42119")
    lnid = {r[0] for r in db.rows(sa.select(so.c.SDLNID).distinct())}
    assert 1000 in lnid and all(v % 1000 == 0 for v in lnid)


# -- exact consistency ----------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
def test_every_document_balances(built: Built, state: str) -> None:
    db = built.db(state)
    gl = db.t("F0911")
    total = sa.func.sum(gl.c.GLAA)
    docs = sa.select(gl.c.GLDOC, gl.c.GLDCT, gl.c.GLKCO, total).where(gl.c.GLLT == "AA")
    docs = docs.group_by(gl.c.GLDOC, gl.c.GLDCT, gl.c.GLKCO)
    rows = db.rows(docs)
    assert len(rows) > 2000
    assert [r for r in rows if r[3] != 0] == []
    kinds = {str(r[1]).strip() for r in rows}
    assert {"RI", "RM", "RC", "PV", "PK", "JE"} <= kinds


def _posted_detail(db: Db) -> dict[tuple[str, int, int], int]:
    gl = db.t("F0911")
    stmt = (
        sa.select(gl.c.GLAID, gl.c.GLCTRY, gl.c.GLFY, gl.c.GLPN, sa.func.sum(gl.c.GLAA))
        .where(gl.c.GLPOST == "P", gl.c.GLLT == "AA")
        .group_by(gl.c.GLAID, gl.c.GLCTRY, gl.c.GLFY, gl.c.GLPN)
    )
    return {(a.strip(), c * 100 + f, p): s for a, c, f, p, s in db.rows(stmt) if s}


def _balances(db: Db) -> dict[tuple[str, int], tuple[int, list[int]]]:
    gb = db.t("F0902")
    ans = [gb.c[f"GBAN{p:02d}"] for p in range(1, 15)]
    stmt = sa.select(gb.c.GBAID, gb.c.GBCTRY, gb.c.GBFY, gb.c.GBAPYC, *ans).where(gb.c.GBLT == "AA")
    return {(r[0].strip(), r[1] * 100 + r[2]): (r[3], list(r[4:])) for r in db.rows(stmt)}


@pytest.mark.parametrize("state", STATES)
def test_f0902_equals_posted_aa_f0911(built: Built, state: str) -> None:
    db = built.db(state)
    detail = _posted_detail(db)
    balances = {
        (aid, year, p + 1): an[p]
        for (aid, year), (_, an) in _balances(db).items()
        for p in range(14)
        if an[p]
    }
    assert len(detail) > 1000
    assert balances == detail
    gl = db.t("F0911")
    unposted = db.rows(
        sa.select(gl.c.GLAID, sa.func.sum(gl.c.GLAA)).where(gl.c.GLPOST == " ").group_by(gl.c.GLAID)
    )
    assert any(s != 0 for _, s in unposted)  # F0902 excludes them, else the equality would fail


@pytest.mark.parametrize("state", STATES)
def test_balance_forward_follows_the_annual_close(built: Built, state: str) -> None:
    balances = _balances(built.db(state))
    accounts = {a.aid: a for a in chart().accounts}
    years = sorted({y for _, y in balances})
    assert years[-1] == (2026 if state == "adv" else 2025)
    for year in years[1:]:
        pl_net: dict[int, int] = defaultdict(int)
        for (aid, y), (_, an) in balances.items():
            if y == year - 1 and not accounts[aid].balance_sheet:
                pl_net[accounts[aid].company] += sum(an)
        for (aid, y), (apyc, _) in balances.items():
            if y != year:
                continue
            acct = accounts[aid]
            prior_apyc, prior_an = balances.get((aid, year - 1), (0, [0] * 14))
            expected = prior_apyc + sum(prior_an) if acct.balance_sheet else 0
            if acct.obj == "3110":
                expected += pl_net[acct.company]
            assert apyc == expected, (aid, year)


@pytest.mark.parametrize("state", STATES)
def test_open_amount_is_gross_minus_applied_receipts(built: Built, state: str) -> None:
    db = built.db(state)
    rp, rz = db.t("F03B11"), db.t("F03B14")
    applied = (
        sa.select(
            rz.c.RZDOC, rz.c.RZDCT, rz.c.RZKCO, rz.c.RZSFX, sa.func.sum(rz.c.RZPAAP).label("paid")
        )
        .group_by(rz.c.RZDOC, rz.c.RZDCT, rz.c.RZKCO, rz.c.RZSFX)
        .subquery()
    )
    join = rp.outerjoin(
        applied,
        sa.and_(
            applied.c.RZDOC == rp.c.RPDOC,
            applied.c.RZDCT == rp.c.RPDCT,
            applied.c.RZKCO == rp.c.RPKCO,
            applied.c.RZSFX == rp.c.RPSFX,
        ),
    )
    rows = db.rows(
        sa.select(
            rp.c.RPAG, rp.c.RPAAP, sa.func.coalesce(applied.c.paid, 0), rp.c.RPPST, rp.c.RPJCL
        ).select_from(join)
    )
    assert len(rows) > 500
    assert all(aap == ag - paid for ag, aap, paid, _, _ in rows)
    assert all(
        (pst == "P") == (aap == 0) and (jcl != 0) == (aap == 0) for _, aap, _, pst, jcl in rows
    )
    assert sum(1 for r in rows if r[1] != 0 and r[1] != r[0]) > 0  # some partly paid ones
    assert sum(1 for r in rows if r[1] != 0) > 10
    rec = db.t("F03B13")
    lines = dict(db.rows(sa.select(rz.c.RZPYID, sa.func.sum(rz.c.RZPAAP)).group_by(rz.c.RZPYID)))
    headers = dict(db.rows(sa.select(rec.c.RYPYID, rec.c.RYCKAM)))
    assert headers == lines and len(headers) > 500  # receipt amount = its applications


@pytest.mark.parametrize("state", STATES)
def test_sales_history_and_open_lines_are_disjoint(built: Built, state: str) -> None:
    db = built.db(state)
    sd, sh = db.t("F4211"), db.t("F42119")
    key = ("SDDOCO", "SDDCTO", "SDKCOO", "SDLNID")
    both = db.scalar(
        sa.select(sa.func.count()).select_from(
            sd.join(sh, sa.and_(*(sd.c[k] == sh.c[k] for k in key)))
        )
    )
    assert both == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(sd)) > 0
    statuses = {(a, b) for a, b in db.rows(sa.select(sh.c.SDNXTR, sh.c.SDLTTR).distinct())}
    assert statuses == {("999", "620"), ("999", "980")}
    assert all(n != "999" for (n,) in db.rows(sa.select(sd.c.SDNXTR).distinct()))


# -- golden answers -------------------------------------------------------------------------


def _money(amount: int, currency: str) -> Decimal:
    return jc.to_units(int(amount), CURRENCY[currency.strip()].decimals)


@pytest.mark.parametrize("state", STATES)
def test_golden_trial_balance_agrees_with_the_ledger(built: Built, state: str) -> None:
    db = built.db(state)
    detail = _posted_detail(db)
    balances = _balances(db)
    accounts = {a.aid: a for a in chart().accounts}
    rows = built.golden(state, "trial_balance")
    assert len(rows) > 500
    seen = set()
    for r in rows:
        aid, year, period = r["aid"], int(r["fiscal_year"]), int(r["period"])
        acct = accounts[aid]
        assert r["account"] == acct.code and r["group_account"] == acct.group
        assert Decimal(r["amount"]) == _money(detail.get((aid, year, period), 0), r["currency"])
        apyc, an = balances[(aid, year)]
        expected = (apyc if acct.balance_sheet else 0) + sum(an[:period])
        assert Decimal(r["balance"]) == _money(expected, r["currency"])
        seen.add((aid, year, period))
    assert set(detail) <= seen
    last = max((int(r["fiscal_year"]), int(r["period"])) for r in rows)
    assert last == ((2025, 12) if state == "gen" else (2026, 3))
    by_company: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in rows:
        by_company[(r["company"], r["month"])] += Decimal(r["balance"])
    assert all(v == 0 for v in by_company.values())  # the books balance every month


def _aging_from_db(db: Db, as_of: date) -> dict[tuple[str, str, str], list[Decimal]]:
    rp, rz = db.t("F03B11"), db.t("F03B14")
    invoices = db.rows(
        sa.select(
            rp.c.RPDOC,
            rp.c.RPDCT,
            rp.c.RPKCO,
            rp.c.RPAN8,
            rp.c.RPDIVJ,
            rp.c.RPDDJ,
            rp.c.RPAG,
            rp.c.RPCRCD,
        )
    )
    receipts: dict[tuple[int, str, str], list[tuple[date, int]]] = defaultdict(list)
    for doc, dct, kco, day, amount in db.rows(
        sa.select(rz.c.RZDOC, rz.c.RZDCT, rz.c.RZKCO, rz.c.RZDMTJ, rz.c.RZPAAP)
    ):
        receipts[(doc, dct.strip(), kco)].append((jc.from_julian(day), amount))
    first = min(jc.from_julian(r[4]) for r in invoices)
    out: dict[tuple[str, str, str], list[Decimal]] = {}
    month = first.replace(day=1)
    while month <= as_of:
        nxt = (month + timedelta(days=32)).replace(day=1)
        end = min(nxt - timedelta(days=1), as_of)
        for doc, dct, kco, an8, divj, ddj, ag, crcd in invoices:
            if jc.from_julian(divj) > end:
                continue
            paid = sum(a for d, a in receipts[(doc, dct.strip(), kco)] if d <= end)
            open_ = ag - paid
            if open_ == 0:
                continue
            age = (end - jc.from_julian(ddj)).days
            bucket = (
                0 if age <= 0 else 1 if age <= 30 else 2 if age <= 60 else 3 if age <= 90 else 4
            )
            key = (kco, str(an8), end.isoformat())
            values = out.setdefault(key, [Decimal(0)] * 5)
            values[bucket] += _money(open_, crcd)
        month = nxt
    return {k: v for k, v in out.items() if sum(v) != 0}


@pytest.mark.parametrize("state", STATES)
def test_golden_ar_aging_agrees_with_the_ledger(built: Built, state: str) -> None:
    expected = _aging_from_db(built.db(state), built.as_of(state))
    rows = built.golden(state, "ar_aging")
    got = {
        (r["company"], r["customer"], r["month_end"]): [
            Decimal(r[b]) for b in ("current", "d1_30", "d31_60", "d61_90", "d91_plus")
        ]
        for r in rows
    }
    assert len(got) > 300
    assert got == expected
    assert all(
        Decimal(r["total"]) == sum(got[(r["company"], r["customer"], r["month_end"])]) for r in rows
    )
    assert any(Decimal(r["d31_60"]) != 0 for r in rows)


def test_account_map_and_samples_agree_with_the_database(built: Built) -> None:
    db = built.gen
    gm = db.t("F0901")
    stored = {
        aid.strip(): (mcu.strip(), obj.strip(), sub.strip(), r21.strip())
        for aid, mcu, obj, sub, r21 in db.rows(
            sa.select(gm.c.GMAID, gm.c.GMMCU, gm.c.GMOBJ, gm.c.GMSUB, gm.c.GMR021)
        )
    }
    mapped = built.golden("gen", "account_map")
    assert {r["aid"] for r in mapped} == set(stored)
    for r in mapped:
        assert (r["business_unit"], r["object"], r["subsidiary"], r["group_account"]) == stored[
            r["aid"]
        ]
    ic = {r["account"]: r["ic_partner"] for r in mapped if r["ic_partner"]}
    assert ic == {
        "1.1310": "00010",
        "1003.4910": "00010",
        "10.2110": "00001",
        "10002.5910": "00001",
    }
    samples = built.golden("gen", "decoded_samples")
    assert {r["table"] for r in samples} >= {"F0911", "F03B11", "F4211", "F42119", "F0902", "F0101"}
    for r in samples:
        t = spec(r["table"])
        sat = db.t(r["table"])
        key = r["key"].split("|")
        where = [
            sat.c[k] == _stored_key(t.name, k, v) for k, v in zip(t.primary_key, key, strict=True)
        ]
        (value,) = db.rows(sa.select(sat.c[r["column"]]).where(*where))[0]
        raw = value.rstrip() if isinstance(value, str) else str(value)
        assert raw == r["raw"], r
    decoded = {(r["table"], r["column"]): r["decoded"] for r in samples}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", decoded[("F0911", "GLDGJ")])
    kwd = [
        r
        for r in samples
        if r["table"] == "F03B11" and r["column"] == "RPAG" and r["key"].endswith("|00050|001")
    ]
    assert kwd and Decimal(kwd[0]["decoded"]) == Decimal(kwd[0]["raw"]) / 1000


@pytest.mark.parametrize("state", STATES)
def test_golden_sales_monthly_agrees(built: Built, state: str) -> None:
    db = built.db(state)
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for name in ("F4211", "F42119"):
        t = db.t(name)
        for litm, trdj, qty, amount in db.rows(
            sa.select(t.c.SDLITM, t.c.SDTRDJ, t.c.SDUORG, t.c.SDAEXP).where(t.c.SDLTTR != "980")
        ):
            key = (litm.strip(), jc.from_julian(trdj).replace(day=1).isoformat())
            totals[key][0] += qty
            totals[key][1] += amount
            totals[key][2] += 1
    rows = built.golden(state, "sales_monthly")
    got = {
        (r["item"], r["month"]): [Decimal(r["quantity"]), Decimal(r["amount"]), int(r["lines"])]
        for r in rows
    }
    expected = {
        k: [jc.to_units(q, jc.QTY_DECIMALS), jc.to_units(a, 2), n]
        for k, (q, a, n) in totals.items()
    }
    assert got == expected and len(got) > 100


def test_gl_months_result_ties_to_the_ledger(built: Built) -> None:
    for state, result in (("gen", built.gen_result), ("adv", built.adv_result)):
        db = built.db(state)
        gl = db.t("F0911")
        stmt = sa.select(gl.c.GLKCO, gl.c.GLAID, gl.c.GLDGJ, gl.c.GLAA).where(
            gl.c.GLPOST == "P", gl.c.GLLT == "AA"
        )
        accounts = {a.aid: a.code for a in chart().accounts}
        sums: dict[tuple[str, str, date], int] = defaultdict(int)
        for kco, aid, dgj, amount in db.rows(stmt):
            sums[(kco, accounts[aid.strip()], jc.from_julian(dgj).replace(day=1))] += amount
        got = {(m.company, m.account, m.month): m.amount for m in result.gl_months}
        assert got == {k: v for k, v in sums.items() if v}
        per_company_month: dict[tuple[str, date], int] = defaultdict(int)
        for m in result.gl_months:
            per_company_month[(m.company, m.month)] += m.amount
        assert all(v == 0 for v in per_company_month.values())
        ic = {m.account: m.ic_partner for m in result.gl_months if m.ic_partner}
        assert ic.get("1.1310") == "00010" and ic.get("10.2110") == "00001"


# -- planted signal -------------------------------------------------------------------------


def _lateness(db: Db) -> list[tuple[int, date, int, str]]:
    """(customer, due date, days paid after due, segment) of every paid invoice."""
    rp, ab = db.t("F03B11"), db.t("F0101")
    stmt = (
        sa.select(rp.c.RPAN8, rp.c.RPDDJ, rp.c.RPJCL, ab.c.ABAC01)
        .join_from(rp, ab, ab.c.ABAN8 == rp.c.RPAN8)
        .where(rp.c.RPDCT == "RI", rp.c.RPPST == "P")
    )
    out = []
    for an8, ddj, jcl, segment in db.rows(stmt):
        due = jc.from_julian(ddj)
        out.append((an8, due, (jc.from_julian(jcl) - due).days, segment.strip()))
    return out


def test_customer_history_predicts_lateness(built: Built) -> None:
    middle = date(2024, 10, 1)
    halves: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for an8, due, late, _ in _lateness(built.gen):
        if due < SHIFT_START:
            halves[an8][due >= middle].append(late)
    pairs = [(np.mean(a), np.mean(b)) for a, b in halves.values() if len(a) >= 3 and len(b) >= 3]
    assert len(pairs) >= 15
    r = np.corrcoef(np.array(pairs).T)[0, 1]
    assert r > 0.5


def test_wholesale_pays_later_from_the_shift(built: Built) -> None:
    before: dict[bool, list[int]] = defaultdict(list)
    after: dict[bool, list[int]] = defaultdict(list)
    for _, due, late, segment in _lateness(built.gen):
        wholesale = segment == "WHL"
        if date(2025, 1, 1) <= due < SHIFT_START:
            before[wholesale].append(late)
        elif SHIFT_START <= due < date(2026, 4, 1):  # paid by the as-of date whatever the delay
            after[wholesale].append(late)
    shift = {w: np.mean(after[w]) - np.mean(before[w]) for w in (True, False)}
    assert shift[True] - shift[False] > 8
    assert abs(shift[False]) < 5


def test_prices_rise_eight_percent_and_ecom_appears(built: Built) -> None:
    db = built.gen
    sh = db.t("F42119")
    price: dict[tuple[int, bool], set[int]] = defaultdict(set)
    for itm, trdj, uprc in db.rows(sa.select(sh.c.SDITM, sh.c.SDTRDJ, sh.c.SDUPRC)):
        price[(itm, jc.from_julian(trdj) >= SHIFT_START)].add(uprc)
    ratios = [
        max(price[(i, True)]) / max(price[(i, False)])
        for i, late in price
        if late and (i, False) in price
    ]
    assert len(ratios) > 10 and all(abs(r - 1.08) < 0.002 for r in ratios)
    ab, am = db.t("F0101"), db.t("F03012")
    rows = db.rows(sa.select(ab.c.ABAC02, am.c.AIDAOJ).join_from(ab, am, am.c.AIAN8 == ab.c.ABAN8))
    ecom = [jc.from_julian(d) for c, d in rows if c.strip() == "ECM"]
    assert ecom and all(d >= SHIFT_START for d in ecom)
    udc = db.t("F0005")
    assert db.rows(
        sa.select(udc.c.DRDL01).where(
            udc.c.DRRT == "02", udc.c.DRKY == _stored_key("F0005", "DRKY", "ECM")
        )
    )


def test_demand_is_seasonal(built: Built) -> None:
    rows = built.golden("gen", "sales_monthly")
    by_item: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in rows:
        by_item[r["item"]][int(r["month"][5:7])] += Decimal(r["quantity"])
    spreads = [
        max(m.values()) / max(min(m.values()), Decimal(1)) for m in by_item.values() if len(m) == 12
    ]
    assert len(spreads) > 5 and float(np.median([float(s) for s in spreads])) > 1.5


# -- advance --------------------------------------------------------------------------------


def _unposted_batches(db: Db) -> list[tuple[int, int]]:
    gl = db.t("F0911")
    rows = db.rows(
        sa.select(gl.c.GLICU, sa.func.min(gl.c.GLDGJ))
        .where(gl.c.GLPOST == " ")
        .group_by(gl.c.GLICU)
    )
    return sorted(((int(d), int(icu)) for icu, d in rows))


def test_advance_deletes_one_unposted_batch_and_posts_the_rest(built: Built) -> None:
    before = _unposted_batches(built.gen)
    assert len(before) >= 2
    gl = built.adv.t("F0911")
    oldest = before[0][1]
    assert built.adv.scalar(sa.select(sa.func.count()).where(gl.c.GLICU == oldest)) == 0
    for _, icu in before[1:]:
        posts = {
            p for (p,) in built.adv.rows(sa.select(gl.c.GLPOST).where(gl.c.GLICU == icu).distinct())
        }
        assert posts == {"P"}
        regs = built.adv.rows(
            sa.select(sa.func.min(gl.c["GLREG#"]), sa.func.min(gl.c.GLUPMJ)).where(
                gl.c.GLICU == icu
            )
        )[0]
        assert regs[0] > 0 and jc.from_julian(regs[1]) > AS_OF
    after = _unposted_batches(built.adv)
    assert after and all(jc.from_julian(d) > AS_OF for d, _ in after)


def test_advance_moves_finished_lines_to_history(built: Built) -> None:
    key = ("SDDOCO", "SDDCTO", "SDKCOO", "SDLNID")

    def keys(db: Db, name: str) -> set[tuple[Any, ...]]:
        t = db.t(name)
        return {
            tuple(str(v).strip() for v in r) for r in db.rows(sa.select(*(t.c[k] for k in key)))
        }

    open_before = keys(built.gen, "F4211")
    open_after, history_after = keys(built.adv, "F4211"), keys(built.adv, "F42119")
    moved = open_before & history_after
    assert moved and not moved & open_after
    assert keys(built.gen, "F42119") < history_after
    sh = built.adv.t("F42119")
    stamps = built.adv.rows(
        sa.select(sh.c.SDDOCO, sh.c.SDLNID, sh.c.SDUPMJ, sh.c.SDNXTR, sh.c.SDTDAY)
    )
    for doco, lnid, upmj, nxtr, tday in stamps:
        if any(m[0] == str(doco) and m[3] == str(lnid) for m in moved):
            assert jc.from_julian(upmj) > AS_OF and nxtr == "999" and 0 <= tday <= 235959
    assert {
        k
        for k in open_after
        if int(k[0]) > max(int(k[0]) for k in open_before | keys(built.gen, "F42119"))
    }


def test_advance_applies_receipts_and_moves_audit_stamps(built: Built) -> None:
    rp_gen, rp_adv = built.gen.t("F03B11"), built.adv.t("F03B11")
    cols = ("RPDOC", "RPDCT", "RPKCO", "RPAAP", "RPPST", "RPJCL", "RPUPMJ", "RPUPMT")
    before = {r[:3]: r[3:] for r in built.gen.rows(sa.select(*(rp_gen.c[c] for c in cols)))}
    after = {r[:3]: r[3:] for r in built.adv.rows(sa.select(*(rp_adv.c[c] for c in cols)))}
    assert set(before) < set(after)
    changed = [k for k in before if before[k] != after[k]]
    assert len(changed) > 5
    assert all(jc.from_julian(after[k][3]) > AS_OF for k in changed)  # every updated row stamped
    closed = [k for k in changed if after[k][1] == "P"]
    assert closed and all(after[k][0] == 0 and jc.from_julian(after[k][2]) > AS_OF for k in closed)
    new = [k for k in after if k not in before]
    assert new and all(jc.from_julian(after[k][3]) > AS_OF for k in new)
    ap_gen, ap_adv = built.gen.t("F0411"), built.adv.t("F0411")
    vcols = ("RPDOC", "RPAAP", "RPPST", "RPUPMJ")
    vb = {r[0]: r[1:] for r in built.gen.rows(sa.select(*(ap_gen.c[c] for c in vcols)))}
    va = {r[0]: r[1:] for r in built.adv.rows(sa.select(*(ap_adv.c[c] for c in vcols)))}
    paid = [d for d in vb if vb[d] != va[d]]
    assert paid and all(
        va[d][0] == 0 and va[d][1] == "P" and jc.from_julian(va[d][2]) > AS_OF for d in paid
    )


def test_advance_rolls_balances_and_periods(built: Built) -> None:
    before, after = _balances(built.gen), _balances(built.adv)
    assert {y for _, y in after} - {y for _, y in before} == {2026}
    gb = built.adv.t("F0902")
    stamps = {
        (a.strip(), c * 100 + f): u
        for a, c, f, u in built.adv.rows(sa.select(gb.c.GBAID, gb.c.GBCTRY, gb.c.GBFY, gb.c.GBUPMJ))
    }
    changed = [k for k in before if before[k] != after[k]]
    assert changed and all(jc.from_julian(stamps[k]) > AS_OF for k in changed)
    cc = built.adv.t("F0010")
    assert {
        (p, jc.from_julian(y)) for p, y in built.adv.rows(sa.select(cc.c.CCPNC, cc.c.CCDFYJ))
    } == {(3, date(2026, 7, 1))}
    cd = built.adv.t("F0008")
    years = {c * 100 + f for c, f in built.adv.rows(sa.select(cd.c.CDCTRY, cd.c.CDFY))}
    assert {2026, 2027} <= years
    cx = built.adv.t("F0015")
    last = max(jc.from_julian(e) for (e,) in built.adv.rows(sa.select(cx.c.CXEFT)))
    assert last == date(2026, 9, 1)


# -- determinism and bad input --------------------------------------------------------------


def test_generation_is_deterministic_across_engines(built: Built) -> None:
    sink = CountingSink()
    FIXTURE.generate(Context("jde", SETTINGS, sink, Golden(None)))
    assert sink.checksums() == built.gen_result.checksums
    assert sink.rows == built.gen_result.rows


def test_bad_input_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    with pytest.raises(FixtureError, match="must be after"):
        generate(["jde"], Settings(scale=0.05, as_of=date(2022, 12, 31)), url, out=tmp_path)
    assert sa.inspect(sa.create_engine(url)).get_table_names() == []
    generate(["jde"], Settings(scale=0.05), url, out=tmp_path)
    with pytest.raises(FixtureError, match="--to must be later"):
        advance(["jde"], url, AS_OF, out=tmp_path)
    engine = sa.create_engine(url)
    ab = sa_table(spec("F0101"), sa.MetaData(), "sqlite")
    with engine.begin() as conn:
        conn.execute(ab.update().where(ab.c.ABAN8 == 1_000_001).values(ABAC01="ZZZ"))
    with pytest.raises(FixtureError, match="do not match"):
        advance(["jde"], url, UNTIL, out=tmp_path)
