"""The JD Edwards connector: audit-stamp increments with look-back, key reconciliation for deletes.

JDE sets ``xxUPMJ``/``xxUPMT`` (``xxTDAY`` on sales and item tables) when the application
changes a row; deletes are physical. Each run pulls rows stamped on or after the last landed
stamp date minus ``lookback_days`` (rows are merged by key, so overlap is harmless), and every
``reconcile_every_days`` it reads the table's primary keys to mark rows deleted at the source.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlglot import exp

from connectors.config import JdeSource
from connectors.core.client import open_source
from connectors.core.connector import SqlConnector, TableState
from connectors.core.spec import ALL_ROWS, Pull, TableSpec, Validation
from connectors.core.sql import col, select
from connectors.errors import DataError
from connectors.jde import client
from connectors.jde.codecs import date_to_julian, julian_to_date, not_a_julian
from connectors.jde.tables import TABLES


class JdeConnector(SqlConnector):
    def __init__(self, config: JdeSource) -> None:
        super().__init__(
            config.name, open_source(config.name, config.connection), TABLES, config.tables
        )
        self.config = config

    def schema_of(self, spec: TableSpec) -> str | None:
        return client.schema_for(self.config, spec)

    def source_table(self, spec: TableSpec) -> exp.Table:
        return client.qualified(self.config, spec)

    def validations(self, spec: TableSpec) -> Sequence[Validation]:
        if spec.cursor != "audit":
            return ()
        date_col = spec.options["date"]
        return (Validation(date_col, not_a_julian(date_col), "is not a JDE Julian date (CYYDDD)"),)

    def plan(
        self, spec: TableSpec, state: TableState, *, full_refresh: bool, reconcile: bool
    ) -> list[Pull]:
        columns, source = self.column_names(spec), self.source_table(spec)
        everything = Pull("upsert", select(columns, source), scope=ALL_ROWS, label="all rows")
        if spec.cursor == "full" or full_refresh or state.first_load:
            return [everything]
        date_col = spec.options["date"]
        start = self.window_start(spec, state.watermarks.get(date_col))
        if start is None:
            return [everything]
        pulls = [
            Pull(
                "upsert",
                select(columns, source, where=col(date_col) >= start),
                label=f"{date_col} >= {start}",
            )
        ]
        if reconcile or self._reconcile_due(state):
            keys = select(self.key_names(spec), source)
            pulls.append(Pull("present_keys", keys, scope=ALL_ROWS, label="key reconciliation"))
        return pulls

    def window_start(self, spec: TableSpec, last: object) -> int | None:
        """The first Julian stamp date to pull again: last landed stamp minus the look-back."""
        if last is None or last == 0:
            return None
        value = int(Decimal(str(last)))
        try:
            last_day = julian_to_date(value)
        except ValueError as exc:
            raise DataError(f"{self.name}.{spec.name}: landed watermark {exc}") from None
        assert last_day is not None
        return date_to_julian(last_day - timedelta(days=self.config.lookback_days))

    def _reconcile_due(self, state: TableState) -> bool:
        if state.last_reconciled_at is None:
            return True
        age = datetime.now(UTC) - state.last_reconciled_at
        return age >= timedelta(days=self.config.reconcile_every_days)
