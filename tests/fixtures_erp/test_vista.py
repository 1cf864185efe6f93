"""The Vista fixture on SQLite, PostgreSQL and MariaDB: physical forms, exact consistency,
golden answers, the planted signal, the security views, and what ``advance`` changes.

Per engine the fixture is generated twice with the same settings: ``gen`` stays as generated,
``adv`` is snapshotted and then advanced, so the tests can see what advance moved.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from connectors.config import VistaSource
from connectors.core.catalog import LandingColumn
from connectors.core.connector import TableState
from connectors.core.sql import render
from connectors.vista import VistaConnector
from fixtures.core import (
    REFERENCE_DATE,
    SHIFT_START,
    Context,
    CountingSink,
    FixtureError,
    Golden,
    Settings,
    SqlSink,
)
from fixtures.core.signals import add_months, planned_curve
from fixtures.run import advance, generate
from fixtures.vista import chart as ch
from fixtures.vista.codecs import decode
from fixtures.vista.dbio import cents, day
from fixtures.vista.generate import generate as generate_vista
from fixtures.vista.grants import RESTRICTED_LOGIN, SERVICE_LOGIN
from fixtures.vista.parties import customer_book
from fixtures.vista.rollups import JCCP_KEY, JCCP_SUMS
from fixtures.vista.samples import SAMPLE_TABLES
from fixtures.vista.tables import BY_NAME, NO_KEY_ID, TABLES
from fixtures.vista.views import VIEWS
from fixtures.vista.world import World

SCALE = 0.2
AS_OF = REFERENCE_DATE
UNTIL = date(2026, 9, 30)
REOPENED = datetime(2026, 5, 1)
ENGINES = ("sqlite", "postgresql", "mariadb")
KEY_ID_TABLES = [t.name for t in TABLES if t.name not in NO_KEY_ID]


@dataclass
class Built:
    kind: str
    url: str
    out: Path
    engine: sa.Engine
    sink: SqlSink
    checksums: dict[str, str]
    before: dict[str, Any] = field(default_factory=dict)

    def t(self, name: str) -> sa.Table:
        return self.sink.sa_table(BY_NAME[name])

    def rows(self, stmt: sa.Executable) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(stmt))

    def scalar(self, stmt: sa.Executable) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(stmt).scalar()

    def golden(self, name: str) -> list[dict[str, str]]:
        with (self.out / "vista" / "golden" / f"{name}.csv").open() as fh:
            return list(csv.DictReader(fh))


def _build(factory: Any, kind: str, out: Path) -> Built:
    url = factory(kind)
    results = generate(["vista"], Settings(scale=SCALE, as_of=AS_OF), url, out=out)
    engine = sa.create_engine(url)
    return Built(kind, url, out, engine, SqlSink(engine), results["vista"].checksums)


@pytest.fixture(scope="module", params=ENGINES)
def gen(
    request: pytest.FixtureRequest, database_factory: Any, tmp_path_factory: Any
) -> Iterator[Built]:
    built = _build(database_factory, request.param, tmp_path_factory.mktemp("vista_gen"))
    yield built
    built.engine.dispose()


@pytest.fixture(scope="module", params=ENGINES)
def adv(
    request: pytest.FixtureRequest, database_factory: Any, tmp_path_factory: Any
) -> Iterator[Built]:
    built = _build(database_factory, request.param, tmp_path_factory.mktemp("vista_adv"))
    built.before = _snapshot(built)
    advance(["vista"], built.url, UNTIL, out=built.out)
    yield built
    built.engine.dispose()


def _snapshot(b: Built) -> dict[str, Any]:
    jccd, arth, aptd, jcjm = b.t("bJCCD"), b.t("bARTH"), b.t("bAPTD"), b.t("bJCJM")
    return {
        "key_ids": {n: b.scalar(sa.select(sa.func.max(b.t(n).c.KeyID))) for n in KEY_ID_TABLES},
        "reopened": {
            (int(r.JCCo), int(r.CostTrans)): cents(r.ActualCost)
            for r in b.rows(sa.select(jccd))
            if r.Mth == REOPENED  # compared in Python: SQLite keeps dates as text
        },
        "paid": {
            (int(r.ARCo), r.Mth, int(r.ARTrans)): cents(r.Paid)
            for r in b.rows(sa.select(arth).where(arth.c.ARTransType == "I"))
        },
        "ap_status": {
            (int(r.APCo), r.Mth, int(r.APTrans), int(r.APLine)): int(r.Status)
            for r in b.rows(sa.select(aptd))
        },
        "job_status": {(int(r.JCCo), r.Job): int(r.JobStatus) for r in b.rows(sa.select(jcjm))},
    }


# -- consistency checks shared by the generated and the advanced database -------------------


def check_jccp_rollup(b: Built) -> int:
    d, p = b.t("bJCCD"), b.t("bJCCP")
    sums = [
        sa.func.sum(sa.case((d.c.JCTransType == "OE", d.c[src]), else_=0) if oe else d.c[src])
        for _, src, oe in JCCP_SUMS
    ]
    keys = [d.c[k] for k in JCCP_KEY]
    detail = {
        tuple(r[:6]): [cents(v, 3) for v in r[6:]]
        for r in b.rows(sa.select(*keys, *sums).group_by(*keys))
    }
    rolled = {
        tuple(r[:6]): [cents(v, 3) for v in r[6:]]
        for r in b.rows(sa.select(*[p.c[k] for k in JCCP_KEY], *[p.c[c] for c, _, _ in JCCP_SUMS]))
    }
    assert rolled.keys() == detail.keys()
    bad = [k for k in detail if detail[k] != rolled[k]]
    assert not bad, f"bJCCP differs from bJCCD for {bad[:3]}"
    return len(rolled)


def check_glbl(b: Built) -> None:
    d, g = b.t("bGLDT"), b.t("bGLBL")
    pos = sa.func.sum(sa.case((d.c.Amount > 0, d.c.Amount), else_=0))
    neg = sa.func.sum(sa.case((d.c.Amount < 0, -d.c.Amount), else_=0))
    keys = (d.c.GLCo, d.c.GLAcct, d.c.Mth)
    detail = {
        (int(co), str(a).strip(), m): (cents(n), cents(p), cents(c))
        for co, a, m, n, p, c in b.rows(
            sa.select(*keys, sa.func.sum(d.c.Amount), pos, neg).group_by(*keys)
        )
    }
    bal = {
        (int(r.GLCo), str(r.GLAcct).strip(), r.Mth): (
            cents(r.NetActivity),
            cents(r.Debits),
            cents(r.Credits),
        )
        for r in b.rows(sa.select(g))
    }
    assert bal == detail
    assert all(n == p - c for n, p, c in bal.values())


def check_journals_balance(b: Built) -> None:
    d = b.t("bGLDT")
    keys = (d.c.GLCo, d.c.Mth, d.c.Jrnl, d.c.GLRef)
    total = b.scalar(sa.select(sa.func.count()).select_from(sa.select(*keys).distinct().subquery()))
    stmt = sa.select(*keys).group_by(*keys).having(sa.func.abs(sa.func.sum(d.c.Amount)) > 0.004)
    assert total > 100
    assert b.rows(stmt) == []


def check_ar(b: Built) -> int:
    h, line = b.t("bARTH"), b.t("bARTL")
    pay = h.alias("pay")
    applied = {
        (int(co), m, int(t)): -cents(s)
        for co, m, t, s in b.rows(
            sa.select(line.c.ARCo, line.c.ApplyMth, line.c.ApplyTrans, sa.func.sum(line.c.Amount))
            .select_from(
                line.join(
                    pay,
                    sa.and_(
                        pay.c.ARCo == line.c.ARCo,
                        pay.c.Mth == line.c.Mth,
                        pay.c.ARTrans == line.c.ARTrans,
                    ),
                )
            )
            .where(pay.c.ARTransType == "P")
            .group_by(line.c.ARCo, line.c.ApplyMth, line.c.ApplyTrans)
        )
    }
    invoices = b.rows(sa.select(h).where(h.c.ARTransType == "I"))
    for r in invoices:
        paid = applied.get((int(r.ARCo), r.Mth, int(r.ARTrans)), 0)
        assert cents(r.Paid) == paid, r
        assert cents(r.AmountDue) == cents(r.Invoiced) - paid, r
    assert sum(1 for r in invoices if cents(r.AmountDue)) > 0
    return len(invoices)


def check_contracts_and_subledgers(b: Built) -> None:
    m, i, h = b.t("bJCCM"), b.t("bJCCI"), b.t("bARTH")
    items = {
        (int(co), c): (cents(a), cents(bi), cents(r))
        for co, c, a, bi, r in b.rows(
            sa.select(
                i.c.JCCo,
                i.c.Contract,
                sa.func.sum(i.c.ContractAmt),
                sa.func.sum(i.c.BilledAmt),
                sa.func.sum(i.c.ReceivedAmt),
            ).group_by(i.c.JCCo, i.c.Contract)
        )
    }
    ar = {
        (int(co), c): (cents(inv), cents(p))
        for co, c, inv, p in b.rows(
            sa.select(h.c.JCCo, h.c.Contract, sa.func.sum(h.c.Invoiced), sa.func.sum(h.c.Paid))
            .where(h.c.ARTransType == "I")
            .group_by(h.c.JCCo, h.c.Contract)
        )
    }
    for r in b.rows(sa.select(m)):
        key = (int(r.JCCo), r.Contract)
        assert items[key] == (cents(r.ContractAmt), cents(r.BilledAmt), cents(r.ReceivedAmt))
        assert ar.get(key, (0, 0)) == (cents(r.BilledAmt), cents(r.ReceivedAmt))
    d, cch = b.t("bJCCD"), b.t("bJCCH")
    oe = {
        (int(co), j, p, int(t)): cents(e)
        for co, j, p, t, e in b.rows(
            sa.select(d.c.JCCo, d.c.Job, d.c.Phase, d.c.CostType, sa.func.sum(d.c.EstCost))
            .where(d.c.JCTransType == "OE")
            .group_by(d.c.JCCo, d.c.Job, d.c.Phase, d.c.CostType)
        )
    }
    heads = {
        (int(r.JCCo), r.Job, r.Phase, int(r.CostType)): cents(r.OrigCost)
        for r in b.rows(sa.select(cch))
    }
    assert heads == oe
    by_type = dict(
        b.rows(sa.select(d.c.JCTransType, sa.func.sum(d.c.ActualCost)).group_by(d.c.JCTransType))
    )
    assert cents(by_type["PR"]) == cents(b.scalar(sa.select(sa.func.sum(b.t("bPRTH").c.Amt))))
    assert cents(by_type["AP"]) == cents(b.scalar(sa.select(sa.func.sum(b.t("bAPTL").c.GrossAmt))))
    assert cents(b.scalar(sa.select(sa.func.sum(b.t("bAPTH").c.InvTotal)))) == cents(by_type["AP"])


def check_numbering(b: Built) -> None:
    for name, co, trans in (
        ("bJCCD", "JCCo", "CostTrans"),
        ("bARTH", "ARCo", "ARTrans"),
        ("bAPTH", "APCo", "APTrans"),
        ("bGLDT", "GLCo", "GLTrans"),
    ):
        t = b.t(name)
        keys = (t.c[co], t.c.Mth, t.c[trans])
        assert b.rows(sa.select(*keys).group_by(*keys).having(sa.func.count() > 1)) == []
    for name in KEY_ID_TABLES:
        t = b.t(name)
        n, top, distinct = b.rows(
            sa.select(sa.func.count(), sa.func.max(t.c.KeyID), sa.func.count(t.c.KeyID.distinct()))
        )[0]
        assert n == distinct, name
        assert n == 0 or top >= n, name


def check_months(b: Built) -> None:
    for spec in TABLES:
        t = b.t(spec.name)
        for col in ("Mth", "ApplyMth", "PaidMth", "StartMonth", "MonthClosed"):
            if col in spec.column_names:
                values = [r[0] for r in b.rows(sa.select(t.c[col]).distinct())]
                values = [v for v in values if v is not None]
                assert values or col in ("PaidMth", "MonthClosed"), (spec.name, col)
                bad = [v for v in values if (v.day, v.hour, v.minute, v.second) != (1, 0, 0, 0)]
                assert not bad, (spec.name, col, bad[:3])


def check_subledgers_tie_to_gl(b: Built) -> None:
    """Job cost, open receivables and open payables equal their GL control accounts."""
    g = b.t("bGLDT")
    gl = defaultdict(int)
    for co, acct, amount in b.rows(
        sa.select(g.c.GLCo, g.c.GLAcct, sa.func.sum(g.c.Amount)).group_by(g.c.GLCo, g.c.GLAcct)
    ):
        gl[(int(co), str(acct).strip())] += cents(amount)
    d, h, p = b.t("bJCCD"), b.t("bARTH"), b.t("bAPTD")
    for co, ct, cost in b.rows(
        sa.select(d.c.JCCo, d.c.CostType, sa.func.sum(d.c.ActualCost)).group_by(
            d.c.JCCo, d.c.CostType
        )
    ):
        assert gl[(int(co), ch.JOB_COST[int(ct)])] == cents(cost), (co, ct)
    for co, due in b.rows(
        sa.select(h.c.ARCo, sa.func.sum(h.c.AmountDue))
        .where(h.c.ARTransType == "I")
        .group_by(h.c.ARCo)
    ):
        assert gl[(int(co), ch.AR_TRADE)] + gl[(int(co), ch.AR_RETG)] == cents(due), co
    for co, open_ in b.rows(
        sa.select(p.c.APCo, sa.func.sum(p.c.Amount)).where(p.c.Status < 3).group_by(p.c.APCo)
    ):
        assert -gl[(int(co), ch.AP_TRADE)] == cents(open_), co


def check_all(b: Built) -> None:
    assert check_jccp_rollup(b) > 1000
    check_glbl(b)
    check_journals_balance(b)
    assert check_ar(b) > 200
    check_contracts_and_subledgers(b)
    check_subledgers_tie_to_gl(b)
    check_numbering(b)
    check_months(b)


# -- the generated database ------------------------------------------------------------------


def test_consistency(gen: Built) -> None:
    check_all(gen)


@pytest.mark.parametrize("scale", [0.2, 3.0])
def test_every_contract_customer_exists_on_its_setup_day(scale: float) -> None:
    """A contract (written on its job's set-up day) names a customer already in ``bARCM``, so no
    advance, whatever day it stops on, lands a contract before its customer."""
    ctx = Context("vista", Settings(scale=scale, as_of=AS_OF), CountingSink(), Golden(None))
    world = World.of(ctx)
    first, m, late = ctx.settings.start, ctx.settings.start.replace(day=1), []
    while m <= date(2027, 12, 1):
        for plan in world.planner.plans(m):
            life = world.life(plan)
            written = max(world.book.profiles.since[life.customer], first)
            if written > life.setup:
                late.append((life.job, written, life.setup))
        m = add_months(m, 1)
    assert not late, f"contracts set up before their customer exists: {late[:3]}"


def test_row_volume_and_deterministic_checksums(gen: Built) -> None:
    counts = {n: gen.scalar(sa.select(sa.func.count()).select_from(gen.t(n))) for n in BY_NAME}
    assert all(counts.values()), counts
    assert 4_000 < counts["bJCCD"] < 15_000
    assert counts["bJCCD"] > counts["bJCCP"] > counts["bJCCH"] > counts["bJCJM"]
    ctx = Context("vista", Settings(scale=SCALE, as_of=AS_OF), CountingSink(), Golden(None))
    generate_vista(ctx)
    assert gen.checksums == ctx.sink.checksums()


def test_key_id_columns(gen: Built) -> None:
    insp = sa.inspect(gen.engine)
    schema = "dbo" if gen.kind == "postgresql" else None
    for spec in TABLES:
        cols = {c["name"]: c for c in insp.get_columns(spec.name, schema=schema)}
        assert ("KeyID" in cols) == (spec.name not in NO_KEY_ID), spec.name
    assert {"bGLDT", "bJCCP"} == NO_KEY_ID


def test_physical_forms(gen: Built) -> None:
    jcjm, glac, jcci, arth = gen.t("bJCJM"), gen.t("bGLAC"), gen.t("bJCCI"), gen.t("bARTH")
    jobs = [r[0] for r in gen.rows(sa.select(jcjm.c.Job))]
    assert jobs and all(re.fullmatch(r" \d{6}-", j) for j in jobs)
    accounts = [r[0] for r in gen.rows(sa.select(glac.c.GLAcct))]
    assert all(re.fullmatch(r"\d\d-\d{3}-\d\d", a.strip()) for a in accounts)
    if gen.kind != "mariadb":  # MariaDB CHAR drops trailing blanks on read
        assert all(len(a) == 20 for a in accounts)
    items = [r[0] for r in gen.rows(sa.select(jcci.c.Item))]
    assert all(re.fullmatch(r" {15}\d", i) for i in items)
    invoices = [
        r[0] for r in gen.rows(sa.select(arth.c.Invoice).where(arth.c.Invoice.is_not(None)))
    ]
    assert invoices and all(re.fullmatch(r" {2}\d{8}", i) for i in invoices)
    cos = {r[0] for r in gen.rows(sa.select(gen.t("bHQCO").c.HQCo))}
    assert cos == {c.co for c in ch.COMPANIES}
    flags = {r[0] for r in gen.rows(sa.select(gen.t("bAPTH").c.OpenYN).distinct())}
    assert flags == {"Y", "N"}
    insp = sa.inspect(gen.engine)
    schema = "dbo" if gen.kind == "postgresql" else None
    types = {c["name"]: c["type"] for c in insp.get_columns("bJCCD", schema=schema)}
    if gen.kind != "sqlite":
        assert (types["ActualCost"].precision, types["ActualCost"].scale) == (12, 2)
        assert (types["ActualHours"].precision, types["ActualHours"].scale) == (10, 2)
        assert (types["ActualUnits"].precision, types["ActualUnits"].scale) == (12, 3)
        assert (types["ActualUnitCost"].precision, types["ActualUnitCost"].scale) == (16, 5)
        assert types["Job"].length == 10 and types["Phase"].length == 20


def test_golden_trial_balance_and_account_map(gen: Built) -> None:
    d = gen.t("bGLDT")
    keys = (d.c.GLCo, d.c.GLAcct, d.c.Mth)
    sql = {
        (str(co), str(a).strip(), day(m).isoformat()): cents(s)
        for co, a, m, s in gen.rows(sa.select(*keys, sa.func.sum(d.c.Amount)).group_by(*keys))
    }
    golden = {
        (r["company"], r["account"], r["month"]): cents(r["amount"])
        for r in gen.golden("trial_balance")
    }
    assert golden == {k: v for k, v in sql.items() if v}
    mapping = {(r["company"], r["account"]): r["group_account"] for r in gen.golden("account_map")}
    glac = gen.t("bGLAC")
    for co, acct, grp in gen.rows(sa.select(glac.c.GLCo, glac.c.GLAcct, glac.c.udGroupAcct)):
        assert mapping[(str(co), acct.strip())] == grp
    assert set(mapping.values()) >= {"1000", "1300", "2100", "4100", "4900", "5100", "5900"}


def _aging_from_sql(b: Built, as_of: date) -> dict[tuple[str, str, str], list[int]]:
    h, line = b.t("bARTH"), b.t("bARTL")
    pay = h.alias("pay")
    receipts = defaultdict(list)
    for co, m, t, when, s in b.rows(
        sa.select(
            line.c.ARCo,
            line.c.ApplyMth,
            line.c.ApplyTrans,
            pay.c.TransDate,
            sa.func.sum(line.c.Amount),
        )
        .select_from(
            line.join(
                pay,
                sa.and_(
                    pay.c.ARCo == line.c.ARCo,
                    pay.c.Mth == line.c.Mth,
                    pay.c.ARTrans == line.c.ARTrans,
                ),
            )
        )
        .where(pay.c.ARTransType == "P")
        .group_by(line.c.ARCo, line.c.ApplyMth, line.c.ApplyTrans, pay.c.TransDate)
    ):
        receipts[(int(co), m, int(t))].append((day(when), -cents(s)))
    invoices = b.rows(sa.select(h).where(h.c.ARTransType == "I"))
    out: dict[tuple[str, str, str], list[int]] = {}
    first = min(day(r.TransDate) for r in invoices).replace(day=1)
    m = first
    while m <= as_of:
        end = add_months(m, 1) - timedelta(days=1)
        for r in invoices:
            if day(r.TransDate) > end:
                continue
            got = sum(a for d_, a in receipts[(int(r.ARCo), r.Mth, int(r.ARTrans))] if d_ <= end)
            open_ = cents(r.Invoiced) - got
            if not open_:
                continue
            age = (end - day(r.DueDate)).days
            bucket = (
                0 if age <= 0 else 1 if age <= 30 else 2 if age <= 60 else 3 if age <= 90 else 4
            )
            row = out.setdefault((str(r.ARCo), str(r.Customer), end.isoformat()), [0] * 5)
            row[bucket] += open_
        m = add_months(m, 1)
    return {k: v for k, v in out.items() if sum(v)}


def check_golden_aging(b: Built, as_of: date) -> None:
    golden = {
        (r["company"], r["customer"], r["month_end"]): [
            cents(r[c]) for c in ("current", "d1_30", "d31_60", "d61_90", "d91_plus")
        ]
        for r in b.golden("ar_aging")
    }
    assert golden == _aging_from_sql(b, as_of)
    assert any(v[4] for v in golden.values())  # retainage and slow payers reach 91+ days


def test_golden_ar_aging(gen: Built) -> None:
    check_golden_aging(gen, AS_OF)


def check_golden_job_cost(b: Built) -> list[dict[str, str]]:
    d = b.t("bJCCD")
    oe = sa.func.sum(sa.case((d.c.JCTransType == "OE", d.c.EstCost), else_=0))
    monthly = defaultdict(dict)
    for co, job, m, a, hrs, o, e, p in b.rows(
        sa.select(
            d.c.JCCo,
            d.c.Job,
            d.c.Mth,
            sa.func.sum(d.c.ActualCost),
            sa.func.sum(d.c.ActualHours),
            oe,
            sa.func.sum(d.c.EstCost),
            sa.func.sum(d.c.ProjCost),
        ).group_by(d.c.JCCo, d.c.Job, d.c.Mth)
    ):
        monthly[(str(co), job.strip())][day(m)] = [
            cents(a),
            cents(hrs),
            cents(o),
            cents(e),
            cents(p),
        ]
    golden = b.golden("job_cost")
    by_job = defaultdict(list)
    for r in golden:
        by_job[(r["company"], r["job"])].append(r)
    assert by_job.keys() == monthly.keys()
    for key, rows in by_job.items():
        months = monthly[key]
        assert rows[0]["month"] == min(months).isoformat()
        assert rows[-1]["month"] == max(months).isoformat()
        total = [0] * 5
        for r in rows:
            total = [
                t + v
                for t, v in zip(
                    total, months.get(date.fromisoformat(r["month"]), [0] * 5), strict=True
                )
            ]
            cols = (
                "actual_cost_to_date",
                "actual_hours_to_date",
                "original_estimate",
                "current_estimate",
                "projected_cost",
            )
            assert [cents(r[c]) for c in cols] == total, (key, r)
            pct = total[0] / total[3] if total[3] else 0.0
            assert abs(float(r["percent_complete"]) - pct) <= 0.00005
    return golden


def test_golden_job_cost(gen: Built) -> None:
    check_golden_job_cost(gen)


def test_golden_decoded_samples(gen: Built) -> None:
    got: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for r in gen.golden("decoded_samples"):
        got[r["table"]][r["key"]][r["column"]] = r["value"]
    assert set(got) == set(SAMPLE_TABLES)
    for name in SAMPLE_TABLES:
        spec, t = BY_NAME[name], gen.t(name)
        order = [t.c.KeyID] if name not in NO_KEY_ID else [t.c[k] for k in spec.primary_key]
        want: dict[str, dict[str, str]] = {}
        for row in gen.rows(sa.select(t).order_by(*order).limit(3)):
            values = {c.name: decode(c, row._mapping[c.name], physical=False) for c in spec.columns}
            want["|".join(f"{k}={values[k]}" for k in spec.primary_key)] = values
        assert got[name] == want, name
    jcjm = next(iter(got["bJCJM"].values()))
    assert re.fullmatch(r"\d{6}-", jcjm["Job"])  # trimmed
    gldt = next(iter(got["bGLDT"].values()))
    assert gldt["Mth"] == "2023-01-01" and re.fullmatch(r"-?\d+\.\d\d", gldt["Amount"])


def _job_frame(b: Built) -> tuple[list[float], list[float]]:
    """Early burn (cost at 30 % of planned duration over planned curve) and planted overrun."""
    m, d = b.t("bJCCM"), b.t("bJCCD")
    plan = {
        (int(r.JCCo), r.Contract): (int(r.OriginalDays) // 30, day(r.StartMonth))
        for r in b.rows(sa.select(m))
    }
    cost = defaultdict(dict)
    for co, job, mth, a in b.rows(
        sa.select(d.c.JCCo, d.c.Job, d.c.Mth, sa.func.sum(d.c.ActualCost)).group_by(
            d.c.JCCo, d.c.Job, d.c.Mth
        )
    ):
        cost[(int(co), job)][day(mth)] = cents(a)
    overrun = {(r["company"], r["job"]): float(r["final_overrun"]) for r in b.golden("job_cost")}
    oe = {
        (int(co), j): cents(e)
        for co, j, e in b.rows(
            sa.select(d.c.JCCo, d.c.Job, sa.func.sum(d.c.EstCost))
            .where(d.c.JCTransType == "OE")
            .group_by(d.c.JCCo, d.c.Job)
        )
    }
    burn, final = [], []
    last_month = max(max(v) for v in cost.values())
    for (co, job), (months, start) in plan.items():
        q = max(1, round(months * 0.3))
        if add_months(start, q) > last_month:
            continue
        to_date = sum(v for mth, v in cost[(co, job)].items() if mth < add_months(start, q))
        burn.append(to_date / (oe[(co, job)] * float(planned_curve(months)[:q].sum())))
        final.append(overrun[(str(co), job.strip())])
    return burn, final


def test_overrun_signal(gen: Built) -> None:
    burn, final = _job_frame(gen)
    assert len(burn) >= 15
    assert np.corrcoef(burn, final)[0, 1] > 0.5


def _lateness(b: Built) -> dict[int, list[tuple[date, int]]]:
    h, line = b.t("bARTH"), b.t("bARTL")
    pay = h.alias("pay")
    inv = h.alias("inv")
    stmt = (
        sa.select(inv.c.Customer, inv.c.DueDate, sa.func.min(pay.c.TransDate))
        .select_from(
            line.join(
                pay,
                sa.and_(
                    pay.c.ARCo == line.c.ARCo,
                    pay.c.Mth == line.c.Mth,
                    pay.c.ARTrans == line.c.ARTrans,
                ),
            ).join(
                inv,
                sa.and_(
                    inv.c.ARCo == line.c.ARCo,
                    inv.c.Mth == line.c.ApplyMth,
                    inv.c.ARTrans == line.c.ApplyTrans,
                ),
            )
        )
        .where(pay.c.ARTransType == "P", inv.c.ARTransType == "I")
        .group_by(inv.c.ARCo, inv.c.Mth, inv.c.ARTrans, inv.c.Customer, inv.c.DueDate)
    )
    out = defaultdict(list)
    for cust, due, paid in b.rows(stmt):
        out[int(cust)].append((day(due), (day(paid) - day(due)).days))
    return out


def test_lateness_signal_and_shift(gen: Built) -> None:
    late = _lateness(gen)
    first, second = [], []
    for rows in late.values():
        rows.sort()
        if len(rows) >= 6:
            half = len(rows) // 2
            first.append(np.mean([x for _, x in rows[:half]]))
            second.append(np.mean([x for _, x in rows[half:]]))
    assert len(first) >= 6
    assert np.corrcoef(first, second)[0, 1] > 0.5
    cm = gen.t("bARCM")
    segment = {int(c): s for c, s in gen.rows(sa.select(cm.c.Customer, cm.c.udSegment))}
    wholesale = [
        (due, x) for c, rows in late.items() if segment[c] == "WHOLESALE" for due, x in rows
    ]
    before = [x for due, x in wholesale if due < SHIFT_START]
    after = [x for due, x in wholesale if due >= SHIFT_START]
    assert before and after
    assert np.mean(after) - np.mean(before) > 8


def test_price_shift_and_new_category(gen: Built) -> None:
    m, d = gen.t("bJCCM"), gen.t("bJCCD")
    oe = {
        (int(co), j): cents(e)
        for co, j, e in gen.rows(
            sa.select(d.c.JCCo, d.c.Job, sa.func.sum(d.c.EstCost))
            .where(d.c.JCTransType == "OE")
            .group_by(d.c.JCCo, d.c.Job)
        )
    }
    ratio_before, ratio_after = [], []
    for r in gen.rows(sa.select(m)):
        ratio = cents(r.OrigContractAmt) / oe[(int(r.JCCo), r.Contract)]
        (ratio_after if day(r.StartMonth) >= SHIFT_START else ratio_before).append(ratio)
    assert ratio_after and np.mean(ratio_after) - np.mean(ratio_before) > 0.05
    cm = gen.t("bARCM")
    for cat, since in gen.rows(sa.select(cm.c.udCategory, cm.c.udCustSince)):
        assert cat != "ECOM" or day(since) >= SHIFT_START
    ctx = Context("vista", Settings(scale=1.0), CountingSink(), Golden(None))
    book = customer_book(ctx)
    ecom = [
        s for s, c in zip(book.profiles.since, book.profiles.category, strict=True) if c == "ECOM"
    ]
    assert ecom and min(ecom) >= SHIFT_START


def test_security_views(gen: Built) -> None:
    counts = {}
    logins = {"owner": gen.url}
    if gen.kind != "sqlite":
        base = sa.make_url(gen.url)
        logins.update(
            {
                u: base.set(username=u, password=None).render_as_string(False)
                for u in (SERVICE_LOGIN, RESTRICTED_LOGIN)
            }
        )
    schema = "dbo" if gen.kind == "postgresql" else None
    for who, url in logins.items():
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            counts[who] = {
                name: conn.execute(
                    sa.select(sa.func.count()).select_from(sa.table(name, schema=schema))
                ).scalar()
                for name, *_ in VIEWS
            }
        engine.dispose()
    full = {
        name: gen.scalar(sa.select(sa.func.count()).select_from(gen.t(spec.name)))
        for name, spec, *_ in VIEWS
    }
    if gen.kind == "sqlite":
        assert counts["owner"] == full
        return
    assert counts[SERVICE_LOGIN] == full
    for name, total in full.items():
        assert 0 < counts[RESTRICTED_LOGIN][name] < total, name
    restricted = sa.create_engine(logins[RESTRICTED_LOGIN])
    with pytest.raises(sa.exc.DBAPIError), restricted.connect() as conn:
        conn.execute(sa.select(sa.func.count()).select_from(sa.table("bJCJM", schema=schema)))
    restricted.dispose()


# -- bad input and replace ---------------------------------------------------------------------


def test_replace_recreates_views_and_refuses_without_it(
    database_factory: Any, tmp_path: Path
) -> None:
    for kind in ("sqlite", "postgresql"):
        url = database_factory(kind)
        small = Settings(scale=0.05, as_of=date(2024, 6, 30))
        generate(["vista"], small, url, out=tmp_path)
        with pytest.raises(FixtureError, match="--replace"):
            generate(["vista"], small, url, out=tmp_path)
        generate(
            ["vista"],
            Settings(scale=0.05, as_of=date(2024, 9, 30)),
            url,
            out=tmp_path,
            replace=True,
        )
        login = url if kind == "sqlite" else sa.make_url(url).set(username=SERVICE_LOGIN)
        engine = sa.create_engine(login)
        sink = SqlSink(engine)
        schema = "dbo" if kind == "postgresql" else None
        with engine.connect() as conn:
            view = conn.execute(
                sa.select(sa.func.max(sa.column("Mth"))).select_from(
                    sa.table("JCCD", sa.column("Mth"), schema=schema)
                )
            ).scalar()
            base = conn.execute(
                sa.select(sa.func.max(sink.sa_table(BY_NAME["bJCCD"]).c.Mth))
            ).scalar()
        engine.dispose()
        assert day(view) == day(base) == date(2024, 9, 1)


def test_advance_refuses_emptied_tables(database_factory: Any, tmp_path: Path) -> None:
    url = database_factory("sqlite")
    generate(["vista"], Settings(scale=0.05, as_of=date(2024, 6, 30)), url, out=tmp_path)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.delete(SqlSink(engine).sa_table(BY_NAME["bHQCO"])))
    engine.dispose()
    with pytest.raises(FixtureError, match="empty"):
        advance(["vista"], url, date(2024, 9, 30), out=tmp_path)
    with pytest.raises(FixtureError, match="later"):
        advance(["vista"], url, date(2024, 6, 30), out=tmp_path)


# -- the advanced database ---------------------------------------------------------------------


def test_advance_keeps_consistency(adv: Built) -> None:
    check_all(adv)
    check_golden_aging(adv, UNTIL)
    rows = check_golden_job_cost(adv)
    assert max(r["month"] for r in rows) == "2026-09-01"


def test_advance_adds_rows_with_higher_key_ids(adv: Built) -> None:
    old = adv.before["key_ids"]
    for name in ("bJCCD", "bARTH", "bARTL", "bAPTH", "bAPTD", "bPRTH", "bGLBL", "bJCJM"):
        t = adv.t(name)
        assert adv.scalar(sa.select(sa.func.max(t.c.KeyID))) > old[name], name
    d = adv.t("bJCCD")
    new_months = {
        day(r[0]) for r in adv.rows(sa.select(d.c.Mth).where(d.c.KeyID > old["bJCCD"]).distinct())
    }
    assert {date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)} <= new_months
    assert max(new_months) <= date(2026, 9, 1)
    old_rows = adv.rows(sa.select(d.c.Mth).where(d.c.KeyID <= old["bJCCD"]).distinct())
    assert max(day(r[0]) for r in old_rows) == date(2026, 6, 1)


def test_advance_reopens_the_month_before(adv: Built) -> None:
    d = adv.t("bJCCD")
    now = {
        (int(r.JCCo), int(r.CostTrans)): (cents(r.ActualCost), int(r.KeyID))
        for r in adv.rows(sa.select(d))
        if r.Mth == REOPENED
    }
    before = adv.before["reopened"]
    changed = [k for k, v in before.items() if now[k][0] != v]
    added = [k for k in now if k not in before]
    assert changed, "no existing row of the reopened month changed"
    assert added and all(now[k][1] > adv.before["key_ids"]["bJCCD"] for k in added)
    assert all(now[k][1] <= adv.before["key_ids"]["bJCCD"] for k in changed)


def test_advance_applies_payments_and_moves_statuses(adv: Built) -> None:
    h = adv.t("bARTH")
    now = {
        (int(r.ARCo), r.Mth, int(r.ARTrans)): cents(r.Paid)
        for r in adv.rows(sa.select(h).where(h.c.ARTransType == "I"))
    }
    paid_more = [k for k, v in adv.before["paid"].items() if now[k] > v]
    assert paid_more
    assert all(now[k] >= v for k, v in adv.before["paid"].items())
    t = adv.t("bAPTD")
    status = {
        (int(r.APCo), r.Mth, int(r.APTrans), int(r.APLine)): int(r.Status)
        for r in adv.rows(sa.select(t))
    }
    moved = [k for k, v in adv.before["ap_status"].items() if status[k] != v]
    assert moved and all(status[k] >= 3 for k in moved)
    paid = adv.rows(sa.select(t).where(t.c.Status >= 3))
    assert all(r.PaidDate is not None and r.PaidMth is not None for r in paid)
    j = adv.t("bJCJM")
    jobs = {(int(r.JCCo), r.Job): int(r.JobStatus) for r in adv.rows(sa.select(j))}
    moved_jobs = [k for k, v in adv.before["job_status"].items() if jobs[k] != v]
    assert moved_jobs and all(jobs[k] > adv.before["job_status"][k] for k in moved_jobs)
    assert len(jobs) >= len(adv.before["job_status"])


def test_touched_invoice_pull_reads_the_apply_index(database_factory: Any, tmp_path: Path) -> None:
    """The connector's re-pull of invoices paid later probes ``bARTL`` by its apply index on the
    fixture source, not by a scan per invoice (on SQLite only with the statistics that
    ``generate`` and ``advance`` gather; servers plan from statistics they keep themselves)."""
    url = database_factory("sqlite")
    generate(["vista"], Settings(scale=0.05, as_of=date(2024, 6, 30)), url, out=tmp_path)
    advance(["vista"], url, date(2024, 9, 30), out=tmp_path)
    config = VistaSource.model_validate(
        {"name": "vista", "kind": "vista", "connection": {"url": url}, "schema": None}
    )
    connector = VistaConnector(config)
    spec = next(t for t in connector.tables() if t.name == "bARTH")
    connector._columns[spec.name] = [
        LandingColumn(c.name, "VARCHAR") for c in BY_NAME["bARTH"].columns
    ]
    state = TableState({"KeyID": 1, "Mth": date(2024, 9, 1)})
    pulls = connector.plan(spec, state, full_refresh=False, reconcile=False)
    touched = next(p for p in pulls if p.label.startswith("applied to"))
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        plan = list(conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {render(touched.query, 'sqlite')}"))
    engine.dispose()
    assert any("ix_bARTL_1" in str(row[-1]) for row in plan), plan


def test_advance_matches_a_longer_generation(database_factory: Any, tmp_path: Path) -> None:
    """Generate to June and advance to September = generate to September (except corrections)."""
    small = 0.1
    urls = [database_factory("sqlite") for _ in range(2)]
    generate(["vista"], Settings(scale=small, as_of=AS_OF), urls[0], out=tmp_path / "a")
    advance(["vista"], urls[0], UNTIL, out=tmp_path / "a")
    generate(["vista"], Settings(scale=small, as_of=UNTIL), urls[1], out=tmp_path / "b")
    engines = [sa.create_engine(u) for u in urls]
    sink = SqlSink(engines[0])
    h = sink.sa_table(BY_NAME["bARTH"])
    due = sa.select(sa.func.sum(h.c.AmountDue), sa.func.sum(h.c.Paid))
    got = []
    for engine in engines:
        with engine.connect() as conn:
            counts = {
                name: conn.execute(
                    sa.select(sa.func.count()).select_from(sink.sa_table(BY_NAME[name]))
                ).scalar()
                for name in ("bARTH", "bARTL", "bAPTH", "bAPTD", "bPRTH", "bJCJM", "bJCCI")
            }
            got.append((counts, [cents(v) for v in conn.execute(due).one()]))
        engine.dispose()
    assert got[0] == got[1]
