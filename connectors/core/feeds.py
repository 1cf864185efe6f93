"""How extracted rows travel from a source to the landing: Arrow batches or a CSV pipe.

``ArrowFeed`` carries record batches (generic DB-API, ODBC, REST, files). ``CsvFeed`` is the
PostgreSQL fast path: the server's ``COPY ... TO STDOUT (FORMAT csv)`` is streamed by a thread
into a named pipe that DuckDB's parallel CSV reader consumes directly, so no Python object is
made per value and memory stays bounded by the pipe and DuckDB's buffers.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

PIPE_BLOCK = 1 << 20


@dataclass
class ArrowFeed:
    batches: Iterator[pa.RecordBatch]


@dataclass
class CsvFeed:
    """A CSV stream produced by ``produce(write)`` in a background thread into a named pipe.

    Use as a context manager; ``path`` is what DuckDB reads. ``check()`` re-raises the
    producer's error (after the reader finished), so a source failure mid-stream is never
    mistaken for the end of the data.
    """

    produce: Callable[[Callable[[bytes], None]], None]
    rows_hook: Callable[[int], None] | None = None
    path: str = ""
    _dir: str = ""
    _thread: threading.Thread | None = None
    _error: BaseException | None = None
    _opened: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> CsvFeed:
        self._dir = tempfile.mkdtemp(prefix="erpml-feed-")
        self.path = str(Path(self._dir) / "rows.csv")
        os.mkfifo(self.path)
        self._thread = threading.Thread(target=self._run, name="erpml-csv-feed", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        fd = os.open(self.path, os.O_WRONLY)  # blocks until DuckDB opens the pipe
        self._opened.set()
        try:
            self.produce(lambda data: _write_all(fd, data))
        except BrokenPipeError:
            pass  # the reader stopped (its own error is what the caller sees)
        except BaseException as exc:  # handed to the caller by check()
            self._error = exc
        finally:
            os.close(fd)

    def check(self) -> None:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error

    def __exit__(self, *exc: Any) -> None:
        if self._thread is not None and self._thread.is_alive() and not self._opened.is_set():
            # the reader never opened the pipe: open and close it so the producer can finish
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            os.close(fd)
        if self._thread is not None:
            self._thread.join(timeout=30)
        Path(self.path).unlink(missing_ok=True)
        os.rmdir(self._dir)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def blocks(chunks: Iterator[bytes | memoryview], size: int = PIPE_BLOCK) -> Iterator[bytes]:
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
