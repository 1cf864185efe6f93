"""Run the dbt project in-process (``dbtRunner``) against the project's warehouse.

``build(options)`` points the ``erpml`` profile of ``dbt_project/profiles.yml`` at the warehouse
of ``erpml.yml`` through environment variables (``ERPML_WAREHOUSE`` for DuckDB,
``ERPML_PG_*`` for PostgreSQL), runs ``dbt build`` and returns one ``NodeResult`` per model,
test, seed or snapshot. Progress arrives through ``on_event(name, data)`` from dbt's event
callbacks. DuckDB allows one writing process per file: never build while ``erpml extract`` runs.

``build_changed(options)`` (``erpml build --changed``) redoes only what the landing batches
extracted since the last complete build can change (:mod:`mlops.build_state`): the tables and
incremental models downstream of the landing tables those batches touched, their tests over
the new batches where that is sound (``macros/core/erpml_test_scope.sql``) and the tie-outs.
On DuckDB, staging and intermediate views are not recreated: their definitions have not changed
(the project checksum says so); views among the marts are, so that their tests run. On
PostgreSQL all views downstream are (replacing a table drops the views over it).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from mlops.build_state import (
    ChangePlan,
    pending_batches,
    plan_changes,
    project_checksum,
    record_build,
)
from mlops.errors import MlopsError

if TYPE_CHECKING:
    from mlops.warehouse import Warehouse

log = logging.getLogger(__name__)
DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"
FAILED = frozenset({"error", "fail", "runtime error"})
Target = Literal["duckdb", "postgres"]
EventHook = Callable[[str, Mapping[str, Any]], None]
T = TypeVar("T")
WAL_CHECKPOINT_BYTES = 32 * 2**20  # checkpoint during a build once DuckDB's log passes this
WAL_POLL_SECONDS = 0.5
CHECKPOINTS: list[tuple[int, float]] = []  # the last build's (log bytes, seconds)


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


# A changed build leaves out what new landing rows cannot change: the staging and intermediate
# views, unit tests (logic) and seeds. Views among the marts (fct_ar_invoice) are recreated (a
# few milliseconds each) so that their tests and the tie-outs reading them run: dbt leaves out
# the tests of an excluded model. Models tagged `erpml_projection` (fct_ar_invoice v1: v2's rows
# renamed) are left out with their tests: their source's tests cover their rows. It writes no
# JSON artifacts (manifest, run results).
CHANGED_EXCLUDE = (
    "config.materialized:view,path:models/staging",
    "config.materialized:view,path:models/intermediate",
    "tag:erpml_projection",
    "resource_type:unit_test",
    "resource_type:seed",
)
# On PostgreSQL dbt replaces a table by dropping the old one with CASCADE, which drops every
# view over it: a changed build there recreates the views downstream too (DDL, milliseconds).
CHANGED_EXCLUDE_POSTGRES = ("resource_type:unit_test", "resource_type:seed")


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
        return chosen, {
            "ERPML_TARGET": "duckdb",
            "ERPML_WAREHOUSE": str(path.resolve()),
            "ERPML_DUCKDB_MEMORY_LIMIT": warehouse.build_memory_limit,
        }
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

    Failed models or tests do not raise: they come back with ``failed`` set. A complete build
    (no ``select``) that succeeds is recorded in the warehouse as the base of changed builds.
    """
    target, env = warehouse_env(options.project, options.target)
    checksum = _prepare(options)
    complete = not options.select
    none: tuple[int, ...] = ()
    pending = _state(options.project, pending_batches, none) if complete else none
    args = _dbt_args(options, target)
    for selector in options.select:
        args += ["--select", selector]
    if options.select:
        # Only tests whose every parent is selected: a partial build never runs a relationships
        # test against a model it did not build.
        args += ["--indirect-selection", "cautious"]
    env = {**env, "ERPML_TEST_FROM_BATCH": ""}  # every test reads every row
    results = _invoke(args + list(options.extra_args), env, target, on_event)
    if complete and not any(r.failed for r in results):
        _state(options.project, lambda wh: record_build(wh, "full", checksum, pending), "")
    return results


@dataclass(frozen=True)
class ChangedBuild:
    """A changed build: the plan it followed and the dbt results (none if nothing was new)."""

    plan: ChangePlan
    results: list[NodeResult]


def build_changed(options: BuildOptions, on_event: EventHook | None = None) -> ChangedBuild:
    """Build what the landing batches extracted since the last complete build can change.

    Without a recorded build, or when the dbt project changed since, builds everything (the
    plan's ``full_reason`` says why). With no new batches, runs nothing.
    """
    if options.select:
        raise MlopsError("--changed selects by itself: it cannot be combined with --select")
    target, env = warehouse_env(options.project, options.target)
    checksum = _prepare(options)
    plan = _state(
        options.project,
        lambda wh: plan_changes(wh, checksum),
        ChangePlan(checksum, full_reason="no warehouse yet"),
    )
    if plan.full_reason:
        full = replace(options, compile_definitions=False)
        return ChangedBuild(plan, build(full, on_event))
    if not plan.tables:
        return ChangedBuild(plan, [])
    kinds = _source_kinds(options.project)
    args = [*_dbt_args(options, target), "--no-write-json", "--select"]
    args += [f"source:{kinds.get(source, source)}.{table}+" for source, table in plan.tables]
    args += ["--exclude", *(CHANGED_EXCLUDE if target == "duckdb" else CHANGED_EXCLUDE_POSTGRES)]
    args += options.extra_args
    env = {**env, "ERPML_TEST_FROM_BATCH": str(plan.from_batch)}
    results = _invoke(args, env, target, on_event)
    if not any(r.failed for r in results):
        _state(options.project, lambda wh: record_build(wh, "changed", checksum, plan.batches), "")
    return ChangedBuild(plan, results)


def _prepare(options: BuildOptions) -> str:
    """Regenerate the feature models (if asked); the checksum of the dbt project to build."""
    if options.compile_definitions:
        from mlops.definitions import compile_definitions, load_definitions

        compile_definitions(load_definitions(options.project, dbt_project=options.dbt_project))
    return project_checksum(options.dbt_project)


def _work(options: BuildOptions) -> Path:
    return options.work_dir or options.project.resolve().parent / ".erpml" / "dbt"


def _dbt_args(options: BuildOptions, target: Target) -> list[str]:
    """``dbt build`` on this project; the same paths and target every time, so that dbt's
    partial parsing (``target/partial_parse.msgpack``) is reused from one build to the next."""
    work = _work(options)
    return [
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


def _invoke(
    args: list[str], env: Mapping[str, str], target: Target, on_event: EventHook | None
) -> list[NodeResult]:
    from dbt.cli.main import dbtRunner

    def callback(event: Any) -> None:
        if on_event is not None:
            on_event(str(event.info.name), _event_fields(event.data))

    wal = Path(env["ERPML_WAREHOUSE"] + ".wal") if target == "duckdb" else None
    with _environment(env):
        try:
            with _checkpoints_between_writers(wal):
                outcome = dbtRunner(callbacks=[callback]).invoke(args)
        finally:
            if target == "duckdb":
                _release_duckdb()
    if outcome.exception is not None:
        raise MlopsError(f"dbt could not run: {one_line(str(outcome.exception))}")
    results = getattr(outcome.result, "results", None)
    if results is None:
        log_path = args[args.index("--log-path") + 1]
        raise MlopsError(f"dbt build returned no results (see the dbt log in {log_path})")
    return [_node_result(r) for r in results]


def _state(project: Path, read: Callable[[Warehouse], T], default: T) -> T:
    """``read(warehouse)`` on the project's warehouse; ``default`` if there is none yet."""
    from mlops.warehouse import open_warehouse

    try:
        with open_warehouse(project) as wh:
            return read(wh)
    except MlopsError as exc:
        log.warning("build state not read or recorded: %s", exc)
        return default


def _source_kinds(project: Path) -> dict[str, str]:
    """Source name in erpml.yml -> ERP kind (the dbt source's name); names are kinds if absent."""
    from connectors.config import load

    return {s.name: s.kind for s in load(project).sources}


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


@contextmanager
def _checkpoints_between_writers(wal: Path | None) -> Iterator[None]:
    """While dbt runs on DuckDB: checkpoint the write-ahead log ``wal`` whenever it has grown
    past ``WAL_CHECKPOINT_BYTES`` and no write transaction is open; the checkpoints made (log
    bytes, seconds) are kept in ``CHECKPOINTS``.

    DuckDB checkpoints by itself only when a commit finds no other write transaction; with
    several dbt threads there nearly always is one, so the log grows through a build (216 MB
    in a changed build at scale 100) and all of it is checkpointed when the database is
    closed, after the last node, alone. A ``CHECKPOINT`` statement that finds a writer fails
    at once ("there are other write transactions active"); one that finds none runs beside the
    readers, typically the tests after the last models. A thread tries every
    ``WAL_POLL_SECONDS`` on its own cursor of the database dbt-duckdb opened. Any other error
    stops it (logged): what is left is checkpointed at close, as before.
    """
    CHECKPOINTS.clear()
    if wal is None:
        yield
        return
    stop = threading.Event()

    def checkpoint() -> None:
        import duckdb
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        cursor = None
        try:
            while not stop.wait(WAL_POLL_SECONDS):
                try:
                    size = wal.stat().st_size
                except OSError:
                    continue  # no log yet
                # dbt-duckdb's environment: its database and the lock it opens cursors under
                # (none before dbt connects; another dbt-duckdb layout: it never checkpoints)
                env = DuckDBConnectionManager._ENV
                database, lock = getattr(env, "conn", None), getattr(env, "lock", None)
                if size < WAL_CHECKPOINT_BYTES or database is None or lock is None:
                    continue
                if cursor is None:
                    with lock:
                        cursor = database.cursor()
                start = time.perf_counter()
                try:
                    cursor.execute("checkpoint")
                except duckdb.TransactionException:  # a writer is open: try again later
                    continue
                except duckdb.Error as exc:  # left to the checkpoint at close
                    log.warning("no checkpoint during the build: %s", one_line(str(exc)))
                    return
                CHECKPOINTS.append((size, time.perf_counter() - start))
        finally:
            if cursor is not None:
                cursor.close()

    thread = threading.Thread(target=checkpoint, name="erpml-checkpoint", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        if CHECKPOINTS:
            log.info(
                "checkpointed the DuckDB log %d times during the build (%.0f MB, %.1f s)",
                len(CHECKPOINTS),
                sum(b for b, _ in CHECKPOINTS) / 2**20,
                sum(s for _, s in CHECKPOINTS),
            )


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
