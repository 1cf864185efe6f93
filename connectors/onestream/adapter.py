"""Version-aware access to the application database's cube tables (``DataRecord<year>``).

OneStream 9 changed the shape of the Stage tables, not of the cube: ``DataRecord<year>`` holds
one row per intersection with the member id of every dimension but Time and View, and twelve
``M<n>Value`` (YTD amount) / ``M<n>Status`` (cell status) pairs. erpml reads only these tables
and ``Member``, so ``v8`` and ``v9`` share one layout; a version that moves them gets its own
:class:`DataRecordLayout` in :data:`LAYOUTS`. Column names, the stored view (YTD) and status 0
meaning "no data" follow the fixture and are unconfirmed against a live install.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from connectors.core.sql import col, ident, table
from connectors.errors import DataError
from connectors.onestream.codecs import InexactAmountError, exact_amounts, first_index, time_member
from connectors.onestream.tables import (
    AMOUNT_COLUMN,
    AMOUNT_TYPE,
    CONFORMED,
    CUBE_COLUMNS,
    DIMENSIONS,
    SOURCE_COLUMN,
)

RECORD_ALIAS = "d"
MONTHS = range(1, 13)


@dataclass(frozen=True)
class DataRecordLayout:
    """Where the cube lives in one OneStream version's application database."""

    table_prefix: str = "DataRecord"
    member_table: str = "Member"
    member_id: str = "MemberId"
    member_name: str = "Name"
    stored_view: str = "YTD"
    no_data_status: int = 0
    unstored: tuple[str, ...] = ("Time", "View")
    """Dimensions without an id column: Time is the table's year and the month column."""

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Dimensions stored as member ids, in DataRecord column order."""
        return tuple(d for d in DIMENSIONS if d not in self.unstored)

    def id_column(self, dimension: str) -> str:
        """``EntityId``, ``ConsId``, ``ICId``, ``UD1Id``."""
        return f"{dimension}Id"

    def value_column(self, month: int) -> str:
        return f"M{month}Value"

    def status_column(self, month: int) -> str:
        return f"M{month}Status"

    def table_name(self, year: int) -> str:
        return f"{self.table_prefix}{year}"

    def years(self, table_names: Iterable[str]) -> list[int]:
        """Years of the ``DataRecord<year>`` tables among ``table_names``, ascending."""
        pattern = re.compile(rf"^{re.escape(self.table_prefix)}(\d{{4}})$", re.IGNORECASE)
        return sorted({int(m.group(1)) for n in table_names if (m := pattern.match(n))})

    def query(self, year: int, schema: str | None) -> exp.Select:
        """Every row of ``DataRecord<year>`` with member names joined from ``Member``.

        Left joins, so a member id missing from ``Member`` arrives as a NULL name and fails the
        table (:meth:`unpivot`) instead of silently dropping the row.
        """
        record = table(self.table_name(year), schema)
        record.set("alias", exp.TableAlias(this=ident(RECORD_ALIAS)))
        names, ids = [], []
        for dim in self.dimensions:
            alias = f"m_{CONFORMED[dim]}"
            names.append(exp.alias_(col(self.member_name, alias), CONFORMED[dim], quoted=True))
            ids.append(exp.alias_(col(self.id_column(dim), RECORD_ALIAS), _id(dim), quoted=True))
        cells = []
        for m in MONTHS:
            cells.append(
                exp.alias_(col(self.value_column(m), RECORD_ALIAS), _value(m), quoted=True)
            )
            cells.append(
                exp.alias_(col(self.status_column(m), RECORD_ALIAS), _status(m), quoted=True)
            )
        query = exp.select(*names, *ids, *cells).from_(record)
        for dim in self.dimensions:
            alias = f"m_{CONFORMED[dim]}"
            member = table(self.member_table, schema)
            member.set("alias", exp.TableAlias(this=ident(alias)))
            on = col(self.member_id, alias).eq(col(self.id_column(dim), RECORD_ALIAS))
            query = query.join(member, on=on, join_type="left", copy=False)
        return query

    def unpivot(self, batch: pa.RecordBatch, year: int, where: str) -> pa.RecordBatch | None:
        """Rows of :meth:`query` as ``cube_data`` cells: one per month whose status has data.

        ``where`` prefixes error messages (``os.cube_data: DataRecord2024``).
        """
        for dim in self.dimensions:
            missing = first_index(pc.is_null(batch.column(CONFORMED[dim])))
            if missing >= 0:
                member = batch.column(_id(dim))[missing].as_py()
                raise DataError(
                    f"{where}: {self.id_column(dim)} {member} has no row in {self.member_table}"
                )
        source = self.table_name(year)
        parts = []
        for m in MONTHS:
            mask = pc.fill_null(pc.not_equal(batch.column(_status(m)), self.no_data_status), False)
            n = int(pc.sum(mask).as_py() or 0)
            if n == 0:
                continue
            try:
                amounts = exact_amounts(pc.filter(batch.column(_value(m)), mask))
            except InexactAmountError as exc:
                raise DataError(
                    f"{where}: {self.value_column(m)} value {exc} cannot land exactly as "
                    f"{AMOUNT_TYPE}"
                ) from None
            fixed = {
                "time": time_member(year, m),
                "view": self.stored_view,
                SOURCE_COLUMN: source,
            }
            arrays = []
            for c in CUBE_COLUMNS:
                if c.name == AMOUNT_COLUMN:
                    arrays.append(amounts)
                elif c.name in fixed:
                    arrays.append(pa.repeat(pa.scalar(fixed[c.name], pa.string()), n))
                else:
                    arrays.append(pc.cast(pc.filter(batch.column(c.name), mask), pa.string()))
            parts.append(pa.record_batch(arrays, names=[c.name for c in CUBE_COLUMNS]))
        return pa.concat_batches(parts) if parts else None


def _id(dimension: str) -> str:
    return f"{CONFORMED[dimension]}_id"


def _value(month: int) -> str:
    return f"m{month}_value"


def _status(month: int) -> str:
    return f"m{month}_status"


def raw_columns(layout: DataRecordLayout) -> list[tuple[str, str]]:
    """(name, DuckDB-style type) of :meth:`DataRecordLayout.query`'s result columns."""
    names = [(CONFORMED[d], "VARCHAR") for d in layout.dimensions]
    ids = [(_id(d), "BIGINT") for d in layout.dimensions]
    cells = [
        (n, t) for m in MONTHS for n, t in ((_value(m), "DECIMAL(38,9)"), (_status(m), "BIGINT"))
    ]
    return [*names, *ids, *cells]


V8 = DataRecordLayout()
LAYOUTS: dict[str, DataRecordLayout] = {"v8": V8, "v9": V8}
"""The DataRecord layout per ``version`` setting (unchanged in 9: only Stage tables moved)."""
