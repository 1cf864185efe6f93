"""Benchmark: the landing merge of one incremental pull into a large landed table (DuckDB).

A 21-column table of ``--rows`` landed rows; a stage of 50,000 pulled rows (45,000 existing
keys, of which ``changed`` differ in one column, and 5,000 new keys) merged into it by:

- ``old``: delete every landed row with a pulled key, insert every pulled row (before issue 4,
  round 2);
- ``new``: ``Landing._upsert``: delete only the landed rows that differ (or are flagged
  deleted), insert the pulled rows whose key is no longer landed.

Each merge runs in its own transaction on a freshly created table (with a checkpoint before),
so the timings include the commit but not the checkpoint.

Usage::

    .venv/bin/python bench/landing_merge.py [--rows 5000000] [--path /tmp/landing_merge.duckdb]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from connectors.core.catalog import LandingColumn
from connectors.core.landing_duckdb import DuckDBLanding
from connectors.core.sql import table

COLUMNS = [LandingColumn("k", "BIGINT")] + [
    LandingColumn(f"c{i}", "DECIMAL(18,2)" if i % 3 == 0 else "VARCHAR") for i in range(20)
]
PULLED, NEW = 50_000, 5_000


def values(differ_below: int | None) -> str:
    """The 20 value columns of row ``i``; c1 differs for rows ``i < differ_below``."""
    out = []
    for i in range(20):
        if i % 3 == 0:
            out.append(f"cast(i % 100000 / 100.0 as decimal(18,2)) as c{i}")
        elif i == 1 and differ_below is not None:
            out.append(
                f"cast(i * 2 % 9973 as varchar) || (case when i < {differ_below}"
                " then 'x' else '' end) as c1"
            )
        else:
            out.append(f"cast(i * {i + 1} % 9973 as varchar) as c{i}")
    return ", ".join(out)


def setup(wh: DuckDBLanding, rows: int) -> None:
    wh.execute("drop table if exists t")
    wh.execute(
        f"create table t as select i as k, {values(None)}, 1::bigint as _erpml_batch_id,"
        f" now() as _erpml_extracted_at, false as _erpml_deleted from range({rows}) r(i)"
    )
    wh.execute("checkpoint")


def stage(wh: DuckDBLanding, rows: int, changed: int) -> None:
    """Pull the last ``PULLED - NEW`` landed keys (the first ``changed`` of them different)
    and ``NEW`` new keys."""
    first = rows - PULLED + NEW
    wh.execute("drop table if exists _erpml_stage")
    wh.execute(
        f"create temp table _erpml_stage as select i as k, {values(first + changed)}"
        f" from range({first}, {rows + NEW}) r(i)"
    )


def old_merge(wh: DuckDBLanding) -> None:
    names = ", ".join(c.name for c in COLUMNS)
    wh.execute('DELETE FROM "t" AS t USING "_erpml_stage" AS s WHERE t.k = s.k')
    wh.execute(
        f"INSERT INTO t ({names}, _erpml_batch_id, _erpml_extracted_at, _erpml_deleted)"
        f" SELECT {names}, 2, now(), false FROM _erpml_stage"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--path", default="/tmp/landing_merge.duckdb")
    args = parser.parse_args()
    Path(args.path).unlink(missing_ok=True)
    wh = DuckDBLanding(args.path)
    print(f"load average before: {os.getloadavg()}")
    print("| merge | pulled rows that differ | new keys | seconds | rows landed |")
    print("|---|---:|---:|---:|---:|")
    for name in ("old", "new"):
        for changed in (PULLED - NEW, 0):
            setup(wh, args.rows)
            stage(wh, args.rows, changed)
            wh.begin()
            start = time.perf_counter()
            if name == "old":
                old_merge(wh)
                landed = PULLED
            else:
                landed = wh._upsert(table("t"), COLUMNS, ["k"], 2)
            wh.commit()
            seconds = time.perf_counter() - start
            print(f"| {name} | {changed:,} | {NEW:,} | {seconds:.2f} | {landed:,} |")
    print(f"load average after: {os.getloadavg()}")
    wh.close()
    Path(args.path).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
