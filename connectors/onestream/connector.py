"""The OneStream connector: the cube as whole (scenario, year) partitions, members as they are.

Two access paths, chosen by the source entry: ``exports`` (a folder of Data Management export
files, one per scenario and year) or ``connection`` (the application database's
``DataRecord<year>`` tables). Neither has a change marker, so every run re-reads each partition
(or those of the last ``reload_years`` years) and replaces it whole: rows the partition no
longer holds are marked deleted. A full refresh also marks deleted the partitions whose file or
table is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pyarrow as pa

from connectors.config import OneStreamSource
from connectors.core.catalog import LandingColumn
from connectors.core.connector import Connector, TableState
from connectors.core.feeds import ArrowFeed, CsvFeed
from connectors.core.sources import RowsHook
from connectors.core.spec import ALL_ROWS, Pull, TableSpec
from connectors.errors import ConfigError
from connectors.onestream.client import AppDatabase, Partition
from connectors.onestream.codecs import outside, partition_scope
from connectors.onestream.exports import ExportFolder
from connectors.onestream.tables import CUBE_COLUMNS, CUBE_DATA, database_tables, export_tables

log = logging.getLogger(__name__)
VANISHED = "partitions without a source"


class OneStreamConnector(Connector):
    def __init__(self, config: OneStreamSource) -> None:
        self.name = config.name
        self.config = config
        self.files: ExportFolder | None = None
        self.database: AppDatabase | None = None
        if config.exports is not None:
            self.files = ExportFolder(config.name, config)
            specs = export_tables()
        else:
            self.database = AppDatabase(config.name, config)
            specs = database_tables()
        self._tables = _selected(config.name, specs, config.tables)
        self._columns: dict[str, list[LandingColumn]] = {}

    @property
    def cube(self) -> ExportFolder | AppDatabase:
        """Where the cube comes from."""
        source = self.files or self.database
        assert source is not None
        return source

    def check(self) -> None:
        self.cube.check()

    def tables(self) -> Sequence[TableSpec]:
        return self._tables

    def landing_columns(self, spec: TableSpec) -> list[LandingColumn]:
        if spec.name == CUBE_DATA:
            return list(CUBE_COLUMNS)
        if spec.name not in self._columns:
            assert self.database is not None
            self._columns[spec.name] = self.database.landing_columns(spec)
        return self._columns[spec.name]

    def plan(
        self, spec: TableSpec, state: TableState, *, full_refresh: bool, reconcile: bool
    ) -> list[Pull]:
        if spec.name != CUBE_DATA:
            return [Pull("upsert", None, scope=ALL_ROWS, label="all rows")]
        parts = self.cube.partitions()
        first = self._first_year(state, full_refresh)
        pulls = [_pull(p) for p in parts if first is None or p.year >= first]
        if full_refresh:
            scopes = [partition_scope(p.year, p.scenario) for p in parts]
            gone = outside(scopes)
            pulls.append(Pull("upsert", None, gone, VANISHED, params={"vanished": "yes"}))
        return pulls

    def _first_year(self, state: TableState, full_refresh: bool) -> int | None:
        """The oldest year re-read this run (None: every year).

        With ``reload_years: N``, after the first load: the last N calendar years and any later
        one (next year's Budget), since the year of the newest landed cell may be a plan's.
        """
        if full_refresh or self.config.reload_years is None or state.first_load:
            return None
        return current_year() - self.config.reload_years + 1

    def feed(self, spec: TableSpec, pull: Pull, on_rows: RowsHook | None) -> ArrowFeed | CsvFeed:
        if spec.name != CUBE_DATA:
            assert self.database is not None
            return self.database.table_feed(spec, self.landing_columns(spec), on_rows)
        if pull.params.get("vanished"):
            return ArrowFeed(iter(()))  # no rows: the pull only marks its scope deleted
        part = Partition(
            pull.label, int(pull.params["year"]), pull.params.get("scenario"), pull.params
        )
        return ArrowFeed(self._cube_batches(part, on_rows))

    def _cube_batches(self, part: Partition, on_rows: RowsHook | None) -> Iterator[pa.RecordBatch]:
        if self.files is not None:
            return self.files.batches(part, on_rows)
        assert self.database is not None
        return self.database.cube_batches(part, on_rows)

    def warnings(self, spec: TableSpec) -> Sequence[str]:
        """Files in the export folder that are not read because their name is not an export's."""
        if self.files is None or spec.name != CUBE_DATA:
            return ()
        ignored = self.files.ignored()
        if not ignored:
            return ()
        message = (
            f"{self.name}.{CUBE_DATA}: {len(ignored)} file(s) in {self.files.folder} not named "
            f"like exports ({self.config.file_pattern}) are ignored: {', '.join(ignored[:5])}"
        )
        log.warning("%s", message)
        return (message,)


def current_year() -> int:
    """This year (UTC): the newest year ``reload_years`` counts back from."""
    return datetime.now(UTC).year


def _pull(part: Partition) -> Pull:
    params = {**part.params, "year": str(part.year)}
    if part.scenario is not None:
        params["scenario"] = part.scenario
    return Pull(
        "upsert",
        None,
        scope=partition_scope(part.year, part.scenario),
        label=part.label,
        params=params,
    )


def _selected(
    name: str, specs: Sequence[TableSpec], selection: Sequence[str] | None
) -> list[TableSpec]:
    if not selection:
        return list(specs)
    known = {s.name.upper(): s for s in specs}
    unknown = [t for t in selection if t.upper() not in known]
    if unknown:
        names = ", ".join(s.name for s in specs)
        raise ConfigError(f"source {name}: unknown table {unknown[0]!r}; known: {names}")
    return [known[t.upper()] for t in selection]
