"""Planning mart on DuckDB and PostgreSQL: fct_financial_plan tied to the OneStream golden files.

fct_financial_plan is built with its upstream and the GL marts (fct_gl_entry, dim_gl_account),
so the build runs the singular tests "IC nets to zero after eliminations" and "OneStream Actual
equals the mapped ERP GL". Then, in Python, against the generator's golden answers:
``plan.csv`` (Budget and Forecast totals per entity, account and year), ``actual_tie.csv``
(Actual per entity, group account and month) and ``eliminations.csv`` (IC totals before and
after eliminations at each parent, YTD in USD).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.dbt.conftest import ENGINES, Landed, dbt_build, golden

MARTS = ["+fct_financial_plan", "+fct_gl_entry", "+dim_gl_account"]
Key = tuple[str, ...]


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _nonzero(values: dict[Key, Decimal]) -> dict[Key, Decimal]:
    return {k: v for k, v in values.items() if v != 0}


@pytest.mark.parametrize("engine", ENGINES)
def test_financial_plan_ties_to_golden(
    landed: Landed, engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixtures.onestream.dimensions import TOP_ENTITY

    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "cautious")
    query = dbt_build(landed, engine, MARTS, tmp_path, monkeypatch)

    # Budget and Forecast: the year's Periodic Local amounts per entity and account.
    got = {
        (s, e, a, str(y)): _dec(t)
        for s, e, a, y, t in query(
            "select scenario, entity, account, fiscal_year, sum(amount_local)"
            " from marts.fct_financial_plan where scenario in ('Budget', 'Forecast')"
            " and not is_elimination group by 1, 2, 3, 4"
        )
    }
    plan = golden(landed, "onestream", "plan.csv")
    assert plan
    assert got == {
        (r["scenario"], r["entity"], r["account"], r["year"]): Decimal(r["total"]) for r in plan
    }

    # Actual per entity, group account and month (Local, Periodic, summed over IC).
    got = {
        (e, a, str(m)): _dec(t)
        for e, a, m, t in query(
            "select entity, group_account, month, sum(amount_local) from marts.fct_financial_plan"
            " where scenario = 'Actual' and not is_elimination group by 1, 2, 3"
        )
    }
    tie = golden(landed, "onestream", "actual_tie.csv")
    assert tie and all(r["amount_onestream"] == r["amount_erp"] for r in tie)
    assert _nonzero(got) == _nonzero(
        {(r["entity"], r["group_account"], r["month"]): Decimal(r["amount_onestream"]) for r in tie}
    )

    # Eliminations (USD, YTD): at each parent and above it, IC rows of the pairs eliminated
    # there, the elimination rows, and their sum 0.
    rows = query(
        "select entity, ic_entity, parent, account, month, fiscal_year, is_elimination,"
        " ytd_amount_reporting from marts.fct_financial_plan"
        " where scenario = 'Actual' and (is_elimination or ic_entity is not null)"
        " and group_account is not null"
    )
    common = {(e, ic, y): p for e, ic, p, _, _, y, elim, _ in rows if elim}
    before: dict[Key, Decimal] = defaultdict(Decimal)
    elimination: dict[Key, Decimal] = defaultdict(Decimal)
    for e, ic, parent, account, month, year, elim, amount in rows:
        target = elimination if elim else before
        at = parent if elim else common.get((e, ic, year))
        if at is None:
            continue
        for p in {at, TOP_ENTITY}:
            target[(p, account, str(month))] += _dec(amount)
    expected = golden(landed, "onestream", "eliminations.csv")
    assert expected
    for r in expected:
        k = (r["parent"], r["account"], r["month"])
        assert (before[k], elimination[k]) == (
            Decimal(r["ic_total_before"]),
            Decimal(r["elimination"]),
        ), k
        assert Decimal(r["ic_total_after"]) == 0
    assert set(_nonzero(dict(before))) <= {
        (r["parent"], r["account"], r["month"]) for r in expected
    }

    # Reporting currency: Actual of every entity; plans only for entities in USD.
    missing = query(
        "select scenario, currency_code = reporting_currency_code, count(*),"
        " count(amount_reporting) from marts.fct_financial_plan where not is_elimination"
        " group by 1, 2"
    )
    for scenario, in_usd, n, with_reporting in missing:
        if scenario == "Actual" or in_usd:
            assert with_reporting == n, (scenario, in_usd)
        else:
            assert with_reporting == 0, (scenario, in_usd)
    translated = query(
        "select count(*) from marts.fct_financial_plan where scenario = 'Actual'"
        " and currency_code <> reporting_currency_code and amount_reporting <> amount_local"
    )
    assert translated[0][0] > 0
