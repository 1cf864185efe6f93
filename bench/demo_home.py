"""A trained demo home for benchmarks: fixture ERPs at a scale, extracted, built, snapshot, model.

Shared by ``bench/scoring.py`` and ``bench/diff.py`` (imported as a sibling module: the
benchmarks run as scripts, ``python bench/<name>.py``). ``step(cmd, label)`` is the caller's
timer, so each benchmark keeps its own way of timing and judging a command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import yaml

Step = Callable[[list[str], str], dict[str, object]]


def erpml(*args: str) -> list[str]:
    """The ``erpml`` command in this interpreter."""
    return [sys.executable, "-m", "mlops.cli.main", *args]


def prepare(home: Path, scale: float, step: Step) -> list[dict[str, object]]:
    """Generate, extract, build, snapshot ``late_payment@1`` (cutoff 2025-12-31) and train."""
    from mlops.cli.demo import demo_project

    project = home / "erpml.yml"
    (home / "sources").mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{home}/sources/{{erp}}.db"
    generate = erpml("fixtures", "generate", "--erp", "all", "--scale", str(scale), "--into", url,
                     "--out", str(home / "fixtures"), "--replace")  # fmt: skip
    steps = [step(generate, "generate")]
    (home / "warehouse.duckdb").unlink(missing_ok=True)
    project.write_text(yaml.safe_dump(demo_project(home), sort_keys=False))
    steps.append(step(erpml("extract", "--project", str(project)), "extract"))
    steps.append(step(erpml("build", "--project", str(project)), "build"))
    steps.append(step(erpml("snapshot", "create", "--project", str(project), "--feature-set",
                            "late_payment@1", "--cutoff", "2025-12-31"), "snapshot"))  # fmt: skip
    steps.append(step(erpml("train", "--project", str(project), "--feature-set",
                            "late_payment@1"), "train"))  # fmt: skip
    return steps
