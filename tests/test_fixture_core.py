"""The fixture machinery shared by every ERP: sinks, placement, determinism, bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from fixtures import Settings
from fixtures.core import Column, Context, CountingSink, Golden, SqlSink, Table
from fixtures.core.errors import FixtureError
from fixtures.registry import ERPS
from fixtures.run import engine_for, resolve_erps

SAMPLE = Table(
    "F0911",
    (
        Column("GLDOC", "decimal", nullable=False, default=0),
        Column("GLREG#", "nchar", length=3, default="   "),
        Column("GLMCU", "nchar", length=12, default=" " * 12),
        Column("GLAA", "decimal", precision=15, scale=2),
        Column("GLDGJ", "date"),
    ),
    primary_key=("GLDOC",),
    schema="PRODDTA",
)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "mariadb"])
def test_sink_round_trips_exact_values(kind: str, database_factory) -> None:
    engine = sa.create_engine(database_factory(kind))
    sink = SqlSink(engine)
    sink.create([SAMPLE])
    sink.write(
        SAMPLE,
        {
            "GLDOC": [1, 2, 3],
            "GLMCU": ["       20001"] * 3,
            "GLAA": [-123456789012, 5, 0],
            "GLDGJ": [date(2024, 2, 29)] * 3,
        },
    )
    sink.commit()
    sink.close()
    sat = SqlSink(engine).sa_table(SAMPLE)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sat).order_by(sat.c.GLDOC)).all()
    assert [r.GLDOC for r in rows] == [1, 2, 3]
    assert [round(Decimal(str(r.GLAA)), 2) for r in rows] == [
        Decimal("-1234567890.12"),
        Decimal("0.05"),
        Decimal("0.00"),
    ]
    assert rows[0].GLDGJ == date(2024, 2, 29)
    assert rows[0].GLMCU == "       20001"  # right-justified business unit survives
    assert rows[0]._mapping["GLREG#"].strip() == ""
    assert sink.rows == {"F0911": 3}


def test_postgres_keeps_erp_schemas(database_factory) -> None:
    engine = sa.create_engine(database_factory("postgresql"))
    SqlSink(engine).create([SAMPLE])
    assert sa.inspect(engine).has_table("F0911", schema="PRODDTA")


def test_unknown_column_and_ragged_batches_are_refused() -> None:
    sink = CountingSink()
    with pytest.raises(FixtureError, match="unknown columns"):
        sink.write(SAMPLE, {"GLNOPE": [1]})
    with pytest.raises(FixtureError, match="differ in length"):
        sink.write(SAMPLE, {"GLDOC": [1, 2], "GLAA": [1]})


def test_checksums_follow_content() -> None:
    a, b, c = CountingSink(), CountingSink(), CountingSink()
    a.write(SAMPLE, {"GLDOC": [1, 2]})
    b.write(SAMPLE, {"GLDOC": [1, 2]})
    c.write(SAMPLE, {"GLDOC": [1, 3]})
    assert a.checksums() == b.checksums() != c.checksums()


def test_rng_streams_are_seeded_and_independent() -> None:
    ctx1 = Context("jde", Settings(seed=7), CountingSink(), Golden(None))
    ctx2 = Context("jde", Settings(seed=7), CountingSink(), Golden(None))
    ctx3 = Context("jde", Settings(seed=8), CountingSink(), Golden(None))
    assert (ctx1.rng("gl").random(5) == ctx2.rng("gl").random(5)).all()
    assert not (ctx1.rng("gl").random(5) == ctx1.rng("ar").random(5)).all()
    assert not (ctx1.rng("gl").random(5) == ctx3.rng("gl").random(5)).all()


@pytest.mark.parametrize("fixture", [f for f in ERPS if not f.needs_upstream], ids=lambda f: f.name)
def test_generation_is_deterministic(fixture) -> None:
    """Same seed, scale and as-of give identical rows; another seed gives other rows."""

    def run(seed: int) -> dict[str, str]:
        sink = CountingSink()
        fixture.generate(Context(fixture.name, Settings(seed=seed, scale=0.05), sink, Golden(None)))
        return sink.checksums()

    first, second, other = run(11), run(11), run(12)
    assert first, f"{fixture.name} wrote no tables"
    assert first == second
    assert first != other


def test_resolve_erps_orders_and_rejects() -> None:
    assert [f.name for f in resolve_erps(["onestream", "jde"])] == ["jde", "onestream"]
    assert len(resolve_erps(["all"])) == 4
    with pytest.raises(FixtureError, match="unknown ERP 'sap'"):
        resolve_erps(["sap"])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "malformed database URL"),
        ("postgresql+psycopg://postgres@127.0.0.1:1/x", "cannot connect to"),
        ("nosuchdb://x", "no driver"),
    ],
)
def test_bad_urls_give_one_line_errors(url: str, message: str) -> None:
    with pytest.raises(FixtureError, match=message) as err:
        engine_for(url, "jde")
    assert "\n" not in str(err.value)


def test_sqlite_url_creates_parent_folder(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path}/a/b/{{erp}}.db", "vista")
    assert engine.url.database == f"{tmp_path}/a/b/vista.db"
    assert (tmp_path / "a" / "b").is_dir()
