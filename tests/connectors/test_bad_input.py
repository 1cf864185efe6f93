"""Bad input and faults: one-line errors naming source, table and value; landed data untouched."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from connectors import extract, load
from connectors.errors import ConfigError
from fixtures import Settings
from fixtures.run import generate
from tests.connectors.compare import warehouse_query

SCALE = 0.03


def _setup(tmp: Path, url: str, entry: dict[str, Any]) -> Path:
    path = tmp / "erpml.yml"
    path.write_text(
        yaml.safe_dump({"warehouse": {"path": str(tmp / "wh.duckdb")}, "sources": [entry]})
    )
    return path


def _vista(tmp: Path, url: str, schema: str | None = None, **extra: Any) -> Path:
    entry = {
        "name": "vista",
        "kind": "vista",
        "connection": {"url": url},
        "schema": schema,
        **extra,
    }
    return _setup(tmp, url, entry)


def _landed(tmp: Path, table: str) -> list[tuple[Any, ...]]:
    return sorted(
        warehouse_query(
            {"path": str(tmp / "wh.duckdb")},
            f'SELECT * EXCLUDE (_erpml_extracted_at, _erpml_batch_id) FROM vista."{table}"',
        ),
        key=repr,
    )


@pytest.fixture
def vista_sqlite(tmp_path: Path) -> tuple[Path, str]:
    url = f"sqlite:///{tmp_path}/vista.db"
    generate(["vista"], Settings(scale=SCALE), url, out=tmp_path / "fx")
    return tmp_path, url


def _erpml(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlops.cli.main", *args], capture_output=True, text=True, check=False
    )


def test_wrong_credentials_is_one_line_and_exit_5(tmp_path: Path, database_factory: Any) -> None:
    url = database_factory("mariadb").replace("root@", "root:not-the-password@")
    project = _vista(tmp_path, url)
    out = _erpml("extract", "--project", str(project))
    assert out.returncode == 5
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: source vista: cannot connect:")
    assert "Access denied" in lines[0] and "not-the-password" not in out.stderr


def test_unreachable_host(tmp_path: Path) -> None:
    project = _vista(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/none")
    out = _erpml("extract", "--project", str(project))
    assert out.returncode == 5
    assert out.stderr.strip().startswith("error: source vista: cannot connect:")
    assert len(out.stderr.strip().splitlines()) == 1


def test_missing_table_fails_that_table_only(vista_sqlite: tuple[Path, str]) -> None:
    tmp, url = vista_sqlite
    config = load(_vista(tmp, url))
    extract(config)
    before = _landed(tmp, "bJCCM")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql('DROP TABLE "bJCCM"')
    outcomes = {o.table: o for o in extract(config)}
    assert outcomes["bJCCM"].status == "failed"
    assert (
        outcomes["bJCCM"].error
        == "source vista: table bJCCM does not exist or is not visible to this login"
    )
    assert all(o.status == "ok" for t, o in outcomes.items() if t != "bJCCM")
    assert _landed(tmp, "bJCCM") == before


def test_permission_denied(tmp_path: Path, database_factory: Any) -> None:
    url = database_factory("postgresql")
    generate(["vista"], Settings(scale=SCALE), url, out=tmp_path / "fx")
    role = f"erpml_ro_{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA dbo TO {role}")
        conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA dbo TO {role}")
        conn.exec_driver_sql(f'REVOKE SELECT ON dbo."bARCM" FROM {role}')
    try:
        restricted = sa.make_url(url).set(username=role).render_as_string(hide_password=False)
        outcomes = {o.table: o for o in extract(load(_vista(tmp_path, restricted, schema="dbo")))}
        assert outcomes["bARCM"].status == "failed"
        assert outcomes["bARCM"].error.startswith("source vista: permission denied for table bARCM")
        assert outcomes["bJCCD"].status == "ok"
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")


def test_duplicate_primary_key_lands_nothing(tmp_path: Path, database_factory: Any) -> None:
    url = database_factory("postgresql")
    generate(["vista"], Settings(scale=SCALE), url, out=tmp_path / "fx")
    config = load(_vista(tmp_path, url, schema="dbo"))
    extract(config)
    before = _landed(tmp_path, "bARCM")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql('ALTER TABLE dbo."bARCM" DROP CONSTRAINT "pk_bARCM"')
        conn.exec_driver_sql('INSERT INTO dbo."bARCM" SELECT * FROM dbo."bARCM" LIMIT 1')
    outcome = {o.table: o for o in extract(config, full_refresh=True)}["bARCM"]
    assert outcome.status == "failed"
    assert outcome.error.startswith("vista.bARCM: duplicate primary key in source rows (CustGroup=")
    assert outcome.error.endswith(", 2 rows)")
    assert _landed(tmp_path, "bARCM") == before


def test_schema_drift_added_column_lands_and_is_reported(vista_sqlite: tuple[Path, str]) -> None:
    tmp, url = vista_sqlite
    config = load(_vista(tmp, url))
    extract(config)
    with sa.create_engine(url).begin() as conn:
        conn.exec_driver_sql('ALTER TABLE "bARCM" ADD COLUMN "udSalesRep" VARCHAR(30)')
        conn.exec_driver_sql('UPDATE "bARCM" SET "udSalesRep" = \'Kim\'')
    outcome = {o.table: o for o in extract(config)}["bARCM"]
    assert outcome.status == "ok" and outcome.added_columns == ("udSalesRep",)
    rows = warehouse_query(
        {"path": str(tmp / "wh.duckdb")}, 'SELECT DISTINCT "udSalesRep" FROM vista."bARCM"'
    )
    assert rows == [("Kim",)]


def test_schema_drift_dropped_column_fails_and_keeps_landing(
    vista_sqlite: tuple[Path, str],
) -> None:
    tmp, url = vista_sqlite
    config = load(_vista(tmp, url))
    extract(config)
    before = _landed(tmp, "bARCM")
    with sa.create_engine(url).begin() as conn:
        conn.exec_driver_sql('DROP VIEW "ARCM"')  # Vista's security view reads the column
        conn.exec_driver_sql('ALTER TABLE "bARCM" DROP COLUMN "Phone"')
    outcome = {o.table: o for o in extract(config)}["bARCM"]
    assert outcome.status == "failed"
    assert outcome.error == (
        "vista.bARCM: column Phone was dropped at the source; landed data left "
        "untouched (drop or rename the landed column to accept it)"
    )
    assert _landed(tmp, "bARCM") == before


def test_schema_drift_retyped_column_fails(tmp_path: Path, database_factory: Any) -> None:
    url = database_factory("postgresql")
    generate(["vista"], Settings(scale=SCALE), url, out=tmp_path / "fx")
    config = load(_vista(tmp_path, url, schema="dbo"))
    extract(config)
    before = _landed(tmp_path, "bAPTH")
    with sa.create_engine(url).begin() as conn:
        conn.exec_driver_sql(
            'ALTER TABLE dbo."bAPTH" ALTER COLUMN "InvTotal" TYPE double precision'
        )
    outcome = {o.table: o for o in extract(config)}["bAPTH"]
    assert outcome.status == "failed"
    assert outcome.error == (
        "vista.bAPTH: column InvTotal changed type from DECIMAL(12,2) to DOUBLE "
        "at the source; landed data left untouched"
    )
    assert _landed(tmp_path, "bAPTH") == before


def test_config_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "erpml.yml"
    path.write_text(
        "warehouse:\n  path: wh.duckdb\nsources:\n  - name: jde\n    kind: jde\n"
        "    connection:\n      url: sqlite://\n    lookback_days: -1\n"
    )
    with pytest.raises(ConfigError) as err:
        load(path)
    assert str(err.value).startswith(f"{path}:8: sources.0.lookback_days:")
    path.write_text("sources:\n  - name: x\n    kind: sap\n    connection: {url: 'sqlite://'}\n")
    with pytest.raises(ConfigError, match=rf"{path}:2: sources.0:"):
        load(path)
    path.write_text(
        "sources:\n  - name: jde\n    kind: jde\n"
        "    connection: {odbc: 'DSN=x;PWD=secret', dialect: tsql}\n"
    )
    with pytest.raises(ConfigError, match="password_env"):
        load(path)


def test_julian_cursor_value_that_is_not_a_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/jde.db"
    generate(["jde"], Settings(scale=SCALE), url, out=tmp_path / "fx")
    entry = {
        "name": "jde",
        "kind": "jde",
        "connection": {"url": url},
        "data_schema": None,
        "control_schema": None,
        "tables": ["F0911", "F0101"],
    }
    config = load(_setup(tmp_path, url, entry))
    extract(config)
    query = 'SELECT count(*), sum("GLAA") FROM jde."F0911" WHERE NOT _erpml_deleted'
    before = warehouse_query({"path": str(tmp_path / "wh.duckdb")}, query)
    with sa.create_engine(url).begin() as conn:
        conn.exec_driver_sql('UPDATE "F0911" SET "GLUPMJ" = 126400, "GLAA" = 1 WHERE rowid = 1')
    outcomes = {o.table: o for o in extract(config)}
    assert outcomes["F0911"].status == "failed"
    assert (
        outcomes["F0911"].error
        == "jde.F0911.GLUPMJ: is not a JDE Julian date (CYYDDD): Decimal('126400')"
    )
    assert outcomes["F0101"].status == "ok"
    assert warehouse_query({"path": str(tmp_path / "wh.duckdb")}, query) == before
