"""Incremental feature timelines equal a full rebuild, after random changes to the mart.

A throwaway dbt project named ``erpml`` (a copy of ``dbt_project/macros``) holds one mart,
``events`` (a table over ``raw.events``, which the test writes), the fingerprint models of the
features' span groups (``semantic_models.compile.span_groups``: five groups, so timelines share
their group's difference), and, for every kind of feature timeline, two models written by
``semantic_models.compile._feature_sql``:

- ``feat_<name>__v1`` (warehouse side A): the model as generated, built incrementally by the
  ``feature_timeline`` materialization after the first build;
- ``full_feat_<name>__v1`` (side B): the same text plus ``config(full_refresh=true)``, so every
  run rebuilds it whole (``should_full_refresh()`` reads that config before the CLI flag).

Both sides read the same mart in the same run. After each round of seeded random changes
(new rows, back-dated ones among them, deleted rows, changed values, rows given a
``known_until``, a new entity, an entity removed, duplicates) every A timeline must equal B's
row for row. A sentinel row planted in every A table survives an
incremental run (so A is not rebuilt whole) and vanishes from every B table; a change in the
last month leaves a tampered earlier row of its entity alone (the rebuild starts at that
month); two rounds hit the edges of the fingerprints' months (a change point on a month boundary
that a delete removes; a row made to end in a month before it was known); a run without
changes changes nothing; after each round the groups' stored fingerprints (mended, not
rewritten) equal their SQL computed afresh; at the end ``dbt run --full-refresh`` of A gives
A's incremental tables back, and two timelines agree with a brute-force reference. On DuckDB
and PostgreSQL.

``test_long_feature_name_builds_incrementally_on_postgres``: a model name PostgreSQL accepts
must also build incrementally, though the materialization's own table (``<model>__plan``)
would outgrow PostgreSQL's 63 characters (it is cut and hashed).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

START = datetime(2024, 1, 1)
DAYS = 730  # two years of history
END = START + timedelta(days=DAYS)
SENTINEL = "~sentinel"

FEATURES: list[dict[str, Any]] = [
    # sum over a window, rows corrected or deleted later (known_until)
    {"name": "x_sum_30d", "aggregation": "sum", "window": "30 days", "event_time": "event_at",
     "known_until": "known_until"},
    # sum over all history (no window) with known_until
    {"name": "x_sum_all", "aggregation": "sum", "event_time": "event_at",
     "known_until": "known_until"},
    # count over a window shifted back
    {"name": "x_count_60d_off", "aggregation": "count", "window": "60 days", "offset": "2 weeks",
     "event_time": "event_at", "known_until": "known_until", "data_type": "integer"},
    # avg over a window, with a filter
    {"name": "x_avg_90d", "aggregation": "avg", "window": "90 days", "event_time": "event_at",
     "known_until": "known_until", "filter": "flag <> 'skip'"},
    # latest known value, rows never end
    {"name": "x_latest", "aggregation": "latest"},
    # latest known value of rows that end (corrections, deletes)
    {"name": "x_latest_until", "aggregation": "latest", "known_until": "known_until"},
    # latest of a text and of a timestamp
    {"name": "flag_latest", "aggregation": "latest", "known_until": "known_until",
     "expression": "flag", "data_type": "varchar"},
    {"name": "event_latest", "aggregation": "latest", "expression": "event_at",
     "data_type": "timestamp"},
]  # fmt: skip
NAMES = [f["name"] for f in FEATURES]
# their span groups (one fingerprint model each): the two sums without offset or filter, the
# shifted count, the filtered average, latest without and with known_until
GROUPS = 5
# a value no timeline holds, per feature: (SQL, as fetched)
TAMPER: dict[str, tuple[str, object]] = {
    "flag_latest": ("'tampered'", "tampered"),
    "event_latest": ("cast('1999-09-09' as timestamp)", datetime(1999, 9, 9)),
}


@dataclass(frozen=True)
class Row:
    id: int
    entity: str
    known_at: datetime
    known_until: datetime | None
    event_at: datetime | None
    x: Decimal | None
    flag: str | None


# ---------------------------------------------------------------------------- random data


class Data:
    """The mart's rows, kept in Python; every round rewrites ``raw.events`` from them."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.rows: dict[int, Row] = {}
        self.times: list[datetime] = []  # earlier timestamps, reused to make ties
        self.next_id = 1
        self.entities = [f"e{i:02d}" for i in range(20)]
        for entity in self.entities:
            for _ in range(self.rng.randint(5, 25)):
                self.add(entity, self.rng.uniform(0, DAYS))

    def when(self, day: float) -> datetime:
        if self.times and self.rng.random() < 0.15:
            return self.rng.choice(self.times)  # a tie with an earlier timestamp
        t = START + timedelta(minutes=round(day * 1440))
        if self.rng.random() < 0.05:
            t = t.replace(day=1, hour=0, minute=0)  # on a month boundary (a state bucket's)
        self.times.append(t)
        return t

    def add(self, entity: str, day: float, lag: float | None = None) -> Row:
        rng = self.rng
        event = self.when(day)
        if lag is None:
            lag = rng.choice([0, 0, 0, 1, 3, 45, -2])  # -2: known before the event
        known = event + timedelta(days=lag)
        if rng.random() < 0.1:
            known = event  # known at the event: ties between t_in of windowed and plain spans
        fate = rng.random()
        until: datetime | None = None
        if fate < 0.15:  # corrected or deleted later
            until = known + timedelta(days=rng.choice([1, 10, 30, 120]))
        elif fate < 0.2:  # ends before it is known: never counts
            until = known - timedelta(days=rng.choice([0, 1, 5]))
        x = None if rng.random() < 0.1 else Decimal(rng.randint(-5000, 50000)) / 100
        row = Row(
            id=self.next_id,
            entity=entity,
            known_at=known,
            known_until=until,
            event_at=None if rng.random() < 0.04 else event,
            x=x,
            flag=rng.choice(["a", "b", "skip", None]),
        )
        self.next_id += 1
        self.rows[row.id] = row
        return row

    def stamps(self, entity: str) -> set[datetime]:
        """Every time a row of ``entity`` can put a change point at."""
        out: set[datetime] = set()
        for r in self.rows.values():
            if r.entity == entity:
                out |= {t for t in (r.known_at, r.known_until, r.event_at) if t is not None}
                if r.event_at is not None:  # window ends and offset starts
                    out |= {r.event_at + timedelta(days=d) for d in (14, 30, 74, 90)}
        return out

    def change(self, round_no: int) -> None:
        """One round of random changes, every kind of change the brief names."""
        rng = self.rng
        alive = sorted({r.entity for r in self.rows.values()})
        for _ in range(12):  # new rows, about now
            self.add(rng.choice(alive), rng.uniform(DAYS - 60, DAYS))
        for _ in range(8):  # back-dated: events of the first year, known now or long ago
            entity = rng.choice(alive)
            day = rng.uniform(0, 365)
            self.add(entity, day, lag=rng.choice([DAYS - day, rng.uniform(0, 30)]))
        ids = sorted(self.rows)
        for i in rng.sample(ids, 8):  # deleted
            del self.rows[i]
        ids = sorted(self.rows)
        for i in rng.sample(ids, 8):  # value changed (sometimes to NULL)
            x = None if rng.random() < 0.2 else Decimal(rng.randint(-5000, 50000)) / 100
            self.rows[i] = replace(self.rows[i], x=x)
        for i in rng.sample(ids, 6):  # known_until set: some before known_at
            r = self.rows[i]
            self.rows[i] = replace(r, known_until=r.known_at + timedelta(days=rng.randint(-3, 90)))
        for i in rng.sample(ids, 2):  # exact duplicates of a row (another id)
            dup = replace(self.rows[i], id=self.next_id)
            self.rows[dup.id] = dup
            self.next_id += 1
        for i in rng.sample(ids, 3):  # filter flips
            self.rows[i] = replace(self.rows[i], flag=rng.choice(["a", "skip", None]))
        new = f"n{round_no}"  # a new entity
        for _ in range(rng.randint(3, 8)):
            self.add(new, rng.uniform(0, DAYS))
        gone = rng.choice(alive)  # an entity removed whole
        self.rows = {i: r for i, r in self.rows.items() if r.entity != gone}


def _lit(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, datetime):
        return f"cast('{value.isoformat(sep=' ')}' as timestamp)"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _write_raw(rows: dict[int, Row], execute: Callable[[str], object]) -> None:
    execute("delete from raw.events")
    values = [
        "(" + ", ".join(_lit(v) for v in (r.id, r.entity, r.known_at, r.known_until,
                                            r.event_at, r.x, r.flag)) + ")"
        for r in rows.values()
    ]  # fmt: skip
    execute("insert into raw.events values " + ",\n".join(values))


# ---------------------------------------------------------------------------- warehouse


class Warehouse:
    """SQL on the test's warehouse between dbt runs (DuckDB: only while dbt holds no file)."""

    def __init__(self, engine: str, tmp: Path, database_factory: Any) -> None:
        self.engine = engine
        if engine == "duckdb":
            self.path = tmp / "wh.duckdb"
            self.target: dict[str, Any] = {
                "type": "duckdb",
                "path": str(self.path),
                "schema": "main",
                "threads": 4,
            }
        else:
            from tests.dbt.conftest import postgres_target

            self.url = database_factory("postgresql")
            self.target = postgres_target(self.url, threads=4)

    def run(self, statements: list[str]) -> list[list[tuple[Any, ...]]]:
        """Run ``statements`` in one transaction; the rows of each."""
        out: list[list[tuple[Any, ...]]] = []
        if self.engine == "duckdb":
            import duckdb

            con = duckdb.connect(str(self.path))
            try:
                con.execute("begin")
                for sql in statements:
                    cur = con.execute(sql)
                    out.append([tuple(r) for r in cur.fetchall()] if cur.description else [])
                con.execute("commit")
            finally:
                con.close()
            return out
        import sqlalchemy as sa

        engine = sa.create_engine(self.url)
        try:
            with engine.begin() as conn:
                for sql in statements:
                    res = conn.execute(sa.text(sql))
                    out.append([tuple(r) for r in res] if res.returns_rows else [])
        finally:
            engine.dispose()
        return out

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.run([sql])[0]

    def write_raw(self, rows: dict[int, Row]) -> None:
        statements: list[str] = []
        _write_raw(rows, statements.append)
        self.run(statements)

    def tables(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every timeline of both sides, sorted."""
        names = [f"{side}{n}__v1" for side in ("feat_", "full_feat_") for n in NAMES]
        results = self.run([f"select * from features.{t} order by 1, 2" for t in names])
        return dict(zip(names, results, strict=True))


def _project(
    tmp: Path, target: dict[str, Any], features: list[dict[str, Any]], full_side: bool = True
) -> Path:
    """The dbt project: the mart and a model per feature (and its full-rebuild twin)."""
    from semantic_models.catalog import Catalog
    from semantic_models.compile import _feature_sql, span_groups
    from semantic_models.schema import Entity, Feature
    from tests.dbt.conftest import scratch_project

    project = scratch_project(tmp, target, {"+materialized": "table"})
    (project / "models" / "features").mkdir()
    (project / "models" / "events.sql").write_text(
        "{{ config(materialized='table', schema='marts') }}\nselect * from raw.events\n"
    )
    thing = Entity(name="thing", version=1, owner="t", description="d", key="entity", mart="events")
    catalog = Catalog(entities={thing.ref: thing})
    for spec in features:
        feature = Feature(version=1, owner="t", description="d", entity="thing", mart="events",
                          **{"expression": "x", **spec})  # fmt: skip
        catalog.features[feature.ref] = feature
    groups = span_groups(catalog)
    models = project / "models" / "features"
    distinct = {g.name: g for g in groups.values()}
    assert features is not FEATURES or len(distinct) == GROUPS, sorted(distinct)
    for group in distinct.values():
        (models / f"{group.name}.sql").write_text(group.sql())
    for feature in catalog.features.values():
        sql = _feature_sql(catalog, feature, "fp-test", groups[feature.ref].name)
        assert "materialized='feature_timeline'" in sql and "erpml.feature_spans(" in sql
        (models / f"feat_{feature.name}__v1.sql").write_text(sql)
        if full_side:
            (models / f"full_feat_{feature.name}__v1.sql").write_text(
                sql + "{{ config(full_refresh=true) }}\n"
            )
    return project


def _dbt(project: Path, *extra: str, models: int = 2 * len(NAMES) + GROUPS + 1) -> None:
    from dbt.cli.main import dbtRunner

    from mlops.build import _release_duckdb

    args = ["run", "--project-dir", str(project), "--profiles-dir", str(project), "--quiet"]
    args += ["--target-path", str(project / "target"), "--log-path", str(project / "logs")]
    try:
        res = dbtRunner().invoke([*args, *extra])
    finally:
        _release_duckdb()
    results = getattr(res.result, "results", None) or []
    errors = [f"{r.node.name}: {r.message}" for r in results if str(r.status) != "success"]
    assert res.success, f"dbt run {' '.join(extra)} failed: {res.exception or errors}"
    ran = [str(r.node.name) for r in results if str(r.status) == "success"]
    assert len(ran) == models, ran


# ---------------------------------------------------------------------------- checks


def _plant_sentinels(wh: Warehouse) -> None:
    wh.run(
        [
            f"insert into features.{side}{n}__v1 (entity_key, valid_from, valid_to, value) "
            f"values ('{SENTINEL}', cast('2000-01-01' as timestamp), null, null)"
            for side in ("feat_", "full_feat_")
            for n in NAMES
        ]
    )


def _take_sentinels(tables: dict[str, list[tuple[Any, ...]]]) -> None:
    """A kept every sentinel (incremental), B none (rebuilt); drop them from A's rows."""
    for name, rows in tables.items():
        planted = [r for r in rows if r[0] == SENTINEL]
        if name.startswith("full_"):
            assert not planted, f"{name}: a full rebuild kept the planted row"
        else:
            assert len(planted) == 1, f"{name}: the incremental run did not keep the planted row"
            tables[name] = [r for r in rows if r[0] != SENTINEL]


def _assert_sides_equal(
    tables: dict[str, list[tuple[Any, ...]]], where: str, names: list[str] = NAMES
) -> None:
    for name in names:
        a, b = tables[f"feat_{name}__v1"], tables[f"full_feat_{name}__v1"]
        assert a, f"{where}: feat_{name}__v1 is empty"
        if a != b:
            only_a = sorted(set(a) - set(b))[:6]
            only_b = sorted(set(b) - set(a))[:6]
            pytest.fail(
                f"{where}: incremental feat_{name}__v1 differs from the full rebuild "
                f"({len(a)} vs {len(b)} rows)\n  only incremental: {only_a}\n"
                f"  only full: {only_b}",
                pytrace=False,
            )


def _a_side(tables: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {k: v for k, v in tables.items() if not k.startswith("full_")}


def _round(wh: Warehouse, project: Path, where: str) -> dict[str, list[tuple[Any, ...]]]:
    """One incremental run of A (and full run of B) with sentinels; the tables after it."""
    _plant_sentinels(wh)
    _dbt(project)
    tables = wh.tables()
    _take_sentinels(tables)
    wh.run([f"delete from features.feat_{n}__v1 where entity_key = '{SENTINEL}'" for n in NAMES])
    _assert_sides_equal(tables, where)
    _assert_fingerprints_current(wh, project, where)
    return tables


def _assert_fingerprints_current(wh: Warehouse, project: Path, where: str) -> None:
    """Each group's stored fingerprints (mended where they differed, not rewritten) equal its
    SQL computed afresh over the mart: else the next build's difference would be wrong."""
    compiled = sorted((project / "target" / "compiled").rglob("featfp_*.sql"))
    assert len(compiled) == GROUPS, compiled
    for path in compiled:
        fresh = path.read_text()
        for a, b in ((f"features.{path.stem}", f"({fresh}) as f"),
                     (f"({fresh}) as f", f"features.{path.stem}")):  # fmt: skip
            extra = wh.query(
                f"select count(*) from (select * from {a} except all select * from {b}) as d"
            )
            assert extra == [(0,)], f"{where}: {path.stem} is not its SQL's result"


def _at(timeline: list[tuple[Any, ...]], t: datetime) -> tuple[bool, Any]:
    """The value of one entity's timeline rows at ``t`` (found, value)."""
    for _, start, stop, value in timeline:
        if start <= t and (stop is None or t < stop):
            return True, value
    return False, None


def _brute_sum_30d(rows: list[Row], t: datetime) -> Decimal:
    return sum(
        (
            r.x
            for r in rows
            if r.x is not None
            and r.event_at is not None
            and r.known_at <= t
            and (r.known_until is None or t < r.known_until)
            and r.event_at <= t < r.event_at + timedelta(days=30)
        ),
        Decimal(0),
    )


def _brute_latest_until(rows: list[Row], t: datetime) -> Decimal | None:
    known = [r for r in rows if r.known_at <= t and (r.known_until is None or t < r.known_until)]
    if not known:
        return None
    top = max(r.known_at for r in known)
    values = [r.x for r in known if r.known_at == top and r.x is not None]
    return max(values) if values else None


def _check_brute_force(data: Data, tables: dict[str, list[tuple[Any, ...]]]) -> None:
    by_entity: dict[str, list[Row]] = {}
    for r in data.rows.values():
        by_entity.setdefault(r.entity, []).append(r)
    checked = 0
    for name, brute in (("x_sum_30d", _brute_sum_30d), ("x_latest_until", _brute_latest_until)):
        timelines: dict[str, list[tuple[Any, ...]]] = {}
        for row in tables[f"feat_{name}__v1"]:
            timelines.setdefault(row[0], []).append(row)
        assert set(timelines) <= set(by_entity), f"{name}: a timeline of an unknown entity"
        for entity, rows in sorted(by_entity.items()):
            timeline = timelines.get(entity, [])
            points = [r[1] for r in timeline]
            probes = points + [a + (b - a) / 2 for a, b in pairwise(points)]
            for t in probes:
                found, value = _at(timeline, t)
                assert found, f"{name}: no row of {entity} covers {t}"
                want = brute(rows, t)
                assert value == want, f"{name}: {entity} at {t}: {value} != brute force {want}"
                checked += 1
    assert checked > 1000, checked


# ---------------------------------------------------------------------------- the test


def _raw_table(wh: Warehouse) -> None:
    wh.run(
        [
            "create schema if not exists raw",
            "create table raw.events (id integer, entity varchar, known_at timestamp,"
            " known_until timestamp, event_at timestamp, x numeric(18, 2), flag varchar)",
        ]
    )


@pytest.fixture(params=["duckdb", "postgres"])
def setup(
    request: pytest.FixtureRequest, tmp_path: Path, database_factory: Any
) -> Iterator[tuple[Warehouse, Path]]:
    wh = Warehouse(request.param, tmp_path, database_factory)
    _raw_table(wh)
    yield wh, _project(tmp_path, wh.target, FEATURES)


def test_incremental_timelines_equal_full_rebuild(setup: tuple[Warehouse, Path]) -> None:
    wh, project = setup
    data = Data(seed=20261127)
    wh.write_raw(data.rows)

    _dbt(project)  # first run: both sides built whole, with their groups' fingerprints
    tables = wh.tables()
    _assert_sides_equal(tables, "first build")

    for round_no in range(1, 5):
        data.change(round_no)
        wh.write_raw(data.rows)
        tables = _round(wh, project, f"round {round_no}")
        keys = {r[0] for r in tables["feat_x_sum_all__v1"]}
        assert f"n{round_no}" in keys, "the new entity has no timeline"

    # Two edges of the fingerprints' months. (a) A row on a month boundary, the only one with a
    # change point there, is added, then deleted: the rebuild must start before that month,
    # not at the boundary point, which the delete removes. (b) A row made to end before it
    # was known, in an earlier month than it was known: a span's month is its earliest point
    # (a 'latest' timeline gets a change point there, before other points of that month).
    boundary = datetime(2025, 3, 1)
    alive = sorted({r.entity for r in data.rows.values()})
    edge_a = next(e for e in alive if boundary not in data.stamps(e))
    added = Row(data.next_id, edge_a, boundary, None, boundary, Decimal("7.00"), "a")
    data.rows[added.id] = added
    data.next_id += 1
    wh.write_raw(data.rows)
    tables = _round(wh, project, "row added on a month boundary")
    assert (edge_a, boundary) in {r[:2] for r in tables["feat_x_latest__v1"]}
    del data.rows[added.id]
    ended = next(
        r
        for r in sorted(data.rows.values(), key=lambda r: r.id)
        if r.entity != edge_a
        and r.known_until is None
        and 10 <= r.known_at.day <= 19
        and r.known_at - timedelta(days=20) not in data.stamps(r.entity)
        and any(  # a change point between the new end and the month known: the rebuild
            o.entity == r.entity  # must start before it
            and r.known_at - timedelta(days=20) < o.known_at < r.known_at.replace(day=1)
            for o in data.rows.values()
        )
    )
    data.rows[ended.id] = replace(ended, known_until=ended.known_at - timedelta(days=20))
    wh.write_raw(data.rows)
    tables = _round(wh, project, "row deleted on a month boundary, row ended before known")
    assert (edge_a, boundary) not in {r[:2] for r in tables["feat_x_latest__v1"]}
    assert (ended.entity, ended.known_at - timedelta(days=20)) in {
        r[:2] for r in tables["feat_x_latest_until__v1"]
    }

    # A run without changes changes nothing.
    before = _a_side(tables)
    tables = _round(wh, project, "run without changes")
    assert _a_side(tables) == before, "a run without changes changed a timeline"

    # A change in the last month rebuilds its entity from that month on: an earlier row,
    # tampered with, stays as it is (then is put back from B, which equals it).
    entity = max(
        sorted({r.entity for r in data.rows.values()}),
        key=lambda e: sum(r.entity == e for r in data.rows.values()),
    )
    late = END + timedelta(days=40)
    month = late.replace(day=1, hour=0, minute=0, second=0)
    data.rows[data.next_id] = Row(data.next_id, entity, late, None, late, Decimal("12.34"), "a")
    data.next_id += 1
    wh.write_raw(data.rows)
    tampered: dict[str, tuple[Any, ...]] = {}
    for name in NAMES:
        rows = [r for r in tables[f"feat_{name}__v1"] if r[0] == entity]
        assert sum(r[1] < month for r in rows) >= 2, f"{name}: {entity} has too few rows"
        tampered[name] = rows[0]
    wh.run(
        [
            f"update features.feat_{name}__v1 set value = {TAMPER.get(name, ('4242', 0))[0]} "
            f"where entity_key = '{entity}' and valid_from = {_lit(row[1])}"
            for name, row in tampered.items()
        ]
    )
    _plant_sentinels(wh)
    _dbt(project)
    tables = wh.tables()
    _take_sentinels(tables)
    wh.run([f"delete from features.feat_{n}__v1 where entity_key = '{SENTINEL}'" for n in NAMES])
    for name, row in tampered.items():
        now = [r for r in tables[f"feat_{name}__v1"] if r[0] == entity and r[1] == row[1]]
        assert now == [(*row[:3], TAMPER.get(name, ("", 4242))[1])], (
            f"{name}: the rows before the changed month were redone"
        )
        tables[f"feat_{name}__v1"] = [r if r != now[0] else row for r in tables[f"feat_{name}__v1"]]
    wh.run(
        [
            f"update features.feat_{name}__v1 as a set value = (select b.value from "
            f"features.full_feat_{name}__v1 as b where b.entity_key = a.entity_key and "
            f"b.valid_from = a.valid_from) "
            f"where a.entity_key = '{entity}' and a.valid_from = {_lit(row[1])}"
            for name, row in tampered.items()
        ]
    )
    _assert_sides_equal(tables, "change in the last month")
    assert any(r[0] == entity and r[1] == late for r in tables["feat_x_sum_all__v1"])

    # The reference: two timelines against brute force over the rows.
    _check_brute_force(data, tables)

    # Other logic (here the default of x_sum_all, as an upgraded macro would be) rebuilds
    # that timeline whole rather than mixing rows of both; the others stay incremental.
    for side in ("feat_", "full_feat_"):
        path = project / "models" / "features" / f"{side}x_sum_all__v1.sql"
        assert "erpml_default_value='0'" in path.read_text()
        path.write_text(
            path.read_text().replace("erpml_default_value='0'", "erpml_default_value='-1'")
        )
    _plant_sentinels(wh)
    _dbt(project)
    tables = wh.tables()
    assert all(r[0] != SENTINEL for r in tables["feat_x_sum_all__v1"]), "logic change kept rows"
    assert any(r[0] == SENTINEL for r in tables["feat_x_sum_30d__v1"])
    wh.run([f"delete from features.feat_{n}__v1 where entity_key = '{SENTINEL}'" for n in NAMES])
    _assert_sides_equal(wh.tables(), "logic changed")

    # `dbt run --full-refresh` of A gives the incrementally built tables back.
    before = _a_side(wh.tables())
    _dbt(project, "--full-refresh", "--select", "feat_*", models=len(NAMES))
    assert _a_side(wh.tables()) == before, "--full-refresh of A differs from its incremental build"


def test_timeline_applies_only_the_difference_it_was_built_from(
    tmp_path: Path, database_factory: Any
) -> None:
    """A timeline applies its span group's difference only when the same dbt invocation
    computed it and the timeline's last build was made from the fingerprints it was compared
    with; otherwise it is built whole, and stays right.

    1. ``x_sum_30d`` selected without its group (the fingerprints are older than the mart):
       built whole, and made from no known generation;
    2. its group built alone, twice (no timeline applies those differences);
    3. a whole run: both timelines of that group are built whole (``x_sum_30d`` made from
       nothing known, ``x_sum_all`` from a generation two builds back), the other groups'
       timelines incrementally;
    4. a whole run: every timeline incrementally again.
    After each step the timelines built equal their full rebuilds (side B).
    """
    wh = Warehouse("duckdb", tmp_path, database_factory)
    _raw_table(wh)
    project = _project(tmp_path, wh.target, FEATURES)
    data = Data(seed=11)
    wh.write_raw(data.rows)
    _dbt(project)
    group = ["--select", "+feat_x_sum_all__v1,featfp_*"]  # the sums' span group alone
    sums = ["x_sum_30d", "x_sum_all"]

    def step(round_no: int, *select: str, models: int = 2 * len(NAMES) + GROUPS + 1) -> None:
        data.change(round_no)
        wh.write_raw(data.rows)
        _plant_sentinels(wh)
        _dbt(project, *select, models=models)

    def kept(name: str) -> bool:
        return any(r[0] == SENTINEL for r in wh.tables()[f"feat_{name}__v1"])

    def equal(names: list[str], where: str) -> None:
        wh.run([f"delete from features.{s}{n}__v1 where entity_key = '{SENTINEL}'"
                for s in ("feat_", "full_feat_") for n in NAMES])  # fmt: skip
        _assert_sides_equal(wh.tables(), where, names)

    step(1, "--select", "feat_x_sum_30d__v1", "full_feat_x_sum_30d__v1", models=2)
    assert not kept("x_sum_30d"), "a timeline selected without its group applied a difference"
    equal(["x_sum_30d"], "timeline without its group")
    step(2, *group, models=1)
    step(3, *group, models=1)
    step(4)
    assert not kept("x_sum_30d") and not kept("x_sum_all"), "applied a difference not its own"
    assert all(kept(n) for n in NAMES if n not in sums), "other groups were rebuilt whole"
    equal(NAMES, "after the group ran alone")
    step(5)
    assert all(kept(n) for n in NAMES), "not incremental again"
    equal(NAMES, "incremental again")


@pytest.mark.parametrize("length", [46, 54])
def test_long_feature_name_builds_incrementally_on_postgres(
    length: int, tmp_path: Path, database_factory: Any
) -> None:
    """Features whose model names PostgreSQL takes as table names (up to 63 characters:
    ``feat_`` + a 54-character name + ``__v1``) build, and build again incrementally.

    The materialization names a table after the model, with a longer name (``__plan``),
    which PostgreSQL would cut at 63 characters: two models whose names differ only at the
    end must still keep apart tables.
    """
    wh = Warehouse("postgres", tmp_path, database_factory)
    _raw_table(wh)
    names = ["n" * (length - 1) + end for end in "ab"]
    specs = [
        {"name": names[0], "aggregation": "sum", "event_time": "event_at"},
        {"name": names[1], "aggregation": "latest", "known_until": "known_until"},
    ]
    models = [f"feat_{name}__v1" for name in names]
    assert all(len(model) <= 63 for model in models)  # names PostgreSQL keeps whole
    project = _project(tmp_path, wh.target, specs, full_side=False)
    data = Data(seed=5)
    wh.write_raw(data.rows)
    _dbt(project, models=5)  # full build (the mart, two span groups, two timelines)
    for round_no in (1, 2):
        data.change(round_no)
        wh.write_raw(data.rows)
        _dbt(project, models=5)  # incremental
    sql = [f"select * from features.{model} order by 1, 2" for model in models]
    incremental = wh.run(sql)
    assert all(incremental)
    _dbt(project, "--full-refresh", models=5)
    assert incremental == wh.run(sql)
