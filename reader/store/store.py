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
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from reader.model import MERGEABLE_FIELDS, Paper, normalize_title
from reader.store.backups import write_copy
from reader.store.schema import MIGRATIONS, SCHEMA_VERSION
from reader.tags import normalize_tag, unique

_FIELDS = (
    "id", "title", "abstract", "authors", "published", "updated", "url", "pdf_url",
    "categories", "arxiv_id", "doi", "venue", "journal_ref", "comment", "extra",
)
_JSON_FIELDS = {"authors", "categories", "extra"}
_COLUMNS = ", ".join(_FIELDS)


class StoreError(RuntimeError):
    """The store cannot be opened or used (one line, naming the file)."""


@dataclass(frozen=True, slots=True)
class Bookmark:
    paper: Paper
    added_at: float


@dataclass(slots=True)
class MergeCounts:
    """What one import did to the library."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


def _paper_from_row(row: Sequence, sources: Sequence[str] = ()) -> Paper:
    data = dict(zip(_FIELDS, row))
    for name in _JSON_FIELDS:
        data[name] = json.loads(data[name])
    data["authors"] = tuple(data["authors"])
    data["categories"] = tuple(data["categories"])
    return Paper(sources=tuple(sources), **data)


def _row_values(paper: Paper) -> list:
    values = []
    for name in _FIELDS:
        value = getattr(paper, name)
        if name in _JSON_FIELDS:
            value = json.dumps(list(value) if isinstance(value, tuple) else value,
                               ensure_ascii=False)
        values.append(value)
    return values


def _paper_to_snapshot(paper: Paper) -> str:
    return json.dumps(asdict(paper), ensure_ascii=False)


def _paper_from_snapshot(snapshot: str) -> Paper:
    data = json.loads(snapshot)
    known = {f.name for f in fields(Paper)}
    data = {key: value for key, value in data.items() if key in known}
    for name in ("authors", "categories", "sources"):
        data[name] = tuple(data.get(name, ()))
    return Paper(**data)


def _merged(existing: Paper, new: Paper) -> Paper:
    """``existing`` with the fields it lacks filled in from ``new``."""
    changes = {
        name: getattr(new, name)
        for name in MERGEABLE_FIELDS
        if not getattr(existing, name) and getattr(new, name)
    }
    extra = {**new.extra, **existing.extra}
    if extra != existing.extra:
        changes["extra"] = extra
    return replace(existing, **changes) if changes else existing


class StoreBusy(StoreError):
    """Another process held the write lock for longer than this one would wait; the
    change was not made."""


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

    def set_patience(self, seconds: float) -> None:
        """How long a write from this thread waits for another process's write (30 s
        unless set: a person at the keyboard should not wait that long)."""
        self._conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            raise StoreBusy(
                f"{self.path}: another copy of reader is writing to the library (an "
                "import?); not saved, try again in a moment"
            ) from error
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
        if 0 < version < SCHEMA_VERSION:
            self._backup(f"schema{version}")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._transaction() as tx:
                if tx.execute("PRAGMA user_version").fetchone()[0] >= target:
                    continue  # another copy of reader, starting at the same time, did it
                MIGRATIONS[target](tx)
                tx.execute(f"PRAGMA user_version = {target}")

    def _backup(self, label: str) -> Path:
        """Copy the store beside itself (consistent, never half-written)."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.{label}-{stamp}.bak")
        write_copy(self._conn, target)
        return target

    def data_version(self) -> int:
        """A number that changes when another connection commits to the store (another
        copy of reader, or another thread of this one). O(1): SQLite keeps it in shared
        memory, so it is cheap to poll."""
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # -- papers --------------------------------------------------------------------------

    def generation(self) -> int:
        """A number that grows whenever papers change (the index records it)."""
        row = self._conn.execute(
            "SELECT value FROM meta WHERE key = 'papers_generation'"
        ).fetchone()
        return int(row[0])

    def _find(self, tx: sqlite3.Connection, paper: Paper, norm_title: str) -> Paper | None:
        """The library's copy of ``paper``: the same id, arXiv id, DOI or title."""
        lookups = [("id", paper.id)]
        if paper.arxiv_id:
            lookups.append(("arxiv_id", paper.arxiv_id))
        if paper.doi:
            lookups.append(("doi", paper.doi))
        if len(norm_title) >= 12:
            lookups.append(("norm_title", norm_title))
        for column, value in lookups:
            row = tx.execute(
                f"SELECT {_COLUMNS} FROM papers WHERE {column} = ? ORDER BY seq LIMIT 1",
                (value,),
            ).fetchone()
            if row:
                return _paper_from_row(row)
        return None

    def _retire(self, tx: sqlite3.Connection, source: str, generation: int) -> None:
        """If every paper came from ``source`` alone, remove the unbookmarked ones."""
        others = tx.execute(
            "SELECT 1 FROM paper_sources WHERE source != ? LIMIT 1", (source,)
        ).fetchone()
        if others:
            return
        doomed = [
            row[0]
            for row in tx.execute(
                "SELECT id FROM papers WHERE id NOT IN (SELECT paper_id FROM bookmarks)"
            )
        ]
        for paper_id in doomed:
            tx.execute("DELETE FROM papers WHERE id = ?", (paper_id,))
            tx.execute("DELETE FROM paper_sources WHERE paper_id = ?", (paper_id,))
            tx.execute(
                "INSERT OR REPLACE INTO removed_papers (paper_id, removed_gen) VALUES (?, ?)",
                (paper_id, generation),
            )

    def removed_since(self, generation: int) -> list[str]:
        """Ids of papers removed after ``generation`` (and not back since)."""
        return [
            row[0]
            for row in self._conn.execute(
                "SELECT paper_id FROM removed_papers WHERE removed_gen > ?"
                " AND paper_id NOT IN (SELECT id FROM papers)",
                (generation,),
            )
        ]

    def merge_papers(
        self,
        papers: Iterable[Paper],
        source: str,
        progress: Callable[[int], None] | None = None,
        replaces: str | None = None,
    ) -> MergeCounts:
        """Add new papers and fill in what known ones lack, all in one transaction.

        A paper is known when the library has its id, arXiv id, DOI or normalised
        title; the library's copy keeps its id (bookmarks point at it) and its values,
        and gains the fields it had empty. Each paper records the sources it names
        (``source`` when it names none). If ``papers``
        raises, nothing is changed. ``progress`` is called with the count read so far.

        ``replaces`` names a placeholder source (the bundled sample): if the library
        holds nothing else, its papers that are not bookmarked make way for these.
        """
        counts = MergeCounts()
        now = time.time()
        placeholders = ", ".join("?" * (len(_FIELDS) + 3))
        with self._transaction() as tx:
            generation = self.generation() + 1
            if replaces is not None and replaces != source:
                self._retire(tx, replaces, generation)
            for done, paper in enumerate(papers, start=1):
                norm_title = normalize_title(paper.title)
                existing = self._find(tx, paper, norm_title)
                if existing is None:
                    tx.execute(
                        f"INSERT INTO papers ({_COLUMNS}, norm_title, changed_gen, added_at)"
                        f" VALUES ({placeholders})",
                        [*_row_values(paper), norm_title, generation, now],
                    )
                    counts.added += 1
                    paper_id = paper.id
                    changed = True
                else:
                    paper_id = existing.id
                    merged = _merged(existing, paper)
                    changed = merged != existing
                    if changed:
                        assignments = ", ".join(f"{name} = ?" for name in _FIELDS[1:])
                        tx.execute(
                            f"UPDATE papers SET {assignments}, changed_gen = ? WHERE id = ?",
                            [*_row_values(merged)[1:], generation, paper_id],
                        )
                new_source = 0
                for name in paper.sources or (source,):
                    new_source += tx.execute(
                        "INSERT OR IGNORE INTO paper_sources (paper_id, source, added_at)"
                        " VALUES (?, ?, ?)",
                        (paper_id, name, now),
                    ).rowcount
                if existing is not None:
                    if new_source and not changed:
                        # the index's source: field must learn of it
                        tx.execute(
                            "UPDATE papers SET changed_gen = ? WHERE id = ?",
                            (generation, paper_id),
                        )
                    if changed or new_source:
                        counts.updated += 1
                    else:
                        counts.unchanged += 1
                if progress and done % 500 == 0:
                    progress(done)
            removed = tx.execute(
                "SELECT 1 FROM removed_papers WHERE removed_gen = ? LIMIT 1", (generation,)
            ).fetchone()
            if counts.added or counts.updated or removed:
                tx.execute(
                    "UPDATE meta SET value = ? WHERE key = 'papers_generation'",
                    (str(generation),),
                )
        return counts

    def add_papers(self, papers: Iterable[Paper]) -> int:
        """Merge papers that name their own source; return how many were new."""
        added = 0
        by_source: dict[str, list[Paper]] = {}
        for paper in papers:
            by_source.setdefault(paper.sources[0] if paper.sources else "", []).append(paper)
        for source, group in by_source.items():
            added += self.merge_papers(group, source).added
        return added

    def count_papers(self) -> int:
        return self._conn.execute("SELECT count(*) FROM papers").fetchone()[0]

    def is_empty(self) -> bool:
        """Whether there are no papers (one row looked at, not all counted)."""
        return self._conn.execute("SELECT 1 FROM papers LIMIT 1").fetchone() is None

    def _sources(self, paper_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        marks = ",".join("?" * len(paper_ids))
        for paper_id, source in self._conn.execute(
            f"SELECT paper_id, source FROM paper_sources WHERE paper_id IN ({marks})"
            " AND source != '' ORDER BY added_at, source",
            list(paper_ids),
        ):
            found.setdefault(paper_id, []).append(source)
        return found

    def _papers_from_rows(self, rows: Sequence[Sequence]) -> list[Paper]:
        sources = self._sources([row[0] for row in rows]) if rows else {}
        return [_paper_from_row(row, sources.get(row[0], ())) for row in rows]

    def paper(self, paper_id: str) -> Paper | None:
        return self.papers([paper_id]).get(paper_id)

    def papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        """The papers with these ids that the store holds (bookmark snapshots fill gaps)."""
        found: dict[str, Paper] = {}
        ids = list(paper_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM papers WHERE id IN ({marks})", chunk
            ).fetchall()
            for paper in self._papers_from_rows(rows):
                found[paper.id] = paper
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

    def count_and_last(self) -> tuple[int, int]:
        """How many papers there are and the arrival number of the newest (0 when
        none), read together."""
        conn = self._conn
        # (one read transaction: both from the same state of the store; asked in one
        # statement, SQLite would scan the table instead of counting an index)
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            count = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
            last = conn.execute("SELECT coalesce(max(seq), 0) FROM papers").fetchone()[0]
        finally:
            if own:
                conn.execute("COMMIT")
        return count, last

    def page_in_order(self, limit: int, *, upto: int, offset: int = 0,
                      after: int | None = None, before: int | None = None,
                      from_end: bool = False) -> list[tuple[int, str]]:
        """(arrival number, id) of ``limit`` papers in library order, among those that
        arrived up to number ``upto``: the ones right after number ``after``, right
        before number ``before``, or ``offset`` papers from the start (or from the
        end). Next to a known paper or near either end this is a short walk of the
        order index, wherever the page is in a long library (an offset from the start
        walks every paper before it)."""
        if after is not None:
            sql, args, reverse = ("SELECT seq, id FROM papers WHERE seq > ? AND seq <= ? "
                                  "ORDER BY seq LIMIT ?", (after, upto, limit), False)
        elif before is not None:
            sql, args, reverse = ("SELECT seq, id FROM papers WHERE seq < ? AND seq <= ? "
                                  "ORDER BY seq DESC LIMIT ?", (before, upto, limit), True)
        else:
            direction = "DESC" if from_end else ""
            sql, args, reverse = (f"SELECT seq, id FROM papers WHERE seq <= ? ORDER BY seq "
                                  f"{direction} LIMIT ? OFFSET ?", (upto, limit, offset),
                                  from_end)
        rows = self._conn.execute(sql, args).fetchall()
        return rows[::-1] if reverse else rows

    def position(self, paper_id: str) -> int | None:
        """Where the paper is in library order (None if the library lacks it)."""
        if not self.has_paper(paper_id):
            return None
        return self._conn.execute(
            "SELECT count(*) FROM papers WHERE seq < (SELECT seq FROM papers WHERE id = ?)",
            (paper_id,),
        ).fetchone()[0]

    def has_paper(self, paper_id: str) -> bool:
        return self._conn.execute(
            "SELECT 1 FROM papers WHERE id = ?", (paper_id,)
        ).fetchone() is not None

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as tx:
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def ids_added_since(self, moment: float) -> list[str]:
        """Papers that arrived at ``moment`` or later, newest arrivals first."""
        return [
            row[0]
            for row in self._conn.execute(
                "SELECT id FROM papers WHERE added_at >= ? ORDER BY seq DESC", (moment,)
            )
        ]

    def sorted_ids(self, paper_ids: Collection[str] | None, key: str,
                   in_library: bool = False) -> list[str]:
        """``paper_ids`` (None: the whole library) ordered by ``key``: ``newest``,
        ``oldest`` (publication date; undated last), ``title``, ``added`` or
        ``upvotes`` (Hugging Face upvotes, most first; papers without them last).
        Ids the library lacks (known from a bookmark's snapshot) come last, unless
        ``in_library``: then they are left out."""
        order = {
            "newest": "published = '', published DESC, seq",
            "oldest": "published = '', published, seq",
            "title": "norm_title, seq",
            "added": "seq",
            "upvotes": "json_extract(extra, '$.upvotes') IS NULL,"
                       " json_extract(extra, '$.upvotes') DESC, seq",
        }[key]
        if paper_ids is None:
            return [row[0] for row in self._conn.execute(f"SELECT id FROM papers ORDER BY {order}")]
        conn = self._conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM wanted")
        conn.executemany("INSERT OR IGNORE INTO wanted (id) VALUES (?)", ((i,) for i in paper_ids))
        found = [
            row[0]
            for row in conn.execute(
                f"SELECT id FROM papers WHERE id IN (SELECT id FROM wanted) ORDER BY {order}"
            )
        ]
        conn.execute("DELETE FROM wanted")
        if in_library:
            return found
        # papers known only from a bookmark's snapshot go last, in the order given
        known = set(found)
        return found + [paper_id for paper_id in paper_ids if paper_id not in known]

    def iter_papers(self, batch: int = 1000, changed_after: int = -1) -> Iterator[Paper]:
        """Papers in library order, read in batches (bounded memory).

        With ``changed_after``, only those changed in a later papers generation.
        """
        last = 0
        # A few changed papers are found through their index; SQLite would otherwise
        # walk every paper in order to find them (0.07 s a batch at 185k papers).
        source = "papers" if changed_after < 0 else "papers INDEXED BY papers_by_change"
        while True:
            rows = self._conn.execute(
                f"SELECT seq, {_COLUMNS} FROM {source} WHERE seq > ? AND changed_gen > ?"
                " ORDER BY seq LIMIT ?",
                (last, changed_after, batch),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield from self._papers_from_rows([row[1:] for row in rows])

    def count_changed_after(self, generation: int) -> int:
        return self._conn.execute(
            "SELECT count(*) FROM papers WHERE changed_gen > ?", (generation,)
        ).fetchone()[0]

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

    def bookmark_time(self, paper_id: str) -> float | None:
        """When the paper was bookmarked (None: it is not)."""
        row = self._conn.execute(
            "SELECT added_at FROM bookmarks WHERE paper_id = ?", (paper_id,)
        ).fetchone()
        return row[0] if row else None

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

    # -- searches ------------------------------------------------------------------------

    HISTORY_KEPT = 500

    def remember_query(self, text: str) -> None:
        """Add ``text`` to the search history (moving it to the end if it is there)."""
        text = text.strip()
        if not text:
            return
        with self._transaction() as tx:
            tx.execute("DELETE FROM search_history WHERE query = ?", (text,))
            tx.execute(
                "INSERT INTO search_history (query, at) VALUES (?, ?)", (text, time.time())
            )
            tx.execute(
                "DELETE FROM search_history WHERE seq <= "
                "(SELECT seq FROM search_history ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                (self.HISTORY_KEPT,),
            )

    def query_history(self, limit: int = HISTORY_KEPT) -> list[str]:
        """Earlier queries, most recent first."""
        return [
            row[0]
            for row in self._conn.execute(
                "SELECT query FROM search_history ORDER BY seq DESC LIMIT ?", (limit,)
            )
        ]

    def save_search(self, name: str, text: str) -> None:
        with self._transaction() as tx:
            tx.execute(
                "INSERT INTO saved_searches (name, query, saved_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET query = excluded.query,"
                " saved_at = excluded.saved_at",
                (name.strip(), text.strip(), time.time()),
            )

    def delete_saved_search(self, name: str) -> None:
        with self._transaction() as tx:
            tx.execute("DELETE FROM saved_searches WHERE name = ?", (name,))

    def saved_searches(self) -> list[tuple[str, str]]:
        """(name, query) pairs, by name."""
        return [
            (row[0], row[1])
            for row in self._conn.execute(
                "SELECT name, query FROM saved_searches ORDER BY name COLLATE NOCASE"
            )
        ]

    # -- read marks ----------------------------------------------------------------------

    def set_read(self, paper_id: str, read: bool = True) -> None:
        """Mark a paper read (keeping the first time it was read) or unread."""
        with self._transaction() as tx:
            if read:
                tx.execute(
                    "INSERT OR IGNORE INTO read_marks (paper_id, read_at) VALUES (?, ?)",
                    (paper_id, time.time()),
                )
            else:
                tx.execute("DELETE FROM read_marks WHERE paper_id = ?", (paper_id,))

    def is_read(self, paper_id: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM read_marks WHERE paper_id = ?", (paper_id,)
        ).fetchone()
        return row is not None

    def read_ids(self) -> set[str]:
        return {row[0] for row in self._conn.execute("SELECT paper_id FROM read_marks")}

    # -- notes -----------------------------------------------------------------------

    def set_note(self, paper_id: str, text: str) -> None:
        """Save the note on a paper (an empty note removes it), committed at once."""
        with self._transaction() as tx:
            if text.strip():
                tx.execute(
                    "INSERT INTO notes (paper_id, text, updated_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (paper_id) DO UPDATE SET text = excluded.text,"
                    " updated_at = excluded.updated_at",
                    (paper_id, text, time.time()),
                )
            else:
                tx.execute("DELETE FROM notes WHERE paper_id = ?", (paper_id,))

    def note(self, paper_id: str) -> str:
        row = self._conn.execute(
            "SELECT text FROM notes WHERE paper_id = ?", (paper_id,)
        ).fetchone()
        return row[0] if row else ""

    def ids_with_notes(self, containing: Sequence[str] = ()) -> set[str]:
        """Papers with a note (holding every one of ``containing``, any case)."""
        sql = "SELECT paper_id FROM notes"
        if containing:
            sql += " WHERE " + " AND ".join("instr(lower(text), lower(?)) > 0"
                                            for _ in containing)
        return {row[0] for row in self._conn.execute(sql, list(containing))}

    # -- tags ----------------------------------------------------------------------------
    # Tags are normalised here too (reader.tags), so no caller can store two spellings
    # of one tag; a bad one raises TagError.

    def tags_of(self, paper_id: str) -> list[str]:
        """The paper's tags, by name."""
        return [tag for tag, _ in self.tag_rows_of(paper_id)]

    def tag_rows_of(self, paper_id: str) -> list[tuple[str, float]]:
        """(tag, added at) of the paper's tags, by name."""
        return list(self._conn.execute(
            "SELECT tag, added_at FROM tags WHERE paper_id = ? ORDER BY tag", (paper_id,)
        ))

    def add_tag(self, paper_id: str, tag: str, added_at: float | None = None) -> bool:
        """Tag the paper (a tag it has keeps its time); return whether it is new."""
        with self._transaction() as tx:
            return tx.execute(
                "INSERT OR IGNORE INTO tags (paper_id, tag, added_at) VALUES (?, ?, ?)",
                (paper_id, normalize_tag(tag), time.time() if added_at is None else added_at),
            ).rowcount > 0

    def remove_tag(self, paper_id: str, tag: str) -> bool:
        """Take the tag off the paper; return whether it had it."""
        with self._transaction() as tx:
            return tx.execute(
                "DELETE FROM tags WHERE paper_id = ? AND tag = ?",
                (paper_id, normalize_tag(tag)),
            ).rowcount > 0

    def set_tags(self, paper_id: str, tags: Iterable[str]) -> None:
        """Give the paper exactly these tags, in one transaction: the ones it had keep
        their time, new ones get now."""
        wanted = unique(normalize_tag(tag) for tag in tags)
        now = time.time()
        with self._transaction() as tx:
            marks = ",".join("?" * len(wanted))
            tx.execute(f"DELETE FROM tags WHERE paper_id = ? AND tag NOT IN ({marks})",
                       [paper_id, *wanted])
            tx.executemany(
                "INSERT OR IGNORE INTO tags (paper_id, tag, added_at) VALUES (?, ?, ?)",
                [(paper_id, tag, now) for tag in wanted],
            )

    def put_tag_rows(self, paper_id: str, rows: Sequence[tuple[str, float]]) -> None:
        """Give the paper exactly these (tag, added at) rows: undo puts tags back with
        the times they had."""
        with self._transaction() as tx:
            tx.execute("DELETE FROM tags WHERE paper_id = ?", (paper_id,))
            tx.executemany(
                "INSERT INTO tags (paper_id, tag, added_at) VALUES (?, ?, ?)",
                [(paper_id, normalize_tag(tag), at) for tag, at in rows],
            )

    def all_tags(self) -> list[tuple[str, int]]:
        """Every tag in use and how many papers have it, by name."""
        return list(self._conn.execute(
            "SELECT tag, count(*) FROM tags GROUP BY tag ORDER BY tag"
        ))

    def ids_with_tag(self, tag: str) -> set[str]:
        return self.ids_with_tags([tag])

    def ids_with_tags(self, tags: Sequence[str] = ()) -> set[str]:
        """Papers with every one of ``tags`` (none given: papers with any tag)."""
        wanted = unique(normalize_tag(tag) for tag in tags)
        if not wanted:
            return {row[0] for row in self._conn.execute("SELECT DISTINCT paper_id FROM tags")}
        marks = ",".join("?" * len(wanted))
        return {
            row[0]
            for row in self._conn.execute(
                f"SELECT paper_id FROM tags WHERE tag IN ({marks})"
                " GROUP BY paper_id HAVING count(*) = ?",
                [*wanted, len(wanted)],
            )
        }

    def tags_for(self, paper_ids: Sequence[str] | None = None) -> dict[str, tuple[str, ...]]:
        """The tags (by name) of each of these papers that has any, a query per 500
        ids; None: of every tagged paper, in one query."""
        found: dict[str, list[str]] = {}
        if paper_ids is None:
            chunks: Iterable[Sequence[str] | None] = [None]
        else:
            ids = list(paper_ids)
            chunks = (ids[start : start + 500] for start in range(0, len(ids), 500))
        for chunk in chunks:
            if chunk is None:
                rows = self._conn.execute("SELECT paper_id, tag FROM tags ORDER BY tag")
            else:
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT paper_id, tag FROM tags WHERE paper_id IN ({marks}) ORDER BY tag",
                    list(chunk),
                )
            for paper_id, tag in rows:
                found.setdefault(paper_id, []).append(tag)
        return {paper_id: tuple(tags) for paper_id, tags in found.items()}

    # -- for backups ---------------------------------------------------------------------

    def all_notes(self) -> list[tuple[str, str, float]]:
        """(paper id, text, updated at) of every note."""
        return list(self._conn.execute("SELECT paper_id, text, updated_at FROM notes"))

    def all_read_marks(self) -> list[tuple[str, float]]:
        return list(self._conn.execute("SELECT paper_id, read_at FROM read_marks"))

    def all_tag_rows(self) -> list[tuple[str, str, float]]:
        """(paper id, tag, added at) of every tag on every paper."""
        return list(self._conn.execute(
            "SELECT paper_id, tag, added_at FROM tags ORDER BY paper_id, tag"
        ))

    def restore_user_data(
        self,
        notes: Sequence[tuple[str, str, float]],
        reads: Sequence[tuple[str, float]],
        tags: Sequence[tuple[str, str, float]] = (),
    ) -> None:
        """Put notes, read marks and tags back with their times, in one transaction; a
        note already in the library is kept when it is newer, a tag already on the
        paper keeps its time."""
        with self._transaction() as tx:
            tx.executemany(
                "INSERT INTO notes (paper_id, text, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (paper_id) DO UPDATE SET text = excluded.text,"
                " updated_at = excluded.updated_at"
                " WHERE excluded.updated_at > notes.updated_at",
                notes,
            )
            tx.executemany(
                "INSERT OR IGNORE INTO read_marks (paper_id, read_at) VALUES (?, ?)", reads
            )
            tx.executemany(
                "INSERT OR IGNORE INTO tags (paper_id, tag, added_at) VALUES (?, ?, ?)",
                [(paper_id, normalize_tag(tag), at) for paper_id, tag, at in tags],
            )
