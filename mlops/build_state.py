"""What the warehouse remembers of its builds, and what ``erpml build --changed`` must redo.

Every extraction run logs its landing batch in ``_erpml.extract_runs`` (connectors). A complete
build that succeeds (``erpml build`` with no ``--select``, or ``--changed``) adds a row to
``_erpml.builds`` (when, how, the checksum of the dbt project) and the batches it consumed to
``_erpml.build_batches``. A changed build then redoes what the batches extracted since, and
not yet consumed, can change: the landing tables they touched (rows landed new or different, or
flagged deleted; a batch that re-pulled only rows equal to the landed ones changed nothing).
A batch committed late, after a build started, is still pending at the next build, since
batches are remembered one by one rather than as a high-water mark.

A changed build falls back to a full one when no complete build is recorded, or when the dbt
project (models, macros, tests, seeds, vars) differs from the one the last build ran.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlops.warehouse import Warehouse

PROJECT_PARTS = ("models", "macros", "tests", "seeds", "dbt_project.yml")
CREATE = (
    "create schema if not exists _erpml",
    "create table if not exists _erpml.builds (build_id varchar(32), finished_at timestamptz,"
    " mode varchar(16), project_checksum varchar(64))",
    "create table if not exists _erpml.build_batches (build_id varchar(32), batch_id bigint)",
)


@dataclass(frozen=True)
class ChangePlan:
    """The landing batches a changed build consumes and the tables they touched.

    ``full_reason`` set: build everything (and why). Otherwise ``tables`` (source, table) with
    new batches, ``batches`` their ids; both empty when nothing was extracted since.
    """

    checksum: str
    full_reason: str | None = None
    tables: tuple[tuple[str, str], ...] = ()
    batches: tuple[int, ...] = ()

    @property
    def from_batch(self) -> int | None:
        """The lowest new batch: rows of this batch or later are the new rows."""
        return min(self.batches) if self.batches else None


def project_checksum(dbt_project: Path) -> str:
    """sha256 over the dbt project's definitions (file paths and contents), not its outputs."""
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        root = dbt_project / part
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and not path.name.startswith("."):
                digest.update(str(path.relative_to(dbt_project)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def plan_changes(wh: Warehouse, checksum: str) -> ChangePlan:
    """What a changed build must consume, read from the warehouse's logs."""
    if not _has_table(wh, "builds"):
        return ChangePlan(checksum, full_reason="no complete build recorded in the warehouse")
    last = wh.rows("select project_checksum from _erpml.builds order by finished_at desc limit 1")
    if not last:
        return ChangePlan(checksum, full_reason="no complete build recorded in the warehouse")
    if last[0][0] != checksum:
        return ChangePlan(checksum, full_reason="the dbt project changed since the last build")
    pending = _pending(wh)
    tables = tuple(sorted({(str(s), str(t)) for _, s, t in pending}))
    return ChangePlan(checksum, tables=tables, batches=tuple(int(b) for b, _, _ in pending))


def pending_batches(wh: Warehouse) -> tuple[int, ...]:
    """Every extraction batch with rows not yet consumed by a build (a full build takes all)."""
    return tuple(int(b) for b, _, _ in _pending(wh))


def _pending(wh: Warehouse) -> list[tuple[Any, ...]]:
    """(batch, source, table) of the successful runs that changed rows, not yet consumed."""
    if not _has_table(wh, "extract_runs"):
        return []
    consumed = (
        " and not exists (select 1 from _erpml.build_batches as b where b.batch_id = r.batch_id)"
        if _has_table(wh, "build_batches")
        else ""
    )
    return wh.rows(
        "select r.batch_id, r.source, r.table_name from _erpml.extract_runs as r"
        f" where r.status = 'ok' and {_changed_something(wh)}{consumed} order by r.batch_id"
    )


def record_build(wh: Warehouse, mode: str, checksum: str, batches: tuple[int, ...]) -> str:
    """Remember a complete, successful build and the batches it consumed; returns its id."""
    build_id = uuid.uuid4().hex
    for statement in CREATE:
        wh.execute(statement)
    marker = _marker(wh)
    wh.execute(
        f"insert into _erpml.builds values ({marker}, {marker}, {marker}, {marker})",
        (build_id, datetime.now(UTC), mode, checksum),
    )
    for batch in batches:
        wh.execute(
            f"insert into _erpml.build_batches values ({marker}, {marker})", (build_id, batch)
        )
    wh.commit()
    return build_id


def _marker(wh: Warehouse) -> str:
    return "?" if wh.dialect == "duckdb" else "%s"


def _changed_something(wh: Warehouse) -> str:
    """Condition on a run ``r``: its batch landed new or different rows, or flagged deletes.

    ``changed`` counts those rows; runs logged before it existed (NULL, or no such column)
    count every landed row as changed, as their landing rewrote them all.
    """
    marker = _marker(wh)
    has_changed = wh.rows(
        "select 1 from information_schema.columns where table_schema = '_erpml'"
        f" and table_name = 'extract_runs' and column_name = {marker}",
        ("changed",),
    )
    landed = "coalesce(r.changed, r.rows)" if has_changed else "r.rows"
    return f"({landed} > 0 or r.deleted > 0)"


def _has_table(wh: Warehouse, name: str) -> bool:
    marker = _marker(wh)
    rows = wh.rows(
        "select 1 from information_schema.tables"
        f" where table_schema = '_erpml' and table_name = {marker}",
        (name,),
    )
    return bool(rows)
