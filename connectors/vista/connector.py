"""The Vista connector: KeyID high-water marks, open-month re-pulls, roll-up partitions.

Vista has no row-version column. New rows are found by ``KeyID``; rows of months still open
for posting can change or disappear, so the last ``open_months`` batch months are re-pulled
whole (deletes there are marked); tables without ``KeyID`` and the trigger-maintained roll-ups
are replaced by whole months.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlglot import exp

from connectors.config import VistaSource
from connectors.core.client import open_source
from connectors.core.connector import SqlConnector, TableState
from connectors.core.spec import ALL_ROWS, Pull, TableSpec
from connectors.core.sql import col, select
from connectors.vista import client
from connectors.vista.codecs import month_start, months_back
from connectors.vista.tables import TABLES

log = logging.getLogger(__name__)


class VistaConnector(SqlConnector):
    def __init__(self, config: VistaSource) -> None:
        super().__init__(
            config.name, open_source(config.name, config.connection), TABLES, config.tables
        )
        self.config = config

    def schema_of(self, spec: TableSpec) -> str | None:
        return self.config.schema_

    def source_table(self, spec: TableSpec) -> exp.Table:
        return client.qualified(self.config, spec)

    def plan(
        self, spec: TableSpec, state: TableState, *, full_refresh: bool, reconcile: bool
    ) -> list[Pull]:
        columns, source = self.column_names(spec), self.source_table(spec)
        if spec.cursor == "full" or full_refresh or state.first_load:
            return [Pull("upsert", select(columns, source), scope=ALL_ROWS, label="all rows")]
        window = spec.options["window"]
        last = state.watermarks.get(window)
        if last is None:
            return [Pull("upsert", select(columns, source), scope=ALL_ROWS, label="all rows")]
        start = months_back(month_start(last), self.config.open_months - 1)
        in_window = col(window) >= self._date(start)
        landed_window = col(window) >= exp.cast(exp.Literal.string(start.isoformat()), "TIMESTAMP")
        label = f"{window} >= {start.isoformat()}"
        pulls = []
        if spec.cursor == "keyid" and state.watermarks.get("KeyID") is not None:
            key_id = int(state.watermarks["KeyID"])
            pulls.append(
                Pull(
                    "upsert",
                    select(columns, source, where=col("KeyID") > key_id),
                    label=f"KeyID > {key_id}",
                )
            )
        pulls.append(
            Pull(
                "upsert", select(columns, source, where=in_window), scope=landed_window, label=label
            )
        )
        touched = self._touched(spec, start)
        if touched is not None:
            where, why = touched
            pulls.append(Pull("upsert", select(columns, source, where=where), label=why))
        return pulls

    def _touched(self, spec: TableSpec, start: date) -> tuple[exp.Expr, str] | None:
        """Rows of closed months that later activity updates in place (Vista has no row stamps).

        Receipts posted this month change the ``Paid``/``AmountDue`` of invoices of any earlier
        month (``bARTH``), payments set ``PaidMth`` and the status of old AP detail (``bAPTD``)
        and the ``OpenYN`` of its header (``bAPTH``): re-pull exactly those rows.
        """
        outer = self.source_table(spec).name  # the view's name when reading views
        since = self._date(start)
        if spec.name == "bARTH":
            lines = self._spec("bARTL")
            match = exp.and_(
                exp.EQ(this=col("ARCo", "l"), expression=col("ARCo", outer)),
                exp.EQ(this=col("ApplyMth", "l"), expression=col("Mth", outer)),
                exp.EQ(this=col("ApplyTrans", "l"), expression=col("ARTrans", outer)),
                col("Mth", "l") >= since,
            )
            sub = exp.select("1").from_(self.source_table(lines).as_("l", quoted=True)).where(match)
            return exp.Exists(this=sub), f"applied to by bARTL lines of Mth >= {start}"
        if spec.name == "bAPTD":
            return col("PaidMth") >= since, f"PaidMth >= {start}"
        if spec.name == "bAPTH":
            detail = self._spec("bAPTD")
            match = exp.and_(
                exp.EQ(this=col("APCo", "d"), expression=col("APCo", outer)),
                exp.EQ(this=col("Mth", "d"), expression=col("Mth", outer)),
                exp.EQ(this=col("APTrans", "d"), expression=col("APTrans", outer)),
                col("PaidMth", "d") >= since,
            )
            sub = (
                exp.select("1").from_(self.source_table(detail).as_("d", quoted=True)).where(match)
            )
            return exp.Exists(this=sub), f"paid by bAPTD of PaidMth >= {start}"
        return None

    @staticmethod
    def _spec(name: str) -> TableSpec:
        return next(t for t in TABLES if t.name == name)

    def _date(self, day: date) -> exp.Expr:
        if self.dialect == "oracle":
            return exp.Anonymous(
                this="TO_DATE",
                expressions=[exp.Literal.string(day.isoformat()), exp.Literal.string("YYYY-MM-DD")],
            )
        return exp.Literal.string(day.isoformat())

    def warnings(self, spec: TableSpec) -> Sequence[str]:
        """Reading views: say when Vista's data security hides rows the base table holds."""
        if self.config.read != "views" or self.source.__class__.__name__ != "SqlSource":
            return ()
        engine: sa.Engine = self.source.engine  # type: ignore[union-attr]
        counts = []
        for base in (False, True):
            query = exp.select(exp.Count(this=exp.Star())).from_(
                client.qualified(self.config, spec, base=base)
            )
            try:
                with engine.connect() as conn:
                    counts.append(int(conn.exec_driver_sql(query.sql(self.dialect)).scalar_one()))
            except sa.exc.SQLAlchemyError:
                return ()  # the login cannot read the base table: nothing to compare
        view_rows, base_rows = counts
        if view_rows < base_rows:
            message = (
                f"{self.name}.{spec.name}: view {client.object_name(self.config, spec)} shows "
                f"{view_rows} of {base_rows} rows (Vista data security); read base tables "
                "with a login that sees all rows"
            )
            log.warning("%s", message)
            return (message,)
        return ()
