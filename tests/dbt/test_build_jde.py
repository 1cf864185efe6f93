"""`erpml build` over the landed JDE fixture on DuckDB and PostgreSQL: staging decodes equal the
fixture's golden answers (decoded samples, trial balance), and a failing model fails the build
with one line naming model, column and value.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mlops.cli.main import cli
from tests.dbt.conftest import Landed, duck_query, pg_query

Query = Callable[[str], list[tuple[Any, ...]]]
SELECT = "path:models/staging/jde"


def key(*parts: str) -> str:
    """The erpml_key macro in Python (length-prefixed parts, md5)."""
    return hashlib.md5("|".join(f"{len(p)}:{p}" for p in parts).encode()).hexdigest()


def julian(raw: str) -> str:
    n = int(raw)
    return (dt.date(1900 + n // 1000, 1, 1) + dt.timedelta(days=n % 1000 - 1)).isoformat()


# table -> (model, where clause from the sample's key parts, {column: staging expression})
SAMPLES: dict[str, tuple[str, Callable[[list[str]], str], dict[str, str]]] = {
    "F0911": (
        "stg_jde__f0911",
        lambda k: f"gl_entry_key = '{key('jde', k[2], k[0], k[1], k[3], k[4], k[5], k[6])}'",
        {
            "GLDGJ": "gl_date",
            "GLAA": "amount",
            "GLCRCD": "transaction_currency_code",
            "GLMCU": "business_unit",
            "GLOBJ": "object_account",
            "GLSUB": "subsidiary",
            "GLAID": "account_id",
            "GLPN": "fiscal_period",
            "GLUPMJ": "cast(known_at as date)",
            "GLUPMT": "known_at",
        },
    ),
    "F03B11": (
        "stg_jde__f03b11",
        lambda k: f"ar_invoice_key = '{key('jde', k[2], k[1], k[0], k[3])}'",
        {
            "RPAAP": "open_amount",
            "RPAG": "gross_amount",
            "RPCRCD": "transaction_currency_code",
            "RPDDJ": "due_date",
            "RPDIVJ": "invoice_date",
            "RPJCL": "closed_date",
            "RPMCU": "business_unit",
            "RPPST": "pay_status",
        },
    ),
    "F0411": (
        "stg_jde__f0411",
        lambda k: f"ap_invoice_key = '{key('jde', k[2], k[1], k[0], k[3], k[4])}'",
        {"RPAAP": "open_amount", "RPAG": "gross_amount", "RPDIVJ": "invoice_date"},
    ),
    "F03B14": (
        "stg_jde__f03b14",
        lambda k: f"payment_id = {k[0]} and payment_line_number = {k[1]}",
        {"RZDMTJ": "receipt_date", "RZPAAP": "applied_amount"},
    ),
    "F0902": (
        "stg_jde__f0902",
        lambda k: (
            f"account_id = '{k[0]}' and fiscal_year = {int(k[1]) * 100 + int(k[2])}"
            f" and ledger_type = '{k[4]}' and currency_code = '{k[7]}'"
        ),
        {
            "GBAPYC": "balance_forward",
            "GBAN01": "net_posting_01",
            "GBAN07": "net_posting_07",
            "GBMCU": "business_unit",
        },
    ),
    "F4211": (
        "stg_jde__f4211",
        lambda k: f"sales_order_line_key = '{key('jde', k[2], k[1], k[0], k[3])}'",
        {
            "SDTRDJ": "order_date",
            "SDUORG": "quantity",
            "SDUPRC": "unit_price",
            "SDAEXP": "extended_amount",
            "SDLNID": "line_number",
            "SDMCU": "branch_plant",
            "SDNXTR": "next_status",
            "SDTDAY": "known_at",
        },
    ),
    "F42119": (
        "stg_jde__f42119",
        lambda k: f"sales_order_line_key = '{key('jde', k[2], k[1], k[0], k[3])}'",
        {"SDTRDJ": "order_date", "SDUORG": "quantity", "SDAEXP": "extended_amount"},
    ),
    "F0101": (
        "stg_jde__f0101",
        lambda k: f"address_number = {k[0]}",
        {"ABALPH": "name", "ABAT1": "search_type", "ABAC01": "category_code_01"},
    ),
    "F0015": (
        "stg_jde__f0015",
        lambda k: (
            f"from_currency_code = '{k[0]}' and to_currency_code = '{k[1]}'"
            f" and effective_date = date '{julian(k[4])}'"
        ),
        {"CXEFT": "effective_date", "CXCRR": "multiplier_rate", "CXCRRD": "divisor_rate"},
    ),
    "F0006": (
        "stg_jde__f0006",
        lambda k: f"business_unit = '{k[0]}'",
        {"MCCO": "company_code", "MCMCU": "business_unit", "MCSTYL": "business_unit_type"},
    ),
}


def _normal(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column.endswith(("UPMT", "TDAY")):
        return str(value.strftime("%H:%M:%S"))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _same(got: str, want: str) -> bool:
    try:
        return Decimal(got) == Decimal(want)
    except ArithmeticError:
        return got == want


def check_decoded_samples(golden: Path, query: Query) -> int:
    """Compare every mapped decoded sample with the staging value; returns how many compared."""
    compared = 0
    with (golden / "decoded_samples.csv").open() as f:
        for row in csv.DictReader(f):
            if row["table"] not in SAMPLES or row["column"] not in SAMPLES[row["table"]][2]:
                continue
            model, where, columns = SAMPLES[row["table"]]
            expr = columns[row["column"]]
            found = query(
                f"select {expr} from staging.{model} where {where(row['key'].split('|'))}"
            )
            assert len(found) == 1, f"{row['table']} {row['key']}: {len(found)} rows in {model}"
            got = _normal(row["column"], found[0][0])
            assert _same(got, row["decoded"]), f"{row['table']}.{row['column']} {row['key']}: {got}"
            compared += 1
    return compared


def check_trial_balance(golden: Path, query: Query) -> int:
    """Posted AA F0911 activity and F0902 balances per account and period equal the golden TB."""
    activity = {
        (aid, int(fy), int(pn)): Decimal(str(amount))
        for aid, fy, pn, amount in query(
            "select account_id, fiscal_year, fiscal_period, sum(amount) from staging.stg_jde__f0911"
            " where ledger_type = 'AA' and is_posted group by 1, 2, 3"
        )
    }
    posting_columns = ", ".join(f"net_posting_{p:02d}" for p in range(1, 13))
    balances: dict[tuple[str, int], list[Decimal]] = {}
    for aid, fy, forward, *nets in query(
        f"select account_id, fiscal_year, balance_forward, {posting_columns}"
        " from staging.stg_jde__f0902 where ledger_type = 'AA'"
    ):
        balances[(aid, int(fy))] = [Decimal(str(forward)), *(Decimal(str(n)) for n in nets)]
    checked = 0
    golden_activity: dict[tuple[str, int, int], Decimal] = defaultdict(Decimal)
    with (golden / "trial_balance.csv").open() as f:
        for row in csv.DictReader(f):
            aid, fy, pn = row["aid"], int(row["fiscal_year"]), int(row["period"])
            amount, balance = Decimal(row["amount"]), Decimal(row["balance"])
            golden_activity[(aid, fy, pn)] = amount
            forward, *nets = balances[(aid, fy)]
            assert nets[pn - 1] == amount, f"F0902 {aid} {fy}/{pn}: {nets[pn - 1]} != {amount}"
            assert forward + sum(nets[:pn]) == balance, f"F0902 balance {aid} {fy}/{pn}"
            checked += 1
    nonzero = {k: v for k, v in activity.items() if v != 0}
    assert nonzero == {k: v for k, v in golden_activity.items() if v != 0}
    return checked


def _build(project: Path, *extra: str) -> Any:
    return CliRunner().invoke(
        cli,
        ["build", "--project", str(project), "--select", SELECT, *extra],
        catch_exceptions=False,
    )


def test_build_duckdb_matches_golden(landed: Landed, tmp_path: Path) -> None:
    import duckdb

    warehouse = landed.duckdb_copy(tmp_path)
    con = duckdb.connect(str(warehouse))  # a row deleted at the source stays landed, flagged
    con.execute('update jde."F0101" set _erpml_deleted = true where "ABAN8" = 1000002')
    con.close()
    project = tmp_path / "erpml.yml"
    project.write_text(yaml.safe_dump({"warehouse": {"kind": "duckdb", "path": str(warehouse)}}))
    result = _build(project)
    assert result.exit_code == 0, result.output
    assert "stg_jde__f0911" in result.output
    golden = landed.golden("jde")
    assert check_decoded_samples(golden, lambda sql: duck_query(warehouse, sql)) > 60
    assert check_trial_balance(golden, lambda sql: duck_query(warehouse, sql)) > 100
    segment = duck_query(
        warehouse,
        "select category_code_01_description from staging.stg_jde__f0101"
        " where category_code_01 = 'WHL' limit 1",
    )
    assert segment == [("WHOLESALE",)]
    sql = "select count(*) from staging.stg_jde__f0101 where address_number = {}"
    assert duck_query(warehouse, sql.format(1000002)) == [(0,)]
    assert duck_query(warehouse, sql.format(1000003)) == [(1,)]


def test_build_postgres_matches_golden(landed: Landed) -> None:
    result = _build(landed.postgres_project, "--target", "postgres")
    assert result.exit_code == 0, result.output
    golden = landed.golden("jde")
    assert check_decoded_samples(golden, lambda sql: pg_query(landed.postgres_url, sql)) > 60
    assert check_trial_balance(golden, lambda sql: pg_query(landed.postgres_url, sql)) > 100


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            'update jde."F0911" set "GLDGJ" = 123999 where "GLDOC" = 1000001',
            "JDE Julian date is not a date: stg_jde__f0911.GLDGJ = 123999",
        ),
        (
            'update jde."F0911" set "GLLT" = \'CA\', "GLCRCD" = \'XYZ\' where "GLDOC" = 1000001',
            "unknown currency code: stg_jde__f0911.GLAA = XYZ",
        ),
        ('alter table jde."F0911" drop column "GLEXA"', "model stg_jde__f0911"),
    ],
)
def test_bad_input_fails_the_build(
    landed: Landed, tmp_path: Path, statement: str, message: str
) -> None:
    import duckdb

    warehouse = landed.duckdb_copy(tmp_path)
    con = duckdb.connect(str(warehouse))
    con.execute(statement)
    con.close()
    project = tmp_path / "erpml.yml"
    project.write_text(yaml.safe_dump({"warehouse": {"kind": "duckdb", "path": str(warehouse)}}))
    result = CliRunner().invoke(
        cli, ["build", "--project", str(project), "--select", "+stg_jde__f0911"]
    )
    assert result.exit_code == 6
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "dbt build failed" in errors[0]
    assert message in errors[0]
    if "drop column" in statement:
        assert "GLEXA" in errors[0]


def test_target_must_match_the_warehouse(landed: Landed) -> None:
    from mlops.build import warehouse_env
    from mlops.errors import MlopsError

    with pytest.raises(MlopsError, match="the warehouse is duckdb, cannot build --target postgres"):
        warehouse_env(landed.duckdb_project, "postgres")
    target, env = warehouse_env(landed.postgres_project, None)
    assert target == "postgres"
    assert env["ERPML_PG_DBNAME"] == landed.postgres_url.rsplit("/", 1)[1]


def test_build_memory_limit_reaches_dbt(landed: Landed, tmp_path: Path) -> None:
    """`build_memory_limit` (erpml.yml) is DuckDB's limit in dbt; a malformed one is refused."""
    from connectors.errors import ConfigError
    from mlops.build import warehouse_env
    from tests.dbt.conftest import dbt_show

    doc = yaml.safe_load(landed.duckdb_project.read_text())
    doc["warehouse"] = {"path": str(landed.duckdb_copy(tmp_path)), "build_memory_limit": "300MB"}
    project = tmp_path / "erpml.yml"
    project.write_text(yaml.safe_dump(doc))
    rows, error = dbt_show(project, "select current_setting('memory_limit') as m", tmp_path)
    assert error == ""
    assert rows == [("286.1 MiB",)]  # 300,000,000 bytes

    doc["warehouse"]["build_memory_limit"] = "lots"
    project.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError, match=r"erpml\.yml.*build_memory_limit"):
        warehouse_env(project, None)
