"""SQLite store for papers and the user's data.

Every change is its own committed transaction when the call returns: a bookmark is on
disk at the key press, not at quit. The database runs in WAL mode with full fsync, so
two running copies can read and write it at once and a killed process loses nothing it
acknowledged. Each thread gets its own connection (SQLite connections are not shared
between threads).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from reader.model import Paper
from reader.store.schema import MIGRATIONS, SCHEMA_VERSION

_COLUMNS = "id, title, abstract, authors, source, published, url, categories"


class StoreError(RuntimeError):
    """The store cannot be opened or used (one line, naming the file)."""


@dataclass(frozen=True, slots=True)
class Bookmark:
    paper: Paper
    added_at: float


def _paper_from_row(row: Sequence) -> Paper:
    id_, title, abstract, authors, source, published, url, categories = row
    return Paper(
        id=id_,
        title=title,
        abstract=abstract,
        authors=tuple(json.loads(authors)),
        source=source,
        published=published,
        url=url,
        categories=tuple(json.loads(categories)),
    )


def _paper_to_snapshot(paper: Paper) -> str:
    return json.dumps(asdict(paper), ensure_ascii=False)


def _paper_from_snapshot(snapshot: str) -> Paper:
    data = json.loads(snapshot)
    data["authors"] = tuple(data.get("authors", ()))
    data["categories"] = tuple(data.get("categories", ()))
    return Paper(**data)


class Store:
    """The library's SQLite database at ``path`` (created and migrated on open)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: cannot open the library store: {error}") from error

    # -- connections -------------------------------------------------------------------

    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _migrate(self) -> None:
        conn = self._conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer reader (schema {version} > {SCHEMA_VERSION})"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._transaction() as tx:
                # executescript would commit on its own; run statement by statement.
                for statement in MIGRATIONS[target].split(";"):
                    if statement.strip():
                        tx.execute(statement)
                tx.execute(f"PRAGMA user_version = {target}")

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # -- papers --------------------------------------------------------------------------

    def generation(self) -> int:
        """A number that changes whenever the papers change (the index records it)."""
        row = self._conn.execute(
            "SELECT value FROM meta WHERE key = 'papers_generation'"
        ).fetchone()
        return int(row[0])

    def add_papers(self, papers: Iterable[Paper]) -> int:
        """Insert papers not yet in the store (by id), in one transaction; return how many."""
        now = time.time()
        rows = [
            (
                p.id,
                p.title,
                p.abstract,
                json.dumps(list(p.authors), ensure_ascii=False),
                p.source,
                p.published,
                p.url,
                json.dumps(list(p.categories), ensure_ascii=False),
                now,
            )
            for p in papers
        ]
        with self._transaction() as tx:
            before = tx.total_changes
            tx.executemany(
                f"INSERT OR IGNORE INTO papers ({_COLUMNS}, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            added = tx.total_changes - before
            if added:
                tx.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1"
                    " WHERE key = 'papers_generation'"
                )
        return added

    def count_papers(self) -> int:
        return self._conn.execute("SELECT count(*) FROM papers").fetchone()[0]

    def paper(self, paper_id: str) -> Paper | None:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM papers WHERE id = ?", (paper_id,)
        ).fetchone()
        return _paper_from_row(row) if row else None

    def papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        """The papers with these ids that the store holds (bookmark snapshots fill gaps)."""
        found: dict[str, Paper] = {}
        ids = list(paper_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT {_COLUMNS} FROM papers WHERE id IN ({marks})", chunk
            ):
                found[row[0]] = _paper_from_row(row)
            missing = [paper_id for paper_id in chunk if paper_id not in found]
            if missing:
                marks = ",".join("?" * len(missing))
                for paper_id, snapshot in self._conn.execute(
                    f"SELECT paper_id, snapshot FROM bookmarks WHERE paper_id IN ({marks})",
                    missing,
                ):
                    found[paper_id] = _paper_from_snapshot(snapshot)
        return found

    def paper_ids(self, offset: int = 0, limit: int = -1) -> list[str]:
        """Paper ids in library order (the order they arrived in)."""
        return [
            row[0]
            for row in self._conn.execute(
                "SELECT id FROM papers ORDER BY seq LIMIT ? OFFSET ?", (limit, offset)
            )
        ]

    def iter_papers(self, batch: int = 1000) -> Iterator[Paper]:
        """Every paper in library order, read in batches (bounded memory)."""
        last = 0
        while True:
            rows = self._conn.execute(
                f"SELECT seq, {_COLUMNS} FROM papers WHERE seq > ? ORDER BY seq LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for row in rows:
                yield _paper_from_row(row[1:])

    # -- bookmarks -----------------------------------------------------------------------

    def is_bookmarked(self, paper_id: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM bookmarks WHERE paper_id = ?", (paper_id,)
        ).fetchone()
        return row is not None

    def bookmarked_ids(self) -> set[str]:
        return {row[0] for row in self._conn.execute("SELECT paper_id FROM bookmarks")}

    def count_bookmarks(self) -> int:
        return self._conn.execute("SELECT count(*) FROM bookmarks").fetchone()[0]

    def add_bookmark(self, paper: Paper, added_at: float | None = None) -> None:
        with self._transaction() as tx:
            tx.execute(
                "INSERT INTO bookmarks (paper_id, added_at, snapshot) VALUES (?, ?, ?)"
                " ON CONFLICT (paper_id) DO UPDATE SET snapshot = excluded.snapshot",
                (paper.id, time.time() if added_at is None else added_at,
                 _paper_to_snapshot(paper)),
            )

    def remove_bookmark(self, paper_id: str) -> None:
        with self._transaction() as tx:
            tx.execute("DELETE FROM bookmarks WHERE paper_id = ?", (paper_id,))

    def toggle_bookmark(self, paper: Paper) -> bool:
        """Bookmark ``paper`` or remove its bookmark; return whether it is now bookmarked."""
        with self._transaction() as tx:
            deleted = tx.execute(
                "DELETE FROM bookmarks WHERE paper_id = ?", (paper.id,)
            ).rowcount
            if deleted:
                return False
            tx.execute(
                "INSERT INTO bookmarks (paper_id, added_at, snapshot) VALUES (?, ?, ?)",
                (paper.id, time.time(), _paper_to_snapshot(paper)),
            )
            return True

    def bookmarks(self) -> list[Bookmark]:
        """Every bookmark, newest first, with the paper as the store has it now."""
        rows = self._conn.execute(
            "SELECT paper_id, added_at, snapshot FROM bookmarks"
            " ORDER BY added_at DESC, rowid DESC"
        ).fetchall()
        current = self.papers([row[0] for row in rows])
        return [
            Bookmark(current.get(paper_id) or _paper_from_snapshot(snapshot), added_at)
            for paper_id, added_at, snapshot in rows
        ]

    def bookmark_ids_newest_first(self) -> list[str]:
        return [
            row[0]
            for row in self._conn.execute(
                "SELECT paper_id FROM bookmarks ORDER BY added_at DESC, rowid DESC"
            )
        ]
