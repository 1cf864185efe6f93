"""Landing keeps unchanged rows as they are: only new or different rows take the new batch.

Straight through :meth:`Landing.land` with Arrow feeds, on the DuckDB and PostgreSQL landings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from connectors.core.catalog import LandingColumn
from connectors.core.feeds import ArrowFeed
from connectors.core.landing import Landing, TableResult
from connectors.core.spec import ALL_ROWS, Pull, TableSpec

COLUMNS = (LandingColumn("k", "INTEGER"), LandingColumn("v", "VARCHAR"))
KEYED = TableSpec("cube", primary_key=("k",))
UNKEYED = TableSpec("log", primary_key=())


@pytest.fixture(params=["duckdb", "postgres"])
def landing(
    request: pytest.FixtureRequest, tmp_path: Path, database_factory: Any
) -> Iterator[Landing]:
    if request.param == "duckdb":
        from connectors.core.landing_duckdb import DuckDBLanding

        wh: Landing = DuckDBLanding(str(tmp_path / "w.duckdb"))
    else:
        from connectors.core.landing_postgres import PostgresLanding

        wh = PostgresLanding(database_factory("postgresql"))
    yield wh
    wh.close()


def _land(
    wh: Landing, spec: TableSpec, rows: list[tuple[int, str | None]], run: str
) -> TableResult:
    """One complete pull of ``rows`` (with a key, a whole-partition replace: missing keys are
    deleted; without, the pull replaces the table)."""
    batch = pa.record_batch(
        [pa.array([r[0] for r in rows], pa.int32()), pa.array([r[1] for r in rows], pa.string())],
        names=["k", "v"],
    )
    pull = Pull("upsert", None, scope=ALL_ROWS if spec.primary_key else None)
    feeds = [(pull, lambda: ArrowFeed(iter([batch])))]
    return wh.land("src", spec, COLUMNS, feeds, run_id=run)


def _read(wh: Landing, sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    wh.begin()
    row = wh.fetchone(sql, params)
    wh.commit()
    return row


def _landed(wh: Landing, name: str) -> list[tuple[Any, ...]]:
    sql = f'SELECT k, v, _erpml_batch_id, _erpml_deleted FROM src."{name}" WHERE k = ?'
    return [row for k in range(1, 7) if (row := _read(wh, sql, [k])) is not None]


def _runs(wh: Landing, name: str) -> list[tuple[int, ...]]:
    """(rows, changed, deleted) of each logged run of table ``name``, in batch order."""
    sql = "SELECT rows, changed, deleted FROM _erpml.extract_runs WHERE batch_id = ?"
    runs = [_read(wh, sql, [b]) for b in _landed_batches(wh, name)]
    return [tuple(int(v) for v in run) for run in runs if run is not None]


def _landed_batches(wh: Landing, name: str) -> list[int]:
    sql = "SELECT min(batch_id), max(batch_id) FROM _erpml.extract_runs WHERE table_name = ?"
    row = _read(wh, sql, [name])
    assert row is not None
    return list(range(int(row[0]), int(row[1]) + 1))


def test_unchanged_rows_keep_their_batch(landing: Landing) -> None:
    first = _land(landing, KEYED, [(1, "a"), (2, None), (3, "c"), (4, "d")], "r1")
    assert (first.rows, first.changed, first.deleted) == (4, 4, 0)
    b1 = _landed(landing, "cube")[0][2]

    again = _land(landing, KEYED, [(1, "a"), (2, None), (3, "c"), (4, "d")], "r2")
    assert (again.rows, again.changed, again.deleted) == (4, 0, 0)  # NULL equals NULL
    assert {r[2] for r in _landed(landing, "cube")} == {b1}

    # 1 same, 2 NULL -> value, 3 value -> NULL, 4 missing (deleted), 5 new
    later = _land(landing, KEYED, [(1, "a"), (2, "b"), (3, None), (5, "e")], "r3")
    assert (later.rows, later.changed, later.deleted) == (4, 3, 1)
    rows = _landed(landing, "cube")
    b3 = max(r[2] for r in rows)
    assert rows == [
        (1, "a", b1, False),
        (2, "b", b3, False),
        (3, None, b3, False),
        (4, "d", b3, True),
        (5, "e", b3, False),
    ]

    # the deleted row comes back unchanged: re-landed, not left flagged
    back = _land(landing, KEYED, [(1, "a"), (2, "b"), (3, None), (4, "d"), (5, "e")], "r4")
    assert (back.rows, back.changed, back.deleted) == (5, 1, 0)
    rows = _landed(landing, "cube")
    assert rows[3][1:] == ("d", b3 + 1, False)
    assert [r[2] for r in rows if r[0] != 4] == [b1, b3, b3, b3]
    assert _runs(landing, "cube") == [(4, 4, 0), (4, 0, 0), (4, 3, 1), (5, 1, 0)]


def test_a_table_without_key_is_replaced_by_each_pull(landing: Landing) -> None:
    _land(landing, UNKEYED, [(1, "a"), (2, "b")], "r1")
    again = _land(landing, UNKEYED, [(1, "a"), (2, "b")], "r2")
    assert (again.rows, again.changed) == (2, 2)
    assert {r[2] for r in _landed(landing, "log")} == {_landed_batches(landing, "log")[-1]}


def test_later_pulls_of_one_run_merge_over_rows_landed_by_earlier_ones(landing: Landing) -> None:
    """Pulls of one run share a transaction: a later pull sees, keeps or replaces the rows an
    earlier pull of the same run landed (DuckDB merges by row id, which such rows also have)."""
    _land(landing, KEYED, [(1, "a"), (2, "b")], "r1")

    def pull(rows: list[tuple[int, str | None]]) -> tuple[Pull, Any]:
        batch = pa.record_batch(
            [pa.array([r[0] for r in rows], pa.int32()), pa.array([r[1] for r in rows])],
            names=["k", "v"],
        )
        return Pull("upsert", None), lambda: ArrowFeed(iter([batch]))

    # 2 changes, 3 is new; then 3 changes again and 1 and 2 come back as the run left them
    feeds = [pull([(2, "B"), (3, "c")]), pull([(1, "a"), (2, "B"), (3, "C"), (4, None)])]
    result = landing.land("src", KEYED, COLUMNS, feeds, run_id="r2")
    assert (result.rows, result.changed, result.deleted) == (6, 4, 0)
    rows = _landed(landing, "cube")
    b1, b2 = _landed_batches(landing, "cube")
    assert rows == [
        (1, "a", b1, False),
        (2, "B", b2, False),
        (3, "C", b2, False),
        (4, None, b2, False),
    ]


def test_an_incremental_pull_with_a_duplicate_key_lands_nothing(landing: Landing) -> None:
    """A keyed pull of part of the table (DuckDB lands it in place) with a key twice fails the
    table with the key named, and the landed rows stay as they were."""
    from connectors.errors import DataError

    _land(landing, KEYED, [(1, "a"), (2, "b")], "r1")
    before = _landed(landing, "cube")
    batch = pa.record_batch(
        [pa.array([2, 3, 3], pa.int32()), pa.array(["B", "c", "C"], pa.string())],
        names=["k", "v"],
    )
    feeds = [(Pull("upsert", None), lambda: ArrowFeed(iter([batch])))]
    with pytest.raises(DataError, match=r"^src\.cube: duplicate primary key .*\(k=3, 2 rows\)"):
        landing.land("src", KEYED, COLUMNS, feeds, run_id="r2")
    assert _landed(landing, "cube") == before
