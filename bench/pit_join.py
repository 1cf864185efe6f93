"""Benchmark (issue 5): point-in-time join of a training spine against feature timelines.

A synthetic, seeded data set (default: 1,000,000 spine rows, 100,000 entities, 20 features whose
timelines hold 10,000,000 rows in all) is written once into a DuckDB file (timeline tables
``features.feat_fNN__v1`` shaped as the ``feature_timeline`` macro builds them: entity_key,
valid_from, valid_to NULL = open, value ``numeric(38, 10)``; spine table ``bench.spine``) and into
Parquet files. Then, in the same run, each method in its own fresh process (wall time of the
process, start-up and imports included, its CPU seconds and its peak RSS, ``VmHWM``):

1. ``ours``: :func:`mlops.features.point_in_time` over the 20 timelines (numpy as-of lookups,
   :mod:`mlops.pit`), creating the snapshot table as ``create_snapshot`` does, end to end from
   the DuckDB file (open, look up, write, count, close); ``ours-memory``: the same lookups and
   defaults left in memory as one Arrow table (what ``get_features`` runs; like for like with
   the baselines, which keep their result in memory), checked equal to ours' table afterwards,
   untimed; ``ours-sql``: the same through
   ``pit_sql``'s per-feature ASOF joins (the DuckDB path before the lookup); ``ours-chained``:
   the query pit_sql produced before that (one ASOF join chained per feature);
2. ``pandas``: ``merge_asof`` one feature at a time (``by`` entity, sorted by time), with the
   ``valid_to`` check and the default, reading the Parquet files;
3. ``feast-file`` / ``feast-duckdb``: Feast's local offline store, ``get_historical_features``
   with the spine as ``entity_df``, one FeatureView per feature (``bench/feast_side.py``, run in
   Feast's own virtualenv, ``--feast-python``); ``feast-file@0.1`` runs on every 10th entity and
   scales the retrieval time back linearly.

Values of ours, pandas (and Feast, where it returns a row) are compared on a sample of spine rows
and against a plain-SQL reference (``LATERAL ... ORDER BY valid_from DESC LIMIT 1``); ours must
hold the spine's rows in the spine's order and, if ``ours-sql`` ran, equal its table exactly on
every row; a difference fails the run. Usage (results: bench/RESULTS.md, issue 5)::

    .venv/bin/python bench/pit_join.py [--reuse] [--skip-feast] [--repeat 3]
        [--methods ours,ours-memory,pandas,feast-duckdb,feast-file@0.1] [--entities 100000]
        [--spine 1000000] [--features 20] [--history 10000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / "bench" / "out" / "pit_join"
FEAST_PYTHON = "/tmp/feast-venv/bin/python"
T0 = 1_577_836_800  # 2020-01-01 UTC, seconds
SPAN = 6 * 365 * 86_400  # change points fall in 2020-2025
SAMPLE = 20_000
SNAPSHOT = "snapshots.bench_pit"
OURS = {
    "ours": "lookup",
    "ours-memory": "memory",
    "ours-sql": "sql",
    "ours-chained": "chained",
}  # method -> variant


def feature_names(n: int) -> list[str]:
    return [f"f{i:02d}" for i in range(n)]


def default_of(i: int) -> str:
    """Even features default to 0 (as sums and counts do), odd ones to NULL."""
    return "0" if i % 2 == 0 else "null"


def entity_key(i: Any) -> Any:
    return f"jde|{i:07d}"


# --------------------------------------------------------------------------- data set


def generate(
    data: Path, *, entities: int, spine: int, features: int, history: int, seed: int
) -> dict[str, Any]:
    """Write the DuckDB file, the Parquet copies and the correctness sample into ``data``."""
    import duckdb
    import numpy as np
    import pyarrow as pa

    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob("warehouse.duckdb*"):
        old.unlink()
    (data / "timelines").mkdir(exist_ok=True)
    (data / "feast").mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    keys = pa.array([entity_key(i) for i in range(int(entities * 1.05) + 1)])
    con = duckdb.connect(str(data / "warehouse.duckdb"))
    con.execute("set TimeZone = 'UTC'")
    con.execute("create schema features")
    con.execute("create schema bench")
    per_feature = history // features
    rows = 0
    for name in feature_names(features):
        ent = rng.integers(0, entities, per_feature)
        sec = rng.integers(0, SPAN, per_feature)
        packed = np.unique(ent.astype(np.int64) * SPAN + sec)  # sorted by (entity, time)
        ent, sec = packed // SPAN, packed % SPAN
        n = len(packed)
        last = np.append(ent[1:] != ent[:-1], True)
        # an entity's last change point is closed (valid_to set, a gap after it) for 20%
        close = np.where(last & (rng.random(n) < 0.2), sec + rng.integers(1, 365 * 86_400, n), -1)
        value = np.round(rng.normal(0, 1000, n), 2)
        null = rng.random(n) < 0.02
        raw = pa.table(
            {
                "entity_key": keys.take(pa.array(ent)),
                "valid_from": pa.array((sec + T0) * 1_000_000, pa.timestamp("us")),
                "close_at": pa.array(
                    np.where(close >= 0, close + T0, 0) * 1_000_000,
                    pa.timestamp("us"),
                    mask=close < 0,
                ),
                "value": pa.array(value, mask=null),
            }
        )
        con.register("raw", raw)
        # the tail of the feature_timeline macro: its output order is DuckDB's window order
        con.execute(
            f"create table features.feat_{name}__v1 as select entity_key, valid_from, "
            "coalesce(lead(valid_from) over (partition by entity_key order by valid_from), "
            "close_at) as valid_to, cast(value as numeric(38, 10)) as value from raw"
        )
        con.unregister("raw")
        rows += n
        table = f"features.feat_{name}__v1"
        con.execute(
            f"copy (select entity_key, valid_from, valid_to, cast(value as double) as value "
            f"from {table}) to '{data}/timelines/{name}.parquet' (format parquet)"
        )
        # Feast knows no valid_to: a closed span ends with a NULL row (a tombstone) there
        con.execute(
            f"copy (select entity_key, cast(valid_from as timestamptz) as event_timestamp, "
            f"cast(value as double) as {name} from {table} union all select t.entity_key, "
            f"cast(t.valid_to as timestamptz), null from {table} as t where t.valid_to is not "
            f"null and not exists (select 1 from {table} as u where u.entity_key = t.entity_key "
            f"and u.valid_from = t.valid_to)) to '{data}/feast/{name}.parquet' (format parquet)"
        )
        print(f"  {table}: {n:,} rows", flush=True)
    # spine: 5% of its entities have no history at all; times run 30 days either side
    ent = rng.integers(0, len(keys), spine)
    sec = rng.integers(-30 * 86_400, SPAN + 30 * 86_400, spine)
    frame = pa.table(
        {
            "entity_key": keys.take(pa.array(ent)),
            "as_of": pa.array((sec + T0) * 1_000_000, pa.timestamp("us")),
            "r": pa.array(rng.random(spine)),
        }
    )
    con.register("raw", frame)
    con.execute(
        "create table bench.spine as select entity_key, as_of from (select distinct on "
        "(entity_key, as_of) * from raw) order by r"
    )
    con.unregister("raw")
    spine_rows = con.execute("select count(*) from bench.spine").fetchone()[0]  # type: ignore[index]
    con.execute(f"copy bench.spine to '{data}/spine.parquet' (format parquet)")
    con.execute(
        f"copy (select entity_key, cast(as_of as timestamptz) as event_timestamp from "
        f"bench.spine) to '{data}/feast/spine.parquet' (format parquet)"
    )
    con.execute(
        f"copy (select * from bench.spine using sample reservoir({SAMPLE} rows) "
        f"repeatable ({seed})) to '{data}/sample.parquet' (format parquet)"
    )
    con.close()
    meta = {
        "entities": entities,
        "spine": spine,
        "features": features,
        "history": history,
        "seed": seed,
        "spine_rows": spine_rows,
        "history_rows": rows,
    }
    (data / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta


def feast_subset(data: Path, fraction: float) -> Path:
    """Feast's Parquet files restricted to every k-th entity (k = 1 / fraction)."""
    if fraction >= 1:
        return data / "feast"
    import duckdb

    k = round(1 / fraction)
    out = data / f"feast_1in{k}"
    if (out / "done").exists():
        return out
    out.mkdir(exist_ok=True)
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    for src in sorted((data / "feast").glob("*.parquet")):
        con.execute(
            f"copy (select * from '{src}' where cast(split_part(entity_key, '|', 2) as "
            f"integer) % {k} = 0) to '{out / src.name}' (format parquet)"
        )
    (out / "done").write_text("")
    con.close()
    return out


# --------------------------------------------------------------------------- methods


def plan(features: int) -> Any:
    from mlops.features import Column, Plan

    cols = tuple(
        Column(name, f"{name}@1", f"features.feat_{name}__v1", "entity_key", default_of(i))
        for i, name in enumerate(feature_names(features))
    )
    return Plan("bench@1", "entity_key", "spine", (), cols)


def chained_sql(features: int) -> str:
    """pit_sql's DuckDB query before issue 5's benchmark: one ASOF join chained per feature."""
    names = feature_names(features)
    joins = "\n".join(
        f"asof left join features.feat_{n}__v1 as f{i} on f{i}.entity_key = s.entity_key "
        f"and s.as_of >= f{i}.valid_from"
        for i, n in enumerate(names)
    )
    values = ", ".join(
        f"coalesce(case when f{i}.valid_to is null or s.as_of < f{i}.valid_to then f{i}.value "
        f'end, {default_of(i)}) as "{n}"'
        for i, n in enumerate(names)
    )
    return f"select s.entity_key, s.as_of, {values} from bench.spine as s\n{joins}"


def worker_ours(data: Path, features: int, settings: list[str], variant: str) -> dict[str, Any]:
    """As ``create_snapshot``: create the snapshot table from pit_sql over the spine.

    ``variant`` ``lookup``: :func:`mlops.features.point_in_time` (numpy as-of lookups, what
    ``create_snapshot`` runs on DuckDB); ``sql``: the ASOF-join SQL of ``pit_sql`` (the DuckDB
    path before the lookup); ``chained``: the query and settings before issue 5's benchmark
    (no memory cap).
    """
    import duckdb

    from mlops.features import pit_sql, point_in_time, snapshot_session
    from mlops.warehouse import Warehouse

    start = time.perf_counter()
    con = duckdb.connect(str(data / "warehouse.duckdb"))
    wh = Warehouse("duckdb", con)
    table = {
        "chained": f"{SNAPSHOT}_chained",
        "sql": f"{SNAPSHOT}_sql",
        "memory": f"{SNAPSHOT}_memory",
    }.get(variant, SNAPSHOT)
    if variant != "chained":
        snapshot_session(wh)
    for s in settings:
        con.execute(f"set {s}")
    wh.execute("create schema if not exists snapshots")
    wh.execute(f"drop table if exists {table}")
    opened = time.perf_counter()
    if variant == "lookup":
        with point_in_time(wh, plan(features), "bench.spine") as sql:
            wh.execute(f"create table {table} as {sql}")
    elif variant == "memory":
        rows = memory_result(wh, features).num_rows
    else:
        p = plan(features)
        sql = chained_sql(features) if variant == "chained" else pit_sql(p, "bench.spine", "duckdb")
        wh.execute(f"create table {table} as {sql}")
    if variant != "memory":
        rows = int(wh.rows(f"select count(*) from {table}")[0][0])
    joined = time.perf_counter()
    con.close()
    end = time.perf_counter()
    return {
        "rows": rows,
        "open_s": opened - start,
        "join_s": joined - opened,
        "close_s": end - joined,
        "inner_s": end - start,
        "cpu_s": cpu_s(),
        "peak_rss_mib": peak_rss_mib(),
    }


def memory_result(wh: Any, features: int) -> Any:
    """``ours-memory``: the same lookups and defaults as ``ours``, left in memory as one Arrow
    table (as ``get_features`` returns them, and as pandas and Feast leave theirs)."""
    from mlops.features import point_in_time

    with point_in_time(wh, plan(features), "bench.spine") as sql:
        return wh.duckdb().sql(sql).to_arrow_table()


def worker_pandas(data: Path, features: int, out: Path) -> dict[str, Any]:
    """merge_asof, one feature table at a time, with the valid_to check and the default."""
    import pandas as pd

    start = time.perf_counter()
    spine = pd.read_parquet(data / "spine.parquet")
    spine = spine.sort_values("as_of", kind="stable").reset_index(drop=True)
    result = spine.copy()
    load = join = 0.0
    for i, name in enumerate(feature_names(features)):
        t0 = time.perf_counter()
        tl = pd.read_parquet(data / "timelines" / f"{name}.parquet")
        t1 = time.perf_counter()
        tl = tl.sort_values("valid_from", kind="stable")
        m = pd.merge_asof(
            spine,
            tl,
            left_on="as_of",
            right_on="valid_from",
            by="entity_key",
            direction="backward",
            allow_exact_matches=True,
        )
        valid = m["valid_from"].notna() & (m["valid_to"].isna() | (m["as_of"] < m["valid_to"]))
        value = m["value"].where(valid)
        result[name] = value.fillna(0.0) if default_of(i) == "0" else value
        del tl, m
        load += t1 - t0
        join += time.perf_counter() - t1
    inner = time.perf_counter() - start
    sample = pd.read_parquet(data / "sample.parquet")
    peak, cpu = peak_rss_mib(), cpu_s()
    sample.merge(result, on=["entity_key", "as_of"], how="left").to_parquet(out)
    return {
        "rows": len(result),
        "load_s": load,
        "join_s": join,
        "inner_s": inner,
        "cpu_s": cpu,
        "peak_rss_mib": peak,
    }


def cpu_s() -> float:
    """CPU seconds of this process, all threads (a shared machine stretches wall time)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM): wait4's ru_maxrss would carry the parent's from fork."""
    status = Path("/proc/self/status").read_text()
    return next(int(x.split()[1]) for x in status.splitlines() if x[:6] == "VmHWM:") / 1024


def run(cmd: list[str], rss_limit: int, timeout: float) -> dict[str, Any]:
    """Run ``cmd``; wall time, its JSON result (with its peak RSS); killed past the limits."""
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, text=True, cwd=ROOT)
        killed: list[str] = []
        seen = [0]

        def watch() -> None:
            while proc.poll() is None:
                try:
                    status = Path(f"/proc/{proc.pid}/status").read_text()
                except OSError:
                    return
                found = [int(x.split()[1]) for x in status.splitlines() if x[:6] == "VmRSS:"]
                if not found:  # exited, not yet reaped
                    return
                rss = found[0]
                seen[0] = max(seen[0], rss)
                if rss * 1024 > rss_limit:
                    killed.append(f"RSS over {rss_limit / 2**30:.0f} GiB")
                elif time.perf_counter() - start > timeout:
                    killed.append(f"over {timeout:.0f} s")
                if killed:
                    proc.send_signal(signal.SIGKILL)
                    return
                time.sleep(0.2)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        proc.wait()
        wall = time.perf_counter() - start
        watcher.join()
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    # peak RSS: the worker's own VmHWM; if it died, the largest RSS polled every 0.2 s
    res: dict[str, Any] = {"seconds": wall, "peak_rss_mib": seen[0] / 1024}
    if killed or proc.returncode != 0:
        res["error"] = killed[0] if killed else f"exit {proc.returncode}: {err.strip()[-800:]}"
        return res
    res.update(json.loads(out.strip().splitlines()[-1]))
    return res


# --------------------------------------------------------------------------- correctness


def check(
    data: Path, features: int, spine_rows: int, samples: dict[str, Path], others: list[str]
) -> list[str]:
    """ours = pandas = plain-SQL reference on the sample (Feast: where it returns a row).

    ``others``: the other variants of ours that ran (``ours-sql``, ``ours-chained``), checked on
    the sample too; ``ours-sql``'s table must equal ours on every row and value (exact numerics),
    and ours must hold the spine's rows in the spine's order.
    """
    import duckdb
    import numpy as np

    names = feature_names(features)
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"create temp table s as select * from '{data}/sample.parquet'")
    cols = ", ".join(f'cast(o."{n}" as double) as "{n}"' for n in names)
    ours = con.execute(
        f"select s.entity_key, s.as_of, {cols} from s left join {SNAPSHOT} as o "
        "using (entity_key, as_of) order by 1, 2"
    ).df()
    ref_cols, joins = [], []
    for i, n in enumerate(names):
        joins.append(
            f"left join lateral (select t.value, t.valid_to from features.feat_{n}__v1 as t "
            f"where t.entity_key = s.entity_key and t.valid_from <= s.as_of "
            f"order by t.valid_from desc limit 1) as r{i} on true"
        )
        ref_cols.append(
            f"cast(coalesce(case when r{i}.valid_to is null or s.as_of < r{i}.valid_to then "
            f'r{i}.value end, {default_of(i)}) as double) as "{n}"'
        )
    variants = {
        m: con.execute(
            f"select s.entity_key, s.as_of, {cols} from s left join {SNAPSHOT}_{m[5:]} as o "
            "using (entity_key, as_of) order by 1, 2"
        ).df()
        for m in others
    }
    ref = con.execute(
        f"select s.entity_key, s.as_of, {', '.join(ref_cols)} from s {' '.join(joins)} "
        "order by 1, 2"
    ).df()
    notes = []
    misplaced = con.execute(
        f"select count(*) from {SNAPSHOT} as o positional join bench.spine as s "
        "where o.entity_key is distinct from s.entity_key or o.as_of is distinct from s.as_of"
    ).fetchone()
    assert misplaced == (0,), f"ours: {misplaced} rows out of the spine's order"
    notes.append("ours holds every spine row in the spine's order (positional comparison)")
    if "ours-sql" in others:
        apart = con.execute(
            f"select (select count(*) from (from {SNAPSHOT} except all from {SNAPSHOT}_sql)), "
            f"(select count(*) from (from {SNAPSHOT}_sql except all from {SNAPSHOT}))"
        ).fetchone()
        assert apart == (0, 0), f"ours and ours-sql differ in {apart} rows"
        notes.append(f"ours = ours-sql on all {spine_rows:,} rows x {features} values, exactly")
    con.close()

    def same(a: Any, b: Any) -> np.ndarray:
        a, b = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
        return (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= 1e-9 * np.maximum(1, np.abs(b)))

    size = len(ref)
    assert len(ours) == size and size == min(SAMPLE, spine_rows), (len(ours), size)
    for n in names:
        assert same(ours[n], ref[n]).all(), f"ours != SQL reference for {n}"
    for m, frame in variants.items():
        for n in names:
            assert same(frame[n], ref[n]).all(), f"{m} != SQL reference for {n}"
        notes.append(f"{m} = plain-SQL reference on the same {size:,} rows")
    filled = float(np.mean([ours[n].notna() & (ours[n] != 0) for n in names]))
    notes.append(
        f"ours = plain-SQL reference on {size:,} sampled spine rows x {features} features "
        f"({filled:.0%} of the values non-default)"
    )
    import pandas as pd

    for method, path in samples.items():
        got = pd.read_parquet(path)
        if "event_timestamp" in got:
            got = got.rename(columns={"event_timestamp": "as_of"})
            got["as_of"] = got["as_of"].dt.tz_localize(None)
        got["as_of"] = got["as_of"].astype("datetime64[us]")
        mine = ours.astype({"as_of": "datetime64[us]"})
        both = mine.merge(got, on=["entity_key", "as_of"], suffixes=("", "_m"))
        if method.startswith("feast"):
            # Feast applies no default: a missing value is NULL where ours has the default
            for i, n in enumerate(names):
                if default_of(i) == "0":
                    both[f"{n}_m"] = both[f"{n}_m"].fillna(0.0)
        bad = {n: int((~same(both[f"{n}_m"], both[n])).sum()) for n in names}
        wrong = sum(bad.values())
        msg = f"{method}: {len(both):,} sampled rows compared, {wrong:,} values differ"
        if method == "pandas":
            assert len(both) == size and wrong == 0, f"pandas != ours: {bad}"
        notes.append(msg)
    return notes


# --------------------------------------------------------------------------- main


def check_memory(data: Path, features: int, spine_rows: int) -> str:
    """ours-memory's timed runs left their result in memory: the same path again, untimed, must
    equal ours' snapshot table on every row and value, in the spine's order."""
    import duckdb

    from mlops.features import snapshot_session
    from mlops.warehouse import Warehouse

    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    wh = Warehouse("duckdb", con)
    snapshot_session(wh)
    con.register("_bench_memory", memory_result(wh, features))
    apart = con.execute(
        f"select (select count(*) from (from {SNAPSHOT} except all from _bench_memory)), "
        f"(select count(*) from (from _bench_memory except all from {SNAPSHOT})), "
        f"(select count(*) from {SNAPSHOT} as o positional join _bench_memory as m "
        "where o.entity_key is distinct from m.entity_key or o.as_of is distinct from m.as_of)"
    ).fetchone()
    con.close()
    assert apart == (0, 0, 0), f"ours-memory and ours differ in {apart} rows"
    return f"ours-memory = ours on all {spine_rows:,} rows x {features} values, in order"


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--spine", type=int, default=1_000_000)
    ap.add_argument("--features", type=int, default=20)
    ap.add_argument("--history", type=int, default=10_000_000, help="timeline rows, all features")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--reuse", nargs="?", const=str(DEFAULT_DATA), metavar="DIR",
                    help="reuse the data set in DIR (default bench/out/pit_join) if its sizes match")  # fmt: skip
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="where to generate")
    ap.add_argument("--skip-feast", action="store_true")
    ap.add_argument("--methods", default="ours,pandas,feast-duckdb,feast-file",
                    help="comma-separated; a Feast method may end in @FRACTION")  # fmt: skip
    ap.add_argument("--repeat", type=int, default=1, help="runs of each method, interleaved")
    ap.add_argument("--feast-python", default=FEAST_PYTHON)
    ap.add_argument("--feast-fraction", type=float, default=1.0,
                    help="run Feast on this fraction of the entities; retrieval time scaled back")  # fmt: skip
    ap.add_argument("--duckdb-setting", action="append", default=[], metavar="NAME=VALUE",
                    help="extra DuckDB setting for ours (repeatable)")  # fmt: skip
    ap.add_argument("--rss-limit-gib", type=float, default=14, help="kill a method past this")
    ap.add_argument("--timeout", type=float, default=1200, help="kill a method past this (s)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    return ap.parse_args()


def ensure_data(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    sizes = {
        "entities": args.entities,
        "spine": args.spine,
        "features": args.features,
        "history": args.history,
        "seed": args.seed,
    }
    meta_file = data / "meta.json"
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
    if args.reuse and all(meta.get(k) == v for k, v in sizes.items()):
        print(f"reusing {data}", flush=True)
    else:
        print(f"generating {data} ...", flush=True)
        t = time.perf_counter()
        meta = generate(data, **sizes)
        print(f"  generated in {time.perf_counter() - t:.0f} s", flush=True)
    print(
        f"spine {meta['spine_rows']:,} rows, {meta['features']} features, "
        f"{meta['history_rows']:,} timeline rows, {meta['entities']:,} entities",
        flush=True,
    )
    return meta


def command(
    args: argparse.Namespace, data: Path, meta: dict[str, Any], method: str, fraction: float
) -> tuple[list[str], Path | None]:
    """The command line of one method and where it writes its sample rows."""
    base = [sys.executable, __file__, "--data", str(data), "--features", str(meta["features"])]
    if method in OURS:
        settings = (f"--duckdb-setting={s}" for s in args.duckdb_setting)
        return [*base, "--worker", method, *settings], None
    out = data / f"sample_{method}_{fraction:g}.parquet"
    if method == "pandas":
        return [*base, "--worker", "pandas", "--out", str(out)], out
    store = method.split("-", 1)[1]
    cmd = [args.feast_python, str(ROOT / "bench" / "feast_side.py"), "--store", store]
    cmd += ["--data", str(feast_subset(data, fraction)), "--features", str(meta["features"])]
    return [*cmd, "--sample", str(data / "sample.parquet"), "--out", str(out)], out


def main() -> None:
    args = parse_args()
    data = Path(args.reuse) if args.reuse and args.reuse != str(DEFAULT_DATA) else args.data
    if args.worker in OURS:
        variant = OURS[args.worker]
        print(json.dumps(worker_ours(data, args.features, args.duckdb_setting, variant)))
        return
    if args.worker == "pandas":
        print(json.dumps(worker_pandas(data, args.features, args.out)))
        return
    meta = ensure_data(args, data)
    methods: dict[str, float] = {}
    for m in args.methods.split(","):
        name, _, frac = m.partition("@")
        if not (args.skip_feast and name.startswith("feast")):
            methods[m] = float(frac) if frac else args.feast_fraction
    limit = int(args.rss_limit_gib * 2**30)
    results: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
    samples: dict[str, Path] = {}
    for _ in range(args.repeat):
        for m, fraction in methods.items():
            cmd, out = command(args, data, meta, m.partition("@")[0], fraction)
            print(f"running {m} ...", flush=True)
            res = run(cmd, limit, args.timeout)
            if m.startswith("feast") and fraction < 1:
                res["fraction"] = fraction
            results[m].append(res)
            print(f"  {json.dumps(res)}", flush=True)
            if out is not None and "error" not in res:
                samples[m] = out
    notes = []
    if "ours" in results:
        others = [
            m
            for m in ("ours-sql", "ours-chained")
            if any("error" not in r for r in results.get(m, []))
        ]
        notes = check(data, meta["features"], meta["spine_rows"], samples, others)
        if any("error" not in r for r in results.get("ours-memory", [])):
            notes.append(check_memory(data, meta["features"], meta["spine_rows"]))
    report(meta, results, notes)


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median wall and CPU seconds of the runs that finished; the largest peak RSS."""
    import statistics

    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[-1]
    out = dict(ok[-1])
    for k in ("seconds", "cpu_s", "join_s"):
        out[k] = statistics.median(r[k] for r in ok)
    out["peak_rss_mib"] = max(r["peak_rss_mib"] for r in ok)
    out["runs"] = len(ok)
    if "fraction" in out:  # set-up (imports, apply) is fixed; the retrieval scales linearly
        scale = 1 / out["fraction"] - 1
        out["measured_s"] = out["seconds"]
        out["seconds"] += out["join_s"] * scale
        out["cpu_s"] += out["join_s"] * scale  # retrieval's CPU is not split out: wall stands in
    return out


def report(
    meta: dict[str, Any], results: dict[str, list[dict[str, Any]]], notes: list[str]
) -> None:
    print(f"\nmachine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, python "
          f"{platform.python_version()}")  # fmt: skip
    rows = {m: summary(r) for m, r in results.items()}
    ours = rows.get("ours", {})
    print("| method | rows out | seconds | CPU s | peak RSS MiB | time vs ours |")
    print("|---|---:|---:|---:|---:|---:|")
    for m, r in rows.items():
        if "error" in r:
            print(f"| {m} | failed: {r['error'][:160]} | {r['seconds']:.1f} | | "
                  f"{r['peak_rss_mib']:,.0f} (polled) | |")  # fmt: skip
            continue
        label, n = m, f"{r['rows']:,}"
        if "fraction" in r:
            label = (
                f"{m} (on {r['fraction']:.0%} of entities: {r['measured_s']:.1f} s; extrapolated)"
            )
            n = f"{r['rows']:,} of {r['spine_rows']:,}"
        ratio = f"{r['seconds'] / ours['seconds']:.1f}x" if "seconds" in ours else ""
        print(f"| {label} | {n} | {r['seconds']:.1f} | {r['cpu_s']:.1f} | "
              f"{r['peak_rss_mib']:,.0f} | {ratio} |")  # fmt: skip
    for n in notes:
        print(f"- {n}")


if __name__ == "__main__":
    main()
