"""Benchmark: extracting a 5-million-row JDE F0911 from local PostgreSQL into DuckDB.

Builds the source once (the JDE fixture at scale 1, its F0911 replicated with shifted document
numbers to ``--rows``), then measures in the same run:

- the ceiling: ``psql`` streaming ``COPY ... TO STDOUT`` to /dev/null;
- baseline: pandas ``read_sql`` (chunked, ``stream_results``) plus insert into DuckDB;
- baseline: pyodbc ``fetchmany`` over unixODBC (PostgreSQL Unicode driver) into DuckDB;
- erpml ``extract`` through SQLAlchemy/psycopg (COPY into DuckDB's CSV reader), full;
- erpml ``extract`` over ODBC (arrow-odbc);
- erpml incremental after 1% of rows changed.

Baselines run on a prefix of the table (``--baseline-rows``) and are reported as rows/s. Each
erpml run is a fresh process; its peak RSS and CPU seconds come from ``wait4``. The ceiling is
measured before and after the erpml runs and the faster of the two is used; every row records
the 1-minute load average when it started (the machine is shared). The ratios against each
baseline, measured in this same run, are printed and written with all rows to
``bench/out/extract/results.json``. Usage::

    .venv/bin/python bench/extract_f0911.py [--rows 5000000] [--baseline-rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa
import yaml

OUT = Path(__file__).resolve().parent / "out" / "extract"
DB = "erpml_bench_f0911"
ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"
ODBC = f"Driver={{PostgreSQL Unicode}};Server=127.0.0.1;Port=5432;Database={DB};Uid=postgres;UseDeclareFetch=1;Fetch=10000;"
F0911 = '"PRODDTA"."F0911"'


def build_source(rows: int) -> None:
    admin = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {DB}")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mlops.cli.main",
            "fixtures",
            "generate",
            "--erp",
            "jde",
            "--scale",
            "1",
            "--into",
            URL,
            "--out",
            str(OUT / "fx"),
            "--format",
            "json",
        ],
        check=True,
        capture_output=True,
    )
    engine = sa.create_engine(URL)
    with engine.begin() as conn:
        base = conn.exec_driver_sql(f"SELECT count(*) FROM {F0911}").scalar_one()
        cols = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'PRODDTA' "
                "AND table_name = 'F0911' ORDER BY ordinal_position"
            )
        ]
        select = ", ".join(
            '"GLDOC" + k::numeric * 100000000' if c == "GLDOC" else f'"{c}"' for c in cols
        )
        copies = -(-rows // base) - 1
        conn.exec_driver_sql(
            f"INSERT INTO {F0911} SELECT {select} FROM {F0911}, generate_series(1, {copies}) k"
        )
        conn.exec_driver_sql(
            f'DELETE FROM {F0911} WHERE "GLDOC" >= (SELECT "GLDOC" FROM {F0911} '
            f'ORDER BY "GLDOC" OFFSET {rows} LIMIT 1)'
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"VACUUM ANALYZE {F0911}")


def count() -> int:
    with sa.create_engine(URL).connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {F0911}").scalar_one())


def timed_process(cmd: list[str], **kw: Any) -> tuple[float, int, str, float]:
    """Wall seconds, peak RSS (KiB), stdout and CPU seconds (user + system) of one child."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, text=True, **kw)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(
                f"{cmd[:4]} failed: {proc.stderr.read()[-800:] if proc.stderr else ''}"
            )
        out.seek(0)
        return wall, usage.ru_maxrss, out.read(), usage.ru_utime + usage.ru_stime


def load() -> float:
    return round(os.getloadavg()[0], 1)


def psql_ceiling() -> float:
    with open(os.devnull, "w") as null:
        start = time.perf_counter()
        subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                DB,
                "-c",
                f"COPY (SELECT * FROM {F0911}) TO STDOUT (FORMAT csv)",
            ],
            stdout=null,
            check=True,
        )
        return time.perf_counter() - start


BASELINE = r"""
import sys, time, resource, duckdb, pandas as pd, sqlalchemy as sa
kind, url, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
q = f'SELECT * FROM "PRODDTA"."F0911" LIMIT {limit}'
con = duckdb.connect()
start = time.perf_counter(); n = 0; first = True
if kind == "pandas":
    eng = sa.create_engine(url)
    with eng.connect().execution_options(stream_results=True) as c:
        for df in pd.read_sql(sa.text(q), c, chunksize=50_000):
            if first: con.execute("CREATE TABLE t AS SELECT * FROM df"); first = False
            else: con.execute("INSERT INTO t SELECT * FROM df")
            n += len(df)
else:
    import pyodbc, pyarrow as pa
    cur = pyodbc.connect(url).cursor(); cur.execute(q)
    names = [d[0] for d in cur.description]
    while rows := cur.fetchmany(50_000):
        cols = list(zip(*rows))
        # an explicit Arrow type per column: inferred decimal widths differ chunk to chunk
        def typ(v):
            x = next((x for x in v if x is not None), "")
            return pa.string() if isinstance(x, str) else pa.decimal128(38, 6) if type(x).__name__ == "Decimal" else None
        batch = pa.table({k: pa.array(list(v), type=typ(v)) for k, v in zip(names, cols)})
        if first: con.execute("CREATE TABLE t AS SELECT * FROM batch"); first = False
        else: con.execute("INSERT INTO t SELECT * FROM batch")
        n += len(rows)
types = con.execute("SELECT data_type FROM information_schema.columns WHERE column_name = 'GLAA'").fetchall()
print(n, time.perf_counter() - start, types[0][0])
"""


def baseline(kind: str, limit: int) -> dict[str, Any]:
    url = URL if kind == "pandas" else ODBC
    started_load = load()
    _, rss, out, cpu = timed_process([sys.executable, "-c", BASELINE, kind, url, str(limit)])
    n, seconds, glaa_type = out.split()
    return {
        "method": f"{kind} baseline",
        "rows": int(n),
        "seconds": round(float(seconds), 2),
        "rows_per_s": round(int(n) / float(seconds)),
        "peak_rss_mib": rss // 1024,
        "cpu_s": round(cpu, 1),
        "GLAA landed as": glaa_type,
        "load": started_load,
    }


def erpml_extract(
    name: str, source: dict[str, Any], warehouse: Path, *extra: str
) -> dict[str, Any]:
    project = OUT / f"{name}.yml"
    project.write_text(
        yaml.safe_dump(
            {"warehouse": {"path": str(warehouse), "memory_limit": "512MB"}, "sources": [source]}
        )
    )
    started_load = load()
    wall, rss, out, cpu = timed_process(
        [
            sys.executable,
            "-m",
            "mlops.cli.main",
            "extract",
            "--project",
            str(project),
            "--format",
            "json",
            *extra,
        ]
    )
    outcome = json.loads(out)[0]
    con = duckdb.connect(str(warehouse), read_only=True)
    glaa = con.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'F0911' "
        "AND column_name = 'GLAA'"
    ).fetchall()[0][0]
    con.close()
    return {
        "method": name,
        "rows": outcome["rows"],
        "changed": outcome["changed"],
        "seconds": round(wall, 2),
        "rows_per_s": round(outcome["rows"] / wall),
        "peak_rss_mib": rss // 1024,
        "cpu_s": round(cpu, 1),
        "GLAA landed as": glaa,
        "table_seconds": outcome["seconds"],
        "warehouse_mib": warehouse.stat().st_size >> 20,
        "load": started_load,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--baseline-rows", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep an existing source database")
    parser.add_argument(
        "--only", choices=["copy", "odbc"], help="one path with its own baseline (default: all)"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.reuse:
        build_source(args.rows)
    with sa.create_engine(URL).begin() as conn:  # as JDE shops add for change capture
        conn.exec_driver_sql(f'CREATE INDEX IF NOT EXISTS f0911_upmj ON {F0911} ("GLUPMJ")')
    n = count()
    results: list[dict[str, Any]] = []
    copy_path, odbc_path = args.only in (None, "copy"), args.only in (None, "odbc")
    if copy_path:
        results.append(ceiling_row(n, "before"))
        print(json.dumps(results[-1]), flush=True)
    for kind in [k for k, on in (("pandas", copy_path), ("pyodbc", odbc_path)) if on]:
        limit = args.baseline_rows if kind == "pandas" else args.baseline_rows // 2
        results.append(baseline(kind, limit))
        print(json.dumps(results[-1]), flush=True)
    jde = {"name": "jde", "kind": "jde", "tables": ["F0911"], "connection": {"url": URL}}
    wh = OUT / "wh.duckdb"
    for f in (wh, OUT / "odbc.duckdb"):
        f.unlink(missing_ok=True)
    if copy_path:
        results.append(erpml_extract("erpml full (psycopg COPY)", jde, wh))
        print(json.dumps(results[-1]), flush=True)
        results.append(ceiling_row(n, "after"))
        print(json.dumps(results[-1]), flush=True)
    if odbc_path:
        odbc = {**jde, "connection": {"odbc": ODBC, "dialect": "postgres"}}
        results.append(erpml_extract("erpml full (ODBC, arrow-odbc)", odbc, OUT / "odbc.duckdb"))
        print(json.dumps(results[-1]), flush=True)
    if copy_path:
        # 1% of rows change: the application stamps them with a later date. The new text is
        # this run's own, so with --reuse the pulled rows differ from the ones the full run
        # landed (a fixed text would make them equal: a merge with nothing to replace)
        with sa.create_engine(URL).begin() as conn:
            conn.exec_driver_sql(
                f'UPDATE {F0911} SET "GLUPMJ" = 126300, "GLEXA" = \'bench change \' '
                "|| to_char(clock_timestamp(), 'YYYYMMDDHH24MISS') "
                f'WHERE "GLDOC" %% 100 = 7'
            )
        results.append(erpml_extract("erpml incremental (1% changed)", jde, wh))
        print(json.dumps(results[-1]), flush=True)
    shutil.rmtree(OUT / "fx", ignore_errors=True)
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print("| method | rows | seconds | rows/s | peak RSS MiB | CPU s | GLAA landed as | load |")
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    for r in results:
        print(
            f"| {r['method']} | {r['rows']:,} | {r['seconds']} | {r['rows_per_s']:,} | "
            f"{r.get('peak_rss_mib', '-')} | {r.get('cpu_s', '-')} | "
            f"{r.get('GLAA landed as', '-')} | {r['load']} |"
        )
    ratios = compare(results)
    for line in ratios:
        print(line)
    (OUT / "results.json").write_text(json.dumps({"rows": results, "ratios": ratios}, indent=1))


def ceiling_row(n: int, when: str) -> dict[str, Any]:
    started_load = load()
    seconds = psql_ceiling()
    return {
        "method": f"psql COPY to /dev/null (ceiling, {when})",
        "rows": n,
        "seconds": round(seconds, 2),
        "rows_per_s": round(n / seconds),
        "load": started_load,
    }


def compare(results: list[dict[str, Any]]) -> list[str]:
    """Ratios of the erpml full runs against the baselines measured in this run."""
    by = {r["method"]: r["rows_per_s"] for r in results}
    ceiling = max((v for k, v in by.items() if k.startswith("psql")), default=None)
    lines = []
    copy, odbc = by.get("erpml full (psycopg COPY)"), by.get("erpml full (ODBC, arrow-odbc)")
    if copy and by.get("pandas baseline"):
        lines.append(
            f"COPY path / pandas read_sql: {copy / by['pandas baseline']:.2f}x (target 5x)"
        )
    if copy and ceiling:
        lines.append(
            f"COPY path / psql COPY ceiling (faster of two): {copy / ceiling:.0%} (target 60%)"
        )
    seconds = {r["method"]: r["seconds"] for r in results}
    full, incremental = (
        seconds.get("erpml full (psycopg COPY)"),
        seconds.get("erpml incremental (1% changed)"),
    )
    if full and incremental:
        lines.append(f"incremental (1% changed) / full: {incremental / full:.1%} (target < 5%)")
    if odbc and by.get("pyodbc baseline"):
        lines.append(
            f"ODBC path / pyodbc fetchmany: {odbc / by['pyodbc baseline']:.2f}x (target 4x)"
        )
    return lines


if __name__ == "__main__":
    main()
