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
import sys
import time
from pathlib import Path

import yaml

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


def erpml(*args: str) -> list[str]:
    return [sys.executable, "-m", "mlops.cli.main", *args]


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
        from mlops.cli.demo import demo_project

        (home / "sources").mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{home}/sources/{{erp}}.db"
        steps.append(step(erpml("fixtures", "generate", "--erp", "all", "--scale",
                                str(args.scale), "--into", url, "--out", str(home / "fixtures"),
                                "--replace"), "generate"))  # fmt: skip
        (home / "warehouse.duckdb").unlink(missing_ok=True)
        project.write_text(yaml.safe_dump(demo_project(home), sort_keys=False))
        steps.append(step(erpml("extract", "--project", str(project)), "extract"))
        steps.append(step(erpml("build", "--project", str(project)), "build"))
        steps.append(step(erpml("snapshot", "create", "--project", str(project), "--feature-set",
                                "late_payment@1", "--cutoff", "2025-12-31"), "snapshot"))  # fmt: skip
        steps.append(step(erpml("train", "--project", str(project), "--feature-set",
                                "late_payment@1"), "train"))  # fmt: skip
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
