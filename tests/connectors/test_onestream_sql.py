"""OneStream's DataRecord query per dialect (golden files) and the pure value helpers.

No SQL Server runs here: the rendered T-SQL is pinned, and the same query executes on SQLite,
PostgreSQL, MariaDB and ODBC in the contract suite.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from connectors.config import OneStreamSource
from connectors.core.sql import render
from connectors.errors import DataError
from connectors.onestream import OneStreamConnector
from connectors.onestream.adapter import LAYOUTS, raw_columns
from connectors.onestream.codecs import InexactAmountError, exact_amounts, time_member
from connectors.onestream.tables import CUBE_COLUMNS
from tests.conftest import check_golden

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "onestream"


def _connector(version: str = "v9") -> OneStreamConnector:
    config = OneStreamSource.model_validate(
        {"name": "os", "kind": "onestream", "connection": {"url": "sqlite://"}, "version": version}
    )
    return OneStreamConnector(config)


@pytest.mark.parametrize("dialect", ["tsql", "postgres"])
def test_datarecord_query_matches_golden(dialect: str, regenerate_golden: bool) -> None:
    database = _connector().database
    assert database is not None
    text = f"-- DataRecord2024 (v9) as cube_data rows\n{render(database.query(2024), dialect)};\n"
    check_golden(GOLDEN / f"datarecord.{dialect}.sql", text, regenerate_golden)


def test_golden_sql_quotes_every_identifier() -> None:
    text = (GOLDEN / "datarecord.tsql.sql").read_text()
    assert "FROM [dbo].[DataRecord2024] AS [d]" in text
    assert "LEFT JOIN [dbo].[Member] AS [m_ud8] ON [m_ud8].[MemberId] = [d].[UD8Id]" in text
    assert text.count("LEFT JOIN") == 16 and "[d].[M12Status] AS [m12_status]" in text
    assert '"d"."ICId" AS "ic_id"' in (GOLDEN / "datarecord.postgres.sql").read_text()


def test_v8_and_v9_read_the_same_datarecord_layout() -> None:
    v8, v9 = _connector("v8").database, _connector("v9").database
    assert v8 is not None and v9 is not None
    assert render(v8.query(2025), "tsql") == render(v9.query(2025), "tsql")
    assert LAYOUTS["v8"].years(["DataRecord2023", "DataRecordX", "datarecord2024", "Member"]) == [
        2023,
        2024,
    ]


def test_time_members_have_no_zero_padding() -> None:
    assert time_member(2024, 1) == "2024M1" and time_member(2024, 12) == "2024M12"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pa.array([Decimal("1.5"), Decimal("-0.000000001")]), ["1.5", "-0.000000001"]),
        (pa.array([10, -3]), ["10", "-3"]),
        (pa.array([123.45, 2151786.49, None]), ["123.45", "2151786.49", None]),
        (pa.array(["1e3", "-7.25"]), ["1000", "-7.25"]),
    ],
)
def test_amounts_convert_exactly(values: pa.Array, expected: list[str | None]) -> None:
    out = exact_amounts(values)
    assert out.type == pa.decimal128(38, 9)
    assert out.to_pylist() == [None if e is None else Decimal(e) for e in expected]


@pytest.mark.parametrize(
    ("values", "bad"),
    [
        (pa.array(["1", "0.1234567891"]), "'0.1234567891'"),
        (pa.array([0.1 + 0.2]), "'0.30000000000000004'"),
        (pa.array(["1" * 30]), "'" + "1" * 30 + "'"),
        (pa.array(["abc"]), "'abc'"),
    ],
)
def test_inexact_amounts_name_the_value(values: pa.Array, bad: str) -> None:
    with pytest.raises(InexactAmountError) as err:
        exact_amounts(values)
    assert str(err.value) == bad


def _raw(rows: int, **overrides: pa.Array) -> pa.RecordBatch:
    arrays = {}
    for name, kind in raw_columns(LAYOUTS["v9"]):
        if kind == "VARCHAR":
            arrays[name] = pa.array([f"{name}{i}" for i in range(rows)])
        elif name.endswith("_value"):
            arrays[name] = pa.array([Decimal(i) + Decimal("0.5") for i in range(rows)])
        else:
            arrays[name] = pa.array([0] * rows)
    arrays.update(overrides)
    return pa.record_batch(list(arrays.values()), names=list(arrays))


def test_unpivot_keeps_months_with_data_only() -> None:
    batch = _raw(3, m2_status=pa.array([33, 0, None]), m12_status=pa.array([97, 97, 0]))
    cells = LAYOUTS["v9"].unpivot(batch, 2024, "os.cube_data: DataRecord2024")
    assert cells is not None and cells.schema.names == [c.name for c in CUBE_COLUMNS]
    got = list(
        zip(*(cells.column(n).to_pylist() for n in ("entity", "time", "amount")), strict=True)
    )
    assert got == [
        ("entity0", "2024M2", Decimal("0.5")),
        ("entity0", "2024M12", Decimal("0.5")),
        ("entity1", "2024M12", Decimal("1.5")),
    ]
    assert set(cells.column("view").to_pylist()) == {"YTD"}
    assert set(cells.column("source_file").to_pylist()) == {"DataRecord2024"}
    assert LAYOUTS["v9"].unpivot(_raw(2), 2024, "x") is None


def test_unpivot_refuses_a_member_without_a_name() -> None:
    batch = _raw(2, ic=pa.array(["None", None]), ic_id=pa.array([9000000, 4242]))
    with pytest.raises(DataError, match=r"^os.cube_data: DataRecord2024: ICId 4242 has no row"):
        LAYOUTS["v9"].unpivot(batch, 2024, "os.cube_data: DataRecord2024")
