"""The NetSuite connectors: SuiteAnalytics Connect (SQL) and SuiteQL over REST.

Both plan the same pulls (:mod:`connectors.netsuite.planner`): last-modified increments with a
look-back, tombstones from ``deletedrecord``, full refreshes of tables without a cursor.

- :class:`NetSuiteConnector` reads through Connect's ODBC driver (or any SQLAlchemy URL, for
  tests) with the shared :class:`~connectors.core.connector.SqlConnector` machinery: catalog
  types, schema drift, Arrow/COPY feeds.
- :class:`SuiteQLConnector` reads SuiteQL pages over HTTPS; REST has no catalog, so columns and
  types are the declared ones (:mod:`connectors.netsuite.columns`).

:func:`netsuite_connector` picks one from the configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlglot import exp

from connectors.config import NetSuiteSource
from connectors.core.catalog import LandingColumn
from connectors.core.client import open_source
from connectors.core.connector import Connector, SqlConnector, TableState
from connectors.core.feeds import ArrowFeed
from connectors.core.sources import RowsHook
from connectors.core.spec import Pull, TableSpec
from connectors.core.sql import table
from connectors.errors import ConfigError
from connectors.netsuite import queries
from connectors.netsuite.client import SuiteQLClient
from connectors.netsuite.columns import declared_columns
from connectors.netsuite.planner import Planner
from connectors.netsuite.rest import SuiteQLSource
from connectors.netsuite.tables import TABLES


def netsuite_connector(config: NetSuiteSource) -> Connector:
    """The Connect connector for a ``connection``, the SuiteQL one for ``rest``."""
    if config.rest is not None:
        return SuiteQLConnector(config)
    return NetSuiteConnector(config)


class NetSuiteConnector(SqlConnector):
    """SuiteAnalytics Connect (``NetSuite2.com`` over ODBC), or any SQL copy of it."""

    def __init__(self, config: NetSuiteSource) -> None:
        if config.connection is None:
            raise ConfigError(f"source {config.name}: SuiteAnalytics Connect needs a connection")
        source = open_source(config.name, config.connection)
        super().__init__(config.name, source, TABLES, config.tables)
        self.config = config
        self.planner = Planner(
            config.name, source.dialect, config.schema_, timedelta(minutes=config.lookback_minutes)
        )

    def schema_of(self, spec: TableSpec) -> str | None:
        return self.config.schema_

    def plan(
        self, spec: TableSpec, state: TableState, *, full_refresh: bool, reconcile: bool
    ) -> list[Pull]:
        return self.planner.plan(
            spec, self.landing_columns(spec), state, full_refresh=full_refresh, reconcile=reconcile
        )


class SuiteQLConnector(Connector):
    """SuiteQL over REST, paged by key (:mod:`connectors.netsuite.rest`).

    SuiteQL names tables without a schema, so the source's ``schema`` (a Connect setting) is
    not used here.
    """

    def __init__(self, config: NetSuiteSource) -> None:
        if config.rest is None:
            raise ConfigError(f"source {config.name}: SuiteQL needs rest settings")
        self.name = config.name
        self.config = config
        self._tables = select_tables(config.name, TABLES, config.tables)
        client = SuiteQLClient(config.name, config.rest, config.rest.token())
        self.source = SuiteQLSource(client, config.rest.page_size)
        self.planner = Planner(
            config.name, queries.SUITEQL, None,
            timedelta(minutes=config.lookback_minutes), dates_as_text=True,
        )  # fmt: skip

    def check(self) -> None:
        """One one-row page of the first table: a refused token or a dead host fails here."""
        if not self._tables:
            return
        spec = self._tables[0]
        key = [c for c in self.landing_columns(spec) if c.name in spec.primary_key]
        self.source.check(queries.keys([c.name for c in key], self._table(spec)), spec.name)

    def tables(self) -> Sequence[TableSpec]:
        return self._tables

    def landing_columns(self, spec: TableSpec) -> list[LandingColumn]:
        return declared_columns(self.name, spec.name)

    def plan(
        self, spec: TableSpec, state: TableState, *, full_refresh: bool, reconcile: bool
    ) -> list[Pull]:
        return self.planner.plan(
            spec, self.landing_columns(spec), state, full_refresh=full_refresh, reconcile=reconcile
        )

    def feed(self, spec: TableSpec, pull: Pull, on_rows: RowsHook | None) -> ArrowFeed:
        assert pull.query is not None, "SuiteQL pulls always have a query"
        key = pull.match or spec.primary_key
        columns = self.landing_columns(spec)
        if pull.mode != "upsert":
            columns = [c for c in columns if c.name in key]
        return ArrowFeed(self.source.batches(pull.query, key, columns, spec.name, on_rows))

    def _table(self, spec: TableSpec) -> exp.Table:
        return table(spec.name)


def select_tables(
    source: str, specs: Sequence[TableSpec], selection: Sequence[str] | None
) -> list[TableSpec]:
    """The configured selection of ``specs`` (all when none), unknown names refused."""
    known = {s.name.upper(): s for s in specs}
    if not selection:
        return list(specs)
    unknown = [t for t in selection if t.upper() not in known]
    if unknown:
        names = ", ".join(s.name for s in specs)
        raise ConfigError(f"source {source}: unknown table {unknown[0]!r}; known: {names}")
    return [known[t.upper()] for t in selection]
