"""Pure parts of the NetSuite room: declared catalog, codecs, queries, planner, config, client."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pyarrow as pa
import pytest
from pydantic import SecretStr, ValidationError

from connectors.config import NetSuiteRest, NetSuiteSource
from connectors.core.catalog import LandingColumn
from connectors.core.connector import TableState
from connectors.core.sql import table
from connectors.errors import DataError
from connectors.netsuite.client import SuiteQLClient, describe
from connectors.netsuite.codecs import parse_watermark, to_batch
from connectors.netsuite.columns import declared_columns, landing_type
from connectors.netsuite.planner import Planner
from connectors.netsuite.queries import keys, keyset_page
from connectors.netsuite.tables import DELETIONS, TABLES
from fixtures.netsuite.tables import TABLES as FIXTURE_TABLES

SPECS = {s.name: s for s in TABLES}
WHERE = "source ns: table transaction"


# -- declared catalog ----------------------------------------------------------------------
def test_declared_columns_match_the_fixture_specs() -> None:
    fixture = {t.name: t for t in FIXTURE_TABLES}
    assert set(SPECS) == set(fixture)
    for name, spec in SPECS.items():
        declared = declared_columns("ns", name)
        assert [c.name for c in declared] == [c.name for c in fixture[name].columns], name
        assert set(spec.primary_key) == set(fixture[name].primary_key), name
        cursor = spec.options.get("cursor")
        assert cursor is None or cursor in fixture[name].column_names, name


@pytest.mark.parametrize(
    ("connect", "landing"),
    [("integer", "INTEGER"), ("bigint", "BIGINT"), ("varchar(45)", "VARCHAR"),
     ("decimal(20,2)", "DECIMAL(20,2)"), ("float", "DOUBLE"), ("datetime", "TIMESTAMP")],
)  # fmt: skip
def test_connect_types_land_exactly(connect: str, landing: str) -> None:
    assert landing_type(connect) == landing


def test_unknown_type_and_table_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown NetSuite column type 'clob'"):
        landing_type("clob")
    with pytest.raises(Exception, match="source ns: table nosuch has no declared columns"):
        declared_columns("ns", "nosuch")


def test_every_incremental_table_except_deletedrecord_knows_its_tombstones() -> None:
    incremental = {s.name for s in TABLES if s.cursor == "lastmodified"}
    assert incremental - set(DELETIONS) == {"deletedrecord"}
    assert DELETIONS["transactionline"].match == ("transaction",)
    assert DELETIONS["previoustransactionlinelink"].match == ("previousdoc", "nextdoc")


# -- codecs ----------------------------------------------------------------------------------
COLUMNS = [
    LandingColumn("id", "BIGINT"), LandingColumn("foreigntotal", "DECIMAL(20,2)"),
    LandingColumn("exchangerate", "DOUBLE"), LandingColumn("lastmodifieddate", "TIMESTAMP"),
    LandingColumn("posting", "VARCHAR"),
]  # fmt: skip


def test_rest_items_become_exact_typed_arrow_columns() -> None:
    items = [
        {"links": [], "id": "101", "foreigntotal": "-.25", "exchangerate": ".0071234567891234",
         "lastmodifieddate": "2026-06-30 17:19:05", "posting": "T"},
        {"links": [], "id": 102, "foreigntotal": Decimal("1234.5")},
    ]  # fmt: skip
    batch = to_batch(items, COLUMNS, WHERE)
    assert batch.schema.types == [pa.int64(), pa.decimal128(20, 2), pa.float64(),
                                  pa.timestamp("us"), pa.string()]  # fmt: skip
    assert batch.to_pylist() == [
        {"id": 101, "foreigntotal": Decimal("-0.25"), "exchangerate": 0.0071234567891234,
         "lastmodifieddate": datetime(2026, 6, 30, 17, 19, 5), "posting": "T"},
        {"id": 102, "foreigntotal": Decimal("1234.50"), "exchangerate": None,
         "lastmodifieddate": None, "posting": None},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("lastmodifieddate", "6/30/2026",
         "column lastmodifieddate: value '6/30/2026' cannot land as TIMESTAMP"),
        ("foreigntotal", "1.234", "column foreigntotal: value '1.234' cannot land as DECIMAL(20,2) "
         "(more than 2 decimals)"),
        ("id", "12.5", "column id: value '12.5' cannot land as BIGINT (not a whole number)"),
        ("exchangerate", "n/a", "column exchangerate: value 'n/a' cannot land as DOUBLE"),
    ],
)  # fmt: skip
def test_values_that_cannot_land_exactly_are_one_line_errors(
    column: str, value: str, message: str
) -> None:
    with pytest.raises(DataError) as raised:
        to_batch([{column: value}], COLUMNS, WHERE)
    assert str(raised.value).startswith(f"{WHERE}: {message}")
    assert "\n" not in str(raised.value)


def test_watermarks_parse_to_whole_seconds() -> None:
    assert parse_watermark("2026-06-30T17:19:05.250000") == datetime(2026, 6, 30, 17, 19, 5)
    assert parse_watermark(datetime(2026, 6, 30, 17, 19)) == datetime(2026, 6, 30, 17, 19)


# -- queries ---------------------------------------------------------------------------------
def test_keyset_pages_compare_composite_keys_as_row_values() -> None:
    query = keys(
        ["transaction", "transactionline", "accountingbook"], table("transactionaccountingline")
    )
    first = keyset_page(query, ["transaction", "transactionline", "accountingbook"], None)
    later = keyset_page(query, ["transaction", "transactionline", "accountingbook"], [7, 2, 1])
    order = ' ORDER BY "transaction", "transactionline", "accountingbook"'
    assert first.sql("oracle").endswith('FROM "transactionaccountingline"' + order)
    assert later.sql("oracle").endswith(
        'WHERE ("transaction" > 7 OR ("transaction" = 7 AND "transactionline" > 2) OR '
        '("transaction" = 7 AND "transactionline" = 2 AND "accountingbook" > 1))' + order
    )


def test_keyset_pages_an_aliased_key_on_its_source_column() -> None:
    tombstones = _plan("transactionline", _state("transactionline"))[1]
    assert tombstones.query is not None
    text = keyset_page(tombstones.query, ["transaction"], [5000]).sql("oracle")
    assert text.startswith('SELECT "recordid" AS "transaction" FROM "deletedrecord" WHERE')
    assert text.endswith('AND "recordid" > 5000 ORDER BY "recordid"')
    with pytest.raises(TypeError, match="cannot page"):
        keyset_page(tombstones.query, ["transaction"], [datetime(2026, 1, 1)])


# -- planner ---------------------------------------------------------------------------------
def _planner(dialect: str = "oracle") -> Planner:
    from datetime import timedelta

    return Planner("ns", dialect, None, timedelta(minutes=60), dates_as_text=dialect == "oracle")


def _columns(name: str) -> list[LandingColumn]:
    return declared_columns("ns", name)


def _state(name: str, value: Any = "2026-06-30T17:19:00") -> TableState:
    return TableState({w: value for w in SPECS[name].watermarks})


def _plan(name: str, state: TableState, **flags: bool) -> list[Any]:
    flags = {"full_refresh": False, "reconcile": False, **flags}
    return _planner().plan(SPECS[name], _columns(name), state, **flags)


def test_first_load_full_refresh_and_cursorless_tables_read_all_rows() -> None:
    for name, state, flags in [("transaction", TableState(), {}),
                               ("transaction", _state("transaction"), {"full_refresh": True}),
                               ("transaction", _state("transaction", None), {}),
                               ("consolidatedexchangerate", TableState({}), {})]:  # fmt: skip
        (pull,) = _plan(name, state, **flags)
        assert (pull.mode, pull.label, pull.scope is not None) == ("upsert", "all rows", True)


def test_incremental_pull_looks_back_and_tombstones_follow_deletedrecord() -> None:
    upsert, tombstones = _plan("transaction", _state("transaction"))
    assert (upsert.mode, upsert.scope, upsert.label) == (
        "upsert",
        None,
        "lastmodifieddate >= 2026-06-30 16:19:00",
    )
    assert upsert.query.sql("oracle").endswith(
        'FROM "transaction" WHERE "lastmodifieddate" >= TO_TIMESTAMP(\'2026-06-30 16:19:00\', '
        "'YYYY-MM-DD HH24:MI:SS')"
    )
    assert (tombstones.mode, tombstones.match) == ("deleted_keys", ("id",))
    assert "\"istransaction\" = 'T'" in tombstones.query.sql("oracle")


def test_links_are_removed_by_either_document_and_reconcile_reads_keys() -> None:
    pulls = _plan(
        "previoustransactionlinelink", _state("previoustransactionlinelink"), reconcile=True
    )
    assert [(p.mode, p.match) for p in pulls] == [
        ("upsert", ()), ("deleted_keys", ("previousdoc",)), ("deleted_keys", ("nextdoc",)),
        ("present_keys", ()),
    ]  # fmt: skip
    assert pulls[-1].query.sql("oracle") == (
        'SELECT "previousdoc", "previousline", "nextdoc", "nextline", "linktype" '
        'FROM "previoustransactionlinelink"'
    )


def test_typed_records_use_their_deletedrecord_types() -> None:
    _, tombstones = _plan("customer", _state("customer"))
    assert "\"type\" IN ('customer')" in tombstones.query.sql("oracle")
    assert len(_plan("deletedrecord", _state("deletedrecord"))) == 1  # nothing deletes tombstones


def test_a_landed_watermark_that_is_not_a_time_is_a_data_error() -> None:
    with pytest.raises(
        DataError, match=r"ns\.transaction: landed watermark lastmodifieddate = 'soon'"
    ):
        _plan("transaction", _state("transaction", "soon"))


# -- config and client -----------------------------------------------------------------------
def test_rest_settings_default_to_the_account_host_and_cap_pages() -> None:
    assert NetSuiteRest(account="1234567_SB1").url() == (
        "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql"
    )
    with pytest.raises(ValidationError):
        NetSuiteRest(account="1234567", page_size=1001)
    with pytest.raises(ValidationError, match="give exactly one of connection"):
        NetSuiteSource.model_validate({"name": "ns", "kind": "netsuite"})


def test_backoff_doubles_and_honours_retry_after() -> None:
    client = SuiteQLClient("ns", NetSuiteRest(account="1", backoff_seconds=0.5), SecretStr("t"))
    assert [client.backoff(a, None) for a in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert client.backoff(0, "7") == 7.0 and client.backoff(10, None) == 60.0


def test_errors_without_netsuite_json_still_fit_one_line() -> None:
    response = httpx.Response(502, text="<html>\n<body>Bad gateway</body>\n</html>")
    assert describe(response) == "502 Bad Gateway: <html> <body>Bad gateway</body> </html>"
