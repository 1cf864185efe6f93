"""Run ``erpml build ...`` and report where its wall time goes, phase by phase.

``python bench/phases.py build --project P [--changed | --full-refresh]`` runs the erpml CLI in
this process with the phases of ``mlops.build`` timed: reading the change plan, preparing
(definitions, project checksum), dbt (``dbtRunner.invoke``), releasing DuckDB (closing the
database: its checkpoint writes what the build left in the write-ahead log) and recording the
build. On exit it prints one line ``[phases] {json}`` (seconds per phase, summed over calls;
``dbt`` is the invoke less the release inside it; ``process``: from this script's start to its
exit). ``bench/build.py`` reads that line; the process's wall time less ``process`` is the
interpreter's start-up and shutdown.
"""

from __future__ import annotations

import atexit
import functools
import json
import sys
import time
from collections.abc import Callable
from typing import Any

STARTED = time.perf_counter()
PHASES = {
    "_prepare": "prepare",
    "_state": "warehouse state (plan, record)",
    "_release_duckdb": "release DuckDB (checkpoint)",
}


def _timed(name: str, fn: Callable[..., Any], totals: dict[str, float]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def main() -> None:
    from mlops import build

    totals: dict[str, float] = {}
    for attr, name in PHASES.items():
        setattr(build, attr, _timed(name, getattr(build, attr), totals))
    # dbt's own time: the invoke minus the release inside it
    build._invoke = _timed("dbt invoke (incl. release)", build._invoke, totals)

    def report() -> None:
        totals["dbt"] = totals.get("dbt invoke (incl. release)", 0.0) - totals.get(
            "release DuckDB (checkpoint)", 0.0
        )
        # checkpoints of DuckDB's log while dbt ran (inside "dbt", overlapping other work)
        totals["checkpoints during dbt"] = sum(seconds for _, seconds in build.CHECKPOINTS)
        totals["process"] = time.perf_counter() - STARTED
        rounded = {k: round(v, 2) for k, v in totals.items()}
        print("[phases] " + json.dumps(rounded), file=sys.stderr, flush=True)

    atexit.register(report)
    from mlops.cli.main import main as cli

    sys.argv = ["erpml", *sys.argv[1:]]
    cli()


if __name__ == "__main__":
    main()
