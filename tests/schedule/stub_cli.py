"""A stand-in for ``python -m mlops.cli.main`` in scheduler tests, run by file path.

It takes the arguments the scheduler passes (``<verb> --project P [--model M --job N
--scheduled-time T]``) plus test controls in the job's ``args``:

- ``--log FILE``: append the argv as one JSON line;
- ``--write``: open the project's DuckDB warehouse for writing (as every erpml writer does) and
  record the interval it held it in the table ``stub_writes``;
- ``--sleep S``: hold the warehouse (or just wait) S seconds;
- ``--exit N``: exit with N after printing a line;
- ``--name X``: the name recorded in ``stub_writes`` (default: ``--job``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
import yaml


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("verb")
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--job", default="")
    parser.add_argument("--scheduled-time", default="")
    parser.add_argument("--model", default="")
    parser.add_argument("--target", default="")
    parser.add_argument("--log", type=Path)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--sleep", type=float, default=0.0)
    parser.add_argument("--exit", type=int, default=0)
    parser.add_argument("--name", default="")
    args = parser.parse_args(argv)
    if args.log:
        with args.log.open("a") as out:
            out.write(json.dumps(argv) + "\n")
    if args.write:
        warehouse = yaml.safe_load(args.project.read_text())["warehouse"]["path"]
        path = args.project.parent / warehouse
        con = duckdb.connect(str(path))  # fails fast if another process holds the file
        start = time.time()
        time.sleep(args.sleep)
        con.execute(
            "create table if not exists stub_writes (job varchar, started double, ended double)"
        )
        con.execute(
            "insert into stub_writes values (?, ?, ?)", [args.name or args.job, start, time.time()]
        )
        con.close()
    elif args.sleep:
        time.sleep(args.sleep)
    print(f"stub {args.verb} done, exit {args.exit}")
    return args.exit


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
