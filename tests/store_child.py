"""A child process for the durability tests: changes the user's data as reader does and
says so, one line per change, the moment each is committed.

    python store_child.py DATA_DIR SEED PREFIX COUNT [wait]

It opens the store the way the app and the CLI do (``recovery.open_store``: probe,
recover, migrate) but without a UI, so it starts in a tenth of a second. Then it makes
COUNT changes to papers named PREFIX 0..9: a bookmark added or removed, a note written,
a read mark set or cleared, chosen with random.Random(SEED). Each is printed as
``do KIND ID VALUE`` before the call and ``ack KIND ID VALUE`` after it returned (the
change is committed), flushed at once. First comes ``start T`` and last ``done T``
(T: the system's monotonic clock, to tell that two children ran at once).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

from reader import paths
from reader.model import make_paper
from reader.store import recovery


def papers(prefix: str):
    return [make_paper(f"{prefix} paper {number}", f"What {prefix} {number} is about.")
            for number in range(10)]


def main() -> None:
    root, seed, prefix, count = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    store, _ = recovery.open_store(paths.store_path(root), paths.backups_path(root))
    rng = random.Random(seed)
    chosen = papers(prefix)
    out = sys.stdout
    if sys.argv[5:] == ["wait"]:  # all children begin together
        out.write("ready\n")
        out.flush()
        sys.stdin.readline()
    out.write(f"start {time.monotonic()}\n")
    for number in range(count):
        paper = rng.choice(chosen)
        kind = rng.choice(("bookmark", "note", "read"))
        if kind == "bookmark":
            value = "0" if store.is_bookmarked(paper.id) else "1"
            change = (lambda: store.add_bookmark(paper)) if value == "1" else (
                lambda: store.remove_bookmark(paper.id))
        elif kind == "note":
            # an empty note removes it
            value = "" if rng.random() < 0.2 else f"{prefix}-{seed}-{number}"
            change = lambda: store.set_note(paper.id, value)  # noqa: E731
        else:
            value = "0" if store.is_read(paper.id) else "1"
            change = lambda: store.set_read(paper.id, value == "1")  # noqa: E731
        line = f"{kind} {paper.id} {value}"
        out.write(f"do {line}\n")
        out.flush()
        change()
        out.write(f"ack {line}\n")
        out.flush()
    out.write(f"done {time.monotonic()}\n")
    out.flush()
    store.close()


if __name__ == "__main__":
    main()


# -- the parent's side -------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def start_child(data_dir: Path, seed: int, prefix: str, count: int,
                wait: bool = False) -> subprocess.Popen:
    """This script in a child process, its lines on a pipe; with ``wait``, it opens the
    store, says ``ready`` and waits for a line on its stdin before it begins. (``-S``
    and PYTHONPATH: no site-packages to scan, a quicker start.)"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-S", __file__, str(data_dir), str(seed), prefix, str(count),
         *(["wait"] if wait else [])],
        stdin=subprocess.PIPE if wait else subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
    )


class Acknowledged:
    """What a child's lines say is committed; checked against the store afterwards."""

    def __init__(self) -> None:
        self.state: dict[tuple[str, str], str] = {}
        self.pending: tuple[str, str, str] | None = None  # said "do", not yet "ack"
        self.acks = 0

    def feed(self, line: str) -> None:
        word, _, rest = line.rstrip("\n").partition(" ")
        if word not in ("do", "ack"):
            return
        kind, paper_id, value = rest.split(" ", 2)
        if word == "do":
            self.pending = (kind, paper_id, value)
        else:
            assert self.pending == (kind, paper_id, value), line
            self.state[(kind, paper_id)] = value
            self.pending = None
            self.acks += 1

    def check(self, store) -> None:
        """Every acknowledged change is in ``store``; the one in flight when the child
        died may or may not be (and is taken as the store has it)."""
        for kind, paper_id in set(self.state) | ({self.pending[:2]} if self.pending else set()):
            found = stored_value(store, kind, paper_id)
            wanted = {self.state.get((kind, paper_id), _ABSENT[kind])}
            if self.pending is not None and self.pending[:2] == (kind, paper_id):
                wanted.add(self.pending[2])
            assert found in wanted, (kind, paper_id, found, wanted)
            self.state[(kind, paper_id)] = found
        self.pending = None


_ABSENT = {"bookmark": "0", "note": "", "read": "0"}


def stored_value(store, kind: str, paper_id: str) -> str:
    if kind == "bookmark":
        return "1" if store.is_bookmarked(paper_id) else "0"
    if kind == "note":
        return store.note(paper_id)
    return "1" if store.is_read(paper_id) else "0"
