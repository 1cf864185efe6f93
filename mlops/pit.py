"""As-of lookups in numpy: the DuckDB engine of point-in-time snapshots and feature retrieval.

For each spine row (entity key, ``as_of``) and each timeline (``entity_key``, ``valid_from``,
``valid_to``, ``value``; one row per entity and change point, as the ``feature_timeline`` macro
builds them), :func:`asof_lookup` finds the row with the latest ``valid_from <= as_of`` and
keeps its value if ``as_of < valid_to`` (or ``valid_to`` is NULL), else NULL: what
``ASOF LEFT JOIN ... ON key = key AND as_of >= valid_from`` and the ``valid_to`` check give
(bench/RESULTS.md, issue 5):

- the spine's distinct keys get dense integer codes once, and a sorted index of their 64-bit
  DuckDB ``hash``. A timeline is read as stored, with the hash of its key: it is stored in runs
  of one entity (the macro's closing ``lead()`` window leaves it so), and only the first key of
  each run is looked up, by hash, then compared as a string, so a hash shared by two keys never
  gives a wrong value (if two spine keys share one, the runs are looked up by string);
- spine rows and timeline rows become one int64 each, ``code << bits | time``, where the time is
  the spine's ``as_of`` on a grid of its own (the gcd of its offsets from the earliest), a
  ``valid_from`` or ``valid_to`` rounded up onto that grid, or, should that not fit in 62 bits,
  both ranked among the spine's distinct times. ``valid_from <= as_of`` holds exactly when the
  rounded value is at most the spine's, so one ``np.searchsorted`` over the timeline (sorted by
  code and valid_from: its runs sorted by their first row when they do not overlap, else all
  rows) finds every spine row's match; the spine is sorted once. The match holds if the spine
  row's composite is below the row's rounded ``valid_to`` composite (same entity, span still
  open); a NULL value never holds;
- fixed-width values (``numeric``, integers, floats, times) are moved as raw bytes, so
  ``numeric`` stays exact; other types go through ``pyarrow.compute.take``.

Timelines are fetched and searched in parallel (``WORKERS`` threads, each on a DuckDB cursor of
its own: DuckDB, numpy and Arrow release the GIL), the first of them while the spine is sorted.
Spine rows keep their order and count; a NULL key or ``as_of`` matches nothing. Two timeline
rows for one entity and change point would make the match ambiguous: that stops the lookup
with an error.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from mlops.errors import MlopsError

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

COMPOSITE_BITS = 62  # code and time share one non-negative int64
WORKERS = min(4, os.cpu_count() or 1)  # timelines fetched and searched at once
KEY_HASH = "hash({})"  # DuckDB SQL of a key's 64-bit hash; only ever a hint, keys are compared
Ints = np.ndarray[Any, np.dtype[np.int64]]
Bools = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True)
class Lookup:
    """One timeline table and the spine column holding its entity key."""

    table: str
    spine_key: str


@dataclass(frozen=True)
class _Keys:
    """The spine's distinct keys of one column (code = position) and their hashes, sorted."""

    keys: pa.Array
    hashes: Ints  # sorted
    codes: Ints  # code of each sorted hash
    unique: bool  # no two keys share a hash

    def code(self, key: pa.Array, hashed: Ints) -> Ints:
        """The code of every key (-1: not a spine key)."""
        import pyarrow.compute as pc

        if not self.unique:
            return _numbers(pc.index_in(key, value_set=self.keys), -1)
        if len(self.hashes) == 0:
            return np.full(len(key), -1, np.int64)
        at = _search(self.hashes, hashed, "left").clip(0, len(self.hashes) - 1)
        code = np.where(self.hashes[at] == hashed, self.codes[at], -1)
        found = np.flatnonzero(code >= 0)
        same = _bools(pc.equal(_pick(key, found), _pick(self.keys, code[found])), False)
        code[found[~same]] = -1
        return code


@dataclass(frozen=True)
class _Order:
    """The spine sorted by (code, time) for one key column."""

    unsort: Ints  # spine row -> sorted position
    composite: Ints  # sorted composite keys (-1: NULL key or as_of)


@dataclass(frozen=True)
class _Grid:
    """Times as small integers: on a grid of step ``unit`` from ``start``, or as ranks."""

    start: int
    unit: int
    top: int  # largest spine time on the grid
    ranks: Ints | None  # the spine's distinct times, when ranking

    @property
    def bits(self) -> int:
        return (self.top + 2).bit_length()

    def spine(self, t: Ints) -> Ints:
        if self.ranks is not None:
            return np.searchsorted(self.ranks, t, "left").astype(np.int64)
        return (t - self.start) // self.unit

    def timeline(self, t: Ints) -> Ints:
        """Smallest grid point at or after ``t``, clipped to [0, top + 1]."""
        if self.ranks is not None:
            return np.searchsorted(self.ranks, t, "left").astype(np.int64)
        v = np.maximum(t, self.start - self.unit)  # clipped first: NULL ends are int64's max
        np.minimum(v, self.start + (self.top + 1) * self.unit, out=v)
        v -= self.start
        if self.unit > 1:  # rounded up: -(-v // unit)
            np.negative(v, out=v)
            np.floor_divide(v, self.unit, out=v)
            np.negative(v, out=v)
        return np.maximum(v, 0, out=v)


def asof_lookup(con: duckdb.DuckDBPyConnection, spine: str, lookups: Sequence[Lookup]) -> pa.Table:
    """The rows of ``spine`` (a table or a parenthesized query), in order, with one column per
    lookup (``_erpml_v0``, ...): the timeline's value valid at the row's ``as_of``, else NULL."""
    rows = con.sql(f"select * from {spine} as _erpml_spine").to_arrow_table()
    columns = list(dict.fromkeys(lk.spine_key for lk in lookups))
    indexed: Future[tuple[dict[str, _Keys], _Grid]] = Future()
    ordered: Future[dict[str, _Order]] = Future()
    cursors = [con.cursor() for _ in range(min(WORKERS, len(lookups)))]
    free = list(cursors)

    def lookup(lk: Lookup) -> pa.Array:  # in a worker thread, on a cursor of its own
        cursor = free.pop()
        try:
            timeline = _timeline(cursor, lk.table)
        finally:
            free.append(cursor)
        keys, grid = indexed.result()
        sorted_ = _sorted_timeline(timeline, lk.table, keys[lk.spine_key], grid)
        return _values(sorted_, ordered.result()[lk.spine_key])

    try:
        with ThreadPoolExecutor(max_workers=len(cursors) or 1) as pool:
            futures = [pool.submit(lookup, lk) for lk in lookups]  # fetching while we sort
            try:
                t, t_ok = _micros(rows.column("as_of"))
                codes, keys = {}, {}
                for column in columns:
                    codes[column], keys[column] = _encode(con, rows.column(column))
                grid = _grid(t[t_ok], max((len(k.keys) for k in keys.values()), default=0))
                indexed.set_result((keys, grid))  # the workers sort their timelines meanwhile
                ordered.set_result({k: _order(c, t, t_ok, grid) for k, c in codes.items()})
            except BaseException as e:
                for f in (indexed, ordered):
                    if not f.done():
                        f.set_exception(e)
                raise
            values = [f.result() for f in futures]
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
    return _numbers(us), _valid(us)


def _encode(con: duckdb.DuckDBPyConnection, column: pa.ChunkedArray) -> tuple[Ints, _Keys]:
    """Dense codes of a key column (-1 where NULL) and its distinct keys, indexed by hash."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column.combine_chunks())
    keys = encoded.dictionary.cast(pa.string())
    name = f"_erpml_keys_{id(keys)}"
    codes = _arrow(np.arange(len(keys), dtype=np.int64), pa.int64())
    con.register(name, pa.Table.from_arrays([keys, codes], names=["key", "code"]))
    try:
        found = con.sql(f"select {KEY_HASH.format('key')} as h, code from {name}").to_arrow_table()
    finally:
        con.unregister(name)
    hashes = np.empty(len(keys), np.int64)
    hashes[_numbers(found.column("code"))] = _numbers(found.column("h"))
    by_hash = np.argsort(hashes, kind="stable")
    hashes = hashes[by_hash]
    unique = not np.any(hashes[1:] == hashes[:-1])
    index = _Keys(keys, hashes, by_hash.astype(np.int64), unique)
    return _numbers(encoded.indices, -1), index


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
    composite = (code << grid.bits) | grid.spine(t)
    composite[(code < 0) | ~t_ok] = -1
    perm = np.argsort(composite)
    unsort = np.empty_like(perm)
    unsort[perm] = np.arange(len(perm))
    return _Order(unsort, composite[perm])


def _timeline(con: duckdb.DuckDBPyConnection, table: str) -> pa.Table:
    """The timeline's rows as stored: (key, key hash, valid_from, valid_to, value)."""
    return con.sql(
        f"select t.entity_key as key, {KEY_HASH.format('t.entity_key')} as h, "
        "epoch_us(t.valid_from) as valid_from, epoch_us(t.valid_to) as valid_to, t.value "
        f"from {table} as t where t.valid_from is not null"
    ).to_arrow_table()


@dataclass(frozen=True)
class _Timeline:
    """A timeline's rows of spine entities in (code, valid_from) order, behind a sentinel row 0
    that holds for no spine row."""

    values: pa.Array  # as stored
    rank: Ints  # sorted row -> stored row
    composite: Ints  # code << bits | valid_from on the grid (no sentinel)
    holds: Ints  # code << bits | valid_to on the grid; -1 for the sentinel and NULL values


def _sorted_timeline(timeline: pa.Table, table: str, keys: _Keys, grid: _Grid) -> _Timeline:
    values = timeline.column("value").combine_chunks()
    start = _numbers(timeline.column("valid_from"))
    code, rank = _sorted_rows(timeline, start, keys, grid, table)
    bits = grid.bits
    composite = (code << bits) | grid.timeline(start[rank])
    end = _numbers(timeline.column("valid_to"), np.iinfo(np.int64).max)
    holds = np.empty(len(rank) + 1, np.int64)
    holds[0] = -1
    np.bitwise_or(code << bits, grid.timeline(end[rank]), out=holds[1:])
    if values.null_count:
        holds[1:][~_valid(values)[rank]] = -1
    return _Timeline(values, rank, composite, holds)


def _values(tl: _Timeline, order: _Order) -> pa.Array:
    """The timeline's value at every spine row (spine order), NULL where no span holds."""
    # the sorted spine row's match: the last timeline row at or before it, if its span holds
    at = _search(tl.composite, order.composite, "right")
    return _take(tl.values, tl.rank, np.where(order.composite < tl.holds[at], at, 0), order)


def _sorted_rows(
    timeline: pa.Table, start: Ints, keys: _Keys, grid: _Grid, table: str
) -> tuple[Ints, Ints]:
    """The code and row number of the timeline's rows of spine entities, in (code, valid_from)
    order.

    The timeline is usually stored in runs of one entity in valid_from order: only each run's
    first key is looked up, the runs are sorted by their first row, and the order is checked
    where one run meets the next. The runs are sorted on the grid first (one int64 sort, not a
    stable one). One entity's runs can tie there (a single-``as_of`` spine puts every change
    point before it on one grid point): if the check fails, the runs are sorted by their exact
    first valid_from, and only if that fails too, all rows are sorted. Several change points
    can share a grid point: the last of them must be the latest.
    """
    import pyarrow.compute as pc

    key = timeline.column("key").combine_chunks()
    n = len(key)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    new = np.ones(n, np.bool_)
    new[1:] = _bools(pc.not_equal(key[1:], key[:-1]), True)
    new[1:] |= start[1:] <= start[:-1]
    heads = np.flatnonzero(new)
    code = keys.code(_pick(key, heads), _numbers(timeline.column("h"))[heads])
    length = np.diff(np.append(heads, n))
    asked = code >= 0
    heads, code, length = heads[asked], code[asked], length[asked]
    ordered = False
    for exact in (False, True):
        if exact:
            runs = np.lexsort((start[heads], code))
        else:
            runs = np.argsort((code << grid.bits) | grid.timeline(start[heads]))  # 1 vs 6 ms
        heads, code, length = heads[runs], code[runs], length[runs]
        # each run is in order by construction: check where one run meets the next
        ordered = _in_order(code, start[heads], code, start[heads + length - 1])
        if ordered:
            break
    rank = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length - heads, length)
    codes = np.repeat(code, length)
    if ordered:
        return codes, rank
    by = np.lexsort((start[rank], codes))
    rank, codes = rank[by], codes[by]
    if _in_order(codes, start[rank], codes, start[rank]):
        return codes, rank
    raise MlopsError(
        f"{table}: two rows for one entity with the same valid_from; a timeline holds one row "
        "per entity and change point (rebuild it with erpml build)"
    )


def _search(sorted_: Ints, keys: Ints, side: Literal["left", "right"]) -> Ints:
    """``np.searchsorted(sorted_, keys, side)``, faster: sorted keys are counted past with one
    search per row of the shorter ``sorted_``, unsorted ones are searched in sorted order."""
    if len(keys) and np.all(keys[1:] >= keys[:-1]):
        if len(sorted_) >= len(keys):
            return np.searchsorted(sorted_, keys, side)
        # keys[j] is past sorted_[i] ("right": or at it) from keys' position p_i on
        p = np.searchsorted(keys, sorted_, "left" if side == "right" else "right")
        return np.cumsum(np.bincount(p, minlength=len(keys) + 1)[: len(keys)])
    order = np.argsort(keys)
    at = np.empty(len(keys), np.int64)
    at[order] = np.searchsorted(sorted_, keys[order], side)
    return at


def _take(values: pa.Array, rank: Ints, at: Ints, order: _Order) -> pa.Array:
    """``values[rank[at - 1]]`` in spine order, NULL where ``at`` is 0 (``at``: sentinel-based
    positions of the sorted spine rows)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(rank) == 0:
        return pa.nulls(len(at), values.type)
    # the stored row + 1 (0: none) of every spine row, in spine order
    stored = np.empty(len(rank) + 1, np.int64)
    stored[0] = 0
    np.add(rank, 1, out=stored[1:])
    row = stored[at][order.unsort]
    found = row != 0
    try:
        width = 0 if pa.types.is_dictionary(values.type) else values.type.bit_width
    except ValueError:  # not a fixed-width type
        width = 0
    if width % 8 or not width:
        return pc.take(values, _arrow(np.maximum(row - 1, 0), pa.int64(), found))
    item = np.dtype((np.void, width // 8))
    raw = np.frombuffer(values.buffers()[1], item, values.offset + len(values))[values.offset :]
    data = np.zeros(len(values) + 1, item)
    data[1:] = raw
    return _arrow(data[row], values.type, found)


def _arrow(data: np.ndarray[Any, Any], kind: pa.DataType, found: Bools | None = None) -> pa.Array:
    """An Arrow array of ``kind`` over ``data``'s bytes, NULL where not ``found``.

    Built from buffers: converting numpy arrays or Python values imports pandas (a second).
    """
    import pyarrow as pa

    if found is None:
        return pa.Array.from_buffers(kind, len(data), [None, pa.py_buffer(data)], null_count=0)
    validity = pa.py_buffer(np.packbits(found, bitorder="little"))
    nulls = len(found) - int(np.count_nonzero(found))
    return pa.Array.from_buffers(kind, len(found), [validity, pa.py_buffer(data)], null_count=nulls)


def _pick(array: pa.Array, rows: Ints) -> pa.Array:
    """``array.take(rows)``, the rows handed over as an Arrow array (no pandas import)."""
    import pyarrow as pa

    return array.take(_arrow(np.ascontiguousarray(rows, np.int64), pa.int64()))


def _numbers(array: pa.Array | pa.ChunkedArray, fill: int = 0) -> Ints:
    """An integer, timestamp or hash array's values as int64 (bit for bit), ``fill`` where NULL.

    Read from the Arrow buffers: ``fill_null`` would convert a Python value, which imports
    pandas.
    """
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if len(array) == 0:
        return np.zeros(0, np.int64)
    item = np.dtype(f"<i{array.type.bit_width // 8}")
    raw = np.frombuffer(array.buffers()[1], item, array.offset + len(array))[array.offset :]
    out = raw.astype(np.int64)
    if array.null_count:
        out[~_valid(array)] = fill
    return out


def _valid(array: pa.Array) -> Bools:
    """Where an Arrow array is not NULL."""
    if array.null_count == 0:
        return np.ones(len(array), np.bool_)
    return _bits(array.buffers()[0], array.offset, len(array))


def _bools(array: pa.Array, fill: bool) -> Bools:
    """A boolean Arrow array as numpy booleans, ``fill`` where NULL."""
    out = _bits(array.buffers()[1], array.offset, len(array))
    if array.null_count:
        out[~_valid(array)] = fill
    return out


def _bits(buffer: pa.Buffer, offset: int, n: int) -> Bools:
    bits = np.frombuffer(buffer, np.uint8)
    return np.unpackbits(bits, count=offset + n, bitorder="little")[offset:].view(np.bool_)


def _in_order(code: Ints, start: Ints, last_code: Ints, last_start: Ints) -> bool:
    """Runs (first and last rows) follow each other in code order, and within one code each
    run starts later than the one before ends."""
    same = code[1:] == last_code[:-1]
    return bool(
        np.all(code[1:] >= last_code[:-1]) and np.all(start[1:][same] > last_start[:-1][same])
    )
