"""OneStream staging on DuckDB and PostgreSQL: Periodic from stored YTD ties to actual_tie.csv."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.dbt.conftest import ENGINES, Landed, dbt_build, golden


@pytest.mark.parametrize("engine", ENGINES)
def test_onestream_staging_ties_to_golden(
    landed: Landed, engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = dbt_build(landed, engine, ["staging.onestream"], tmp_path, monkeypatch)

    got = {
        (e, a, str(m)): Decimal(str(v))
        for e, a, m, v in query(
            "select entity, account, month_start, sum(periodic_amount)"
            " from staging.stg_onestream__cube_data"
            " where scenario = 'Actual' and cons = 'Local' and origin = 'Import'"
            " group by entity, account, month_start"
        )
    }
    want = {
        (r["entity"], r["group_account"], r["month"]): Decimal(r["amount_onestream"])
        for r in golden(landed, "onestream", "actual_tie.csv")
    }
    assert want
    assert {k: got.get(k) for k in want} == want

    # Time members parse: year and period agree with the member name on every row.
    bad = query(
        "select count(*) from staging.stg_onestream__cube_data"
        " where time_member <> cast(fiscal_year as varchar) || 'M' || cast(period as varchar)"
        " or month_start is null"
    )
    assert bad == [(0,)]
