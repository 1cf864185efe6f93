"""Run extractions: every selected table of every selected source, each in its own transaction.

A table that fails (unreachable source, bad value, duplicate key, schema drift) is rolled back
and recorded in the run log; the other tables go on, and the run reports the failure.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa

from connectors.config import PostgresWarehouse, Sources
from connectors.core.connector import Connector, TableState
from connectors.core.landing import Landing
from connectors.core.spec import ALL_ROWS
from connectors.errors import ConfigError, ConnectorError
from connectors.registry import CONNECTORS

log = logging.getLogger(__name__)


@dataclass
class TableOutcome:
    source: str
    table: str
    status: str = "ok"
    rows: int = 0
    """Rows the source sent (pulled), changed or not."""
    deleted: int = 0
    seconds: float = 0.0
    pulls: list[str] = field(default_factory=list)
    added_columns: tuple[str, ...] = ()
    watermarks: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    changed: int = 0
    """Of ``rows``, those landed new or different (the others kept their landed batch)."""


class Progress(Protocol):
    def start(self, source: str, table: str) -> None: ...
    def rows(self, n: int) -> None: ...
    def finish(self, outcome: TableOutcome) -> None: ...


def extract(
    config: Sources,
    *,
    source: str | None = None,
    tables: Sequence[str] = (),
    full_refresh: bool = False,
    reconcile: bool = False,
    progress: Progress | None = None,
) -> list[TableOutcome]:
    """Extract into the configured warehouse; returns one outcome per table."""
    selected = [config.source(source)] if source else list(config.sources)
    if not selected:
        raise ConfigError("the project declares no sources")
    landing = open_landing(config)
    run_id = uuid.uuid4().hex[:12]
    outcomes: list[TableOutcome] = []
    try:
        for src in selected:
            connector = CONNECTORS[src.kind](src)
            wanted = _select(connector, tables)
            if not wanted:
                continue
            connector.check()
            for spec_name in wanted:
                outcomes.append(
                    _one(
                        landing,
                        connector,
                        spec_name,
                        run_id=run_id,
                        full_refresh=full_refresh,
                        reconcile=reconcile,
                        progress=progress,
                    )
                )
    finally:
        landing.close()
    return outcomes


def open_landing(config: Sources) -> Landing:
    """The configured warehouse, opened for writing (DuckDB: one writing process per file)."""
    wh = config.warehouse
    if isinstance(wh, PostgresWarehouse):
        from connectors.core.landing_postgres import PostgresLanding  # psycopg: only for PG

        url = sa.make_url(wh.url)
        password = wh.password()
        if password is not None:
            url = url.set(password=password.get_secret_value())
        return PostgresLanding(url.render_as_string(hide_password=False))
    from connectors.core.landing_duckdb import DuckDBLanding

    wh.path.parent.mkdir(parents=True, exist_ok=True)
    return DuckDBLanding(str(wh.path), wh.memory_limit)


def _select(connector: Connector, tables: Sequence[str]) -> list[str]:
    names = [s.name for s in connector.tables()]
    if not tables:
        return names
    wanted = {t.upper() for t in tables}
    return [n for n in names if n.upper() in wanted]


def _one(
    landing: Landing,
    connector: Connector,
    name: str,
    *,
    run_id: str,
    full_refresh: bool,
    reconcile: bool,
    progress: Progress | None,
) -> TableOutcome:
    spec = next(s for s in connector.tables() if s.name == name)
    outcome = TableOutcome(connector.name, name)
    if progress is not None:
        progress.start(connector.name, name)
    started = time.perf_counter()
    try:
        watermarks, reconciled_at = landing.state(connector.name, name)
        state = TableState(watermarks, reconciled_at)
        columns = connector.landing_columns(spec)
        outcome.warnings = list(connector.warnings(spec))
        pulls = connector.plan(spec, state, full_refresh=full_refresh, reconcile=reconcile)
        outcome.pulls = [p.label for p in pulls]
        hook = progress.rows if progress is not None else None
        feeds = [(p, _feed(connector, spec, p, hook)) for p in pulls]
        complete = any(p.scope is not None and p.scope == ALL_ROWS for p in pulls)
        result = landing.land(
            connector.name,
            spec,
            columns,
            feeds,
            run_id=run_id,
            reconciled=complete,
            validations=connector.validations(spec),
        )
        outcome.rows, outcome.deleted = result.rows, result.deleted
        outcome.changed = result.changed
        outcome.added_columns, outcome.watermarks = result.added_columns, result.watermarks or {}
    except ConnectorError as exc:
        outcome.status, outcome.error = "failed", str(exc)
        log.info("table failed: %s", exc)
    outcome.seconds = round(time.perf_counter() - started, 3)
    if progress is not None:
        progress.finish(outcome)
    return outcome


def _feed(connector: Connector, spec: Any, pull: Any, hook: Any) -> Any:
    return lambda: connector.feed(spec, pull, hook)
