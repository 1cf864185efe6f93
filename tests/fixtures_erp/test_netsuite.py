"""The NetSuite fixture on SQLite, PostgreSQL and MariaDB: physical forms, exact consistency,
golden answers, the planted signal, and what ``advance`` changes.

Per engine the fixture is generated twice with the same settings: ``gen`` stays as generated,
``adv`` is then advanced; comparing the two shows what advance moved.
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
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
    Settings,
)
from fixtures.core.ddl import sa_table
from fixtures.netsuite import tables as specs
from fixtures.netsuite.generate import generate as generate_netsuite
from fixtures.netsuite.statuses import status_labels
from fixtures.run import advance, generate

SCALE = 0.1
AS_OF = REFERENCE_DATE
UNTIL = date(2026, 9, 30)
ENGINES = ("sqlite", "postgresql", "mariadb")
DATA = Path(specs.__file__).resolve().parent / "data"
SEED_FILES = {
    "subsidiary": "netsuite2_subsidiary_data.csv",
    "currency": "netsuite2_currency_data.csv",
    "fiscalcalendar": "netsuite2_fiscal_calendar_data.csv",
    "accountingperiod": "netsuite2_accounting_period_data.csv",
    "accountingbook": "netsuite2_accounting_book_data.csv",
    "consolidatedexchangerate": "netsuite2_consolidated_exchange_rate_data.csv",
    "accounttype": "netsuite2_account_type_data.csv",
    "account": "netsuite2_account_data.csv",
    "department": "netsuite2_department_data.csv",
    "classification": "netsuite2_classification_data.csv",
    "location": "netsuite2_location_data.csv",
    "item": "netsuite2_item_data.csv",
    "entity": "netsuite2_entities_data.csv",
    "customer": "netsuite2_customer_data.csv",
    "vendor": "netsuite2_vendor_data.csv",
    "transaction": "netsuite2_transaction_data.csv",
    "transactionline": "netsuite2_transaction_line_data.csv",
    "transactionaccountingline": "netsuite2_tran_acct_line_data.csv",
}
FIVETRAN_MACROS = {
    "transaction": "get_netsuite2_transactions_columns",
    "customer": "get_netsuite2_customers_columns",
    "item": "get_netsuite2_items_columns",
    "entity": "get_entity_columns",
    "vendor": "get_netsuite2_vendors_columns",
}

Row = Any


def cents(value: Any) -> int:
    """A stored amount (``Decimal``, SQLite ``float``, golden text) in hundredths."""
    return int((Decimal(str(value)) * 100).to_integral_value(rounding=ROUND_HALF_UP))


@dataclass
class Db:
    kind: str
    engine: sa.Engine
    out: Path
    t: dict[str, sa.Table]
    checksums: dict[str, str]

    def rows(self, stmt: sa.Executable) -> list[Row]:
        with self.engine.connect() as conn:
            return list(conn.execute(stmt))

    def golden(self, name: str) -> list[dict[str, str]]:
        with (self.out / "netsuite" / "golden" / f"{name}.csv").open(newline="") as fh:
            return list(csv.DictReader(fh))


def _make(make: Callable[[str], str], tmp: pytest.TempPathFactory, kind: str, adv: bool) -> Db:
    url = make(kind)
    out = tmp.mktemp(f"netsuite_{kind}_{'adv' if adv else 'gen'}")
    result = generate(["netsuite"], Settings(scale=SCALE), url, out=out)["netsuite"]
    if adv:
        advance(["netsuite"], url, UNTIL, out=out)
    engine = sa.create_engine(url)
    md = sa.MetaData()
    t = {s.name: sa_table(s, md, engine.dialect.name) for s in specs.TABLES}
    return Db(kind, engine, out, t, result.checksums)


@pytest.fixture(scope="module", params=ENGINES)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def gen(kind: str, database_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Db]:
    db = _make(database_factory, tmp_path_factory, kind, adv=False)
    yield db
    db.engine.dispose()


@pytest.fixture(scope="module")
def adv(kind: str, database_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Db]:
    db = _make(database_factory, tmp_path_factory, kind, adv=True)
    yield db
    db.engine.dispose()


# -- consistency checks shared by the generated and the advanced database ---------------------
def unbalanced(db: Db) -> tuple[int, list[Row]]:
    tal = db.t["transactionaccountingline"]
    sums = db.rows(
        sa.select(tal.c.transaction, sa.func.sum(tal.c.amount)).group_by(tal.c.transaction)
    )
    return len(sums), [r for r in sums if cents(r[1]) != 0]


def open_amount_errors(db: Db) -> tuple[int, list[str]]:
    """Invoices and bills: unpaid = total - applied, in the header, main line and GL line."""
    tr, tl, tal = db.t["transaction"], db.t["transactionline"], db.t["transactionaccountingline"]
    lk = db.t["previoustransactionlinelink"]
    applied = {
        r[0]: cents(r[1])
        for r in db.rows(
            sa.select(lk.c.previousdoc, sa.func.sum(lk.c.foreignamount))
            .where(lk.c.linktype == "Payment")
            .group_by(lk.c.previousdoc)
        )
    }
    docs = db.rows(
        sa.select(
            tr.c.id,
            tr.c.status,
            tr.c.foreigntotal,
            tr.c.foreignamountunpaid,
            tr.c.closedate,
            tl.c.foreignamountpaid,
            tl.c.foreignamountunpaid,
            tal.c.amountunpaid,
            tal.c.amount,
        )
        .join(tl, (tl.c.transaction == tr.c.id) & (tl.c.id == 0))
        .join(tal, (tal.c.transaction == tr.c.id) & (tal.c.transactionline == 0))
        .where(tr.c.type.in_(["CustInvc", "VendBill"]))
    )
    errors = []
    for doc, status, total, unpaid, closed, l_paid, l_unpaid, g_unpaid, g_amount in docs:
        left = cents(total) - applied.get(doc, 0)
        checks = (
            cents(unpaid) == left,
            cents(l_unpaid) == left,
            cents(g_unpaid) == left,
            cents(l_paid) == cents(total) - left,
            abs(cents(g_amount)) == cents(total),
            status == ("B" if left == 0 else "A"),
            (closed is not None) == (left == 0),
        )
        if not all(checks):
            errors.append(f"{doc}: {checks}")
    return len(docs), errors


def tb_from_sql(db: Db) -> dict[tuple[int, int, int], int]:
    tr, tl, tal = db.t["transaction"], db.t["transactionline"], db.t["transactionaccountingline"]
    stmt = (
        sa.select(tl.c.subsidiary, tal.c.account, tr.c.postingperiod, sa.func.sum(tal.c.amount))
        .select_from(tal)
        .join(tr, tr.c.id == tal.c.transaction)
        .join(tl, (tl.c.transaction == tal.c.transaction) & (tl.c.id == tal.c.transactionline))
        .where(tal.c.posting == "T")
        .group_by(tl.c.subsidiary, tal.c.account, tr.c.postingperiod)
    )
    return {(int(s), int(a), int(p)): cents(v) for s, a, p, v in db.rows(stmt)}


def check_trial_balance(db: Db) -> None:
    gold = db.golden("trial_balance")
    assert {
        (int(r["subsidiary"]), int(r["account"]), int(r["postingperiod"])): cents(r["amount"])
        for r in gold
    } == tb_from_sql(db)
    by_cell: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in gold:
        by_cell[(r["subsidiary"], r["account"])].append(r)
    bank = by_cell[("1", "1")]  # balance sheet: running total since the start
    assert [cents(r["closing_balance"]) for r in bank] == list(
        np.cumsum([cents(r["amount"]) for r in bank])
    )
    sales = by_cell[("1", "13")]  # income statement: fiscal year to date
    for prev, cur in itertools.pairwise(sales):
        expect = cents(cur["amount"]) + (
            0 if cur["fiscal_year"] != prev["fiscal_year"] else cents(prev["closing_balance"])
        )
        assert cents(cur["closing_balance"]) == expect


def check_consolidated(db: Db) -> None:
    cer, acct, sub = db.t["consolidatedexchangerate"], db.t["account"], db.t["subsidiary"]
    rates = {
        (r[0], r[1]): r[2:]
        for r in db.rows(
            sa.select(
                cer.c.fromsubsidiary,
                cer.c.postingperiod,
                cer.c.averagerate,
                cer.c.currentrate,
                cer.c.historicalrate,
            )
        )
    }
    rate_type = {r[0]: r[1] for r in db.rows(sa.select(acct.c.id, acct.c.generalrate))}
    parents = {r[0]: r[1] for r in db.rows(sa.select(sub.c.id, sub.c.parent))}
    pick = {"AVERAGE": 0, "CURRENT": 1, "HISTORICAL": 2}
    expect: dict[tuple[int, int], int] = defaultdict(int)
    for (s, a, p), amount in tb_from_sql(db).items():
        if parents[s] is None:
            expect[(a, p)] += amount
        else:
            rate = rates[(s, p)][pick[rate_type[a]]]
            exact = Decimal(amount) * Decimal(repr(float(rate)))
            expect[(a, p)] += int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    gold = {
        (int(r["account"]), int(r["postingperiod"])): cents(r["amount"])
        for r in db.golden("consolidated")
    }
    assert {r["currency"] for r in db.golden("consolidated")} == {"USD"}
    assert gold == dict(expect)


def check_ar_aging(db: Db, as_of: date) -> None:
    tr, tl, lk = db.t["transaction"], db.t["transactionline"], db.t["previoustransactionlinelink"]
    nx = tr.alias("nx")
    invoices = db.rows(
        sa.select(
            tr.c.id, tl.c.subsidiary, tr.c.entity, tr.c.trandate, tr.c.duedate, tr.c.foreigntotal
        )
        .join(tl, (tl.c.transaction == tr.c.id) & (tl.c.id == 0))
        .where(tr.c.type == "CustInvc")
    )
    apps: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for inv, day, amount in db.rows(
        sa.select(lk.c.previousdoc, nx.c.trandate, lk.c.foreignamount)
        .join(nx, nx.c.id == lk.c.nextdoc)
        .where(lk.c.previoustype == "CustInvc", lk.c.linktype == "Payment")
    ):
        apps[inv].append((day.date(), cents(amount)))
    month = min(r[3] for r in invoices).date().replace(day=1)
    expect: dict[tuple[int, int, str], list[int]] = {}
    while month <= as_of:
        nxt = (month + timedelta(days=32)).replace(day=1)
        m_end = nxt - timedelta(days=1)
        for inv, s, cust, day, due, total in invoices:
            if day.date() > m_end:
                continue
            left = cents(total) - sum(a for d, a in apps[inv] if d <= m_end)
            if left:
                late = (m_end - due.date()).days
                bucket = (
                    0
                    if late <= 0
                    else 1
                    if late <= 30
                    else 2
                    if late <= 60
                    else (3 if late <= 90 else 4)
                )
                cell = expect.setdefault((s, cust, m_end.isoformat()), [0] * 5)
                cell[bucket] += left
        month = nxt
    expect = {k: v for k, v in expect.items() if sum(v) != 0}
    gold = {
        (int(r["company"]), int(r["customer"]), r["month_end"]): [
            cents(r[c]) for c in ("current", "d1_30", "d31_60", "d61_90", "d91_plus")
        ]
        for r in db.golden("ar_aging")
    }
    assert gold == expect
    assert all(
        cents(r["total"])
        == sum(cents(r[c]) for c in ("current", "d1_30", "d31_60", "d61_90", "d91_plus"))
        for r in db.golden("ar_aging")
    )


# -- schema and physical forms -----------------------------------------------------------
def test_column_names_come_from_the_netsuite2_files() -> None:
    with (DATA / "netsuite2_source_columns_used_by_fivetran_package.csv").open() as fh:
        fivetran = defaultdict(set)
        for row in csv.DictReader(fh):
            fivetran[row["macro"]].add(row["column"])
    for spec in specs.TABLES:
        known = set(specs.EXTRA_COLUMNS.get(spec.name, ()))
        if spec.name in SEED_FILES:
            with (DATA / SEED_FILES[spec.name]).open() as fh:
                known |= set(next(csv.reader(fh)))
        known |= fivetran.get(FIVETRAN_MACROS.get(spec.name, ""), set())
        unknown = set(spec.column_names) - known
        assert not unknown, f"{spec.name}: {sorted(unknown)}"
    assert (DATA / "LICENSE").exists() and (DATA / "LICENSE.status_codes").exists()


def test_accounting_lines_sum_to_zero_per_transaction(gen: Db) -> None:
    n, bad = unbalanced(gen)
    assert n > 1000 and not bad


def test_open_amounts_are_total_less_applications(gen: Db) -> None:
    n, errors = open_amount_errors(gen)
    assert n > 500 and not errors[:5]


def test_booleans_are_t_or_f(gen: Db) -> None:
    seen: set[str] = set()
    for spec in specs.TABLES:
        table = gen.t[spec.name]
        for col in spec.columns:
            if col.type == "varchar" and col.length == 1 and col.default == "F":
                values = {r[0] for r in gen.rows(sa.select(table.c[col.name]).distinct())}
                assert values <= {"T", "F"}, f"{spec.name}.{col.name}: {values}"
                seen |= values
    assert seen == {"T", "F"}


def test_fiscal_year_starts_in_april(gen: Db) -> None:
    ap = gen.t["accountingperiod"]
    rows = gen.rows(
        sa.select(
            ap.c.id,
            ap.c.parent,
            ap.c.startdate,
            ap.c.enddate,
            ap.c.isyear,
            ap.c.isquarter,
            ap.c.isposting,
            ap.c.isadjust,
        )
    )
    years = [r for r in rows if r.isyear == "T"]
    assert years and all(r.startdate.month == 4 and r.startdate.day == 1 for r in years)
    assert all(
        r.enddate == r.startdate.replace(year=r.startdate.year + 1) - timedelta(days=1)
        for r in years
    )
    by_id = {r.id: r for r in rows}
    months = [r for r in rows if r.isposting == "T" and r.isadjust == "F"]
    assert len(months) == 12 * len(years)
    for m in months:
        quarter = by_id[m.parent]
        assert quarter.isquarter == "T" and quarter.startdate <= m.startdate <= quarter.enddate
        assert by_id[quarter.parent].isyear == "T"


def test_subsidiaries_in_different_currencies(gen: Db) -> None:
    sub, cur, tl = gen.t["subsidiary"], gen.t["currency"], gen.t["transactionline"]
    subs = gen.rows(
        sa.select(sub.c.id, sub.c.parent, cur.c.symbol, cur.c.currencyprecision).join(
            cur, cur.c.id == sub.c.currency
        )
    )
    assert len(subs) >= 2 and len({r.symbol for r in subs}) == len(subs)
    assert [r.parent for r in subs].count(None) == 1
    jpy = [r.id for r in subs if r.symbol == "JPY"]
    assert jpy and all(r.currencyprecision == (0 if r.symbol == "JPY" else 2) for r in subs)
    amounts = [
        cents(r[0])
        for r in gen.rows(sa.select(tl.c.foreignamount).where(tl.c.subsidiary == jpy[0]))
    ]
    assert amounts and all(a % 100 == 0 for a in amounts)


def test_status_letters_are_valid(gen: Db) -> None:
    tr = gen.t["transaction"]
    labels = status_labels()
    combos = gen.rows(sa.select(tr.c.type, tr.c.abbrevtype, tr.c.status).distinct())
    assert {r.type for r in combos} >= {
        "CustInvc",
        "CustCred",
        "CustPymt",
        "SalesOrd",
        "VendBill",
        "VendPymt",
        "Journal",
    }
    for type_, abbrev, status in combos:
        assert f"{type_.upper()}:{status}" in labels or f"{abbrev}:{status}" in labels


def test_ids_increase_with_creation(gen: Db) -> None:
    tr, tl = gen.t["transaction"], gen.t["transactionline"]
    rows = gen.rows(sa.select(tr.c.id, tr.c.createddate, tr.c.lastmodifieddate).order_by(tr.c.id))
    assert all(a.createddate <= b.createddate for a, b in itertools.pairwise(rows))
    assert all(r.lastmodifieddate >= r.createddate for r in rows)
    off = gen.rows(
        sa.select(sa.func.count())
        .select_from(tl)
        .join(tr, tr.c.id == tl.c.transaction)
        .where(tl.c.linelastmodifieddate != tr.c.lastmodifieddate)
    )
    assert off[0][0] == 0


def test_generation_is_deterministic(gen: Db) -> None:
    ctx = Context("netsuite", Settings(scale=SCALE), CountingSink(), Golden(None))
    generate_netsuite(ctx)
    assert isinstance(ctx.sink, CountingSink)
    assert ctx.sink.checksums() == gen.checksums


# -- golden answers ------------------------------------------------------------------------
def test_golden_trial_balance_matches_sql(gen: Db) -> None:
    check_trial_balance(gen)


def test_golden_consolidation_matches_sql(gen: Db) -> None:
    check_consolidated(gen)


def test_golden_ar_aging_matches_sql(gen: Db) -> None:
    check_ar_aging(gen, AS_OF)


def test_golden_account_map_covers_every_account(gen: Db) -> None:
    acct = gen.t["account"]
    ids = {r[0] for r in gen.rows(sa.select(acct.c.id))}
    gold = gen.golden("account_map")
    assert {int(r["account"]) for r in gold} == ids and all(r["group_account"] for r in gold)


def test_decoded_samples_agree_with_the_database(gen: Db) -> None:
    tr = gen.t["transaction"]
    gold = gen.golden("decoded_samples")
    assert {r["decoded"] for r in gold if r["column"] == "currency"} >= {"USD", "GBP", "JPY"}
    for r in gold:
        row = gen.rows(sa.select(tr).where(tr.c.id == int(r["id"])))[0]._mapping
        if r["column"] == "foreigntotal":
            assert cents(r["stored"]) == cents(row["foreigntotal"]) == cents(r["decoded"])
        if r["column"] == "trandate":
            assert r["decoded"] == row["trandate"].date().isoformat()
        if r["column"] == "status":
            assert r["stored"] == row["status"]


# -- the planted signal -------------------------------------------------------------------
def _lateness(db: Db) -> list[Row]:
    tr, c = db.t["transaction"], db.t["customer"]
    return db.rows(
        sa.select(
            tr.c.entity, tr.c.trandate, tr.c.duedate, tr.c.closedate, c.c.custentity_erpml_segment
        )
        .join(c, c.c.id == tr.c.entity)
        .where(tr.c.type == "CustInvc", tr.c.status == "B")
    )


def test_lateness_follows_customer_history(gen: Db) -> None:
    halves: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for entity, day, due, closed, _ in _lateness(gen):
        if day < datetime(2025, 12, 1):
            halves[entity][day >= datetime(2024, 9, 1)].append((closed - due).days)
    pairs = [(np.mean(a), np.mean(b)) for a, b in halves.values() if len(a) >= 3 and len(b) >= 3]
    assert len(pairs) >= 15
    first, second = zip(*pairs, strict=True)
    assert np.corrcoef(first, second)[0, 1] > 0.5


def test_wholesale_pays_later_after_the_shift(gen: Db) -> None:
    shift: dict[str, list[float]] = defaultdict(list)
    per: dict[tuple[str, int], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for entity, _, due, closed, segment in _lateness(gen):
        if datetime(2025, 1, 1) <= due < datetime(2026, 4, 1):
            per[(segment, entity)][
                due >= datetime.combine(SHIFT_START, datetime.min.time())
            ].append((closed - due).days)
    for (segment, _), (before, after) in per.items():
        if before and after:
            shift[segment].append(float(np.mean(after) - np.mean(before)))
    others = [d for s, ds in shift.items() if s != "WHOLESALE" for d in ds]
    assert len(shift["WHOLESALE"]) >= 3 and len(others) >= 5
    assert np.mean(shift["WHOLESALE"]) - np.mean(others) > 8


def test_prices_rise_eight_percent_from_the_shift(gen: Db) -> None:
    tr, tl = gen.t["transaction"], gen.t["transactionline"]
    rates: dict[tuple[int, bool], set[int]] = defaultdict(set)
    for item, rate, day in gen.rows(
        sa.select(tl.c.item, tl.c.rate, tr.c.trandate)
        .join(tr, tr.c.id == tl.c.transaction)
        .where(tr.c.type == "SalesOrd", tl.c.subsidiary == 1, tl.c.mainline == "F")
    ):
        rates[(item, day.date() >= SHIFT_START)].add(cents(rate))
    ratios = [
        max(rates[(i, True)]) / max(rates[(i, False)])
        for i, after in rates
        if after and rates[(i, False)]
    ]
    assert len(ratios) >= 5 and all(abs(r - 1.08) < 0.01 for r in ratios)


def test_new_category_only_among_new_customers(gen: Db) -> None:
    c = gen.t["customer"]
    rows = gen.rows(sa.select(c.c.custentity_erpml_category, c.c.datecreated))
    ecom = [r.datecreated for r in rows if r[0] == "ECOM"]
    assert all(d.date() >= SHIFT_START for d in ecom)
    assert {r[0] for r in rows} >= {"STD", "KEY"}


# -- advance -------------------------------------------------------------------------------
def test_advance_keeps_every_rule(adv: Db) -> None:
    n, bad = unbalanced(adv)
    assert n > 1000 and not bad
    n, errors = open_amount_errors(adv)
    assert n > 500 and not errors[:5]
    check_trial_balance(adv)
    check_consolidated(adv)
    check_ar_aging(adv, UNTIL)
    assert max(r["month_end"] for r in adv.golden("ar_aging")) == UNTIL.isoformat()


def test_advance_adds_new_transactions_after_as_of(gen: Db, adv: Db) -> None:
    tr = gen.t["transaction"]
    top = gen.rows(sa.select(sa.func.max(tr.c.id)))[0][0]
    new = adv.rows(sa.select(tr.c.type, tr.c.trandate, tr.c.createddate).where(tr.c.id > top))
    assert {r.type for r in new} >= {"SalesOrd", "CustInvc", "CustPymt", "VendBill", "Journal"}
    assert all(AS_OF < r.trandate.date() <= UNTIL and r.createddate.date() > AS_OF for r in new)


def test_advance_deletes_and_records_deletions(gen: Db, adv: Db) -> None:
    dr = adv.t["deletedrecord"]
    deleted = adv.rows(sa.select(dr.c.recordid, dr.c.type, dr.c.deleteddate))
    assert deleted
    ids = [r.recordid for r in deleted]
    tr, tl = adv.t["transaction"], adv.t["transactionline"]
    tal, lk = adv.t["transactionaccountingline"], adv.t["previoustransactionlinelink"]
    before = gen.rows(sa.select(tr.c.id, tr.c.type).where(tr.c.id.in_(ids)))
    assert {r.type for r in before} == {"CustInvc"} and len(before) == len(ids)
    for table, col in (
        (tr, tr.c.id),
        (tl, tl.c.transaction),
        (tal, tal.c.transaction),
        (lk, lk.c.previousdoc),
        (lk, lk.c.nextdoc),
    ):
        assert not adv.rows(sa.select(col).select_from(table).where(col.in_(ids)))
    assert all(AS_OF < r.deleteddate.date() <= UNTIL and r.type == "invoice" for r in deleted)


def test_advance_moves_lastmodifieddate_of_updated_rows(gen: Db, adv: Db) -> None:
    tr, tl = gen.t["transaction"], gen.t["transactionline"]
    cols = (tr.c.id, tr.c.status, tr.c.lastmodifieddate, tr.c.closedate)
    was = {
        r.id: r
        for r in gen.rows(
            sa.select(*cols).where(
                tr.c.type.in_(["CustInvc", "VendBill", "SalesOrd"]), tr.c.status.in_(["A", "B"])
            )
        )
    }
    now = {r.id: r for r in adv.rows(sa.select(*cols).where(tr.c.id.in_(list(was))))}
    changed = [i for i in was if i in now and now[i].status != was[i].status]
    assert len(changed) >= 10
    for i in changed:
        assert now[i].lastmodifieddate > was[i].lastmodifieddate
        assert now[i].lastmodifieddate.date() > AS_OF
    paid = [i for i in changed if now[i].status == "B" and was[i].status == "A"]
    assert paid and all(now[i].closedate is not None for i in paid)
    lines = adv.rows(
        sa.select(tl.c.transaction, tl.c.linelastmodifieddate).where(tl.c.transaction.in_(changed))
    )
    assert lines and all(r[1] == now[r[0]].lastmodifieddate for r in lines)


def test_advance_closes_periods(gen: Db, adv: Db) -> None:
    ap = gen.t["accountingperiod"]
    stmt = sa.select(ap.c.periodname, ap.c.closed, ap.c.lastmodifieddate).where(
        ap.c.periodname.in_(["Jun 2026", "Jul 2026", "Aug 2026"])
    )
    before, after = dict(r[:2] for r in gen.rows(stmt)), dict(r[:2] for r in adv.rows(stmt))
    assert set(before.values()) == {"F"} and set(after.values()) == {"T"}


def test_advance_to_mid_month_writes_nothing_after_its_date(tmp_path: Path) -> None:
    """Advanced twice to dates inside a month: no row is dated or modified after the date it was
    advanced to. (Open invoices' payments replanned past a mid-month date were written up to
    the month's end, modified after rows the next advance writes: an incremental extraction by
    ``lastmodifieddate`` then missed the next advance's rows.)"""
    url = f"sqlite:///{tmp_path / 'netsuite.db'}"
    generate(["netsuite"], Settings(scale=0.05), url, out=tmp_path)
    engine = sa.create_engine(url)
    t = {s.name: sa_table(s, sa.MetaData(), engine.dialect.name) for s in specs.TABLES}
    tr, tl, lk = t["transaction"], t["transactionline"], t["previoustransactionlinelink"]
    stamps = [
        tr.c.trandate,
        tr.c.createddate,
        tr.c.lastmodifieddate,
        tl.c.linelastmodifieddate,
        lk.c.lastmodifieddate,
    ]
    try:
        top = 0
        for until in (AS_OF + timedelta(days=14), AS_OF + timedelta(days=28)):
            advance(["netsuite"], url, until, out=tmp_path)
            with engine.connect() as conn:
                latest = {c.table.name + "." + c.name: conn.scalar(sa.func.max(c)) for c in stamps}
                new = conn.scalar(sa.select(sa.func.count()).where(tr.c.id > top))
                top = conn.scalar(sa.func.max(tr.c.id))
            assert new > 0, (until, new)
            late = {k: v for k, v in latest.items() if v.date() > until}
            assert not late, f"advanced to {until}, yet dated later: {late}"
    finally:
        engine.dispose()


# -- bad input -----------------------------------------------------------------------------
def test_as_of_before_history_is_refused(tmp_path: Path) -> None:
    settings = Settings(scale=SCALE, as_of=date(2022, 6, 30))
    with pytest.raises(FixtureError, match="must be after the history start"):
        generate(["netsuite"], settings, f"sqlite:///{tmp_path / 'x.db'}", out=tmp_path)


def test_advance_refuses_a_tampered_customer_master(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    generate(["netsuite"], Settings(scale=0.03), url, out=tmp_path)
    engine = sa.create_engine(url)
    c = sa_table(specs.CUSTOMER, sa.MetaData(), "sqlite")
    with engine.begin() as conn:
        conn.execute(c.delete().where(c.c.id == sa.select(sa.func.min(c.c.id)).scalar_subquery()))
    engine.dispose()
    with pytest.raises(FixtureError, match="customers"):
        advance(["netsuite"], url, UNTIL, out=tmp_path)
