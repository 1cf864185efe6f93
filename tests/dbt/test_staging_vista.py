"""Vista staging on DuckDB and PostgreSQL: decoding (dbt unit tests) and golden tie-outs."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from tests.dbt.conftest import ENGINES, Landed, dbt_build, golden


@pytest.mark.parametrize("engine", ENGINES)
def test_vista_staging_ties_to_golden(
    landed: Landed, engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = dbt_build(
        landed, engine, ["staging.vista", "netsuite_status_codes"], tmp_path, monkeypatch
    )

    # Job cost: cumulative actuals and estimates per job and month equal job_cost.csv.
    per_month: dict[tuple[str, str], dict[str, list[Decimal]]] = defaultdict(dict)
    rows = query(
        "select company, job, month, sum(actual_cost), sum(actual_hours),"
        " sum(case when jc_trans_type = 'original_estimate' then est_cost else 0 end),"
        " sum(case when jc_trans_type in ('original_estimate', 'change_order')"
        " then est_cost else 0 end), sum(proj_cost)"
        " from staging.stg_vista__bjccd group by company, job, month"
    )
    for company, job, month, *amounts in rows:
        per_month[(str(company), job)][str(month)] = [Decimal(str(a)) for a in amounts]
    expected = golden(landed, "vista", "job_cost.csv")
    assert expected
    for (company, job), months in _group(expected).items():
        totals = [Decimal(0)] * 5
        for row in months:
            for i, amount in enumerate(per_month[(company, job)].get(row["month"], [])):
                totals[i] += amount
            got = list(totals)
            want = [
                Decimal(row[c])
                for c in (
                    "actual_cost_to_date",
                    "actual_hours_to_date",
                    "original_estimate",
                    "current_estimate",
                    "projected_cost",
                )
            ]
            assert got == want, (company, job, row["month"])

    # Trial balance: net posted GL detail per account and month equals trial_balance.csv.
    tb = {
        (str(c), a, str(m)): Decimal(str(v))
        for c, a, m, v in query(
            "select company, gl_account, month, sum(amount) from staging.stg_vista__bgldt"
            " group by company, gl_account, month having sum(amount) <> 0"
        )
    }
    want_tb = {
        (r["company"], r["account"], r["month"]): Decimal(r["amount"])
        for r in golden(landed, "vista", "trial_balance.csv")
    }
    assert tb == want_tb

    # Decoded codes: every job status and AP status decodes, accounts are trimmed.
    statuses = {s for (s,) in query("select distinct job_status from staging.stg_vista__bjcjm")}
    assert statuses and statuses <= {"pending", "open", "soft_closed", "hard_closed"}
    ap = {s for (s,) in query("select distinct status from staging.stg_vista__baptd")}
    assert ap and ap <= {"open", "hold", "paid", "cleared"}
    padded = query(
        "select count(*) from staging.stg_vista__bglac where gl_account <> trim(gl_account)"
    )
    assert padded == [(0,)]


def _group(rows: list[dict[str, str]]) -> dict[tuple[str, str], list[dict[str, str]]]:
    out: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["month"]):
        out[(row["company"], row["job"])].append(row)
    return out
