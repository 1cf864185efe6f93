"""The interface every ERP connector implements, and the shared base for SQL sources."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from connectors.core.catalog import LandingColumn
from connectors.core.feeds import ArrowFeed, CsvFeed
from connectors.core.sources import RowsHook, SqlSource
from connectors.core.spec import Pull, TableSpec, Validation
from connectors.core.sql import table
from connectors.errors import ConfigError

if TYPE_CHECKING:  # ODBC (and pyarrow with it) is imported only for ODBC connections
    from connectors.core.odbc import OdbcSource


@dataclass(frozen=True)
class TableState:
    """What the landing knows of a table before this run."""

    watermarks: dict[str, Any] = field(default_factory=dict)
    last_reconciled_at: datetime | None = None

    @property
    def first_load(self) -> bool:
        return not self.watermarks


class Connector(ABC):
    """Extracts one configured source. Implementations live in ``connectors/<erp>/``."""

    name: str

    @abstractmethod
    def check(self) -> None:
        """Raise ``SourceError`` if the source cannot be reached."""

    @abstractmethod
    def tables(self) -> Sequence[TableSpec]:
        """The tables to extract (the configured selection, in dependency-free order)."""

    @abstractmethod
    def landing_columns(self, spec: TableSpec) -> list[LandingColumn]:
        """Source columns of ``spec`` with their exact landing types."""

    @abstractmethod
    def plan(
        self, spec: TableSpec, state: TableState, *, full_refresh: bool, reconcile: bool
    ) -> list[Pull]:
        """The pulls that bring the landed table up to date."""

    @abstractmethod
    def feed(self, spec: TableSpec, pull: Pull, on_rows: RowsHook | None) -> ArrowFeed | CsvFeed:
        """Rows of ``pull`` from the source."""

    def validations(self, spec: TableSpec) -> Sequence[Validation]:
        """Conditions the source rows must not meet (e.g. a cursor value that is not a date)."""
        return ()

    def warnings(self, spec: TableSpec) -> Sequence[str]:
        """Things the user should know about this table's extraction (not failures)."""
        return ()


class SqlConnector(Connector):
    """Base for connectors that read a relational source through SQLAlchemy."""

    def __init__(
        self,
        name: str,
        source: SqlSource | OdbcSource,
        specs: Sequence[TableSpec],
        selection: Sequence[str] | None,
    ) -> None:
        self.name = name
        self.source = source
        known = {s.name.upper(): s for s in specs}
        if selection:
            unknown = [t for t in selection if t.upper() not in known]
            if unknown:
                raise ConfigError(
                    f"source {name}: unknown table {unknown[0]!r}; "
                    f"known: {', '.join(s.name for s in specs)}"
                )
            self._tables = [known[t.upper()] for t in selection]
        else:
            self._tables = list(specs)
        self._columns: dict[str, list[LandingColumn]] = {}

    @property
    def dialect(self) -> str:
        return self.source.dialect

    def check(self) -> None:
        self.source.check()

    def tables(self) -> Sequence[TableSpec]:
        return self._tables

    def schema_of(self, spec: TableSpec) -> str | None:
        """Where ``spec`` lives at the source (the ERP's schema setting)."""
        return spec.schema

    def source_table(self, spec: TableSpec) -> exp.Table:
        """The source table as a qualified, quoted sqlglot table."""
        return table(spec.name, self.schema_of(spec))

    def landing_columns(self, spec: TableSpec) -> list[LandingColumn]:
        if spec.name not in self._columns:
            self._columns[spec.name] = self.source.landing_columns(spec, self.schema_of(spec))
        return self._columns[spec.name]

    def column_names(self, spec: TableSpec) -> list[str]:
        return [c.name for c in self.landing_columns(spec)]

    def key_names(self, spec: TableSpec, match: Sequence[str] = ()) -> list[str]:
        """Key columns (``match`` or the primary key) in landing order, as key pulls select them."""
        keys = match or spec.primary_key
        return [n for n in self.column_names(spec) if n in keys]

    def feed(self, spec: TableSpec, pull: Pull, on_rows: RowsHook | None) -> ArrowFeed | CsvFeed:
        cols = self.landing_columns(spec)
        if pull.mode != "upsert":
            cols = [c for c in cols if c.name in (pull.match or spec.primary_key)]
        assert pull.query is not None, "SQL connectors always pull with a query"
        return self.source.feed(pull.query, cols, on_rows)
