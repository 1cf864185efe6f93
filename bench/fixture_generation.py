"""Benchmark: fixture generation rows per second and peak memory.

Runs ``erpml fixtures generate`` once per ERP (and once for all four) in a fresh process, into
SQLite files and into a throwaway PostgreSQL database, and reports wall time, rows written,
rows/s and the process's peak RSS. Usage::

    .venv/bin/python bench/fixture_generation.py [--scale 10] [--engines sqlite,postgresql]
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
import uuid
from pathlib import Path

import sqlalchemy as sa

OUT = Path(__file__).resolve().parent / "out" / "fixtures"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def run_one(erp: str, scale: float, url: str, out: Path) -> dict[str, object]:
    cmd = [
        sys.executable,
        "-m",
        "mlops.cli.main",
        "fixtures",
        "generate",
        "--erp",
        erp,
        "--scale",
        str(scale),
        "--into",
        url,
        "--out",
        str(out),
        "--replace",
        "--format",
        "json",
    ]
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
        wall = time.perf_counter() - start
        stdout.seek(0)
        stderr.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{erp}: generation failed: {stderr.read().strip()[-500:]}")
        rows = sum(sum(r["rows"].values()) for r in json.loads(stdout.read()).values())
    return {
        "erp": erp,
        "rows": rows,
        "seconds": round(wall, 1),
        "rows_per_s": round(rows / wall),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
    }


def pg_database() -> tuple[str, sa.Engine, str]:
    name = f"erpml_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    return sa.make_url(PG_ADMIN).set(database=name).render_as_string(False), admin, name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--erps", default="jde,vista,netsuite,onestream")
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    results = []
    for engine in args.engines.split(","):
        for erp in args.erps.split(","):
            if engine == "sqlite":
                url = f"sqlite:///{OUT}/{erp}.db"
                results.append({"engine": engine, **run_one(erp, args.scale, url, OUT / "golden")})
            else:
                url, admin, name = pg_database()
                try:
                    results.append(
                        {"engine": engine, **run_one(erp, args.scale, url, OUT / "golden")}
                    )
                finally:
                    with admin.connect() as conn:
                        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            print(json.dumps(results[-1]), flush=True)
    print(f"\nmachine: {platform.node()} {platform.machine()} python {platform.python_version()}")
    print("| engine | erp | rows | seconds | rows/s | peak RSS MiB |")
    print("|---|---|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['engine']} | {r['erp']} | {r['rows']:,} | {r['seconds']} | "
            f"{r['rows_per_s']:,} | {r['peak_rss_mib']} |"
        )


if __name__ == "__main__":
    main()
