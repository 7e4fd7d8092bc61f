"""Locks between copies of reader: one holder at a time, gone with the process."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import pytest

from reader.locks import file_lock

HOLD = """
import sys, time
from pathlib import Path
from reader.locks import file_lock
with file_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock")


def _hold(path, seconds: float) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "held\n"
    return child


def test_a_lock_held_elsewhere_is_refused_or_waited_for(tmp_path):
    path = tmp_path / ".lock"
    child = _hold(path, 0.8)
    try:
        with file_lock(path, wait=False) as held:
            assert held is False
        waits = []
        started = time.monotonic()
        with file_lock(path, on_wait=lambda: waits.append(1), patience=0.1) as held:
            assert held is True
            waited = time.monotonic() - started
        assert waits == [1]  # it said so, once
        assert waited > 0.3
    finally:
        child.wait(timeout=10)
        child.stdout.close()


def test_a_short_wait_goes_unsaid(tmp_path):
    path = tmp_path / ".lock"
    waits = []

    def take() -> None:
        with file_lock(path, on_wait=lambda: waits.append(1)):
            pass

    with file_lock(path):
        other = threading.Thread(target=take)
        other.start()
        time.sleep(0.1)
    other.join(timeout=5)
    assert not other.is_alive()
    assert waits == []


def test_a_killed_holder_leaves_no_lock(tmp_path):
    path = tmp_path / ".lock"
    child = _hold(path, 60)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    assert path.exists()  # the file stays; the lock went with the process
    with file_lock(path, wait=False) as held:
        assert held is True
