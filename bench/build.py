"""Benchmark: `erpml build` of the whole dbt project on DuckDB, full and incremental.

1. generate the four fixture ERPs at ``--scale`` into SQLite (``--reuse`` keeps them), extract
   them into a fresh DuckDB warehouse;
2. time a full build (``erpml build``: compile the catalog, every model and test) in its own
   process, with its peak RSS;
3. advance the fixtures by ``--advance-days`` (new invoices, payments, journals, order moves,
   deletes: about 1% new rows for 14 days on 3.5 years of history), extract incrementally,
   count the rows the extraction landed, and time the incremental build (incremental facts take
   only the new landing batches; dimensions and aggregates are rebuilt);
4. for comparison, the time dbt takes to do nothing (``dbt build --select none``-like: a
   parse and an empty selection), which bounds any build from below.

Usage::

    .venv/bin/python bench/build.py [--scale 1] [--advance-days 14] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "build"
AS_OF = date(2026, 6, 30)


def run(cmd: list[str], label: str) -> dict[str, Any]:
    """Run ``cmd`` in its own process: wall seconds and that process's peak RSS."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label} failed:\n{text[-3000:]}")
    return {"step": label, "seconds": round(wall, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024)}


def erpml(*args: str) -> list[str]:
    return [sys.executable, "-m", "mlops.cli.main", *args]


def total_rows(warehouse: Path) -> int:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables()"
            " where schema_name in ('jde', 'vista', 'netsuite', 'onestream')"
        ).fetchall()
        return sum(
            int(con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0])  # type: ignore[index]
            for s, t in tables
        )
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--advance-days", type=int, default=14)
    parser.add_argument("--reuse", action="store_true", help="reuse generated sources")
    args = parser.parse_args()
    home = OUT / f"scale{args.scale:g}"
    sources = home / "sources"
    url = f"sqlite:///{sources}/{{erp}}.db"
    steps = []
    if not (args.reuse and (sources / "jde.db").exists()):
        sources.mkdir(parents=True, exist_ok=True)
        steps.append(
            run(
                erpml(
                    "fixtures",
                    "generate",
                    "--erp",
                    "all",
                    "--scale",
                    str(args.scale),
                    "--into",
                    url,
                    "--out",
                    str(home / "fixtures"),
                    "--replace",
                ),
                "generate",
            )
        )
    from mlops.cli.demo import demo_project

    project = demo_project(home)
    warehouse = home / "warehouse.duckdb"
    warehouse.unlink(missing_ok=True)
    project_file = home / "erpml.yml"
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    steps.append(run(erpml("extract", "--project", str(project_file)), "extract (full)"))
    base_rows = total_rows(warehouse)
    full = run(erpml("build", "--project", str(project_file)), "build (full)")
    steps.append(full)
    until = AS_OF + timedelta(days=args.advance_days)
    steps.append(
        run(
            erpml(
                "fixtures",
                "advance",
                "--erp",
                "all",
                "--to",
                until.isoformat(),
                "--into",
                url,
                "--out",
                str(home / "fixtures"),
            ),
            "advance",
        )
    )
    steps.append(run(erpml("extract", "--project", str(project_file)), "extract (incremental)"))
    new_rows = total_rows(warehouse) - base_rows
    incremental = run(erpml("build", "--project", str(project_file)), "build (incremental)")
    steps.append(incremental)
    floor = run(
        erpml("build", "--project", str(project_file), "--select", "tag:no_such_tag"),
        "dbt start-up (empty selection)",
    )
    steps.append(floor)
    ratio = incremental["seconds"] / full["seconds"]
    result = {
        "scale": args.scale,
        "landed_rows": base_rows,
        "net_new_landed_rows": new_rows,
        "share_new": round(new_rows / base_rows, 4) if base_rows else None,
        "incremental_over_full": round(ratio, 3),
        "steps": steps,
        "machine": f"{platform.node()} {platform.machine()} cpus={os.cpu_count()}",
    }
    (home / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    print("\n| step | seconds | peak RSS MiB |\n|---|---:|---:|")
    for s in steps:
        print(f"| {s['step']} | {s['seconds']} | {s['peak_rss_mib']} |")


if __name__ == "__main__":
    main()
