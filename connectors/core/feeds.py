"""How extracted rows travel from a source to the landing: Arrow batches or a CSV pipe.

``ArrowFeed`` carries record batches (generic DB-API, ODBC, REST, files). ``CsvFeed`` is the
PostgreSQL fast path: the server's ``COPY ... TO STDOUT (FORMAT csv)`` is spooled by a thread
into chunk files that DuckDB's parallel CSV reader parses while the next chunk fills, so no
Python object is made per value and memory and disk stay bounded by the chunk size.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

READ_BLOCK = 1 << 20
CHUNK_BYTES = 256 << 20


@dataclass
class ArrowFeed:
    batches: Iterator[pa.RecordBatch]


@dataclass
class CsvFeed:
    """A headerless CSV stream, spooled by a background thread into chunk files.

    ``produce(write)`` writes CSV bytes that end on row boundaries; every ``chunk_bytes`` the
    current file is handed to the reader, which can parse it with all its threads while the
    next chunk fills. At most two finished chunks wait, so disk use is bounded by chunk size.
    A producer error is raised by :meth:`files` after the chunks before it, so a source failure
    mid-stream is never mistaken for the end of the data.
    """

    produce: Callable[[Callable[[bytes], None]], None]
    chunk_bytes: int = CHUNK_BYTES

    def files(self) -> Iterator[str]:
        folder = tempfile.mkdtemp(prefix="erpml-feed-")
        ready: queue.Queue[str | None] = queue.Queue(maxsize=1)
        stop = threading.Event()
        errors: list[BaseException] = []
        thread = threading.Thread(
            target=self._spool,
            args=(folder, ready, stop, errors),
            name="erpml-csv-feed",
            daemon=True,
        )
        thread.start()
        try:
            while (path := ready.get()) is not None:
                yield path
                Path(path).unlink(missing_ok=True)
            thread.join()
            if errors:
                raise errors[0]
        finally:
            stop.set()
            while thread.is_alive():  # unblock a producer waiting to hand over a chunk
                with contextlib.suppress(queue.Empty):
                    ready.get(timeout=0.1)
            shutil.rmtree(folder, ignore_errors=True)

    def _spool(
        self,
        folder: str,
        ready: queue.Queue[str | None],
        stop: threading.Event,
        errors: list[BaseException],
    ) -> None:
        counter = itertools.count()
        state: dict[str, Any] = {}

        def open_next() -> None:
            state["path"] = str(Path(folder) / f"chunk-{next(counter):06d}.csv")
            state["file"] = open(state["path"], "wb")  # noqa: SIM115 - closed in hand_over
            state["size"] = 0

        def hand_over() -> None:
            state["file"].close()
            if state["size"]:
                ready.put(state["path"])

        def write(data: bytes) -> None:
            if stop.is_set():
                raise _CancelledError
            state["file"].write(data)
            state["size"] += len(data)
            if state["size"] >= self.chunk_bytes:
                hand_over()
                open_next()

        open_next()
        try:
            self.produce(write)
            hand_over()
        except _CancelledError:
            state["file"].close()
        except BaseException as exc:  # handed to the reader by files()
            state["file"].close()
            errors.append(exc)
        ready.put(None)


class _CancelledError(Exception):
    """The reader stopped early; the producer ends quietly."""


def blocks(chunks: Iterator[bytes | memoryview], size: int = READ_BLOCK) -> Iterator[bytes]:
    """Join many small chunks (a COPY yields one per row) into blocks of about ``size`` bytes."""
    buf: list[bytes | memoryview] = []
    held = 0
    for chunk in chunks:
        buf.append(chunk)
        held += len(chunk)
        if held >= size:
            yield b"".join(buf)
            buf, held = [], 0
    if buf:
        yield b"".join(buf)


def coalesce(
    batches: Iterator[pa.RecordBatch], max_rows: int = 200_000, max_bytes: int = 64 << 20
) -> Iterator[pa.Table]:
    """Group small record batches into tables of up to ``max_rows`` rows or ``max_bytes``.

    Drivers hand over small batches (arrow-odbc bounds them in bytes); each insert into a
    columnar warehouse has a fixed cost, so fewer, larger inserts are much faster. Batches whose
    schema differs from the group's (inferred types) start a new group.
    """
    group: list[pa.RecordBatch] = []
    rows = size = 0
    for batch in batches:
        if group and (batch.schema != group[0].schema or rows >= max_rows or size >= max_bytes):
            yield pa.Table.from_batches(group)
            group, rows, size = [], 0, 0
        group.append(batch)
        rows += batch.num_rows
        size += batch.nbytes
    if group:
        yield pa.Table.from_batches(group)
