"""Benchmark: `erpml build` of the whole dbt project on DuckDB, full and changed (incremental).

1. generate the four fixture ERPs at ``--scale`` into SQLite (``--reuse`` keeps them), extract
   them into a fresh DuckDB warehouse;
2. time a full build (``erpml build``: compile the catalog, every model and test) in its own
   process, with its peak RSS; again from scratch (``--full-refresh``: incremental facts and
   feature timelines rebuilt whole) reusing dbt's saved parse, as every later build does: the
   full build the changed build is compared with; a plain ``erpml build`` with nothing new;
   then ``erpml build --changed`` with nothing extracted since (it
   reads the warehouse's build state and stops) and dbt's floor (start-up and parse, an empty
   selection);
3. advance the fixtures by ``--advance-days`` (new invoices, payments, journals, order moves,
   deletes: about 1% new rows for 14 days on 3.5 years of history), extract incrementally,
   count the rows the extraction landed, copy the warehouse, and time ``erpml build --changed``
   (the tables and incremental facts downstream of the landing tables with new batches, their
   tests, the fact tests over the new batches only);
4. on the copy, a full rebuild from scratch (``erpml build --full-refresh``): timed, and every
   table of the marts, intermediate and features schemas compared with the changed build's
   (``EXCEPT ALL`` both ways; the benchmark fails if any differs).

Usage::

    .venv/bin/python bench/build.py [--scale 1] [--advance-days 14] [--reuse]
        [--keep-extracted] [--only-extract]

At large scales ``--keep-extracted --only-extract`` prepares the sources and their full
extraction once; later runs with ``--reuse --keep-extracted`` start from that copy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from demo_home import erpml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "build"
AS_OF = date(2026, 6, 30)


def run(cmd: list[str], label: str) -> dict[str, Any]:
    """Run ``cmd`` in its own process: wall seconds and that process's peak RSS.

    The page cache is written back first (``sync``, not timed), so that a step does not share
    the disk with the writeback of what the step before left dirty (the warehouse copied for
    the reference rebuild, just before the changed build: 2.2 GB, flushed in 1.3 s at scale 100).
    """
    dirty, sync_start = dirty_mib(), time.perf_counter()
    os.sync()
    synced = round(time.perf_counter() - sync_start, 1)
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label} failed:\n{text[-3000:]}")
    step = {
        "step": label,
        "seconds": round(wall, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
        "dirty_mib_before": dirty,  # what the steps before left to write back
        "sync_seconds": synced,
    }
    phases = re.search(r"^\[phases\] (\{.*\})$", text, flags=re.M)
    if phases:  # a build run through bench/phases.py
        step["phases"] = json.loads(phases[1])
    return step


def dirty_mib() -> int | None:
    """The page cache's dirty and under-writeback data (Linux), in MiB."""
    try:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    except OSError:
        return None
    return round(sum(int(info[k].split()[0]) for k in ("Dirty", "Writeback")) / 1024)


def erpml_build(*args: str) -> list[str]:
    """``erpml build ...`` through ``bench/phases.py``: the same command, its phases timed."""
    return [sys.executable, str(ROOT / "bench" / "phases.py"), "build", *args]


# dbt's file log: "12 of 42 OK created sql incremental model marts.fct_gl_balance ... [OK in 1.53s]"
NODE_LINE = re.compile(
    r"\d+ of \d+ (?:OK created sql \w+ model (?P<model>\S+)|PASS (?P<test>\S+))"
    r".*\[\w+(?: [^\]]*)? in (?P<seconds>[\d.]+)s\]"
)


def dbt_log(home: Path) -> Path:
    """dbt's file log of the builds of ``home`` (read because changed builds write no JSON)."""
    return home / ".erpml" / "dbt" / "logs" / "dbt.log"


def log_size(home: Path) -> int:
    log = dbt_log(home)
    return log.stat().st_size if log.exists() else 0


def node_times(home: Path, since: int) -> dict[str, Any]:
    """Node seconds of the dbt run logged after byte ``since``: models (each), tests (sum)."""
    with dbt_log(home).open("rb") as fh:
        fh.seek(since)
        text = fh.read().decode(errors="replace")
    models: dict[str, float] = {}
    tests: dict[str, float] = {}
    for match in NODE_LINE.finditer(text):
        if match["model"]:
            models[match["model"]] = float(match["seconds"])
        else:
            tests[match["test"]] = float(match["seconds"])
    return {
        "models": len(models),
        "model_seconds": round(sum(models.values()), 1),
        "tests": len(tests),
        "test_seconds": round(sum(tests.values()), 1),
        "fct_gl_balance": models.get("marts.fct_gl_balance"),
        "slowest_models": dict(sorted(models.items(), key=lambda kv: -kv[1])[:14]),
        "slowest_tests": dict(sorted(tests.items(), key=lambda kv: -kv[1])[:10]),
    }


def timed_build(cmd: list[str], label: str, home: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """``run`` a build whose dbt log is under ``home``: its step and its node times."""
    since = log_size(home)
    step = run(cmd, label)
    return step, node_times(home, since)


def rebuild_home(home: Path, project: dict[str, Any]) -> Path:
    """A copy of the warehouse with its own project file, for a full rebuild of the same data."""
    other = home / "rebuild"
    shutil.rmtree(other, ignore_errors=True)
    other.mkdir()
    shutil.copyfile(home / "warehouse.duckdb", other / "warehouse.duckdb")
    other_project = dict(
        project, warehouse={"kind": "duckdb", "path": str(other / "warehouse.duckdb")}
    )
    (other / "erpml.yml").write_text(yaml.safe_dump(other_project, sort_keys=False))
    return other


def total_rows(warehouse: Path) -> int:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables()"
            " where schema_name in ('jde', 'vista', 'netsuite', 'onestream')"
        ).fetchall()
        return sum(count(con, f'select count(*) from "{s}"."{t}"') for s, t in tables)
    finally:
        con.close()


def count(con: Any, sql: str) -> int:
    row = con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def last_extraction(warehouse: Path) -> dict[str, Any]:
    """Rows the last extraction pulled, of them landed new or changed, and deleted; the landing
    tables whose batch changed something (what ``build --changed`` starts from)."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(
            "select sum(rows), sum(changed), sum(deleted),"
            " list(source || '.' || table_name order by source, table_name)"
            " filter (where changed > 0 or deleted > 0)"
            " from _erpml.extract_runs where run_id = (select run_id from _erpml.extract_runs"
            " order by batch_id desc limit 1)"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    pulled, changed, deleted, tables = row
    return {"pulled": pulled, "changed": changed, "deleted": deleted, "tables_changed": tables}


def compare_tables(left: Path, right: Path) -> dict[str, Any]:
    """Rows only in one of the two warehouses, per table of the built schemas."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'l'"
            " and schema_name in ('marts', 'intermediate', 'features')"
            # the last build's own: what it recomputed, and what it found changed
            " and not ends_with(table_name, '__plan') and not ends_with(table_name, '__diff')"
            " order by 1, 2"
        ).fetchall()
        differ = {}
        rows = 0
        for schema, name in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where database_name = 'l'"
                    " and schema_name = ? and table_name = ? order by column_index",
                    [schema, name],
                ).fetchall()
            ]
            cols = ", ".join(f'"{c}"' for c in columns)

            left_only, right_only = (
                count(
                    con,
                    f'select count(*) from (select {cols} from {a}."{schema}"."{name}"'
                    f' except all select {cols} from {b}."{schema}"."{name}")',
                )
                for a, b in (("l", "r"), ("r", "l"))
            )
            rows += count(con, f'select count(*) from l."{schema}"."{name}"')
            if left_only or right_only:
                differ[f"{schema}.{name}"] = [left_only, right_only]
        return {"tables": len(tables), "rows": rows, "differ": differ}
    finally:
        con.close()


def prepare_sources(home: Path, scale: float, *, reuse: bool) -> list[dict[str, Any]]:
    """Generate the fixture ERPs into ``home`` (kept in ``pristine/``), or restore them."""
    pristine = home / "pristine"  # the generated sources, kept for reruns (advance changes them)
    url = f"sqlite:///{home / 'sources'}/{{erp}}.db"
    steps = []
    if reuse and (pristine / "sources" / "jde.db").exists():
        for part in ("sources", "fixtures"):
            shutil.rmtree(home / part, ignore_errors=True)
            shutil.copytree(pristine / part, home / part)
    else:
        (home / "sources").mkdir(parents=True, exist_ok=True)
        steps.append(
            run(
                erpml(
                    "fixtures",
                    "generate",
                    "--erp",
                    "all",
                    "--scale",
                    str(scale),
                    "--into",
                    url,
                    "--out",
                    str(home / "fixtures"),
                    "--replace",
                ),
                "generate",
            )
        )
        shutil.rmtree(pristine, ignore_errors=True)
        for part in ("sources", "fixtures"):
            shutil.copytree(home / part, pristine / part)
    return steps


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--advance-days", type=int, default=14)
    parser.add_argument("--reuse", action="store_true", help="reuse generated sources")
    parser.add_argument(
        "--keep-extracted",
        action="store_true",
        help="keep the full extraction (extracted.duckdb) and, with --reuse, start from it",
    )
    parser.add_argument(
        "--only-extract", action="store_true", help="stop after generating and extracting"
    )
    return parser.parse_args()


def extract_full(home: Path, project_file: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The full extraction into ``home``'s warehouse, or (``--reuse --keep-extracted``) its
    copy kept by an earlier run; the sources were restored from ``pristine/`` either way."""
    warehouse, extracted = home / "warehouse.duckdb", home / "extracted.duckdb"
    if args.keep_extracted and args.reuse and extracted.exists():
        shutil.copyfile(extracted, warehouse)
        return []
    step = run(erpml("extract", "--project", str(project_file)), "extract (full)")
    if args.keep_extracted:
        shutil.copyfile(warehouse, extracted)
    return [step]


def main() -> None:
    args = arguments()
    home = OUT / f"scale{args.scale:g}"
    url = f"sqlite:///{home / 'sources'}/{{erp}}.db"
    steps = prepare_sources(home, args.scale, reuse=args.reuse)
    from mlops.cli.demo import demo_project

    project = demo_project(home)
    warehouse = home / "warehouse.duckdb"
    warehouse.unlink(missing_ok=True)
    shutil.rmtree(home / ".erpml", ignore_errors=True)  # no dbt state from an earlier run
    project_file = home / "erpml.yml"
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    steps += extract_full(home, project_file, args)
    if args.only_extract:
        print(json.dumps(steps, indent=2))
        return
    base_rows = total_rows(warehouse)
    full = run(erpml_build("--project", str(project_file)), "build (full)")
    steps.append(full)
    # everything again from scratch (incremental facts and feature timelines rebuilt whole),
    # with dbt's partial parse saved by the first build, as every later build runs: the full
    # build a changed build is measured against
    warm, warm_nodes = timed_build(
        erpml_build("--project", str(project_file), "--full-refresh"),
        "build (full, from scratch, parse cached)",
        home,
    )
    steps.append(warm)
    # a plain `erpml build` with nothing new: views and table marts rebuilt, every test run;
    # incremental facts and timelines find nothing to do
    again = run(erpml_build("--project", str(project_file)), "build again, nothing new")
    steps.append(again)
    target = home / ".erpml" / "dbt" / "target"
    shutil.copyfile(target / "run_results.json", home / "run_results.full.json")  # node times
    build = erpml_build("--project", str(project_file), "--changed")
    steps.append(run(build, "build --changed, nothing extracted since"))
    floor = run(
        erpml_build("--project", str(project_file), "--select", "tag:no_such_tag"),
        "dbt start-up (empty selection)",
    )
    steps.append(floor)
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
    extracted = last_extraction(warehouse)
    # the same landed data for a full rebuild from scratch, to time and to compare
    other = rebuild_home(home, project)
    incremental, changed_nodes = timed_build(
        build, "build --changed (after the incremental extraction)", home
    )
    steps.append(incremental)
    rebuild, rebuild_nodes = timed_build(
        erpml_build("--project", str(other / "erpml.yml"), "--full-refresh"),
        "build --full-refresh of the same data (the reference)",
        other,
    )
    steps.append(rebuild)
    same = compare_tables(warehouse, other / "warehouse.duckdb")
    result = {
        "scale": args.scale,
        "landed_rows": base_rows,
        "net_new_landed_rows": new_rows,
        "share_new": round(new_rows / base_rows, 4) if base_rows else None,
        "incremental_extraction": extracted,
        # the target's ratio: against the full build from scratch with dbt's parse cached
        "changed_over_full_parse_cached": round(incremental["seconds"] / warm["seconds"], 3),
        "changed_over_first_build": round(incremental["seconds"] / full["seconds"], 3),
        "changed_over_build_again": round(incremental["seconds"] / again["seconds"], 3),
        "changed_over_rebuild": round(incremental["seconds"] / rebuild["seconds"], 3),
        "changed_equals_rebuild": same,
        "node_seconds": {
            "full from scratch, parse cached": warm_nodes,
            "changed": changed_nodes,
            "full-refresh": rebuild_nodes,
        },
        "steps": steps,
        "load_average_after": os.getloadavg(),
        "machine": f"{platform.node()} {platform.machine()} cpus={os.cpu_count()}",
    }
    (home / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    print(
        "\n| step | seconds | dbt | checkpoint | peak RSS MiB | dirty MiB before (sync s) |"
        "\n|---|---:|---:|---:|---:|---:|"
    )
    for s in steps:
        p = s.get("phases", {})
        dbt, release = p.get("dbt", ""), p.get("release DuckDB (checkpoint)", "")
        print(
            f"| {s['step']} | {s['seconds']} | {dbt} | {release} | {s['peak_rss_mib']}"
            f" | {s['dirty_mib_before']} ({s['sync_seconds']}) |"
        )
    if same["differ"]:
        raise SystemExit(f"the changed build differs from a full rebuild: {same['differ']}")


if __name__ == "__main__":
    main()
