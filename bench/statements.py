"""Where a dbt invocation's SQL time went, from its ``dbt.log``.

dbt logs every statement it runs (``On <node>: <sql>``) and, on the same thread, how long it
took (``SQL status: OK in <s> seconds``). This reads the last invocation in the log (from its
last ``Running with dbt=``) and sums the seconds per node, and for the feature timelines
(``materialized='feature_timeline'``) and their span groups' fingerprints
(``materialized='feature_fingerprints'``) per step of the materializations: the fingerprints
(every mart row of the group hashed and grouped), the difference with the last build's, the
stored fingerprints mended where they differ, the plan, the delete, the recomputation,
comments and commits (``whole``: a timeline built whole).

Times are under dbt's threads, so contention inflates them; they compare with each other, not
with the wall clock.

    python bench/statements.py path/to/dbt.log [--top 15] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

_LINE = re.compile(r"^(?:\x1b\[[0-9;]*m)*\d\d:\d\d:\d\d\.\d+ \[\w+ *\] \[([^\]]+)\]: (.*)$")
_ON = re.compile(r"^On ([^:]+): (.*)$")
_STATUS = re.compile(r"^SQL status: .* in ([\d.]+) seconds$")

# (step, pattern of the first statement of the SQL that is not a DROP), first match wins
_TIMELINE_STEPS = [
    ("fingerprints", r"^create (?:temporary )?table \S+__next\b"),
    ("diff", r'^create table \S+__diff"'),
    ("mend", r"^delete from \S+ as old using "),  # the stored fingerprints mended
    ("plan", r'^create table \S+__plan"'),
    ("delete", r"^delete from "),
    ("recompute", r"^insert into "),
    ("comment", r"^comment on "),
    ("commit", r"^commit"),
    ("whole", r"^create "),  # a full build: the timeline created whole
]


def statements(log: Path) -> list[tuple[str, str, float]]:
    """(node, sql, seconds) of every statement of the log's last invocation."""
    text = log.read_text(errors="replace")
    start = text.rfind("Running with dbt=")
    if start < 0:
        raise SystemExit(f"{log}: no dbt invocation in this log")
    open_sql: dict[str, tuple[str, list[str]]] = {}
    last_thread: str | None = None
    out: list[tuple[str, str, float]] = []
    for line in text[start:].splitlines():
        m = _LINE.match(line)
        if m is None:  # a continuation line of the last statement logged
            if last_thread in open_sql:
                open_sql[last_thread][1].append(line)
            continue
        thread, message = m.groups()
        on = _ON.match(message)
        if on is not None:
            open_sql[thread] = (on.group(1), [on.group(2)])
            last_thread = thread
            continue
        last_thread = None
        status = _STATUS.match(message)
        if status is not None and thread in open_sql:
            node, sql = open_sql.pop(thread)
            out.append((node, "\n".join(sql), float(status.group(1))))
    return out


def timeline_step(sql: str) -> str:
    body = re.sub(r"/\*.*?\*/", "", sql, flags=re.S)
    first = next(
        (
            p.strip()
            for p in body.split(";")
            if p.strip() and not p.strip().lower().startswith("drop ")
        ),
        "",
    )
    for step, pattern in _TIMELINE_STEPS:
        if re.match(pattern, first, flags=re.I):
            return step
    return "other"


# a timeline, or a span group's fingerprints
_FEATURE_NODE = re.compile(r"^model\.[^.]+\.feat(fp)?_")


def summarize(log: Path) -> dict[str, Any]:
    per_node: dict[str, float] = defaultdict(float)
    steps: dict[str, float] = defaultdict(float)
    total = 0.0
    for node, sql, seconds in statements(log):
        total += seconds
        per_node[node] += seconds
        if _FEATURE_NODE.match(node):
            steps[timeline_step(sql)] += seconds
    timelines = {n: s for n, s in per_node.items() if _FEATURE_NODE.match(n)}
    tests = sum(s for n, s in per_node.items() if n.startswith("test."))
    return {
        "sql_seconds": round(total, 2),
        "tests_seconds": round(tests, 2),
        "timelines": len(timelines),
        "timelines_seconds": round(sum(timelines.values()), 2),
        "timeline_steps": {k: round(v, 2) for k, v in sorted(steps.items(), key=lambda x: -x[1])},
        "nodes": {k: round(v, 2) for k, v in sorted(per_node.items(), key=lambda x: -x[1])},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--json", type=Path, help="write the whole summary here")
    args = parser.parse_args(argv)
    if not args.log.is_file():
        print(f"statements: {args.log}: no such log", file=sys.stderr)
        return 2
    summary = summarize(args.log)
    print(
        f"SQL {summary['sql_seconds']} s: {summary['timelines']} timelines and span groups"
        f" {summary['timelines_seconds']} s, tests {summary['tests_seconds']} s"
    )
    print("timeline steps: " + ", ".join(f"{k} {v}" for k, v in summary["timeline_steps"].items()))
    for node, seconds in list(summary["nodes"].items())[: args.top]:
        print(f"{seconds:8.2f}  {node}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
