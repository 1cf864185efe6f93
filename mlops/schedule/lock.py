"""Advisory file locks (``fcntl.flock``) that say who holds them.

``file_lock(path, timeout=600, holder="job nightly")`` waits up to ``timeout`` seconds for an
exclusive lock on ``path`` and writes the holder's description and pid into the file, so the
error of whoever waits too long names the holder. ``timeout=0`` tries once. The lock goes away
with the process, even when it is killed.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from mlops.errors import MlopsError

POLL_SECONDS = 0.2


class LockTimeoutError(MlopsError):
    """Someone else held the lock for longer than we were willing to wait."""


@contextmanager
def file_lock(path: Path, *, timeout: float, holder: str) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeoutError(_busy(path, timeout)) from None
                time.sleep(POLL_SECONDS)
        since = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{holder} (pid {os.getpid()}, since {since})\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _busy(path: Path, timeout: float) -> str:
    try:
        who = path.read_text().strip() or "another process"
    except OSError:
        who = "another process"
    waited = f"after waiting {timeout:g} s" if timeout > 0 else "now"
    return f"{path} is held by {who}: gave up {waited}"
