"""Locks between running copies of reader (and between threads of one).

A lock is ``flock`` on a small file in the data directory. The kernel drops it when the
process that holds it ends in any way, SIGKILL included, so a lock is never left behind
and nothing ever has to delete a lock file. Where ``fcntl`` is missing (Windows) the
locks do nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


@contextmanager
def file_lock(
    path: Path,
    *,
    wait: bool = True,
    on_wait: Callable[[], None] | None = None,
    patience: float = 0.5,
) -> Iterator[bool]:
    """Hold the lock named by ``path`` for the ``with`` block; yields whether it is held.

    When another process (or another thread, through its own open) holds it: with
    ``wait``, block until it is free, calling ``on_wait`` once if that takes longer
    than ``patience`` seconds; without, yield False at once.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        if fcntl is None:
            yield True
            return
        if not _try(fd):
            if not wait:
                yield False
                return
            deadline = time.monotonic() + patience
            while time.monotonic() < deadline:
                time.sleep(0.02)
                if _try(fd):
                    break
            else:
                if on_wait is not None:
                    on_wait()
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield True
    finally:
        os.close(fd)  # closing the file releases the lock


def _try(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
