"""Data Management export files: one delimited file per (scenario, year), read as Arrow batches.

A file's name gives its partition (``file_pattern``, default ``<Scenario>_<Year>.csv``); its
header is matched through ``column_map`` (header -> dimension). Files are streamed with
pyarrow's CSV reader in blocks, so memory stays bounded whatever the file size; amounts are read
as text and converted to ``decimal128(38,9)`` exactly (never through a float).
"""

from __future__ import annotations

import csv
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.config import OneStreamSource
from connectors.core.sources import RowsHook
from connectors.errors import DataError, SourceError
from connectors.onestream.client import Partition
from connectors.onestream.codecs import InexactAmountError, exact_amounts, first_index
from connectors.onestream.tables import (
    AMOUNT,
    AMOUNT_COLUMN,
    AMOUNT_TYPE,
    CONFORMED,
    CUBE_COLUMNS,
    CUBE_DATA,
    SOURCE_COLUMN,
)

log = logging.getLogger(__name__)
BLOCK_BYTES = 4 << 20
HEADER_BYTES = 1 << 16


class ExportFolder:
    """The export files of one source folder."""

    def __init__(self, name: str, config: OneStreamSource) -> None:
        assert config.exports is not None
        self.name = name
        self.folder = Path(config.exports)
        self.pattern = re.compile(config.file_pattern)
        self.delimiter = config.delimiter
        canonical = {n.lower(): n for n in (*CONFORMED, AMOUNT)}
        self.headers = {canonical[t.lower()]: h for h, t in config.column_map.items()}
        """Dimension (or ``Amount``) -> header text in the file."""

    def _where(self, file: str | None = None) -> str:
        return f"{self.name}.{CUBE_DATA}" + (f": export file {file}" if file else "")

    def check(self) -> None:
        """Fail with a one-line ``SourceError`` unless the folder can be listed."""
        self._names()

    def _names(self) -> list[str]:
        try:
            return sorted(os.listdir(self.folder))
        except OSError as exc:
            raise SourceError(
                f"source {self.name}: cannot read export folder {self.folder}: {exc.strerror}"
            ) from None

    def partitions(self) -> list[Partition]:
        """One partition per export file, by year then scenario."""
        found = []
        for name in self._names():
            match = self.pattern.match(name)
            if match and (self.folder / name).is_file():
                scenario, year = match.group("scenario"), int(match.group("year"))
                found.append(Partition(name, year, scenario, {"file": name}))
        if not found:
            raise SourceError(
                f"{self._where()}: no export files matching {self.pattern.pattern!r} in "
                f"{self.folder}"
            )
        return sorted(found, key=lambda p: (p.year, p.scenario or "", p.label))

    def ignored(self) -> list[str]:
        """Files in the folder whose names are not export file names."""
        return [n for n in self._names() if not self.pattern.match(n)]

    def batches(self, part: Partition, on_rows: RowsHook | None) -> Iterator[pa.RecordBatch]:
        """``cube_data`` batches of one file; a bad file raises ``DataError`` naming it."""
        name = part.params["file"]
        path = self.folder / name
        include = self._include(path, name)
        options = pacsv.ConvertOptions(
            include_columns=include,
            column_types={h: pa.string() for h in include},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        try:
            reader = pacsv.open_csv(
                path,
                read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES),
                parse_options=pacsv.ParseOptions(delimiter=self.delimiter),
                convert_options=options,
            )
            done = 0
            for raw in reader:
                batch = self._cells(raw, part, done)
                done += raw.num_rows
                if on_rows is not None:
                    on_rows(raw.num_rows)
                yield batch
        except OSError as exc:
            raise SourceError(f"{self._where(name)}: cannot read: {exc.strerror or exc}") from None
        except pa.ArrowException as exc:
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(f"{self._where(name)}: not a readable CSV export: {text}") from None

    def _include(self, path: Path, name: str) -> list[str]:
        """The headers to read, in ``cube_data`` order; fails on a missing one."""
        header = self._header(path, name)
        for dim, text in self.headers.items():
            if text not in header:
                raise DataError(
                    f"{self._where(name)}: missing column {text!r} ({dim}); the header has "
                    f"{len(header)} columns"
                )
        return list(self.headers.values())

    def _header(self, path: Path, name: str) -> list[str]:
        try:
            with path.open("rb") as fh:
                first = fh.readline(HEADER_BYTES)
        except OSError as exc:
            raise SourceError(f"{self._where(name)}: cannot read: {exc.strerror}") from None
        try:
            text = first.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError(f"{self._where(name)}: not a UTF-8 text CSV export") from None
        rows = list(csv.reader([text.rstrip("\r\n")], delimiter=self.delimiter))
        return rows[0] if rows else []

    def _cells(self, raw: pa.RecordBatch, part: Partition, done: int) -> pa.RecordBatch:
        name = part.params["file"]
        by_dim = {dim: raw.column(header) for dim, header in self.headers.items()}
        self._check_partition(by_dim, part, done)
        try:
            amounts = exact_amounts(by_dim[AMOUNT])
        except InexactAmountError as exc:
            row = done + 1 + first_index(pc.equal(by_dim[AMOUNT], str(exc.value)))
            raise DataError(
                f"{self._where(name)}: data row {row}: {self.headers[AMOUNT]} {exc} is not a "
                f"number {AMOUNT_TYPE} holds exactly"
            ) from None
        arrays = []
        for c in CUBE_COLUMNS:
            if c.name == AMOUNT_COLUMN:
                arrays.append(amounts)
            elif c.name == SOURCE_COLUMN:
                arrays.append(pa.repeat(pa.scalar(name, pa.string()), raw.num_rows))
            else:
                arrays.append(by_dim[_dimension(c.name)])
        return pa.record_batch(arrays, names=[c.name for c in CUBE_COLUMNS])

    def _check_partition(self, by_dim: dict[str, pa.Array], part: Partition, done: int) -> None:
        """Every row of a file must belong to the file's (scenario, year) partition."""
        checks = (
            ("Scenario", pc.not_equal(by_dim["Scenario"], part.scenario), part.scenario),
            ("Time", pc.invert(pc.starts_with(by_dim["Time"], str(part.year))), str(part.year)),
        )
        for dim, wrong, want in checks:
            i = first_index(wrong)
            if i >= 0:
                raise DataError(
                    f"{self._where(part.params['file'])}: data row {done + i + 1}: {dim} "
                    f"{by_dim[dim][i].as_py()!r} is outside the file's partition ({want})"
                )


def _dimension(column: str) -> str:
    return next(d for d, c in CONFORMED.items() if c == column)
