"""General-ledger marts on DuckDB and PostgreSQL: golden tie-outs, bad input, incremental build.

The dbt build runs the marts' own tests (contracts, keys, relationships) and the singular
tie-outs in ``dbt_project/tests/finance`` (trial balance nets to zero, JDE F0902, Vista bGLBL);
here ``fct_gl_balance`` and ``dim_gl_account`` are compared with the fixtures' golden files, and
an incremental build after ``fixtures.advance`` + re-extraction is compared with a full rebuild.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
import pytest
import sqlalchemy as sa

from tests.dbt.conftest import ENGINES, PROJECT, Landed, dbt_build, dbt_show, pg_query

Query = Callable[[str], list[tuple[Any, ...]]]
SELECT = ["+marts.finance", "+intermediate.finance", "stg_vista__bglbl"]
# staging's own tests run in the staging test files: here only the marts' and seeds' tests
NO_STAGING_TESTS = ["--exclude", "resource_type:test,path:models/staging"]
# seeds and models of the marts without any test
MODELS_ONLY = [*SELECT, "--exclude", "resource_type:test"]
ADVANCE_TO = date(2026, 9, 30)


def _d(value: Any) -> Decimal:
    return Decimal(str(value)).normalize()


@pytest.fixture(autouse=True)
def _cautious(monkeypatch: pytest.MonkeyPatch) -> None:
    # other marts' tests on dim_company must not run when only the finance marts are built
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "cautious")


@pytest.mark.parametrize("engine", ENGINES)
def test_gl_marts_tie_to_golden(
    landed: Landed, engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = dbt_build(landed, engine, [*SELECT, *NO_STAGING_TESTS], tmp_path, monkeypatch)
    _assert_trial_balances(query, landed.golden)
    _assert_account_maps(query, landed.golden)
    if engine == "postgres":
        # the marts' text-typed failure fails on PostgreSQL too (a text-to-text cast would not);
        # DuckDB: test_gl_bad_input_fails_naming_value
        rows, error = dbt_show(
            landed.postgres_project,
            "select {{ erpml.finance_raise(\"'GL account has no category mapping: "
            "dim_gl_account.source_account_type = ' || t.v\", 'varchar') }} as x"
            " from (select 'M' as v) as t",
            tmp_path,
        )
        assert rows == []
        assert "no category mapping: dim_gl_account.source_account_type = M" in error
        _assert_postgres_tombstone(landed, tmp_path, query)

    # every source contributes entries; fiscal calendars follow each ERP's convention
    per_source = dict(query("select source_system, count(*) from marts.fct_gl_entry group by 1"))
    assert set(per_source) == {"jde", "vista", "netsuite"} and min(per_source.values()) > 100
    periods = {
        (s, str(start), str(end), fy, n)
        for s, start, end, fy, n in query(
            "select source_system, start_date, end_date, fiscal_year, period_number"
            " from marts.dim_fiscal_period where start_date = date '2024-01-01'"
        )
    }
    assert periods == {
        ("jde", "2024-01-01", "2024-01-31", 2023, 7),  # July year named by its first year
        ("netsuite", "2024-01-01", "2024-01-31", 2024, 10),  # April year named by its last
        ("vista", "2024-01-01", "2024-01-31", 2024, 1),  # calendar
    }
    # foreign-currency companies are translated at the source's own rates
    sources = {
        (s, r)
        for s, r in query(
            "select distinct source_system, reporting_rate_source from marts.fct_gl_entry"
        )
    }
    assert sources == {
        ("jde", "identity"),
        ("jde", "jde.F0015"),
        ("vista", "identity"),
        ("netsuite", "identity"),
        ("netsuite", "netsuite.consolidatedexchangerate.averagerate"),
        ("netsuite", "netsuite.consolidatedexchangerate.currentrate"),
        ("netsuite", "netsuite.consolidatedexchangerate.historicalrate"),
    }


def _assert_postgres_tombstone(landed: Landed, tmp_path: Path, query: Query) -> None:
    """PostgreSQL incremental runs: a NetSuite accounting line flagged deleted in a new batch
    leaves fct_gl_entry; landed again in a later batch, it comes back (landing restored)."""
    columns = [
        f'"{c}"'
        for (c,) in query(
            "select column_name from information_schema.columns where table_schema = 'marts'"
            " and table_name = 'fct_gl_entry' and column_name <> '_erpml_batch_id'"
            " order by ordinal_position"
        )
    ]
    facts = f"select {', '.join(columns)} from marts.fct_gl_entry order by gl_entry_key"
    before = query(facts)
    line = query(
        'select "transaction", transactionline from netsuite.transactionaccountingline'
        " where posting = 'T' order by 1, 2 limit 1"
    )[0]
    batch = query("select max(batch_id) from _erpml.extract_runs")[0][0]
    where = f'where "transaction" = {line[0]} and transactionline = {line[1]}'
    flag = (
        "update netsuite.transactionaccountingline set _erpml_deleted = {}, _erpml_batch_id = {} "
    )
    try:
        _pg_execute(landed.postgres_url, f"{flag.format('true', batch + 1)} {where}")
        ok, error = _dbt(landed, ["run", "--select", "fct_gl_entry"], tmp_path)
        assert ok, error
        after = query(facts)
        assert len(after) == len(before) - 1 and set(after) < set(before)
    finally:
        _pg_execute(landed.postgres_url, f"{flag.format('false', batch + 2)} {where}")
    ok, error = _dbt(landed, ["run", "--select", "fct_gl_entry"], tmp_path)
    assert ok, error
    assert query(facts) == before  # the same rows; the line's batch is now the later one
    assert query("select max(_erpml_batch_id) from marts.fct_gl_entry") == [(batch + 2,)]


def _assert_trial_balances(query: Query, golden_dir: Callable[[str], Path]) -> None:
    def read(erp: str, name: str) -> list[dict[str, str]]:
        import csv

        with (golden_dir(erp) / name).open(newline="") as fh:
            return list(csv.DictReader(fh))

    # JDE: rows where amount or balance is not zero; balance-sheet cumulative with the
    # annual close into retained earnings, profit and loss fiscal year to date
    got = {
        (co, acct, str(fy), str(pn)): (_d(n), _d(b), cur)
        for co, acct, fy, pn, n, b, cur in query(
            "select company_id, account_code, fiscal_year, period_number, net_amount,"
            " closing_balance, company_currency_code from marts.fct_gl_balance"
            " where source_system = 'jde' and (net_amount <> 0 or closing_balance <> 0)"
        )
    }
    want = {
        (r["company"], r["account"], r["fiscal_year"], r["period"]): (
            _d(r["amount"]),
            _d(r["balance"]),
            r["currency"],
        )
        for r in read("jde", "trial_balance.csv")
    }
    assert want and got == want

    # Vista: net activity per company, account and month, zero rows left out
    got_vista = {
        (co, acct, str(month), str(fy)): _d(n)
        for co, acct, month, fy, n in query(
            "select b.company_id, b.account_code, p.start_date, b.fiscal_year, b.net_amount"
            " from marts.fct_gl_balance as b"
            " join marts.dim_fiscal_period as p on p.fiscal_period_key = b.fiscal_period_key"
            " where b.source_system = 'vista' and b.net_amount <> 0"
        )
    }
    want_vista = {
        (r["company"], r["account"], r["month"], r["fiscal_year"]): _d(r["amount"])
        for r in read("vista", "trial_balance.csv")
    }
    assert want_vista and got_vista == want_vista

    # NetSuite: per subsidiary, account and posting period with posting lines
    rows = query(
        "select b.company_id, a.account_id, p.source_period_id, p.period_name, b.fiscal_year,"
        " b.company_currency_code, b.net_amount, b.closing_balance, b.net_amount_reporting"
        " from marts.fct_gl_balance as b"
        " join marts.dim_fiscal_period as p on p.fiscal_period_key = b.fiscal_period_key"
        " join marts.dim_gl_account as a on a.gl_account_key = b.gl_account_key"
        " where b.source_system = 'netsuite' and b.entry_count > 0"
    )
    got_ns = {
        (sub, acct, pid): (name, str(fy), cur, _d(n), _d(b))
        for sub, acct, pid, name, fy, cur, n, b, _ in rows
    }
    want_ns = {
        (r["subsidiary"], r["account"], r["postingperiod"]): (
            r["period"],
            r["fiscal_year"],
            r["currency"],
            _d(r["amount"]),
            _d(r["closing_balance"]),
        )
        for r in read("netsuite", "trial_balance.csv")
    }
    assert want_ns and got_ns == want_ns

    # NetSuite in USD: each subsidiary's period activity at the consolidated rate of the
    # account's general rate type, summed over subsidiaries = consolidated.csv
    usd: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for _, acct, pid, *_, reporting in rows:
        usd[(acct, pid)] += Decimal(str(reporting))
    want_usd = {
        (r["account"], r["postingperiod"]): _d(r["amount"])
        for r in read("netsuite", "consolidated.csv")
    }
    assert want_usd and {k: v.normalize() for k, v in usd.items()} == want_usd


def _assert_account_maps(query: Query, golden_dir: Callable[[str], Path]) -> None:
    import csv

    def read(erp: str) -> list[dict[str, str]]:
        with (golden_dir(erp) / "account_map.csv").open(newline="") as fh:
            return list(csv.DictReader(fh))

    accounts = {
        (s, co, code): (aid, name, grp, gname, cat, ic, partner)
        for s, co, code, aid, name, grp, gname, cat, ic, partner in query(
            "select source_system, company_id, account_code, account_id, account_name,"
            " group_account, group_name, account_category, is_intercompany,"
            " intercompany_partner_id from marts.dim_gl_account"
        )
    }
    categories = {"asset", "liability", "equity", "revenue", "expense"}
    want: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    for r in read("jde"):
        want[("jde", r["company"], r["account"])] = (
            r["aid"],
            r["description"],
            r["group_account"],
            r["group_name"],
            r["group_type"],
            bool(r["ic_partner"]),
            None,  # F0901 stores no intercompany partner
        )
    vista_types = {"A": "asset", "L": "liability", "C": "equity", "I": "revenue", "E": "expense"}
    for r in read("vista"):
        want[("vista", r["company"], r["account"])] = (
            r["account"],
            r["description"],
            r["group_account"],
            r["group_name"],
            vista_types[r["account_type"]],
            bool(r["ic_partner"]),
            r["ic_partner"] or None,
        )
    ns_subsidiaries = [
        s
        for (s,) in query(
            "select company_id from marts.dim_company where source_system = 'netsuite'"
        )
    ]
    group_types = {
        a: t
        for a, t in query("select group_account, account_category from staging.gl_group_accounts")
    }
    for r in read("netsuite"):
        for sub in ns_subsidiaries:
            want[("netsuite", sub, r["acctnumber"])] = (
                r["account"],
                r["name"],
                r["group_account"],
                r["group_name"],
                group_types[r["group_account"]],
                bool(r["ic_partner"]),
                None,  # NetSuite accounts store no partner
            )
    assert len(ns_subsidiaries) == 3 and categories >= {v[4] for v in want.values()}
    assert accounts == want


def test_gl_bad_input_fails_naming_value(landed: Landed, tmp_path: Path) -> None:
    """An unmapped account type, a currency without rates and a currency missing from the
    currency table fail the build, each with one message naming model, column and value."""
    path = landed.duckdb_copy(tmp_path)
    _execute(
        path,
        'update vista."bGLAC" set "AcctType" = \'M\''
        ' where "GLAcct" like \'61-100-00%\' and "GLCo" = 5',
    )
    _execute(path, 'update vista."bHQCO" set "udCurrency" = \'EUR\' where "HQCo" = 8')
    ok, error = _dbt(path, ["build", "--select", *MODELS_ONLY], tmp_path)
    assert not ok
    assert (
        "GL account has no category mapping: dim_gl_account.source_account_type = M"
        " (account vista 5 61-100-00)" in error
    )
    assert "no exchange rate to USD: fct_gl_entry.company_currency_code = EUR on 20" in error
    assert "(vista company 8)" in error

    _execute(path, 'update vista."bHQCO" set "udCurrency" = \'USD\'')
    _execute(path, "update netsuite.subsidiary set currency = 99 where id = 2")
    ok, error = _dbt(path, ["run", "--select", "fct_gl_entry"], tmp_path)
    assert not ok
    assert (
        "unknown currency code: fct_gl_entry.company_currency_code = currency id 99"
        " (netsuite company 2)" in error
    )


def test_gl_entry_incremental_equals_full_refresh(landed: Landed, tmp_path: Path) -> None:
    """Build, advance the fixture ERPs, re-extract, build incrementally: same rows as a full
    rebuild (fct_gl_entry and fct_gl_balance), source deletes gone, and the balances tie to the
    advanced golden files."""
    from connectors import extract
    from connectors.config import Sources
    from fixtures.run import advance
    from mlops.cli.demo import demo_project

    shutil.copytree(landed.home / "sources", tmp_path / "sources")
    shutil.copytree(landed.home / "fixtures", tmp_path / "fixtures")
    path = landed.duckdb_copy(tmp_path)
    project = demo_project(tmp_path)
    assert project["warehouse"]["path"] == str(path.resolve())

    ok, error = _dbt(path, ["build", "--select", *MODELS_ONLY], tmp_path)
    assert ok, error
    before = _select(path, "select max(_erpml_batch_id), count(*) from marts.fct_gl_entry")[0]

    advance(
        ["jde", "vista", "netsuite"],
        f"sqlite:///{(tmp_path / 'sources').resolve()}/{{erp}}.db",
        ADVANCE_TO,
        out=tmp_path / "fixtures",
    )
    outcomes = extract(Sources.model_validate(project))
    assert all(o.status == "ok" for o in outcomes), [o.error for o in outcomes if o.error]
    # NetSuite invoices deleted at the source by advance: still in the fact until it is rebuilt
    deleted_invoices = (
        "select count(*) from marts.fct_gl_entry as f join netsuite.transaction as t"
        " on f.source_system = 'netsuite' and f.document_type = t.type"
        " and f.document_number = t.tranid where t._erpml_deleted"
    )
    assert _select(path, deleted_invoices)[0][0] > 0

    # incremental build with every test (tie-outs to F0902 and bGLBL on the new data)
    ok, error = _dbt(path, ["build", "--select", *SELECT, *NO_STAGING_TESTS], tmp_path)
    assert ok, error
    columns = ", ".join(_fact_columns(path))
    incremental = _select(path, f"select {columns} from marts.fct_gl_entry")
    newer = _select(
        path, f"select count(*) from marts.fct_gl_entry where _erpml_batch_id > {before[0]}"
    )
    assert newer[0][0] > 0 and len(incremental) > before[1]
    assert _select(path, deleted_invoices) == [(0,)]  # removed by the tombstone pre-hook

    def query(sql: str) -> list[tuple[Any, ...]]:
        return _select(path, sql)

    _assert_trial_balances(query, lambda erp: tmp_path / "fixtures" / erp / "golden")
    balances = _rows(query("select * from marts.fct_gl_balance"))

    refresh = ["run", "--select", "fct_gl_entry", "fct_gl_balance", "--full-refresh"]
    ok, error = _dbt(path, refresh, tmp_path)
    assert ok, error
    full = _select(path, f"select {columns} from marts.fct_gl_entry")
    assert len(full) == len(incremental)
    assert sorted(map(repr, full)) == sorted(map(repr, incremental))
    assert _rows(query("select * from marts.fct_gl_balance")) == balances


# Late corrections, landed as an extraction lands them (the row re-landed with a new batch, a
# deleted row flagged): each statement takes the batch as {batch}.
_OLDEST_JDE_LINE = (
    'select f."GLKCO", f."GLDCT", f."GLDOC", f."GLDGJ", f."GLJELN", f."GLCO", f."GLAID"'
    " from jde.\"F0911\" as f join marts.dim_gl_account as a on a.source_system = 'jde'"
    ' and a.account_id = trim(f."GLAID") and a.company_id = trim(cast(f."GLCO" as varchar))'
    " where trim(f.\"GLLT\") = 'AA' and trim(f.\"GLPOST\") = 'P' and {condition}"
    ' order by f."GLDGJ", f."GLDOC", f."GLJELN" limit 1'
)


def _late_corrections(query: Query) -> tuple[list[str], list[str]]:
    """Statements that correct old periods in the landing, and the ones that undo them."""
    line = 'where "GLKCO" = \'{}\' and "GLDCT" = \'{}\' and "GLDOC" = {} and "GLDGJ" = {}'
    line += ' and "GLJELN" = {} and trim("GLLT") = \'AA\''
    pl = query(_OLDEST_JDE_LINE.format(condition="not a.is_balance_sheet"))[0]
    other = query(
        "select account_id from marts.dim_gl_account where source_system = 'jde'"
        f" and company_id = trim(cast('{pl[5]}' as varchar)) and not is_balance_sheet"
        f" and account_id <> trim('{pl[6]}') order by account_id limit 1"
    )[0][0]
    bs = query(_OLDEST_JDE_LINE.format(condition="a.is_balance_sheet"))[0]
    vista = query('select "GLCo", "Mth", "GLTrans" from vista."bGLDT" order by "Mth", 3 limit 1')[0]
    month = str(vista[1])[:10]  # no colons: SQLAlchemy's text() reads ":name" as a parameter
    vista_where = f'where "GLCo" = {vista[0]} and cast("Mth" as date) = date \'{month}\''
    vista_where += f' and "GLTrans" = {vista[2]}'
    rate = query(
        'select "CXCRCD", "CXEFT" from jde."F0015" where trim("CXCRDC") = \'USD\''
        ' and "CXAN8" = 0 order by "CXEFT", 1 limit 1'
    )[0]
    rate_where = f'where "CXCRCD" = \'{rate[0]}\' and "CXEFT" = {rate[1]}'
    batch = '"_erpml_batch_id" = {batch}'
    corrections = [
        # a profit-and-loss line of the oldest period moved to another account (JDE retained
        # earnings carry it into every later year)
        f'update jde."F0911" set "GLAID" = \'{other}\', {batch} {line.format(*pl[:5])}',
        # a balance-sheet amount of the oldest period corrected
        f'update jde."F0911" set "GLAA" = "GLAA" + 12345, {batch} {line.format(*bs[:5])}',
        # an old Vista line deleted at the source
        f'update vista."bGLDT" set "_erpml_deleted" = true, {batch} {vista_where}',
        # the oldest JDE exchange rate corrected
        f'update jde."F0015" set "CXCRR" = "CXCRR" + 1000, {batch} {rate_where}',
    ]
    undo = [
        f'update jde."F0911" set "GLAID" = \'{pl[6]}\', {batch} {line.format(*pl[:5])}',
        f'update jde."F0911" set "GLAA" = "GLAA" - 12345, {batch} {line.format(*bs[:5])}',
        f'update vista."bGLDT" set "_erpml_deleted" = false, {batch} {vista_where}',
        f'update jde."F0015" set "CXCRR" = "CXCRR" - 1000, {batch} {rate_where}',
    ]
    return corrections, undo


@pytest.mark.parametrize("engine", ENGINES)
def test_gl_balance_after_late_corrections_equals_full_refresh(
    landed: Landed, engine: str, tmp_path: Path
) -> None:
    """Corrections to the oldest periods (an account moved, an amount, a deleted line, a rate),
    merged by an incremental run: fct_gl_balance equals a full rebuild, JDE retained earnings
    carry the moved profit and loss into later years, and undoing the corrections restores it."""
    target: Path | Landed = landed.duckdb_copy(tmp_path) if engine == "duckdb" else landed
    query, execute = _engine_sql(target)
    ok, error = _dbt(target, ["build", "--select", *MODELS_ONLY], tmp_path)
    assert ok, error
    balance = "select * from marts.fct_gl_balance"
    before = _rows(query(balance))
    corrections, undo = _late_corrections(query)
    batch = int(query("select max(batch_id) from _erpml.extract_runs")[0][0])
    incremental = ["run", "--select", "fct_gl_entry", "fct_gl_balance"]
    try:
        for statement in corrections:
            execute(statement.format(batch=batch + 1))
        ok, error = _dbt(target, incremental, tmp_path)
        assert ok, error
        corrected = _rows(query(balance))
        ok, error = _dbt(target, ["run", "--select", "fct_gl_balance", "--full-refresh"], tmp_path)
        assert ok, error
        assert _rows(query(balance)) == corrected
        # (source system, fiscal year, period) of the rows that differ
        changed = {(r[4], int(r[7]), int(r[8])) for r in set(corrected) ^ set(before)}
        first_year = min(fy for s, fy, _ in changed if s == "jde")
        assert {s for s, _, _ in changed} == {"jde", "vista"}
        # retained earnings carry the moved line's profit and loss into later years
        assert any(s == "jde" and fy > first_year for s, fy, _ in changed)
    finally:
        for statement in undo:
            execute(statement.format(batch=batch + 2))
    ok, error = _dbt(target, incremental, tmp_path)
    assert ok, error
    assert _rows(query(balance)) == before


def _rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows in a stable order with values compared by their text (engines type differently)."""
    return sorted(tuple(str(v) for v in r) for r in rows)


def _engine_sql(target: Path | Landed) -> tuple[Query, Callable[[str], None]]:
    """Query and execute on the DuckDB file at ``target`` or the landed PostgreSQL database."""
    if isinstance(target, Path):
        return (lambda sql: _select(target, sql)), (lambda sql: _execute(target, sql))
    url = target.postgres_url
    return (lambda sql: pg_query(url, sql)), (lambda sql: _pg_execute(url, sql))


def _pg_execute(url: str, sql: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(sql))
    finally:
        engine.dispose()


def _fact_columns(path: Path) -> list[str]:
    rows = _select(
        path,
        "select column_name from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'fct_gl_entry' order by ordinal_position",
    )
    return [f'"{name}"' for (name,) in rows]


def _select(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(path))
    try:
        return [tuple(r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def _execute(path: Path, sql: str) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(sql)
    finally:
        con.close()


def _dbt(target: Path | Landed, args: list[str], work: Path) -> tuple[bool, str]:
    """Run dbt in-process on the DuckDB warehouse at ``target`` or on the landed PostgreSQL
    database: (success, error text). Calls sharing ``work`` parse the project partially."""
    from dbt.cli.main import dbtRunner

    from mlops.build import one_line

    if isinstance(target, Path):
        engine, env = "duckdb", {"ERPML_WAREHOUSE": str(target)}
    else:
        url = urlparse(target.postgres_url)
        engine, env = (
            "postgres",
            {
                "ERPML_PG_HOST": url.hostname or "127.0.0.1",
                "ERPML_PG_PORT": str(url.port or 5432),
                "ERPML_PG_USER": url.username or "postgres",
                "ERPML_PG_DBNAME": url.path.lstrip("/"),
            },
        )
    full = [args[0], "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
    full += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    full += ["--quiet", "--target", engine, *args[1:]]
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {**env, "ERPML_TARGET": engine}.items():
            mp.setenv(key, value)
        outcome = dbtRunner().invoke(full)
    if outcome.exception is not None:
        return False, one_line(str(outcome.exception))
    results = getattr(outcome.result, "results", None) or []
    errors = [one_line(str(r.message)) for r in results if str(r.status) in ("error", "fail")]
    return bool(outcome.success) and not errors, "; ".join(errors)
