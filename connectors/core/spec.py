"""What a connector knows about each source table: keys, cursors and how to pull it.

A ``TableSpec`` is declared per ERP in ``connectors/<erp>/tables.py``; a connector turns it and
the table's landed state into ``Pull`` steps that the runner executes in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlglot import exp

PullMode = Literal["upsert", "present_keys", "deleted_keys"]


@dataclass(frozen=True)
class TableSpec:
    """A source table as a connector extracts it.

    ``cursor`` names the kind of incremental strategy; its parameters live in the ERP's
    connector (JDE audit stamps, Vista KeyID and months, NetSuite last-modified, ...).
    ``watermarks`` are the landed columns whose maxima are kept after each run.
    """

    name: str
    primary_key: tuple[str, ...]
    cursor: str = "full"
    watermarks: tuple[str, ...] = ()
    schema: str | None = None
    numeric_scale: int = 10
    """Scale used to land unconstrained source numerics (JDE: 0, implied decimals)."""
    options: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Pull:
    """One step of a table's extraction.

    - ``upsert``: rows selected by ``query`` replace landed rows with the same key; landed rows
      matching ``scope`` (a predicate on the landing table) that the pull did not return are
      marked deleted. ``scope=None`` means the pull is partial: nothing is inferred deleted.
    - ``present_keys``: ``query`` returns the keys that exist; landed rows in ``scope`` whose key
      is absent are marked deleted (primary-key reconciliation).
    - ``deleted_keys``: ``query`` returns keys the source says were deleted (tombstones).
    """

    mode: PullMode
    query: exp.Select | None
    """The SQL (or SuiteQL) that returns the rows; ``None`` for non-SQL sources (files)."""
    scope: exp.Expr | None = None
    label: str = ""
    match: tuple[str, ...] = ()
    """Columns the pulled keys are matched on (default: the primary key). A ``deleted_keys``
    pull may match on fewer, e.g. NetSuite lines of a deleted ``transaction``."""
    params: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Source-specific details for non-SQL connectors (a file path, a partition)."""


ALL_ROWS: exp.Expr = exp.true()
"""Scope covering every landed row (a complete pull)."""


@dataclass(frozen=True)
class Validation:
    """A condition source rows must never meet, checked before anything commits.

    ``bad`` is a sqlglot condition over the table's columns (e.g. a JDE cursor value that is not
    a Julian date); the first offending value is named in the error.
    """

    column: str
    bad: exp.Expr
    message: str
