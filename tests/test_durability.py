"""A bookmark is on disk at the key press: killing the app a second later loses nothing.

The real app runs in a pseudo-terminal, as in a user's terminal; the test types `b`,
waits a second and sends SIGKILL (no clean shutdown, no atexit, nothing flushed).
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from reader.library import Library
from reader.sources.sample import sample_papers

ROOT = Path(__file__).resolve().parents[1]


def _read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"never saw {needle!r}; last output: {seen[-400:]!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def _start_in_pty(data_dir: Path) -> tuple[subprocess.Popen, int]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    env = {**os.environ, "READER_DATA_DIR": str(data_dir), "TERM": "xterm-256color"}
    process = subprocess.Popen(
        [sys.executable, "-m", "reader"],
        stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env,
        start_new_session=True, close_fds=True,
    )
    os.close(slave)
    return process, master


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_bookmark_survives_sigkill(data_dir):
    process, master = _start_in_pty(data_dir)
    try:
        _read_until(master, b"36 papers", timeout=30)
        os.write(master, b"b")
        _read_until(master, "★ 1 bookmarked".encode(), timeout=10)
        time.sleep(1)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert process.returncode == -signal.SIGKILL
    library = Library(data_dir)
    try:
        assert [b.paper.title for b in library.bookmarks()] == [sample_papers()[0].title]
    finally:
        library.close()
