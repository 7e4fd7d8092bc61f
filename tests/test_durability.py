"""A change is on disk when reader says so: killing it a moment later loses nothing.

The real app runs in a pseudo-terminal, as in a user's terminal; the test types `b`,
waits a second and sends SIGKILL (no clean shutdown, no atexit, nothing flushed). Then
fifty times over, a child process opens the store as the app does and changes
bookmarks, notes and read marks, saying "ack" after each; it is killed at a random
moment after an ack, and every acknowledged change must be in the store.
"""

from __future__ import annotations

import fcntl
import os
import random
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from store_child import Acknowledged, start_child

from reader import paths
from reader.library import Library
from reader.sources.sample import sample_papers
from reader.store import recovery

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


ROUNDS = 50


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_every_acknowledged_change_survives_sigkill_at_a_random_moment(data_dir):
    rng = random.Random(6)
    acknowledged = Acknowledged()
    for round_number in range(ROUNDS):
        child = start_child(data_dir, round_number, "kill", 100_000)
        try:
            before = acknowledged.acks
            wanted = rng.randint(1, 6)
            for line in child.stdout:
                acknowledged.feed(line)
                if acknowledged.acks - before >= wanted:
                    break
            time.sleep(rng.uniform(0, 0.006))  # a random moment after the ack
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            for line in child.stdout:  # what it said before it died
                acknowledged.feed(line)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            child.stdout.close()
            child.stderr.close()
        assert child.returncode == -signal.SIGKILL, child.returncode
        assert acknowledged.acks - before >= wanted
        store, recovered = recovery.open_store(paths.store_path(data_dir),
                                               paths.backups_path(data_dir))
        try:
            assert recovered is None  # never damaged: checked in full at this size
            acknowledged.check(store)
        finally:
            store.close()
    assert acknowledged.acks >= ROUNDS


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_every_bookmark_the_cli_acknowledged_survives_sigkill(data_dir, tmp_path):
    """The real command, 50 times: `reader bookmarks import` of a backup holding one
    new bookmark, killed at a random moment after it printed that it restored it
    (some rounds are killed before they got that far: those promised nothing)."""
    import json
    from dataclasses import asdict

    from reader.model import make_paper

    rng = random.Random(50)
    env = {**os.environ, "READER_DATA_DIR": str(data_dir)}
    acknowledged: list[str] = []
    for round_number in range(ROUNDS):
        paper = make_paper(f"Killed command paper {round_number}", "Kept or never promised.")
        backup = tmp_path / f"round-{round_number}.json"
        backup.write_text(json.dumps({"reader_backup": 1, "bookmarks": [
            {"added_at": 1_000_000.0 + round_number, "paper": asdict(paper)}]}),
            encoding="utf-8")
        child = subprocess.Popen(
            [sys.executable, "-m", "reader", "bookmarks", "import", str(backup)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        try:
            if rng.random() < 0.8:
                line = child.stdout.readline()  # "...: restored 1 bookmarks ..."
                if "restored 1" in line:
                    acknowledged.append(paper.id)
                time.sleep(rng.uniform(0, 0.02))  # a random moment after the ack
            else:
                time.sleep(rng.uniform(0, 0.4))  # before it could say anything
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            child.stdout.close()
        library = Library(data_dir)
        try:
            assert library.recovered is None  # the store was never damaged
            kept = library.bookmarked_ids()
            assert set(acknowledged) <= kept
        finally:
            library.close()
    assert len(acknowledged) >= ROUNDS // 2
