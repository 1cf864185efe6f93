"""The pulls that bring a landed NetSuite table up to date (shared by Connect and REST).

- first load, ``--full-refresh`` or a table without cursor: every row (``all rows``); rows gone
  at the source are marked deleted;
- otherwise rows whose cursor is at or after the landed cursor maximum less
  ``lookback_minutes`` (merged by key), then tombstones: ``recordid`` of the ``deletedrecord``
  rows of the table's record types deleted since that same instant, matched on each column
  named in :data:`~connectors.netsuite.tables.DELETIONS`;
- with ``--reconcile``, also the table's keys, to mark rows deleted that no tombstone names.

Why the table's own cursor bounds the tombstones: a deletion not yet applied happened after the
previous run read the table, so after every ``lastmodifieddate`` that run landed; the look-back
covers rows read later in that run than its tombstones. No second watermark is needed, and the
landing's watermarks stay maxima of landed columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlglot import exp

from connectors.core.catalog import LandingColumn
from connectors.core.connector import TableState
from connectors.core.spec import ALL_ROWS, Pull, TableSpec
from connectors.core.sql import col, table
from connectors.errors import DataError
from connectors.netsuite import queries
from connectors.netsuite.codecs import parse_watermark, stamp_text
from connectors.netsuite.tables import DELETED_RECORD, DELETIONS


@dataclass(frozen=True)
class Planner:
    source: str
    dialect: str
    schema: str | None
    lookback: timedelta
    dates_as_text: bool = False
    """REST: select timestamps through ``TO_CHAR`` (SuiteQL drops the time otherwise)."""

    def plan(
        self, spec: TableSpec, columns: list[LandingColumn], state: TableState, *,
        full_refresh: bool, reconcile: bool,
    ) -> list[Pull]:  # fmt: skip
        source = table(spec.name, self.schema)
        cursor = spec.options.get("cursor")
        last = state.watermarks.get(cursor) if cursor else None
        if cursor is None or full_refresh or last is None:
            query = queries.rows(columns, source, dates_as_text=self.dates_as_text)
            return [Pull("upsert", query, scope=ALL_ROWS, label="all rows")]
        try:
            since = parse_watermark(last) - self.lookback
        except ValueError:
            raise DataError(
                f"{self.source}.{spec.name}: landed watermark {cursor} = {last!r} "
                "is not a timestamp"
            ) from None
        start = queries.timestamp(since, self.dialect)
        changed = queries.rows(
            columns, source, col(cursor) >= start, dates_as_text=self.dates_as_text
        )
        pulls = [Pull("upsert", changed, label=f"{cursor} >= {stamp_text(since)}")]
        pulls += self._tombstones(spec, start, since_text=stamp_text(since))
        if reconcile:
            names = [c.name for c in columns if c.name in spec.primary_key]
            keys = queries.keys(names, source)
            pulls.append(Pull("present_keys", keys, scope=ALL_ROWS, label="key reconciliation"))
        return pulls

    def _tombstones(self, spec: TableSpec, start: exp.Expr, since_text: str) -> list[Pull]:
        deletions = DELETIONS.get(spec.name)
        if deletions is None:
            return []
        deleted = table(DELETED_RECORD, self.schema)
        return [
            Pull(
                "deleted_keys",
                queries.tombstones(deletions, match, deleted, start.copy()),
                label=f"{DELETED_RECORD} since {since_text} on {match}",
                match=(match,),
            )
            for match in deletions.match
        ]
