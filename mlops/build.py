"""Run the dbt project in-process (``dbtRunner``) against the project's warehouse.

``build(options)`` points the ``erpml`` profile of ``dbt_project/profiles.yml`` at the warehouse
of ``erpml.yml`` through environment variables (``ERPML_WAREHOUSE`` for DuckDB,
``ERPML_PG_*`` for PostgreSQL), runs ``dbt build`` and returns one ``NodeResult`` per model,
test, seed or snapshot. Progress arrives through ``on_event(name, data)`` from dbt's event
callbacks. DuckDB allows one writing process per file: never build while ``erpml extract`` runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mlops.errors import MlopsError

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"
FAILED = frozenset({"error", "fail", "runtime error"})
Target = Literal["duckdb", "postgres"]
EventHook = Callable[[str, Mapping[str, Any]], None]


@dataclass(frozen=True)
class BuildOptions:
    """What to build, where: the warehouse comes from ``project`` (an ``erpml.yml``)."""

    project: Path
    target: Target | None = None  # default: the warehouse kind of the project file
    select: tuple[str, ...] = ()
    dbt_project: Path = DBT_PROJECT
    work_dir: Path | None = None  # dbt target/ and logs/; default: beside the project file
    extra_args: tuple[str, ...] = field(default_factory=tuple)
    compile_definitions: bool = True  # regenerate the feature models from the catalog first


@dataclass(frozen=True)
class NodeResult:
    """The outcome of one dbt node."""

    name: str
    kind: str  # model, test, seed, snapshot, unit_test
    status: str  # success, pass, warn, error, fail, skipped
    rows: int | None
    seconds: float
    message: str

    @property
    def failed(self) -> bool:
        return self.status in FAILED


def warehouse_env(project: Path, target: Target | None) -> tuple[Target, dict[str, str]]:
    """The dbt target and the environment variables the ``erpml`` profile reads."""
    from connectors.config import load

    warehouse = load(project, sections=("warehouse",)).warehouse
    kind: Target = "postgres" if warehouse.kind == "postgres" else "duckdb"
    chosen = target or kind
    if chosen != kind:
        raise MlopsError(f"{project}: the warehouse is {kind}, cannot build --target {chosen}")
    if warehouse.kind == "duckdb":
        path = warehouse.path if warehouse.path.is_absolute() else project.parent / warehouse.path
        return chosen, {"ERPML_TARGET": "duckdb", "ERPML_WAREHOUSE": str(path.resolve())}
    import sqlalchemy as sa

    url = sa.make_url(warehouse.url)
    secret = warehouse.password()
    env = {
        "ERPML_TARGET": "postgres",
        "ERPML_PG_HOST": url.host or "127.0.0.1",
        "ERPML_PG_PORT": str(url.port or 5432),
        "ERPML_PG_USER": url.username or "postgres",
        "ERPML_PG_PASSWORD": secret.get_secret_value() if secret else (url.password or ""),
        "ERPML_PG_DBNAME": url.database or "postgres",
    }
    return chosen, env


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def build(options: BuildOptions, on_event: EventHook | None = None) -> list[NodeResult]:
    """Run ``dbt build``; raises ``MlopsError`` when dbt cannot run at all.

    Failed models or tests do not raise: they come back with ``failed`` set.
    """
    from dbt.cli.main import dbtRunner

    target, env = warehouse_env(options.project, options.target)
    if options.compile_definitions:
        from mlops.definitions import compile_definitions, load_definitions

        compile_definitions(load_definitions(options.project, dbt_project=options.dbt_project))
    work = options.work_dir or options.project.resolve().parent / ".erpml" / "dbt"
    args = [
        "build",
        "--project-dir",
        str(options.dbt_project),
        "--profiles-dir",
        str(options.dbt_project),
        "--target",
        target,
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        "--quiet",
    ]
    for selector in options.select:
        args += ["--select", selector]
    if options.select:
        # Only tests whose every parent is selected: a partial build never runs a relationships
        # test against a model it did not build.
        args += ["--indirect-selection", "cautious"]
    args += list(options.extra_args)

    def callback(event: Any) -> None:
        if on_event is not None:
            on_event(str(event.info.name), _event_fields(event.data))

    with _environment(env):
        try:
            outcome = dbtRunner(callbacks=[callback]).invoke(args)
        finally:
            if target == "duckdb":
                _release_duckdb()
    if outcome.exception is not None:
        raise MlopsError(f"dbt could not run: {one_line(str(outcome.exception))}")
    results = getattr(outcome.result, "results", None)
    if results is None:
        raise MlopsError("dbt build returned no results (see the dbt log in " + str(work) + ")")
    return [_node_result(r) for r in results]


def _event_fields(data: Any) -> dict[str, Any]:
    """The few fields of a dbt event the progress display uses: ``total``, ``node_name``."""
    fields: dict[str, Any] = {}
    total = getattr(data, "total", None)
    if isinstance(total, int):
        fields["total"] = total
    name = getattr(getattr(data, "node_info", None), "node_name", None)
    if name:
        fields["node_name"] = str(name)
    return fields


def _release_duckdb() -> None:
    """dbt-duckdb keeps the database open in-process after a run: close it for other readers."""
    import gc

    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()  # type: ignore[no-untyped-call]
    gc.collect()


def _node_result(result: Any) -> NodeResult:
    node = result.node
    response = result.adapter_response or {}
    rows = response.get("rows_affected") if node.resource_type in ("model", "seed") else None
    return NodeResult(
        name=str(node.name),
        kind=str(node.resource_type),
        status=str(result.status),
        rows=int(rows) if isinstance(rows, int) and rows >= 0 else None,
        seconds=float(result.execution_time or 0.0),
        message=one_line(str(result.message or "")),
    )


def one_line(text: str) -> str:
    """dbt messages span lines (``Runtime Error in model x (path)\\n  Conversion Error: ...``)."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def failure_line(results: list[NodeResult]) -> str | None:
    """One line naming the failed nodes and the first failure's message, or None."""
    failed = [r for r in results if r.failed]
    if not failed:
        return None
    first = failed[0]
    return (
        f"dbt build failed: {len(failed)} of {len(results)} nodes failed; "
        f"first: {first.kind} {first.name}: {first.message}"
    )
