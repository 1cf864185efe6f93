"""NetSuite staging on DuckDB and PostgreSQL: trial balance and status labels tie to golden."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.dbt.conftest import ENGINES, Landed, dbt_build, golden


@pytest.mark.parametrize("engine", ENGINES)
def test_netsuite_staging_ties_to_golden(
    landed: Landed, engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = dbt_build(
        landed, engine, ["staging.netsuite", "netsuite_status_codes"], tmp_path, monkeypatch
    )

    # Trial balance: posting accounting lines per subsidiary, account and period.
    got = {
        (str(s), str(a), str(p)): Decimal(str(v))
        for s, a, p, v in query(
            "select l.subsidiary_id, al.account_id, t.posting_period_id, sum(al.amount)"
            " from staging.stg_netsuite__transactionaccountingline al"
            " join staging.stg_netsuite__transactionline l"
            " on l.transaction_id = al.transaction_id"
            " and l.transaction_line_id = al.transaction_line_id"
            " join staging.stg_netsuite__transaction t on t.transaction_id = al.transaction_id"
            " where al.is_posting and al.accounting_book_id = 1"
            " group by l.subsidiary_id, al.account_id, t.posting_period_id"
            " having sum(al.amount) <> 0"
        )
    }
    want = {
        (r["subsidiary"], r["account"], r["postingperiod"]): Decimal(r["amount"])
        for r in golden(landed, "netsuite", "trial_balance.csv")
        if Decimal(r["amount"]) != 0
    }
    assert want and got == want

    # Status letters decode to the labels of decoded_samples.csv.
    labels = dict(
        query(
            "select cast(transaction_id as varchar), status from staging.stg_netsuite__transaction"
        )
    )
    samples = [
        r for r in golden(landed, "netsuite", "decoded_samples.csv") if r["column"] == "status"
    ]
    assert samples
    assert {r["id"]: labels[r["id"]] for r in samples} == {r["id"]: r["decoded"] for r in samples}

    # 'T'/'F' decode to booleans; every accounting line knows when it became known (through
    # its transaction line: the accounting line has no audit column of its own).
    flags = query(
        "select count(*), sum(case when a.is_posting then 1 else 0 end),"
        " sum(case when l.known_at is null then 1 else 0 end)"
        " from staging.stg_netsuite__transactionaccountingline as a"
        " left join staging.stg_netsuite__transactionline as l"
        " on l.transaction_id = a.transaction_id and l.transaction_line_id = a.transaction_line_id"
    )
    total, posting, unknown = flags[0]
    assert total > 0 and 0 < posting <= total and unknown == 0
