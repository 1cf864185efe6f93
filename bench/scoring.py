"""Benchmark: feature retrieval for scoring and scoring throughput at fixture scale 10 on DuckDB.

1. generate the fixture ERPs at ``--scale`` (``--reuse`` keeps them), extract, build (marts and
   feature timelines), snapshot ``late_payment@1`` and train the late-payment model;
2. ``get_features`` for ``--entities`` invoices at one time (the scoring path; issue 5 target:
   100,000 entities under 2 s), timed in this process after a warm-up call;
3. ``erpml score`` of every invoice in one batch, in its own process: rows per second including
   population, feature retrieval, prediction and the one-transaction write (issue 6).

Usage::

    .venv/bin/python bench/scoring.py [--scale 10] [--entities 100000] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

from demo_home import erpml, prepare

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "scoring"


def step(cmd: list[str], label: str) -> dict[str, object]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output, _ = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed:\n{output[-3000:]}")
    return {"step": label, "seconds": round(wall, 1), "output": output.strip().splitlines()[-1:]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="reuse the built warehouse")
    args = parser.parse_args()
    home = OUT / f"scale{args.scale:g}"
    project = home / "erpml.yml"
    steps = []
    if not (args.reuse and (home / "warehouse.duckdb").exists()):
        steps += prepare(home, args.scale, step)
    import duckdb

    from mlops.definitions import load_definitions
    from mlops.features import get_features

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    keys = [
        r[0]
        for r in con.execute(
            "select invoice_key from marts.fct_ar_invoice_v2 order by invoice_key"
        ).fetchall()
    ]
    con.close()
    invoices = len(keys)
    wanted = (keys * (args.entities // max(1, len(keys)) + 1))[: args.entities]
    catalog = load_definitions(project).catalog
    get_features(project, catalog, "late_payment@1", wanted[:1000])  # warm-up: imports, catalog
    start = time.perf_counter()
    frame = get_features(project, catalog, "late_payment@1", wanted)
    fetch = time.perf_counter() - start
    scored = step(erpml("score", "--project", str(project), "--model", "late_payment",
                        "--job", "bench", "--as-of", "2026-06-30"), "score all invoices")  # fmt: skip
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    rows = con.execute("select count(*) from scores.late_payment where job = 'bench'").fetchone()[0]  # type: ignore[index]
    con.close()
    steps.append(scored)
    result = {
        "scale": args.scale,
        "invoices": invoices,
        "get_features_entities": len(frame),
        "get_features_seconds": round(fetch, 2),
        "score_rows": rows,
        "score_seconds": scored["seconds"],
        "score_rows_per_s": round(rows / float(scored["seconds"])),  # type: ignore[arg-type]
        "steps": steps,
        "machine": f"{platform.machine()} cpus={os.cpu_count()}",
    }
    (home / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
