"""Benchmark (issue 6): drift over 1M rows x 20 numeric features, erpml against Evidently.

A seeded reference and current sample (default 1,000,000 rows each, 20 float64 features of five
shapes: normal, log-normal amounts, Poisson counts with many ties, uniform with negatives,
normal with 3% nulls) are written once as uncompressed Parquet. Six features shift in current
(``SHIFTED``); one more moves by 0.05 standard deviations, below every threshold. Then, in the
same run, each side in its own fresh process (wall time of the process, start-up, imports and
Parquet read included; CPU seconds user+sys from ``wait4``; peak RSS the worker's own
``VmHWM``):

1. ``erpml``: :func:`mlops.monitoring.drift_report` over the Arrow tables: null rate, PSI,
   Kolmogorov-Smirnov (statistic and p-value) and normalized Wasserstein for every feature;
2. ``evidently``: ``Report([DataDriftPreset()]).run(current, reference)`` on pandas frames
   (Evidently in its own virtualenv, ``--evidently-python``; it needs pandas below 3), which
   for this size runs its normalized Wasserstein test per column.

The drifted features of both and the normalized Wasserstein values (both divide by the
reference's population standard deviation) are compared. Usage::

    python3 -m venv /tmp/evidently-venv
    /tmp/evidently-venv/bin/pip install 'evidently==0.7.*' 'pandas<3' pyarrow
    .venv/bin/python bench/drift.py [--reuse] [--rows 1000000] [--features 20] [--repeats 3]
        [--skip-evidently]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / "bench" / "out" / "drift"
EVIDENTLY_PYTHON = "/tmp/evidently-venv/bin/python"
SHIFTED = {
    "f00": "mean +0.3 sd",
    "f01": "log-normal sigma 0.8 -> 1.0",
    "f02": "Poisson mean 4 -> 5",
    "f03": "uniform(-50, 50) -> uniform(-40, 60)",
    "f04": "null rate 3% -> 12% (values unchanged)",
    "f10": "sd x 1.5",
}
SMALL = {"f05": "mean +0.05 sd (below every threshold)"}


# --------------------------------------------------------------------------- data set


def column(rng: Any, i: int, n: int, current: bool) -> Any:
    """Feature ``f{i:02d}``; shifted in ``current`` as ``SHIFTED`` and ``SMALL`` say."""
    import numpy as np

    name = f"f{i:02d}"
    shift = current and name in SHIFTED
    shape = i % 5
    if shape == 0:
        scale = 22.5 if shift and name == "f10" else 15.0
        mean = 100 + (4.5 if shift else 0) + (0.75 if current and name in SMALL else 0)
        return rng.normal(mean, scale, n)
    if shape == 1:
        return rng.lognormal(3.0, 1.0 if shift else 0.8, n)
    if shape == 2:
        return rng.poisson(5 if shift else 4, n).astype(np.float64)
    if shape == 3:
        return rng.uniform(-40 if shift else -50, 60 if shift else 50, n)
    values = rng.normal(0, 1, n)
    values[rng.random(n) < (0.12 if shift else 0.03)] = np.nan
    return values


def generate(data: Path, rows: int, features: int, seed: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    data.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for side in ("reference", "current"):
        cols = {f"f{i:02d}": column(rng, i, rows, side == "current") for i in range(features)}
        table = pa.table({k: pa.array(v, from_pandas=True) for k, v in cols.items()})
        pq.write_table(table, data / f"{side}.parquet", compression="none")
    (data / "meta.json").write_text(json.dumps({"rows": rows, "features": features, "seed": seed}))


# --------------------------------------------------------------------------- workers


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM)."""
    status = Path("/proc/self/status").read_text()
    return next(int(x.split()[1]) for x in status.splitlines() if x[:6] == "VmHWM:") / 1024


def worker_erpml(data: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from mlops.monitoring import drift_report

    start = time.perf_counter()
    reference = pq.read_table(data / "reference.parquet")
    current = pq.read_table(data / "current.parquet")
    loaded = time.perf_counter()
    features = dict.fromkeys(reference.column_names, "numeric")
    rows = drift_report(reference, current, features)
    done = time.perf_counter()
    drifted = sorted({r.feature for r in rows if r.drifted})
    by = {(r.feature, r.statistic): r for r in rows}
    return {
        "load_s": loaded - start,
        "drift_s": done - loaded,
        "drifted": drifted,
        "why": {f: [r.statistic for r in rows if r.feature == f and r.drifted] for f in drifted},
        "wasserstein": {f: by[(f, "wasserstein")].value for f in features},
        "peak_rss_mib": peak_rss_mib(),
    }


def worker_evidently(data: Path) -> dict[str, Any]:
    import pandas as pd
    from evidently import Report
    from evidently.presets import DataDriftPreset

    start = time.perf_counter()
    reference = pd.read_parquet(data / "reference.parquet")
    current = pd.read_parquet(data / "current.parquet")
    loaded = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(current, reference)
    done = time.perf_counter()
    values: dict[str, float] = {}
    drifted = []
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if config.get("type", "").endswith(":ValueDrift"):
            values[config["column"]] = metric["value"]
            if metric["value"] >= config["threshold"]:
                drifted.append(config["column"])
    return {
        "load_s": loaded - start,
        "drift_s": done - loaded,
        "drifted": sorted(drifted),
        "wasserstein": values,
        "method": sorted({m["config"].get("method", "") for m in snapshot.dict()["metrics"]}),
        "peak_rss_mib": peak_rss_mib(),
    }


# --------------------------------------------------------------------------- runner


def run(cmd: list[str]) -> dict[str, Any]:
    """Run a worker; its JSON result plus wall and CPU seconds of the process."""
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        stdout.seek(0)
        stderr.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{cmd[:4]} failed: {stderr.read().strip()[-1500:]}")
        result: dict[str, Any] = json.loads(stdout.read().strip().splitlines()[-1])
    result.update(wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime)
    return result


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("wall_s", "cpu_s", "drift_s", "load_s", "peak_rss_mib")
    out = {k: statistics.median(r[k] for r in runs) for k in keys}
    out["runs"] = [{k: round(r[k], 2) for k in keys} for r in runs]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side (median)")
    parser.add_argument("--reuse", action="store_true", help="keep the Parquet files if present")
    parser.add_argument("--skip-evidently", action="store_true")
    parser.add_argument("--evidently-python", default=EVIDENTLY_PYTHON)
    parser.add_argument("--worker", choices=["erpml", "evidently"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        work = worker_erpml if args.worker == "erpml" else worker_evidently
        result = work(args.data)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["self_cpu_s"] = usage.ru_utime + usage.ru_stime
        print(json.dumps(result))
        return

    meta = args.data / "meta.json"
    wanted = {"rows": args.rows, "features": args.features, "seed": args.seed}
    if not (args.reuse and meta.exists() and json.loads(meta.read_text()) == wanted):
        start = time.perf_counter()
        generate(args.data, args.rows, args.features, args.seed)
        print(
            f"generated {args.rows:,} x {args.features} twice in {time.perf_counter() - start:.1f} s"
        )
    me = [sys.executable, str(Path(__file__).resolve()), "--data", str(args.data)]
    ours, theirs = [], []
    for i in range(args.repeats):  # interleaved, so both sides see the same machine load
        ours.append(run([*me, "--worker", "erpml"]))
        print(
            f"erpml     run {i + 1}: {ours[-1]['wall_s']:.1f} s wall, {ours[-1]['cpu_s']:.1f} s CPU"
        )
        if not args.skip_evidently:
            ev = [args.evidently_python, *me[1:], "--worker", "evidently"]
            theirs.append(run(ev))
            print(
                f"evidently run {i + 1}: {theirs[-1]['wall_s']:.1f} s wall, {theirs[-1]['cpu_s']:.1f} s CPU"
            )
    report: dict[str, Any] = {
        "machine": f"{platform.node()} {os.cpu_count()} cores, {platform.python_version()}",
        "load_average_at_end": os.getloadavg(),
        "data": wanted,
        "erpml": summary(ours),
        "erpml_drifted": ours[-1]["drifted"],
        "erpml_why": ours[-1]["why"],
        "planted": {**SHIFTED, **SMALL},
    }
    if theirs:
        ev_w, our_w = theirs[-1]["wasserstein"], ours[-1]["wasserstein"]
        diff = max(abs(ev_w[f] - our_w[f]) / max(abs(ev_w[f]), 1e-12) for f in ev_w)
        report.update(
            evidently=summary(theirs),
            evidently_drifted=theirs[-1]["drifted"],
            evidently_method=theirs[-1]["method"],
            wasserstein_max_rel_diff=diff,
            wall_ratio=report["erpml"]["wall_s"]
            and summary(theirs)["wall_s"] / report["erpml"]["wall_s"],
            cpu_ratio=summary(theirs)["cpu_s"] / report["erpml"]["cpu_s"],
        )
    out = ROOT / "bench" / "out" / "drift_result.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
