"""Receivables and payables marts on DuckDB and PostgreSQL.

One flow per engine on a private warehouse and private copies of the fixture sources:

1. build the AR/AP marts with their upstream (their dbt tests run in the build: contracts,
   keys, relationships to dim_company / dim_customer / dim_vendor / fct_ar_invoice, and the
   singular tie-outs in dbt_project/tests/receivables);
2. tie the month-end AR aging (int_receivables__aging_month_end, computed from fct_ar_invoice
   and fct_ar_payment) to the fixtures' golden ar_aging.csv of JDE, Vista and NetSuite;
3. check both versions of fct_ar_invoice are built with their contracts;
4. advance the sources three months, re-extract, build again (fct_ar_payment incremental) and
   tie the aging to the advanced golden files; then fully rebuild fct_ar_payment and require the
   incremental result to equal it;
5. bad input: a foreign-currency JDE invoice fails with one message naming model, column, value,
   and leaves the decoded invoices as they were.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from tests.dbt.conftest import ENGINES, PROJECT, Landed, pg_query

AR_ERPS = ("jde", "vista", "netsuite")
# The landing tables upstream of these marts (dbt ls --resource-type source --select +...):
# the PostgreSQL warehouse is extracted with only these, and they are re-extracted after advance.
TABLES = {
    "jde": ("F0005", "F0010", "F0013", "F0101", "F03012", "F03B11", "F03B13", "F03B14", "F0411"),
    "vista": ("bHQCO", "bARCM", "bARTH", "bARTL", "bAPVM", "bAPTH", "bAPTD"),
    "netsuite": (
        "currency",
        "subsidiary",
        "term",
        "customer",
        "vendor",
        "transaction",
        "transactionline",
        "transactionaccountingline",
        "previoustransactionlinelink",
        "deletedrecord",
    ),
    "onestream": (),
}
ADVANCE_TO = date(2026, 9, 30)
MODELS = [
    "+dim_company",
    "+dim_customer",
    "+dim_vendor",
    "+fct_ar_invoice",
    "+fct_ar_payment",
    "+fct_ap_invoice",
    "+int_receivables__aging_month_end",
]
# Only the tests of this area (and not the staging tests, which their own files run).
OWN_TESTS = [
    "path:models/marts/receivables",
    "path:models/intermediate/receivables",
    "path:tests/receivables",
]
AFTER_ADVANCE = ["path:models/intermediate/receivables", "path:models/marts/receivables"]
BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "d91_plus", "total")
PAYMENT_COLUMNS = (
    "payment_application_key, payment_key, invoice_key, source_system, company_key, company_id,"
    " customer_id, payment_type, payment_number, payment_date, transaction_currency_code,"
    " currency_code, applied_amount_transaction, applied_amount, known_at, source_table,"
    " _erpml_batch_id"
)


class Warehouse:
    """A private warehouse on one engine: extraction, dbt runs and queries."""

    def __init__(self, landed: Landed, engine: str, tmp: Path, database_factory: Any) -> None:
        self.engine = engine
        self.tmp = tmp
        self.sources = tmp / "sources"
        shutil.copytree(landed.home / "sources", self.sources)
        self.fixtures = tmp / "fixtures"
        shutil.copytree(landed.home / "fixtures", self.fixtures)
        if engine == "duckdb":
            self.path = landed.duckdb_copy(tmp)
            self.warehouse: dict[str, Any] = {"kind": "duckdb", "path": str(self.path)}
            self.url = ""
        else:
            self.url = database_factory("postgresql")
            self.warehouse = {"kind": "postgres", "url": self.url}
            self.extract(("jde", "vista", "netsuite", "onestream"))

    def project(self, erps: tuple[str, ...]) -> dict[str, Any]:
        from mlops.cli.demo import demo_project

        # The demo's sources of a home are its sources/*.db and fixtures/onestream/exports:
        # with the private copies as home, they are the copies.
        sources = demo_project(self.tmp)["sources"]
        return {
            "warehouse": self.warehouse,
            "sources": [s for s in sources if s["name"] in erps],
        }

    def extract(self, erps: tuple[str, ...], *, reconcile: bool = False) -> None:
        from connectors import extract
        from connectors.config import Sources

        config = Sources.model_validate(self.project(erps))
        outcomes = []
        for erp in erps:
            outcomes += extract(config, source=erp, tables=TABLES[erp], reconcile=reconcile)
        failed = [f"{o.source}.{o.table}: {o.error}" for o in outcomes if o.status != "ok"]
        assert not failed, "extraction failed: " + "; ".join(failed)

    def dbt(self, monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
        """Run dbt in-process on this warehouse (no tests selected indirectly); must succeed."""
        from dbt.cli.main import dbtRunner

        if self.engine == "duckdb":
            monkeypatch.setenv("ERPML_WAREHOUSE", str(self.path))
        else:
            url = urlparse(self.url)
            monkeypatch.setenv("ERPML_PG_HOST", url.hostname or "127.0.0.1")
            monkeypatch.setenv("ERPML_PG_PORT", str(url.port or 5432))
            monkeypatch.setenv("ERPML_PG_USER", url.username or "postgres")
            monkeypatch.setenv("ERPML_PG_DBNAME", url.path.lstrip("/"))
        monkeypatch.setenv("ERPML_TARGET", self.engine)
        base = ["--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
        base += ["--target-path", str(self.tmp / "target"), "--log-path", str(self.tmp / "logs")]
        res = dbtRunner().invoke([*args, *base, "--quiet", "--indirect-selection", "empty"])
        failed = [
            f"{r.node.name}: {r.message}"
            for r in (getattr(res.result, "results", None) or [])
            if str(r.status) in ("error", "fail")
        ]
        assert res.success, f"dbt {args[0]} failed on {self.engine}: {failed or res.exception}"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.engine == "duckdb":
            import duckdb

            con = duckdb.connect(str(self.path))
            try:
                return [tuple(r) for r in con.execute(sql).fetchall()]
            finally:
                con.close()
        return pg_query(self.url, sql)

    def execute(self, sql: str) -> None:
        """Run a statement and commit it."""
        if self.engine == "duckdb":
            import duckdb

            con = duckdb.connect(str(self.path))
            try:
                con.execute(sql)
            finally:
                con.close()
            return
        engine = sa.create_engine(self.url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(sql))
        finally:
            engine.dispose()


def _golden_aging(fixtures: Path, erp: str) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    with (fixtures / erp / "golden" / "ar_aging.csv").open(newline="") as fh:
        return {
            (r["company"], r["customer"], r["month_end"]): (
                r["currency"],
                *(Decimal(r[b]) for b in BUCKETS),
            )
            for r in csv.DictReader(fh)
        }


def _assert_aging_ties(wh: Warehouse) -> None:
    """int_receivables__aging_month_end equals ar_aging.csv of each ERP, row for row."""
    for erp in AR_ERPS:
        want = _golden_aging(wh.fixtures, erp)
        assert want, f"{erp}: golden ar_aging.csv is empty"
        rows = wh.query(
            "select company_id, customer_id, cast(month_end as varchar), currency_code,"
            " current_amount, d1_30_amount, d31_60_amount, d61_90_amount, d91_plus_amount,"
            " total_amount from intermediate.int_receivables__aging_month_end"
            f" where source_system = '{erp}'"
        )
        got = {(c, cu, m): (cur, *(Decimal(str(v)) for v in vals)) for c, cu, m, cur, *vals in rows}
        missing = sorted(set(want) - set(got))[:3]
        extra = sorted(set(got) - set(want))[:3]
        wrong = [(k, got[k], want[k]) for k in sorted(want) if k in got and got[k] != want[k]]
        assert not missing and not extra and not wrong, (erp, missing, extra, wrong[:3])


def _column_types(wh: Warehouse, table: str) -> dict[str, str]:
    rows = wh.query(
        "select column_name, data_type from information_schema.columns"
        f" where table_schema = 'marts' and table_name = '{table}'"
    )
    return {str(name): str(kind).lower() for name, kind in rows}


def _decoded_invoices(wh: Warehouse) -> list[tuple[str, ...]]:
    """Every decoded AR item, each column as text, sorted."""
    rows = wh.query("select * from intermediate.int_receivables__invoices_decoded")
    return sorted(tuple(str(v) for v in r) for r in rows)


def _payments(wh: Warehouse) -> list[tuple[str, ...]]:
    rows = wh.query(f"select {PAYMENT_COLUMNS} from marts.fct_ar_payment")
    return sorted(tuple(str(v) for v in row) for row in rows)


def _settled_state(wh: Warehouse) -> list[tuple[str, ...]]:
    table = "intermediate.int_receivables__invoices_state"
    return sorted(tuple(map(str, r)) for r in wh.query(f"select * from {table}"))


def _items(wh: Warehouse) -> list[tuple[str, str]]:
    """(invoice_key, applied_amount, paid_date) of every item of the state table."""
    rows = wh.query(
        "select invoice_key, cast(applied_amount as varchar) || '/' || coalesce("
        "cast(paid_date as varchar), '') from intermediate.int_receivables__invoices_state"
    )
    return [(str(k), str(v)) for k, v in rows]


@pytest.mark.parametrize("engine", ENGINES)
def test_receivables_marts(
    landed: Landed,
    engine: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_factory: Any,
) -> None:
    from fixtures import advance

    wh = Warehouse(landed, engine, tmp_path, database_factory)
    wh.dbt(monkeypatch, "build", "--select", *MODELS, *OWN_TESTS)

    # AR aging from the marts equals the generator's golden answer in all three ERPs.
    _assert_aging_ties(wh)

    # Every ERP has paid and open items, and applications tie to them (also a dbt test).
    states = wh.query(
        "select source_system, status, count(*) from marts.fct_ar_invoice_v2"
        " group by source_system, status"
    )
    seen = {(s, st) for s, st, _ in states}
    for erp in AR_ERPS:
        assert (erp, "paid") in seen and ({(erp, "open"), (erp, "past_due")} & seen), states
    late = wh.query(
        "select count(*) from marts.fct_ar_invoice_v2 where status = 'paid'"
        " and days_late <> paid_date - due_date"
    )
    assert late == [(0,)]

    # Both versions are built with their own contracts.
    v1, v2 = _column_types(wh, "fct_ar_invoice_v1"), _column_types(wh, "fct_ar_invoice_v2")
    assert "invoice_number" in v1 and "document_number" not in v1 and "aging_bucket" not in v1
    assert "document_number" in v2 and "aging_bucket" in v2 and "invoice_number" not in v2
    assert v1["days_late"] == "bigint" and v2["days_late"] == "integer"
    assert wh.query("select count(*) from marts.fct_ar_invoice_v1") == wh.query(
        "select count(*) from marts.fct_ar_invoice_v2"
    )

    # Advance the sources, re-extract, build incrementally: the aging ties to the new golden.
    before, decoded_before = _payments(wh), _decoded_invoices(wh)
    items_before = dict(_items(wh))
    advance(
        list(AR_ERPS), f"sqlite:///{wh.sources.resolve()}/{{erp}}.db", ADVANCE_TO, out=wh.fixtures
    )
    wh.extract(AR_ERPS, reconcile=True)
    wh.dbt(monkeypatch, "build", "--select", *AFTER_ADVANCE, "path:tests/receivables")
    as_of = wh.query("select source_system, as_of_date from intermediate.int_receivables__as_of")
    assert {str(d)[:7] for _, d in as_of} == {ADVANCE_TO.isoformat()[:7]}, as_of
    _assert_aging_ties(wh)
    incremental = _payments(wh)
    assert len(incremental) > len(before)
    assert {r[0] for r in before} <= {r[0] for r in incremental}

    # The incremental fct_ar_payment and decoded invoices equal a full rebuild of them.
    decoded_rows = _decoded_invoices(wh)
    assert len(decoded_rows) > len(decoded_before)
    wh.dbt(monkeypatch, "build", "--select", "fct_ar_payment", "--full-refresh")
    assert _payments(wh) == incremental
    wh.dbt(monkeypatch, "build", "--select", "int_receivables__invoices_decoded", "--full-refresh")
    assert _decoded_invoices(wh) == decoded_rows

    # The settled items merged by fingerprint equal settling every item again; the items the
    # advance paid (a payment newer than the first build) were settled again.
    state, items = _settled_state(wh), _items(wh)
    assert any(r[1] != items_before.get(r[0]) for r in items), "no item changed"
    # (PostgreSQL: the full refreshes drop the views over the tables they replace, cascading)
    again = ("int_receivables__invoices_unioned", "int_receivables__invoices_state+")
    wh.dbt(monkeypatch, "build", "--select", *again, "--full-refresh")
    assert _settled_state(wh) == state

    # fct_ar_invoice is a view: its contract's not_null constraints are checked by a test.
    state_table = "intermediate.int_receivables__invoices_state"
    wh.execute(
        f"update {state_table} set customer_id = null"
        f" where invoice_key = (select min(invoice_key) from {state_table})"
    )
    with pytest.raises(AssertionError, match="erpml_contract_not_null_fct_ar_invoice_v2"):
        wh.dbt(monkeypatch, "test", "--select", "test_name:erpml_contract_not_null")
    wh.dbt(monkeypatch, "build", "--select", *again, "--full-refresh")

    # Bad input: a foreign-currency JDE invoice is never converted by a guessed rate. The row
    # lands again (a new batch); decoding it, as building fct_ar_invoice does, fails with one
    # message naming model, column and value, and the decoded items are left as they were.
    decoded = (
        "select count(*), sum(gross_amount) from intermediate.int_receivables__invoices_decoded"
    )
    kept = wh.query(decoded)
    wh.execute(
        """update jde."F03B11" set "RPCRCD" = 'XYZ', "_erpml_batch_id" ="""
        """ (select max("_erpml_batch_id") + 1 from jde."F03B11")"""
        """ where "RPDOC" = (select min("RPDOC") from jde."F03B11" where "RPDCT" = 'RI')"""
    )
    message = (
        "foreign-currency amount is not supported: int_receivables__invoices_decoded.RPCRCD = XYZ"
    )
    with pytest.raises(AssertionError, match=message):
        wh.dbt(monkeypatch, "build", "--select", "int_receivables__invoices_decoded")
    assert wh.query(decoded) == kept
