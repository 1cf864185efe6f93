"""The JDE decoding macros and the key macro, rendered by dbt and run on DuckDB and PostgreSQL.

Golden cases come from the ERP notes (`124001` = 2024-01-01, `100060` = 2000-02-29, `0` = no
date); bad input must fail naming the column and the value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest

from tests.dbt.conftest import Landed, dbt_show

ENGINES = ("duckdb", "postgres")


def _project(landed: Landed, engine: str) -> Path:
    return landed.duckdb_project if engine == "duckdb" else landed.postgres_project


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {e: tmp_path_factory.mktemp(f"dbt_show_{e}") for e in ENGINES}


def python_key(*parts: str | None) -> str:
    """The erpml_key macro in Python: length-prefixed parts joined by '|', md5 hex."""
    text = "|".join("~" if p is None else f"{len(p)}:{p}" for p in parts)
    return hashlib.md5(text.encode()).hexdigest()


JULIAN = [
    (124001, dt.date(2024, 1, 1)),
    (100060, dt.date(2000, 2, 29)),
    (0, None),
    (99365, dt.date(1999, 12, 31)),
    (100366, dt.date(2000, 12, 31)),
    (123365, dt.date(2023, 12, 31)),
    (1, dt.date(1900, 1, 1)),
]


@pytest.mark.parametrize("engine", ENGINES)
def test_julian_dates_and_times(landed: Landed, work: dict[str, Path], engine: str) -> None:
    values = ", ".join(f"({i}, {j})" for i, (j, _) in enumerate(JULIAN))
    sql = (
        "select i, {{ erpml.jde_julian_to_date('j') }} as d"
        f" from (values {values}) as t(i, j) order by i"
    )
    rows, error = dbt_show(_project(landed, engine), sql, work[engine])
    assert error == ""
    assert [_date(r[1]) for r in rows] == [want for _, want in JULIAN]

    sql = (
        "select i, {{ erpml.jde_time('t') }} as tm,"
        " {{ erpml.jde_timestamp('d', 't') }} as ts"
        " from (values (0, 153837, 123002), (1, 0, 124001), (2, 235959, 0)) as v(i, t, d)"
        " order by i"
    )
    rows, error = dbt_show(_project(landed, engine), sql, work[engine])
    assert error == ""
    assert [str(r[1])[:8] for r in rows] == ["15:38:37", "00:00:00", "23:59:59"]
    assert _ts(rows[0][2]) == dt.datetime(2023, 1, 2, 15, 38, 37)
    assert _ts(rows[1][2]) == dt.datetime(2024, 1, 1)
    assert rows[2][2] is None


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("macro", "value", "message"),
    [
        ("jde_julian_to_date", 123366, "JDE Julian date is not a date"),  # 2023 has 365 days
        ("jde_julian_to_date", 124000, "JDE Julian date is not a date"),  # day 0
        ("jde_julian_to_date", 200001, "JDE Julian date is not a date"),  # century 2
        ("jde_time", 246000, "JDE time is not a time"),
    ],
)
def test_bad_dates_fail_naming_column_and_value(
    landed: Landed, work: dict[str, Path], engine: str, macro: str, value: int, message: str
) -> None:
    sql = (
        "select {{ erpml." + macro + "('\"GLDGJ\"') }} as d"
        f' from (values (0), ({value})) as t("GLDGJ")'
    )
    rows, error = dbt_show(_project(landed, engine), sql, work[engine])
    assert rows == []
    assert message in error
    assert f".GLDGJ = {value}" in error


@pytest.mark.parametrize("engine", ENGINES)
def test_implied_decimals(landed: Landed, work: dict[str, Path], engine: str) -> None:
    sql = (
        "select i, {{ erpml.jde_currency_amount('amount', 'decimals', 'code') }} as money,"
        " {{ erpml.jde_dd_decimals('amount', 'line_number', 3) }} as line,"
        " {{ erpml.jde_dd_decimals('amount', 'quantity') }} as qty"
        " from (values (0, 34714, 2, 'USD'), (1, 182643725, 3, 'KWD'), (2, 5000, 0, 'JPY'),"
        " (3, -34714, 2, 'USD'), (4, 1000, 2, 'USD')) as t(i, amount, decimals, code) order by i"
    )
    rows, error = dbt_show(_project(landed, engine), sql, work[engine])
    assert error == ""
    money = [Decimal(str(r[1])) for r in rows]
    assert money == [
        Decimal("347.14"),
        Decimal("182643.725"),
        Decimal("5000"),
        Decimal("-347.14"),
        Decimal("10.00"),
    ]
    assert Decimal(str(rows[4][2])) == Decimal("1.000")  # LNID 1000 = line 1
    assert Decimal(str(rows[0][3])) == Decimal("3.4714")  # quantities: 4 decimals


@pytest.mark.parametrize("engine", ENGINES)
def test_unknown_currency_fails_naming_column_and_value(
    landed: Landed, work: dict[str, Path], engine: str
) -> None:
    sql = (
        "select {{ erpml.jde_currency_amount('\"GLAA\"', 'c.decimals', 't.code') }} as a"
        " from (values (100, 'XYZ')) as t(\"GLAA\", code)"
        " left join (values ('USD', 2)) as c(code, decimals) on c.code = t.code"
    )
    rows, error = dbt_show(_project(landed, engine), sql, work[engine])
    assert rows == []
    assert "unknown currency code" in error
    assert ".GLAA = XYZ" in error


@pytest.mark.parametrize("engine", ENGINES)
def test_codes_and_keys(landed: Landed, work: dict[str, Path], engine: str) -> None:
    sql = (
        "select {{ erpml.jde_code(\"'RET       '\") }} as code,"
        " {{ erpml.jde_code(\"'   '\") }} as blank,"
        " {{ erpml.jde_business_unit(\"'20001'\") }} as mcu,"
        " {{ erpml.jde_company(\"'1'\") }} as co1,"
        " {{ erpml.jde_company(\"'00020'\") }} as co20,"
        " {{ erpml.erpml_key('jde', \"'00001'\", [\"'a|b'\", \"'c'\"]) }} as k1,"
        " {{ erpml.erpml_key('jde', \"'00001'\", [\"'a'\", \"'b|c'\"]) }} as k2,"
        " {{ erpml.erpml_key('jde', \"'00001'\", [\"cast(null as varchar)\", \"''\"]) }} as k3,"
        " {{ erpml.erpml_key('jde', \"'00001'\", [\"''\", \"cast(null as varchar)\"]) }} as k4"
    )
    rows, error = dbt_show(_project(landed, engine), sql, work[engine])
    assert error == ""
    code, blank, mcu, co1, co20, k1, k2, k3, k4 = rows[0]
    assert (code, blank, mcu, co1, co20) == ("RET", None, "       20001", "00001", "00020")
    assert k1 == python_key("jde", "00001", "a|b", "c")
    assert k2 == python_key("jde", "00001", "a", "b|c")
    assert len({k1, k2, k3, k4}) == 4


def _date(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _ts(value: object) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))
