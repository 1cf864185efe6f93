"""Benchmark: ``erpml diff`` end to end for a one-definition change on the demo warehouse.

1. generate the fixture ERPs at ``--scale`` (``--reuse`` keeps a built home), extract, build the
   marts and feature timelines, snapshot ``late_payment@1`` and train the late-payment model,
   all under ``bench/out/diff/scale<S>/``;
2. a scratch git repository of the catalog and dbt models (``mlops.diff.scratch_repo``) with
   the demo's edit: ``cust_avg_days_late_365d@2`` (180 days) beside version 1;
3. ``erpml diff --repo <scratch> --base HEAD --project <home>/erpml.yml --out ...`` in a fresh
   process, timed end to end (``--repeat`` runs; the first also pays a cold file cache).
   ``--mart-edit`` times a value-changing mart edit instead (one column of ``fct_ar_invoice_v2``).
   ``--baseline DIR`` also times an earlier erpml's ``erpml diff`` on the same edit (DIR holds
   its tree, e.g. ``git archive HEAD``), alternating with this one.

Usage::

    flock /tmp/erpml-bench.lock .venv/bin/python bench/diff.py [--scale 1] [--reuse] \
        [--mart-edit] [--baseline /tmp/erpml_head]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import demo_home
from demo_home import erpml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "diff"
MART = "dbt_project/models/marts/receivables/fct_ar_invoice_v2.sql"
MART_EDIT = (
    "cast(days_late as integer) as days_late",
    "cast(greatest(days_late - 5, 0) as integer) as days_late",
)


def step(cmd: list[str], label: str, cwd: Path = ROOT) -> dict[str, object]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 8):  # 8: the report blocks the change (still a report)
        raise SystemExit(f"{label} failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return {"step": label, "seconds": round(wall, 1), "exit_code": proc.returncode}


def prepare(home: Path, scale: float) -> list[dict[str, object]]:
    return demo_home.prepare(home, scale, step)


def edited_repo(home: Path, mart_edit: bool) -> Path:
    """The scratch repository with the edit in its work tree (base: its one commit)."""
    from mlops.diff import scratch_repo

    repo = scratch_repo(home / ("repo_mart" if mart_edit else "repo"))
    if mart_edit:
        path = repo / MART
        path.write_text(path.read_text().replace(*MART_EDIT, 1))
        return repo
    path = repo / "semantic_models" / "catalog" / "late_payment.yml"
    text = path.read_text()
    start = text.index("  - name: cust_avg_days_late_365d")
    end = text.index("  - name: cust_share_paid_late_365d")
    v2 = text[start:end].replace("version: 1", "version: 2", 1).replace("365 days", "180 days")
    path.write_text(text[:end] + v2 + text[end:])
    return repo


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--reuse", action="store_true", help="reuse the built warehouse")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--mart-edit", action="store_true", help="time a mart edit instead")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="a tree of an earlier erpml (e.g. `git archive HEAD`): its `erpml diff` is timed "
        "on the same edit, alternating with this one",
    )
    args = parser.parse_args()
    home = OUT / f"scale{args.scale:g}"
    project = home / "erpml.yml"
    steps: list[dict[str, object]] = []
    if not (args.reuse and (home / "warehouse.duckdb").exists()):
        steps = prepare(home, args.scale)
    if args.prepare_only:
        print(json.dumps(steps, indent=2))
        return
    repo = edited_repo(home, args.mart_edit)
    runs = []
    for i in range(args.repeat):
        out = home / f"report_{'mart' if args.mart_edit else 'definition'}"
        cmd = erpml("diff", "--repo", str(repo), "--base", "HEAD", "--project", str(project),
                    "--out", str(out))  # fmt: skip
        if args.baseline is not None:
            base_out = ["--out", str(home / "report_baseline")]
            runs.append(step([*cmd[:-2], *base_out], f"baseline, run {i + 1}", args.baseline))
        runs.append(step(cmd, f"erpml diff, run {i + 1}"))
    report = json.loads((out / "change_report.json").read_text())
    result = {
        "scale": args.scale,
        "edit": "mart column (fct_ar_invoice_v2.days_late)" if args.mart_edit else "definition",
        "diff_seconds": [r["seconds"] for r in runs if str(r["step"]).startswith("erpml")],
        "baseline_seconds": [r["seconds"] for r in runs if str(r["step"]).startswith("base")],
        "exit_code": runs[-1]["exit_code"],
        "values_rows": [v["rows"] for v in report["values"]],
        "mart_values": [
            {k: v.get(k) for k in ("model", "rows_old", "rows_changed", "share_changed")}
            for v in report.get("mart_values", [])
        ],
        "scores": [s["model"] for s in report["scores"]],
        "steps": steps,
        "loadavg": os.getloadavg(),
        "machine": f"{platform.machine()} cpus={os.cpu_count()}",
    }
    (home / f"result_{'mart' if args.mart_edit else 'definition'}.json").write_text(
        json.dumps(result, indent=2)
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
