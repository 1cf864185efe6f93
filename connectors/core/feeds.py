"""How extracted rows travel from a source to the landing: Arrow batches or a CSV stream.

``ArrowFeed`` carries record batches (generic DB-API, ODBC, REST, files). ``CsvFeed`` is the
PostgreSQL fast path: the server's ``COPY ... TO STDOUT (FORMAT csv)`` is read by a thread and
written into named pipes that DuckDB's parallel CSV reader parses in one statement (or spooled
into chunk files for PostgreSQL's ``COPY FROM``), so no Python object is made per value and
memory stays bounded by the pipes' and the reader's buffers.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import os
import queue
import select
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyarrow is imported by the Arrow paths that use it, not at start-up
    import pyarrow as pa

READ_BLOCK = 1 << 20
CHUNK_BYTES = 256 << 20
PIPES = 2
"""Named pipes per stream. DuckDB's CSV reader parses a lone pipe with one thread, but each
pipe in a list of files with all its threads; two also cover a reader that gives each file its
own thread."""
WAIT = 0.2


@dataclass
class ArrowFeed:
    batches: Iterator[pa.RecordBatch]


@dataclass
class CsvFeed:
    """A headerless CSV stream read by a background thread from ``records()``.

    ``records()`` yields the CSV text of one row per item (PostgreSQL's ``COPY ... TO STDOUT``
    sends one message per row). A reader takes the stream either through named pipes
    (:meth:`pipes`, DuckDB: one statement over the whole stream) or as chunk files
    (:meth:`files`, PostgreSQL's ``COPY FROM``). Either way the producer's error is raised after
    the rows before it were handed over, so a source failure mid-stream is never mistaken for
    the end of the data, and a reader that stops early closes ``records()`` (which ends the
    source's query).
    """

    records: Callable[[], Iterator[bytes | memoryview]]
    chunk_bytes: int = CHUNK_BYTES

    @contextlib.contextmanager
    def pipes(self, count: int = PIPES) -> Iterator[list[str]]:
        """Named pipes that together carry the whole stream, for one reader of all of them.

        Whole-row blocks go to whichever pipe's writer is free, so the rows are split between
        the pipes in no fixed order. Nothing is spooled to disk. The producer's error, if any,
        is raised when the block ends, after the reader has seen the end of every pipe.
        """
        folder = tempfile.mkdtemp(prefix="erpml-feed-")
        paths = [str(Path(folder) / f"rows-{i}.csv") for i in range(count)]
        for path in paths:
            os.mkfifo(path)
        blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=2 * count)
        stop = threading.Event()
        errors: list[BaseException] = []
        ended: list[str] = []  # pipes whose writer wrote its last block and closed it
        threads = [
            threading.Thread(
                target=self._produce,
                args=(blocks, count, stop, errors),
                name="erpml-csv-feed",
                daemon=True,
            ),
            *(
                threading.Thread(
                    target=_write_pipe,
                    args=(path, blocks, stop, ended),
                    name="erpml-pipe",
                    daemon=True,
                )
                for path in paths
            ),
        ]
        for thread in threads:
            thread.start()
        try:
            yield paths
            # the reader saw the end of every pipe, so every writer has closed its pipe
            for thread in threads:
                thread.join(timeout=10 * WAIT)
            if errors:
                raise errors[0]
            if len(ended) < count:
                raise RuntimeError("the reader did not read every pipe to its end")
        finally:
            stop.set()  # the reader failed or stopped early: every thread ends at its next step
            for thread in threads:
                thread.join()
            shutil.rmtree(folder, ignore_errors=True)

    def _produce(
        self,
        blocks: queue.Queue[bytes | None],
        count: int,
        stop: threading.Event,
        errors: list[BaseException],
    ) -> None:
        records: Iterator[bytes | memoryview] | None = None
        try:
            records = self.records()
            block: list[bytes | memoryview] = []
            held = 0
            for record in records:
                block.append(record)
                held += len(record)
                if held >= READ_BLOCK:
                    _put(blocks, b"".join(block), stop)
                    block, held = [], 0
            if block:
                _put(blocks, b"".join(block), stop)
        except _CancelledError:
            pass
        except BaseException as exc:  # raised by pipes() once the reader has finished
            errors.append(exc)
        finally:
            _close(records)
        with contextlib.suppress(_CancelledError):
            for _ in range(count):  # the end of every pipe
                _put(blocks, None, stop)

    def files(self) -> Iterator[str]:
        """Paths of chunk files of about ``chunk_bytes`` each, in order.

        Each file is deleted once the next is asked for; at most two finished chunks wait, so
        disk use is bounded by the chunk size.
        """
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
        names = (str(Path(folder) / f"chunk-{i:06d}.csv") for i in itertools.count())
        records: Iterator[bytes | memoryview] | None = None
        path = next(names)
        out = open(path, "wb")  # noqa: SIM115 - closed below, also on errors
        try:
            records = self.records()
            block: list[bytes | memoryview] = []
            held = size = 0
            for record in records:
                block.append(record)
                held += len(record)
                if held < READ_BLOCK:
                    continue
                if stop.is_set():
                    raise _CancelledError
                out.write(b"".join(block))
                size += held
                block, held = [], 0
                if size >= self.chunk_bytes:
                    out.close()
                    ready.put(path)
                    path = next(names)
                    out = open(path, "wb")  # noqa: SIM115
                    size = 0
            out.write(b"".join(block))
            out.close()
            if size + held:
                ready.put(path)
        except _CancelledError:
            pass
        except BaseException as exc:  # handed to the reader by files()
            errors.append(exc)
        finally:
            out.close()
            _close(records)
        ready.put(None)


class _CancelledError(Exception):
    """The reader stopped early; the producer ends quietly."""


def _put(blocks: queue.Queue[bytes | None], item: bytes | None, stop: threading.Event) -> None:
    while True:
        if stop.is_set():
            raise _CancelledError
        with contextlib.suppress(queue.Full):
            blocks.put(item, timeout=WAIT)
            return


def _close(records: Iterator[bytes | memoryview] | None) -> None:
    close = getattr(records, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):
            close()  # ends the source's query if the reader stopped early


def _write_pipe(
    path: str, blocks: queue.Queue[bytes | None], stop: threading.Event, ended: list[str]
) -> None:
    """Write blocks from ``blocks`` into the named pipe ``path`` until ``None`` (its end)."""
    fd = None
    while fd is None:  # a non-blocking open fails until the reader has opened its end
        if stop.is_set():
            return
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            time.sleep(WAIT / 10)
    try:
        with contextlib.suppress(OSError, AttributeError):  # Linux: fewer, larger writes
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, READ_BLOCK)
        while not stop.is_set():
            try:
                block = blocks.get(timeout=WAIT)
            except queue.Empty:
                continue
            if block is None:
                ended.append(path)
                return
            view = memoryview(block)
            while view and not stop.is_set():  # non-blocking: a stalled reader cannot hang it
                try:
                    view = view[os.write(fd, view) :]
                except BlockingIOError:
                    select.select([], [fd], [], WAIT)
    except BrokenPipeError:
        pass  # the reader stopped (its own error is what the caller sees)
    finally:
        os.close(fd)
