"""Opening the store when it may be damaged: put it aside, restore the newest backup.

``open_store`` is how the library opens its store. It first probes the file, cheaply at
any size (about a millisecond for 400 MB): in one read transaction, the schema version,
the file's length against its header (a truncated file) and the first and last rows of
every table. A small store, or one a daily backup found damaged, is also checked in full
(``PRAGMA quick_check``); an empty file where backups exist is a store cut to nothing. When the probe or the opening itself shows
damage (SQLite's "file is not a database", "database disk image is malformed"), the
damaged file and its ``-wal`` and ``-shm`` are renamed aside with a timestamp (never
deleted) and the newest backup that passes a full check is restored in their place; with
no backup, the library starts empty, as on a fresh install. ``Recovery.message`` says
what happened in one line.

Errors that are not damage (a busy or unreadable file, a store from a newer reader) are
raised as they are, and the file is left alone.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from reader.locks import file_lock
from reader.store.backups import (
    DAMAGE_NOTE,
    backup_time,
    connect_existing,
    fsync,
    integrity_problem,
    is_damage,
    list_backups,
)
from reader.store.store import Store, StoreError

# Stores up to this size are checked in full at every start (a few ms).
FULL_CHECK_BELOW = 8 * 1024 * 1024
LOCK_NAME = ".recovery.lock"
_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class Recovery:
    """What was done about a damaged store."""

    store: Path
    problem: str
    moved_to: Path
    restored: Path | None  # the backup put in its place (None: a new, empty store)

    @property
    def message(self) -> str:
        done = f"moved it to {self.moved_to.name}"
        if self.restored is not None:
            when = backup_time(self.restored).strftime("%Y-%m-%d %H:%M")
            return (f"{self.store}: the library store was damaged ({self.problem}); {done} "
                    f"and restored the backup of {when}")
        return (f"{self.store}: the library store was damaged ({self.problem}); {done}; "
                "there was no backup to restore, so this is a new library")


def open_store(path: Path, backups: Path) -> tuple[Store, Recovery | None]:
    """The store at ``path``, recovered from the newest backup in ``backups`` if damaged."""
    note = backups / DAMAGE_NOTE
    if _problem(path, backups, full=_full_check(path, note)) is None:
        try:
            store = Store(path)
        except StoreError as error:
            if not is_damage(error.__cause__):
                raise
        else:
            note.unlink(missing_ok=True)
            return store, None
    # One copy of reader recovers; another one starting now waits, then finds it done.
    with file_lock(path.with_name(LOCK_NAME)):
        problem = _problem(path, backups, full=True)
        if problem is None:
            try:
                store = Store(path)
            except StoreError as error:
                if not is_damage(error.__cause__):
                    raise
                problem = str(error.__cause__)
            else:
                note.unlink(missing_ok=True)
                return store, None
        recovery = _recover(path, backups, problem)
    note.unlink(missing_ok=True)
    return Store(path), recovery


def _problem(path: Path, backups: Path, full: bool) -> str | None:
    problem = store_problem(path, full=full)
    if problem is None and _is_empty(path) and list_backups(backups):
        # Valid for SQLite, and a first start looks like this for a moment; with
        # backups made, it is a store cut to nothing.
        problem = "the file is empty"
    return problem


def _is_empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0 and not _wal_size(path)
    except FileNotFoundError:
        return False


def _full_check(path: Path, note: Path) -> bool:
    """A small store, or one a backup found damaged, is checked in full."""
    try:
        return path.stat().st_size < FULL_CHECK_BELOW or note.exists()
    except FileNotFoundError:
        return False


def store_problem(path: Path, *, full: bool = False) -> str | None:
    """What is wrong with the store file at ``path`` (None: it looks sound, or there is
    none yet). Cheap at any size; ``full`` adds ``PRAGMA quick_check`` (O(size))."""
    try:
        if path.stat().st_size == 0:
            return None
    except FileNotFoundError:
        return None
    conn = connect_existing(path, timeout=30, isolation_level=None)
    try:
        conn.execute("BEGIN")
        # the first read takes a read lock, held to the end: the file cannot change
        conn.execute("PRAGMA user_version").fetchone()
        problem = _truncated(path)
        if problem is not None:
            return problem
        tables = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
        ).fetchall()
        for name, sql in tables:
            quoted = '"' + name.replace('"', '""') + '"'
            conn.execute(f"SELECT * FROM {quoted} LIMIT 1").fetchall()
            if "WITHOUT ROWID" not in (sql or "").upper():
                # the last leaf: a table cut short fails here
                conn.execute(f"SELECT * FROM {quoted} ORDER BY rowid DESC LIMIT 1").fetchall()
        return integrity_problem(conn) if full else None
    except sqlite3.DatabaseError as error:
        if is_damage(error):
            return _truncated(path) or str(error)  # the cause, when it is that
        raise
    finally:
        conn.close()


def _truncated(path: Path) -> str | None:
    """Whether the file is shorter than its header says (called under a read lock).

    The header's page count is valid when its two change counters agree. With a
    write-ahead log holding pages, the file may rightly be shorter: then this says
    nothing (SQLite reports such damage when the pages are read)."""
    if _wal_size(path):
        return None
    with open(path, "rb") as file:
        header = file.read(100)
        size = os.fstat(file.fileno()).st_size
    if len(header) < 100 or not header.startswith(_HEADER):
        return None  # SQLite itself says what is wrong
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and size < pages * page_size:
        return f"truncated: {size:,} of {pages * page_size:,} bytes"
    return None


def _wal_size(path: Path) -> int:
    try:
        return path.with_name(path.name + "-wal").stat().st_size
    except FileNotFoundError:
        return 0


def _recover(path: Path, backups: Path, problem: str) -> Recovery:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    count = 1
    while aside.exists():
        count += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{count}")
    # The log and shared memory go with it, named so SQLite opens them together.
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    os.replace(path, aside)
    restored = None
    for backup in list_backups(backups):
        if _restore(backup, path):
            restored = backup
            break
    fsync(path.parent)
    return Recovery(path, problem, aside, restored)


def _restore(backup: Path, path: Path) -> bool:
    """Copy ``backup`` to ``path`` if it passes a full check; whether it did."""
    partial = path.with_name(path.name + ".restoring")
    partial.unlink(missing_ok=True)
    try:
        source = connect_existing(backup, "ro")
        try:
            if integrity_problem(source) is not None:
                return False
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
        fsync(partial)
        os.replace(partial, path)
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        partial.unlink(missing_ok=True)
