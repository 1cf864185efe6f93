"""Point-in-time correctness: compiled timelines, snapshots and get_features against brute force.

A throwaway dbt project (the erpml macros, one synthetic mart) holds generated cases: ties,
late-arriving corrections (row versions with known_until), back-dated documents, deleted rows,
entities with no history, windows at exact boundaries and composite keys that collide when
concatenated. A plain-Python reference computes every feature at every spine time; the snapshot
and get_features must agree with it exactly (avg to 1e-9), on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.dbt.conftest import postgres_target, scratch_project

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2025, 1, 1)

CATALOG = """
entities:
  - {name: customer, version: 1, owner: t, description: a customer, key: customer_key,
     mart: dim_cust}
features:
  - name: amt_sum_30d
    version: 1
    owner: t
    description: amount over 30 days
    entity: customer
    mart: fct_events
    expression: amount
    aggregation: sum
    window: 30 days
    event_time: event_at
    known_until: known_until
  - name: amt_sum_30d
    version: 2
    owner: t
    description: amount over 60 days (v2 widened the window; v1 stays computable)
    entity: customer
    mart: fct_events
    expression: amount
    aggregation: sum
    window: 60 days
    event_time: event_at
    known_until: known_until
  - name: late_share_90d
    version: 1
    owner: t
    description: share of positive documents that were late, 90 days
    entity: customer
    mart: fct_events
    expression: case when is_late then 1 else 0 end
    filter: amount > 0
    aggregation: avg
    window: 90 days
    event_time: event_at
    known_until: known_until
  - name: n_docs
    version: 1
    owner: t
    description: documents ever
    entity: customer
    mart: fct_events
    expression: doc_id
    aggregation: count
    known_until: known_until
  - name: last_amount
    version: 1
    owner: t
    description: latest known amount
    entity: customer
    mart: fct_events
    expression: amount
    aggregation: latest
    known_until: known_until
  - name: amt_sum_30d_year_ago
    version: 1
    owner: t
    description: amount over the 30 days a year before (seasonality)
    entity: customer
    mart: fct_events
    expression: amount
    aggregation: sum
    window: 30 days
    offset: 335 days
    event_time: event_at
    known_until: known_until
  - name: last_event_at
    version: 1
    owner: t
    description: event time of the latest known row
    entity: customer
    mart: fct_events
    expression: event_at
    aggregation: latest
    data_type: timestamp
    known_until: known_until
derived_features:
  - name: days_since_last_event
    version: 1
    owner: t
    description: days from the latest known row's event to the time asked
    entity: customer
    expression: "extract(epoch from {as_of} - {last_event_at}) / 86400"
    inputs: [last_event_at@1]
  - name: amt_per_doc
    version: 1
    owner: t
    description: 30-day amount per document ever
    entity: customer
    expression: "{amt_sum_30d} / nullif({n_docs}, 0)"
    inputs: [amt_sum_30d@1, n_docs@1]
feature_sets:
  - name: probe
    version: 1
    owner: t
    description: all of them
    entity: customer
    features: [amt_sum_30d@1, amt_sum_30d@2, late_share_90d@1, n_docs@1, last_amount@1,
               amt_per_doc@1, amt_sum_30d_year_ago@1, days_since_last_event@1]
    spine: {time: e.as_of_ts}
"""


@dataclass(frozen=True)
class Row:
    company: str
    cust: str
    doc_id: int
    amount: Decimal
    is_late: bool
    event_at: datetime
    known_at: datetime
    known_until: datetime | None


def make_rows(seed: int) -> tuple[list[Row], list[tuple[str, str, datetime]]]:
    """Rows and spine points (company, cust, as_of) with the hard cases planted."""
    rng = random.Random(seed)
    # ('a|b', 'c') and ('a', 'b|c') collide under plain concatenation with '|'.
    customers = [("a|b", "c"), ("a", "b|c"), ("x", "1"), ("x", "2"), ("y", "3"), ("none", "0")]
    rows: list[Row] = []
    doc = 0

    def minute(days: float) -> datetime:
        return START + timedelta(minutes=round(days * 1440))

    for company, cust in customers[:-1]:
        for _ in range(rng.randint(8, 16)):
            doc += 1
            event = minute(rng.uniform(0, 500))
            lag = rng.choice([0, 0, 1, 5, 60])  # 60: back-dated document, known much later
            known = event + timedelta(days=lag)
            amount = Decimal(rng.randint(-500, 5000)) / 100
            late = rng.random() < 0.4
            fate = rng.random()
            if fate < 0.2:  # corrected later: old version ends, new version starts
                fix = known + timedelta(days=rng.randint(1, 40))
                rows.append(Row(company, cust, doc, amount, late, event, known, fix))
                rows.append(Row(company, cust, doc, amount + 7, not late, event, fix, None))
            elif fate < 0.3:  # deleted at the source later
                gone = known + timedelta(days=rng.randint(1, 40))
                rows.append(Row(company, cust, doc, amount, late, event, known, gone))
            else:
                rows.append(Row(company, cust, doc, amount, late, event, known, None))
    # ties: two documents known at the same instant for one customer
    tie = minute(100)
    for amount in (Decimal("10.00"), Decimal("20.00")):
        doc += 1
        rows.append(Row("x", "1", doc, amount, False, tie, tie, None))
    spine: list[tuple[str, str, datetime]] = []
    for company, cust in customers:
        for _ in range(12):
            spine.append((company, cust, minute(rng.uniform(-5, 700))))
    for r in rows[:25]:  # exact boundaries: at the event, at the window end, at known times
        spine += [
            (r.company, r.cust, r.event_at),
            (r.company, r.cust, r.event_at + timedelta(days=30)),
            (r.company, r.cust, r.event_at + timedelta(days=90)),
            (r.company, r.cust, r.event_at + timedelta(days=335)),
            (r.company, r.cust, r.event_at + timedelta(days=365)),
            (r.company, r.cust, r.known_at),
        ]
        if r.known_until:
            spine.append((r.company, r.cust, r.known_until))
    return rows, sorted(set(spine))


def brute_force(rows: list[Row], company: str, cust: str, t: datetime) -> dict[str, Any]:
    """Every feature of the probe set, from the definitions' words, over plain rows."""
    mine = [r for r in rows if (r.company, r.cust) == (company, cust)]
    known = [r for r in mine if r.known_at <= t and (r.known_until is None or t < r.known_until)]

    def in_window(r: Row, days: int) -> bool:
        return r.event_at <= t < r.event_at + timedelta(days=days)

    w30 = [r for r in known if in_window(r, 30)]
    w60 = [r for r in known if in_window(r, 60)]
    year_ago = [
        r for r in known if r.event_at + timedelta(days=335) <= t < r.event_at + timedelta(days=365)
    ]
    w90 = [r for r in known if in_window(r, 90) and r.amount > 0]
    amt = sum((r.amount for r in w30), Decimal(0))
    n_docs = len(known)
    latest = last_event = None
    if known:
        top = max(r.known_at for r in known)
        latest = max(r.amount for r in known if r.known_at == top)
        last_event = max(r.event_at for r in known if r.known_at == top and r.amount == latest)
    return {
        "amt_sum_30d__v1": amt,
        "amt_sum_30d__v2": sum((r.amount for r in w60), Decimal(0)),
        "late_share_90d": (sum(r.is_late for r in w90) / len(w90)) if w90 else None,
        "n_docs": n_docs,
        "last_amount": latest,
        "amt_per_doc": (amt / n_docs) if n_docs else None,
        "amt_sum_30d_year_ago": sum((r.amount for r in year_ago), Decimal(0)),
        "days_since_last_event": (
            (t - last_event).total_seconds() / 86400 if last_event is not None else None
        ),
    }


def _project(tmp: Path, target: dict[str, Any]) -> Path:
    project = scratch_project(tmp, target, {"+schema": "marts", "+materialized": "table"})
    shutil.copytree(ROOT / "dbt_project" / "tests" / "generic", project / "tests" / "generic")
    (project / "models" / "fct_events.sql").write_text(
        "select {{ erpml.erpml_key('t', 'company', ['cust']) }} as customer_key, * from raw.events"
    )
    (project / "models" / "dim_cust.sql").write_text(
        "select {{ erpml.erpml_key('t', 'company', ['cust']) }} as customer_key, company, cust,"
        " as_of_ts from raw.spine"
    )
    return project


def _load(rows: list[Row], spine: list[tuple[str, str, datetime]], execute: Any) -> None:
    execute("create schema if not exists raw")
    execute(
        "create table raw.events (company varchar, cust varchar, doc_id integer,"
        " amount numeric(18, 2), is_late boolean, event_at timestamp, known_at timestamp,"
        " known_until timestamp)"
    )
    execute("create table raw.spine (company varchar, cust varchar, as_of_ts timestamp)")
    for r in rows:
        execute(
            "insert into raw.events values ('{}', '{}', {}, {}, {}, '{}', '{}', {})".format(
                r.company,
                r.cust,
                r.doc_id,
                r.amount,
                "true" if r.is_late else "false",
                r.event_at,
                r.known_at,
                f"'{r.known_until}'" if r.known_until else "null",
            )
        )
    for company, cust, t in spine:
        execute(f"insert into raw.spine values ('{company}', '{cust}', '{t}')")


@pytest.fixture(params=["duckdb", "postgres"])
def setup(
    request: pytest.FixtureRequest, tmp_path: Path, database_factory: Any
) -> Iterator[tuple[Path, Path, list[Row], list[tuple[str, str, datetime]]]]:
    rows, spine = make_rows(seed=7)
    if request.param == "duckdb":
        import duckdb

        path = tmp_path / "wh.duckdb"
        con = duckdb.connect(str(path))
        _load(rows, spine, con.execute)
        con.close()
        target: dict[str, Any] = {"type": "duckdb", "path": str(path), "schema": "main"}
        erpml_yml = {"warehouse": {"kind": "duckdb", "path": str(path)}}
    else:
        import sqlalchemy as sa

        url = database_factory("postgresql")
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            _load(rows, spine, lambda sql: conn.execute(sa.text(sql)))
        engine.dispose()
        target = postgres_target(url, threads=1)
        erpml_yml = {"warehouse": {"kind": "postgres", "url": url}}
    project = _project(tmp_path, target)
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "probe.yml").write_text(CATALOG)
    project_file = tmp_path / "erpml.yml"
    project_file.write_text(yaml.safe_dump({**erpml_yml, "definitions": "catalog"}))
    yield project, project_file, rows, spine


def _build(project: Path) -> None:
    from dbt.cli.main import dbtRunner

    args = ["build", "--project-dir", str(project), "--profiles-dir", str(project), "--quiet"]
    args += ["--target-path", str(project / "target"), "--log-path", str(project / "logs")]
    res = dbtRunner().invoke(args)
    assert res.success, f"dbt build failed: {res.exception or res.result}"
    from mlops.build import _release_duckdb

    _release_duckdb()


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))  # pandas gives NaN for NULL


def _same(got: Any, want: Any) -> bool:
    if _missing(want) or _missing(got):
        return _missing(want) and _missing(got)
    return abs(float(got) - float(want)) <= 1e-9 * max(1.0, abs(float(want)))


def test_snapshot_and_get_features_agree_with_brute_force(setup: Any) -> None:
    import pandas as pd

    from mlops.definitions import load_definitions
    from mlops.features import create_snapshot, get_features
    from mlops.warehouse import open_warehouse
    from semantic_models.compile import compile_catalog

    project, project_file, rows, spine = setup
    defs = load_definitions(project_file, dbt_project=project)
    compile_catalog(defs.catalog, defs.prints, project)
    _build(project)

    snap = create_snapshot(project_file, defs.catalog, "probe@1", cutoff=datetime(2030, 1, 1))
    assert snap.rows == len(spine)
    with open_warehouse(project_file, read_only=True) as wh:
        snapshot = wh.frame(f"select * from {snap.table}")
        keys = wh.frame("select customer_key, company, cust from marts.dim_cust")
    names = dict(
        zip(keys["customer_key"], zip(keys["company"], keys["cust"], strict=True), strict=True)
    )
    assert len(set(names.values())) == len(names) == len({(c, k) for c, k, _ in spine})

    features = [
        "amt_sum_30d__v1",
        "amt_sum_30d__v2",
        "late_share_90d",
        "n_docs",
        "last_amount",
        "amt_per_doc",
        "amt_sum_30d_year_ago",
        "days_since_last_event",
    ]
    mismatches = []
    for rec in snapshot.to_dict("records"):
        company, cust = names[rec["customer_key"]]
        want = brute_force(rows, company, cust, pd.Timestamp(rec["as_of"]).to_pydatetime())
        for f in features:
            if not _same(rec[f], want[f]):
                mismatches.append((company, cust, rec["as_of"], f, rec[f], want[f]))
    assert not mismatches, mismatches[:5]
    assert (snapshot["n_docs"] > 0).any() and snapshot["late_share_90d"].notna().any()
    assert (snapshot.loc[snapshot["customer_key"].map(names).str[0] == "none", "n_docs"] == 0).all()

    # The same inputs give the same checksum; a spine given as a query keeps every one of its
    # rows (duplicates and unknown entities included) and writes Parquet.
    again = create_snapshot(project_file, defs.catalog, "probe@1", cutoff=datetime(2030, 1, 1))
    assert again.checksum == snap.checksum and len(snap.checksum) == 64
    query = (
        "select customer_key, as_of_ts as as_of from marts.dim_cust"
        " union all select customer_key, as_of_ts from marts.dim_cust"
        " union all select 'nobody', timestamp '2025-06-01'"
    )
    parquet = project.parent / "probe.parquet"
    given = create_snapshot(
        project_file, defs.catalog, "probe@1", cutoff=datetime(2030, 1, 1), spine=query,
        out=parquet,
    )  # fmt: skip
    assert given.rows == 2 * len(spine) + 1
    assert pd.read_parquet(parquet).shape[0] == given.rows
    with open_warehouse(project_file, read_only=True) as wh:
        nobody = wh.frame(f"select * from {given.table} where customer_key = 'nobody'")
        manifest = wh.rows(
            "select checksum, row_count from _erpml.snapshots where snapshot_id = "
            + ("?" if wh.dialect == "duckdb" else "%s"),
            (given.id,),
        )
    assert nobody["n_docs"].tolist() == [0] and manifest == [(given.checksum, given.rows)]

    # The scoring API returns exactly the snapshot's values for random (entity, time) pairs.
    sample = snapshot.sample(n=60, random_state=3)
    got = get_features(project_file, defs.catalog, "probe@1", sample[["customer_key", "as_of"]])
    merged = sample.merge(got, on=["customer_key", "as_of"], suffixes=("_snap", "_api"))
    assert len(merged) >= 60
    for f in features:
        pairs = zip(merged[f + "_api"], merged[f + "_snap"], strict=True)
        assert all(_same(a, s) for a, s in pairs), f


def _lookup_case(seed: int, shuffle: bool) -> tuple[Any, list[tuple[Any, ...]], list[Any]]:
    """A DuckDB connection with two timelines and a spine, the timelines' rows and the spine.

    Spine times fall on a 7 ms grid; change points on a 1 ms grid, every third on the spine's
    grid. Spine rows sit on change points, just before them and at the end of closed spans.
    Spans close (a gap to NULL) or stay open; values are NULL now and then; spine rows repeat,
    ask for unknown entities or carry a NULL key or time. ``shuffle``: the timelines are stored
    in no order.
    """
    import duckdb

    rng = random.Random(seed)

    def ms(n: int) -> datetime:
        return START + timedelta(milliseconds=n)

    con = duckdb.connect()
    con.execute("create schema features")
    timelines: list[list[tuple[Any, ...]]] = []
    near = []
    for f in range(2):
        rows = []
        for e in range(10):
            times = sorted(rng.sample(range(0, 350_000), rng.randint(0, 12)))
            points = [t if k % 3 else 7 * (t // 7) for k, t in enumerate(times)]
            for k, p in enumerate(points):
                end: int | None = None
                if k + 1 < len(points):
                    end = points[k + 1]
                elif rng.random() < 0.4:  # closed: a gap after it, sometimes on the grid
                    end = p + rng.randint(1, 9000) * rng.choice([1, 7])
                value = None if rng.random() < 0.1 else Decimal(rng.randint(-(10**6), 10**6)) / 1000
                rows.append((f"e{e}", ms(p), None if end is None else ms(end), value))
                for t in (7 * (p // 7), 7 * (p // 7) + 7, end):
                    if t is not None and t % 7 == 0 and rng.random() < 0.7:
                        near.append((f"e{e}", ms(t)))
        if shuffle:
            rng.shuffle(rows)
        con.execute(
            f"create table features.t{f} (entity_key varchar, valid_from timestamp, "
            "valid_to timestamp, value numeric(38, 10))"
        )
        if rows:
            con.executemany(f"insert into features.t{f} values (?, ?, ?, ?)", rows)
        timelines.append(rows)
    spine: list[tuple[Any, ...]] = []
    for _ in range(300):
        who = rng.choice([f"e{i}" for i in range(12)] + ["nobody", None])
        spine.append((who, None if rng.random() < 0.03 else ms(7 * rng.randrange(0, 52_000))))
    spine += near
    rng.shuffle(spine)
    spine += spine[:20]  # repeated rows stay repeated
    con.execute("create table spine (entity_key varchar, as_of timestamp)")
    con.executemany("insert into spine values (?, ?)", spine)
    return con, spine, timelines


def _brute_asof(rows: list[tuple[Any, ...]], who: Any, at: Any) -> Any:
    if who is None or at is None:
        return None
    before = [r for r in rows if r[0] == who and r[1] <= at]
    if not before:
        return None
    last = max(before, key=lambda r: r[1])
    return last[3] if last[2] is None or at < last[2] else None


@pytest.mark.parametrize(
    ("seed", "shuffle", "bits"), [(1, False, 62), (2, True, 62), (3, False, 12), (4, True, 12)]
)
def test_asof_lookup_agrees_with_brute_force_and_the_asof_join(
    seed: int, shuffle: bool, bits: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The numpy lookup = plain Python = pit_sql's ASOF joins, row for row in spine order.

    ``bits`` 12: code and grid time do not fit, so times are ranked instead of put on a grid.
    """
    from mlops import pit
    from mlops.features import Column, Plan, pit_sql, point_in_time
    from mlops.warehouse import Warehouse

    monkeypatch.setattr(pit, "COMPOSITE_BITS", bits)
    con, spine, timelines = _lookup_case(seed, shuffle)
    _assert_lookups_match_brute_force(con, spine, timelines, at_least=50)

    cols = (
        Column("a", "a@1", "features.t0", "entity_key", "0"),
        Column("b", "b@1", "features.t1", "entity_key", "null"),
        Column("a_minus_b", "d@1", None, None, "null", expression='"a" - "b"'),
    )
    p = Plan("x@1", "entity_key", "spine", (), cols)
    wh = Warehouse("duckdb", con)
    with point_in_time(wh, p, "spine") as sql:
        fast = con.execute(sql).fetchall()
    slow = con.execute(pit_sql(p, "spine", "duckdb")).fetchall()
    key = str
    assert sorted(fast, key=key) == sorted(slow, key=key)
    assert [r[:2] for r in fast] == spine


def test_asof_lookup_refuses_two_rows_at_one_change_point() -> None:
    from mlops import pit
    from mlops.errors import MlopsError

    con, _, timelines = _lookup_case(5, False)
    first = timelines[0][0]
    con.execute("insert into features.t0 values (?, ?, ?, ?)", (*first[:3], Decimal(1)))
    with pytest.raises(MlopsError, match=r"features\.t0: two rows for one entity"):
        pit.asof_lookup(con, "spine", [pit.Lookup("features.t0", "entity_key")])


@pytest.mark.parametrize("spine_keys", [None, ("e3",), ("e3", "e10")])
def test_asof_lookup_stays_exact_when_key_hashes_collide(
    spine_keys: tuple[str, ...] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Key hashes only point at a spine key: the keys are compared, so a shared hash never gives
    a wrong value. ``length(key)`` as the hash: every timeline key collides with the spine's;
    the spine's own keys collide too (None: every entity; e3 and e10 differ in length)."""
    from mlops import pit

    monkeypatch.setattr(pit, "KEY_HASH", "length({})")
    con, spine, timelines = _lookup_case(7, False)
    if spine_keys is not None:
        spine = [(who, at) for who, at in spine if who in spine_keys]
        con.execute("create or replace table spine (entity_key varchar, as_of timestamp)")
        con.executemany("insert into spine values (?, ?)", spine)
    _assert_lookups_match_brute_force(con, spine, timelines, at_least=5)


@pytest.mark.parametrize("value_type", ["numeric(38, 10)", "varchar"])
def test_asof_lookup_one_as_of_finds_an_entity_stored_in_runs(value_type: str) -> None:
    """One ``as_of`` for every spine row (as ``get_features`` asks): all earlier change points
    share one grid point. Entities whose rows are stored in two or three runs, the later ones
    first, still get their latest value; a value type of no fixed width goes through ``take``."""
    import duckdb

    from mlops import pit

    rng = random.Random(11)
    con = duckdb.connect()
    con.execute("create schema features")
    runs: list[list[tuple[Any, ...]]] = []
    for e in range(8):
        points = sorted(rng.sample(range(0, 1000), rng.randint(1, 9)))
        spans = []
        for k, p in enumerate(points):
            end = points[k + 1] if k + 1 < len(points) else rng.choice([None, p + 50])
            value = None if rng.random() < 0.1 else f"{rng.randint(-999, 999)}.5"
            until = None if end is None else START + timedelta(days=end)
            spans.append((f"e{e}", START + timedelta(days=p), until, value))
        cut = sorted(rng.sample(range(len(spans) + 1), 2))
        runs += [spans[: cut[0]], spans[cut[0] : cut[1]], spans[cut[1] :]]
    rng.shuffle(runs)  # an entity in up to three runs, in any order, among other entities' runs
    rows = [r for run in runs for r in run]
    con.execute(
        "create table features.t0 (entity_key varchar, valid_from timestamp, "
        f"valid_to timestamp, value {value_type})"
    )
    con.executemany("insert into features.t0 values (?, ?, ?, ?)", rows)
    for at in (
        START - timedelta(days=1),
        START + timedelta(days=500),
        START + timedelta(days=2000),
    ):
        spine = [(f"e{e}", at) for e in (*range(9), 3)]
        con.execute("create or replace table spine (entity_key varchar, as_of timestamp)")
        con.executemany("insert into spine values (?, ?)", spine)
        got = pit.asof_lookup(con, "spine", [pit.Lookup("features.t0", "entity_key")])
        assert [(r["entity_key"], r["as_of"]) for r in got.to_pylist()] == spine
        want = [_brute_asof(rows, who, t) for who, t in spine]
        if value_type.startswith("numeric"):
            want = [None if v is None else Decimal(v) for v in want]
        assert [r["_erpml_v0"] for r in got.to_pylist()] == want
        if at == START + timedelta(days=500):
            assert sum(v is not None for v in want) >= 3


def _assert_lookups_match_brute_force(
    con: Any, spine: list[Any], timelines: list[Any], at_least: int
) -> None:
    """``asof_lookup`` of the two timelines keeps the spine's rows in order and equals the
    brute-force value of each, with at least ``at_least`` non-NULL values (not an empty case)."""
    from mlops import pit

    lookups = [pit.Lookup(f"features.t{f}", "entity_key") for f in range(len(timelines))]
    got = pit.asof_lookup(con, "spine", lookups).to_pylist()
    assert [(r["entity_key"], r["as_of"]) for r in got] == spine
    for f, rows in enumerate(timelines):
        want = [_brute_asof(rows, who, at) for who, at in spine]
        assert [r[f"_erpml_v{f}"] for r in got] == want
        assert sum(v is not None for v in want) > at_least
