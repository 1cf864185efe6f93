"""As-of lookups in numpy: the DuckDB engine of point-in-time snapshots and feature retrieval.

For each spine row (entity key, ``as_of``) and each timeline (``entity_key``, ``valid_from``,
``valid_to``, ``value``; one row per entity and change point, as the ``feature_timeline`` macro
builds them), :func:`asof_lookup` finds the row with the latest ``valid_from <= as_of`` and
keeps its value if ``as_of < valid_to`` (or ``valid_to`` is NULL), else NULL: what
``ASOF LEFT JOIN ... ON key = key AND as_of >= valid_from`` and the ``valid_to`` check give, in
40% of the CPU time (bench/RESULTS.md, issue 5):

- the spine's distinct keys get dense integer codes once; DuckDB joins each timeline to them
  (dropping the history of entities the spine does not ask for) and returns (code,
  valid_from, valid_to, value) as Arrow: the varchar keys never leave DuckDB;
- spine rows and timeline rows become one int64 each, ``code << bits | time``, where the time is
  the spine's ``as_of`` on a grid of its own (the gcd of its offsets from the earliest), a
  ``valid_from`` rounded up onto that grid, or, should that not fit in 62 bits, both ranked
  among the spine's distinct times. ``valid_from <= as_of`` holds exactly when the rounded
  value is at most the spine's, so one ``np.searchsorted`` over the timeline (sorted by code
  and valid_from: by its stored runs of one entity when they are in order, else in full)
  finds every spine row's match; the spine is sorted once;
- values are taken with ``pyarrow.compute.take``, so ``numeric`` stays exact and NULL stays NULL.

Timelines are fetched and searched in parallel (``WORKERS`` threads, each on a DuckDB cursor of
its own: DuckDB, numpy and Arrow release the GIL). Spine rows keep their order and count; a
NULL key or ``as_of`` matches nothing. Two timeline rows for one entity and change point would
make the match ambiguous: that stops the lookup with an error.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mlops.errors import MlopsError

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

COMPOSITE_BITS = 62  # code and time share one non-negative int64
WORKERS = min(4, os.cpu_count() or 1)  # timelines fetched and searched at once
Ints = np.ndarray[Any, np.dtype[np.int64]]
Bools = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True)
class Lookup:
    """One timeline table and the spine column holding its entity key."""

    table: str
    spine_key: str


@dataclass(frozen=True)
class _Order:
    """The spine sorted by (code, time) for one key column."""

    unsort: Ints  # spine row -> sorted position
    composite: Ints  # sorted composite keys (-1: NULL key or as_of)
    code: Ints
    as_of: Ints  # epoch microseconds


@dataclass(frozen=True)
class _Grid:
    """Times as small integers: on a grid of step ``unit`` from ``start``, or as ranks."""

    start: int
    unit: int
    top: int  # largest spine time on the grid
    ranks: Ints | None  # the spine's distinct times, when ranking

    def spine(self, t: Ints) -> Ints:
        if self.ranks is not None:
            return np.searchsorted(self.ranks, t, "left").astype(np.int64)
        return (t - self.start) // self.unit

    def timeline(self, valid_from: Ints) -> Ints:
        """Smallest grid point at or after ``valid_from``, clipped to [0, top + 1]."""
        if self.ranks is not None:
            return np.searchsorted(self.ranks, valid_from, "left").astype(np.int64)
        low, high = self.start - self.unit, self.start + (self.top + 1) * self.unit
        v = np.clip(valid_from, low, high) - self.start
        return np.clip(-(-v // self.unit), 0, self.top + 1)


def asof_lookup(con: duckdb.DuckDBPyConnection, spine: str, lookups: Sequence[Lookup]) -> pa.Table:
    """The rows of ``spine`` (a table or a parenthesized query), in order, with one column per
    lookup (``_erpml_v0``, ...): the timeline's value valid at the row's ``as_of``, else NULL."""
    import pyarrow as pa

    rows = con.sql(f"select * from {spine} as _erpml_spine").to_arrow_table()
    t, t_ok = _micros(rows.column("as_of"))
    codes: dict[str, tuple[Ints, pa.Array]] = {}
    for key in dict.fromkeys(lk.spine_key for lk in lookups):
        codes[key] = _encode(rows.column(key))
    grid = _grid(t[t_ok], max((len(d) for _, d in codes.values()), default=0))
    orders = {k: _order(c, t, t_ok, grid) for k, (c, _) in codes.items()}
    keys = {k: pa.table({"key": d, "code": np.arange(len(d))}) for k, (_, d) in codes.items()}
    local = threading.local()
    cursors: list[duckdb.DuckDBPyConnection] = []

    def lookup(lk: Lookup) -> pa.Array:  # in a worker thread, on a cursor of its own
        if not hasattr(local, "cursor"):
            local.cursor = con.cursor()
            cursors.append(local.cursor)
            for j, table in enumerate(keys.values()):
                local.cursor.register(f"_erpml_k{j}", table)
        name = f"_erpml_k{list(keys).index(lk.spine_key)}"
        timeline = _timeline(local.cursor, lk.table, name)
        return _values(timeline, lk.table, orders[lk.spine_key], grid)

    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            values = list(pool.map(lookup, lookups))
    finally:
        for cursor in cursors:
            cursor.close()
    for i, v in enumerate(values):
        rows = rows.append_column(f"_erpml_v{i}", v)
    return rows


def _micros(column: pa.ChunkedArray) -> tuple[Ints, Bools]:
    """Epoch microseconds of a timestamp column (0 where NULL) and where it is not NULL."""
    import pyarrow as pa

    us = column.combine_chunks().cast(pa.timestamp("us", getattr(column.type, "tz", None)))
    ok = np.asarray(us.is_valid().cast(pa.uint8())) == 1  # a bool array converts slowly
    return np.asarray(us.cast(pa.int64()).fill_null(0), dtype=np.int64), ok


def _encode(column: pa.ChunkedArray) -> tuple[Ints, pa.Array]:
    """Dense codes of a key column (-1 where NULL) and the distinct keys, code = position."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column.combine_chunks())
    return np.asarray(encoded.indices.fill_null(-1), dtype=np.int64), encoded.dictionary


def _grid(t: Ints, n_codes: int) -> _Grid:
    """The coarsest exact time grid of the spine's times, or ranks if it would not fit."""
    if len(t) == 0:
        return _Grid(0, 1, 0, None)
    start = int(t.min())
    unit = int(np.gcd.reduce(t - start)) or 1
    top = (int(t.max()) - start) // unit
    if n_codes.bit_length() + (top + 2).bit_length() <= COMPOSITE_BITS:
        return _Grid(start, unit, top, None)
    ranks = np.unique(t)
    return _Grid(start, unit, len(ranks), ranks)


def _order(code: Ints, t: Ints, t_ok: Bools, grid: _Grid) -> _Order:
    bits = (grid.top + 2).bit_length()
    composite = (code << bits) | grid.spine(t)
    composite[(code < 0) | ~t_ok] = -1
    perm = np.argsort(composite)
    unsort = np.empty_like(perm)
    unsort[perm] = np.arange(len(perm))
    return _Order(unsort, composite[perm], code[perm], t[perm])


def _timeline(con: duckdb.DuckDBPyConnection, table: str, keys: str) -> pa.Table:
    """The timeline rows of the spine's entities as (code, valid_from, valid_to, value)."""
    return con.sql(
        f"select k.code, epoch_us(t.valid_from) as valid_from, epoch_us(t.valid_to) as valid_to, "
        f"t.value from {table} as t join {keys} as k on cast(k.key as varchar) = t.entity_key "
        "where t.valid_from is not null"
    ).to_arrow_table()


def _values(timeline: pa.Table, table: str, order: _Order, grid: _Grid) -> pa.Array:
    """The timeline's value at every spine row (spine order), NULL where no span holds."""
    import pyarrow as pa
    import pyarrow.compute as pc

    code = _ints(timeline.column("code"))
    start = _ints(timeline.column("valid_from"))
    bits = (grid.top + 2).bit_length()
    composite = (code << bits) | grid.timeline(start)
    rank = _sorted_rows(code, start, composite, table)
    m = len(rank)
    # the last timeline row at or before each spine row (-1: none); row m of the values: NULL
    at = np.searchsorted(composite[rank], order.composite, "right")
    at -= 1
    none = at < 0
    at[none] = 0
    row = rank[at] if m else np.zeros_like(at)
    end = np.asarray(timeline.column("valid_to").combine_chunks().fill_null(np.iinfo(np.int64).max))
    miss = none
    if m:
        miss |= code[row] != order.code
        miss |= order.as_of >= end[row]
    row[miss] = m
    values = timeline.column("value").combine_chunks()
    values = pa.concat_arrays([values, pa.nulls(1, values.type)])
    return pc.take(values, row[order.unsort])


def _sorted_rows(code: Ints, start: Ints, composite: Ints, table: str) -> Ints:
    """Timeline rows in (code, valid_from) order.

    The timeline is usually stored in runs of one entity in valid_from order: those runs are
    sorted by their first row, which is checked; else, or if that fails, all rows are sorted.
    Several change points can share a grid point: the last of them must be the latest.
    """
    n = len(code)
    if n == 0:
        return code
    heads = np.flatnonzero(
        np.concatenate(([True], (code[1:] != code[:-1]) | (start[1:] <= start[:-1])))
    )
    runs = np.argsort(composite[heads], kind="stable")
    length = np.diff(np.append(heads, n))[runs]
    first, last = heads[runs], heads[runs] + length - 1
    # each run is in order by construction: check where one run meets the next
    if _in_order(code[first], start[first], code[last], start[last]):
        return np.arange(n) - np.repeat(np.cumsum(length) - length - first, length)
    rank = np.lexsort((start, code))
    code, start = code[rank], start[rank]
    if _in_order(code, start, code, start):
        return rank
    raise MlopsError(
        f"{table}: two rows for one entity with the same valid_from; a timeline holds one row "
        "per entity and change point (rebuild it with erpml build)"
    )


def _ints(column: pa.ChunkedArray) -> Ints:
    return np.asarray(column.combine_chunks(), dtype=np.int64)


def _in_order(code: Ints, start: Ints, last_code: Ints, last_start: Ints) -> bool:
    """Runs (first and last rows) follow each other in code order, and within one code each
    run starts later than the one before ends."""
    same = code[1:] == last_code[:-1]
    return bool(
        np.all(code[1:] >= last_code[:-1]) and np.all(start[1:][same] > last_start[:-1][same])
    )
