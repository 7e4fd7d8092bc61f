"""Automatic backups of the library store, at most one a day, the newest few kept.

``backup_if_due`` runs when reader opens the library: the first time on a day, the store
is checked (``PRAGMA quick_check``) and copied with SQLite's online backup API into
``backups/library-YYYYMMDD-HHMMSS.sqlite3`` in the data directory. The copy is written to
a temporary file, synced and renamed into place, so a backup is never half-written; it
is one read transaction, so the copy is one consistent moment and running copies of
reader go on reading and writing meanwhile (WAL). The newest ``KEEP`` are kept.

A store that fails the check is not backed up (the damaged copy would push a good
backup out): ``StoreDamaged`` says why, and a note is left for the next start, which
checks the store in full and restores the newest backup if it is still damaged (see
``recovery``).
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import datetime
from pathlib import Path

from reader.locks import file_lock

KEEP = 5
PREFIX = "library-"
SUFFIX = ".sqlite3"
STAMP = "%Y%m%d-%H%M%S"
PARTIAL = ".partial"
LOCK_NAME = ".lock"
# left by a backup that found the store damaged: the next start checks it in full
DAMAGE_NOTE = "store-damaged.txt"
_NAME = re.compile(r"^library-(\d{8}-\d{6})(?:-(\d+))?\.sqlite3$")


class StoreDamaged(RuntimeError):
    """The store failed its integrity check (one line, naming the file)."""


def _key(path: Path) -> tuple[str, int] | None:
    match = _NAME.match(path.name)
    return (match.group(1), int(match.group(2) or 0)) if match else None


def list_backups(folder: Path) -> list[Path]:
    """The automatic backups in ``folder``, newest first."""
    try:
        found = [path for path in folder.iterdir() if _key(path) is not None]
    except FileNotFoundError:
        return []
    return sorted(found, key=_key, reverse=True)


def backup_time(path: Path) -> datetime:
    """When the backup at ``path`` was made (local time, from its name)."""
    return datetime.strptime(_key(path)[0], STAMP)


def backup_due(folder: Path, now: datetime | None = None) -> bool:
    """Whether no backup was made today."""
    existing = list_backups(folder)
    now = now or datetime.now()
    return not existing or backup_time(existing[0]).date() != now.date()


def integrity_problem(conn: sqlite3.Connection) -> str | None:
    """What ``PRAGMA quick_check`` finds wrong with the database (None: nothing).

    O(size): about 0.3 s for a 400 MB store in the page cache, several seconds cold.
    """
    try:
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        return str(error)
    if rows == [("ok",)]:
        return None
    return str(rows[0][0]) if rows else "quick_check found problems"


def is_damage(error: BaseException | None) -> bool:
    """Whether a SQLite error says the file itself is damaged (not busy, not missing)."""
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB
    text = str(error)
    return "malformed" in text or "not a database" in text


def backup_if_due(store: Path, folder: Path, *, keep: int = KEEP,
                  now: datetime | None = None) -> Path | None:
    """Back up ``store`` into ``folder`` unless that was done today; the new backup, or
    None. Another copy of reader making today's backup right now counts as done."""
    with file_lock(folder / LOCK_NAME, wait=False) as held:
        if not held or not backup_due(folder, now):
            return None
        return _make_backup(store, folder, keep, now)


def make_backup(store: Path, folder: Path, *, keep: int = KEEP,
                now: datetime | None = None) -> Path:
    """Back up ``store`` now (waiting for a backup another copy may be making)."""
    with file_lock(folder / LOCK_NAME):
        return _make_backup(store, folder, keep, now)


def _make_backup(store: Path, folder: Path, keep: int, now: datetime | None) -> Path:
    # Called with the lock held: partial files are leftovers of a killed backup.
    for stale in folder.glob(f"*{PARTIAL}*"):
        stale.unlink(missing_ok=True)
    target = _free_name(folder, now or datetime.now())
    # mode=rw: never create an empty store where there is none
    source = connect_existing(store, timeout=30)
    try:
        problem = integrity_problem(source)
        if problem is not None:
            (folder / DAMAGE_NOTE).write_text(problem + "\n", encoding="utf-8")
            raise StoreDamaged(f"{store}: the library store is damaged ({problem}); "
                               "not backed up (the next start restores the newest backup)")
        write_copy(source, target)
    finally:
        source.close()
    for old in list_backups(folder)[keep:]:
        old.unlink(missing_ok=True)
    return target


def write_copy(source: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of the database ``source`` at ``target``: written beside it,
    flushed, then renamed into place, so a crash never leaves a half-written copy."""
    partial = target.with_name(target.name + PARTIAL)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # one step: one read transaction, one consistent moment
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
        fsync(partial)
        os.replace(partial, target)
        fsync(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def connect_existing(path: Path, mode: str = "rw", **options) -> sqlite3.Connection:
    """A connection to the database at ``path`` that never creates one (a URI with
    ``mode=rw`` or ``ro``; the path percent-encoded, so any name works)."""
    uri = f"{Path(path).absolute().as_uri()}?mode={mode}"
    return sqlite3.connect(uri, uri=True, **options)


def _free_name(folder: Path, moment: datetime) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{PREFIX}{moment.strftime(STAMP)}"
    target = folder / f"{stem}{SUFFIX}"
    count = 1
    while target.exists():
        count += 1
        target = folder / f"{stem}-{count}{SUFFIX}"
    return target


def fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk, where the platform allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
