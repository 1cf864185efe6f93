"""Column access shared by the monitors, whatever holds the data.

A *frame* is a pandas DataFrame, a pyarrow Table or a mapping of column name to a 1-D array
(numpy array, pyarrow array, pandas Series or list). Missing values are ``None``, Arrow nulls,
``NaN`` and (for numeric columns only) ``±inf``. Nothing here opens a connection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from mlops.errors import MlopsError

Frame = Any  # pandas.DataFrame | pyarrow.Table | Mapping[str, array-like]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def column(frame: Frame, name: str) -> Any:
    """The column ``name`` of ``frame`` as the frame holds it; a clear error when it is absent."""
    try:
        return frame[name]
    except (KeyError, IndexError) as exc:
        raise MlopsError(f"column {name!r} is not in the data") from exc


def row_count(frame: Frame) -> int:
    """Rows in ``frame`` (the length of its first column for a mapping)."""
    if isinstance(frame, Mapping):
        return next((len(values) for values in frame.values()), 0)
    return len(frame)


def as_arrow(values: Any) -> pa.Array | pa.ChunkedArray:
    """``values`` as Arrow, nulls for ``None`` and ``NaN``, dictionaries decoded."""
    if not isinstance(values, pa.Array | pa.ChunkedArray):
        values = pa.array(values, from_pandas=True)
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    return values


def float_values(values: Any) -> FloatArray:
    """``values`` as float64 with ``NaN`` for every null (no copy when already float64)."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        return np.asarray(values, dtype=np.float64)
    arrow = as_arrow(values)
    numeric = (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal, pa.types.is_boolean)
    if not any(is_type(arrow.type) for is_type in numeric):
        raise MlopsError(f"a numeric feature holds {arrow.type} values")
    result: FloatArray = arrow.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return result


def take(values: Any, indices: IntArray | None) -> Any:
    """Rows ``indices`` of a numpy or Arrow column (all rows when ``indices`` is None)."""
    if indices is None:
        return values
    if isinstance(values, np.ndarray):
        return values[indices]
    return values.take(pa.array(indices))


def category_counts(values: pa.Array | pa.ChunkedArray) -> tuple[dict[Any, int], int]:
    """Count of each non-null category, and the number of nulls."""
    counted = pc.value_counts(values)
    keys = counted.field("values").to_pylist()
    counts = counted.field("counts").to_pylist()
    by_key = {k: int(c) for k, c in zip(keys, counts, strict=True) if k is not None}
    return by_key, int(values.null_count)


def segment_groups(
    reference: Frame, current: Frame, columns: Sequence[str]
) -> list[tuple[str, IntArray, IntArray]]:
    """Rows of each segment (a combination of values of ``columns``) on both sides.

    Returns ``(label, reference row indices, current row indices)`` sorted by label, the label
    shaped ``source_system=jde,company=00001`` (a null value reads ``<null>``). A segment seen on
    one side only has no rows on the other.
    """
    n_ref, n_cur = row_count(reference), row_count(current)
    ref_codes = np.zeros(n_ref, dtype=np.int64)
    cur_codes = np.zeros(n_cur, dtype=np.int64)
    names: list[list[str]] = []
    for name in columns:
        ref_col = as_arrow(column(reference, name))
        cur_col = as_arrow(column(current, name)).cast(ref_col.type)
        uniques = pc.unique(pa.chunked_array([pc.unique(ref_col), pc.unique(cur_col)]))
        ref_codes = ref_codes * len(uniques) + _codes(ref_col, uniques)
        cur_codes = cur_codes * len(uniques) + _codes(cur_col, uniques)
        names.append(["<null>" if v is None else str(v) for v in uniques.to_pylist()])
    groups = []
    ref_order, cur_order = (
        np.argsort(ref_codes, kind="stable"),
        np.argsort(cur_codes, kind="stable"),
    )
    ref_sorted, cur_sorted = ref_codes[ref_order], cur_codes[cur_order]
    for code in np.union1d(ref_sorted, cur_sorted).tolist():
        parts, rest = [], int(code)
        for name, values in zip(reversed(columns), reversed(names), strict=True):
            rest, digit = divmod(rest, len(values))
            parts.append(f"{name}={values[digit]}")
        label = ",".join(reversed(parts))
        lo, hi = np.searchsorted(ref_sorted, [code, code + 1])
        clo, chi = np.searchsorted(cur_sorted, [code, code + 1])
        groups.append((label, ref_order[lo:hi], cur_order[clo:chi]))
    return sorted(groups, key=lambda group: group[0])


def _codes(values: pa.Array | pa.ChunkedArray, uniques: pa.Array) -> IntArray:
    found = pc.index_in(values, value_set=uniques, skip_nulls=False)
    codes: IntArray = found.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes
