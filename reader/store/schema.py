"""The store's schema and its migrations.

``PRAGMA user_version`` holds the schema version. ``MIGRATIONS[n]`` takes a store at
version ``n - 1`` to version ``n``: a script of SQL statements, or a function given the
connection. Each runs in its own transaction; a store made by an older reader is backed
up before the first one runs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from reader.model import normalize_title

SCHEMA_VERSION = 6

_V1 = """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    -- seq gives the library its natural order (the order papers arrived in).
    CREATE TABLE papers (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        id         TEXT NOT NULL UNIQUE,
        title      TEXT NOT NULL,
        abstract   TEXT NOT NULL DEFAULT '',
        authors    TEXT NOT NULL DEFAULT '[]',
        source     TEXT NOT NULL DEFAULT '',
        published  TEXT NOT NULL DEFAULT '',
        url        TEXT NOT NULL DEFAULT '',
        categories TEXT NOT NULL DEFAULT '[]',
        added_at   REAL NOT NULL
    );
    -- A bookmark keeps its own copy of the paper (snapshot, JSON), so it outlives
    -- the paper's record.
    CREATE TABLE bookmarks (
        paper_id TEXT PRIMARY KEY,
        added_at REAL NOT NULL,
        snapshot TEXT NOT NULL
    );
    CREATE INDEX bookmarks_by_time ON bookmarks (added_at);
    INSERT INTO meta (key, value) VALUES ('papers_generation', '0');
"""

_V2 = """
    ALTER TABLE papers ADD COLUMN updated     TEXT NOT NULL DEFAULT '';
    ALTER TABLE papers ADD COLUMN pdf_url     TEXT NOT NULL DEFAULT '';
    ALTER TABLE papers ADD COLUMN arxiv_id    TEXT NOT NULL DEFAULT '';
    ALTER TABLE papers ADD COLUMN doi         TEXT NOT NULL DEFAULT '';
    ALTER TABLE papers ADD COLUMN venue       TEXT NOT NULL DEFAULT '';
    ALTER TABLE papers ADD COLUMN journal_ref TEXT NOT NULL DEFAULT '';
    ALTER TABLE papers ADD COLUMN comment     TEXT NOT NULL DEFAULT '';
    ALTER TABLE papers ADD COLUMN extra       TEXT NOT NULL DEFAULT '{}';
    -- for finding the same paper under another id
    ALTER TABLE papers ADD COLUMN norm_title  TEXT NOT NULL DEFAULT '';
    -- the papers generation that last changed this row: the index catches up from it
    ALTER TABLE papers ADD COLUMN changed_gen INTEGER NOT NULL DEFAULT 0;
    -- every source (file or collection) a paper was imported from
    CREATE TABLE paper_sources (
        paper_id TEXT NOT NULL,
        source   TEXT NOT NULL,
        added_at REAL NOT NULL,
        PRIMARY KEY (paper_id, source)
    ) WITHOUT ROWID;
    INSERT INTO paper_sources (paper_id, source, added_at)
        SELECT id, source, added_at FROM papers WHERE source != '';
    ALTER TABLE papers DROP COLUMN source;
    CREATE INDEX papers_by_arxiv ON papers (arxiv_id);
    CREATE INDEX papers_by_doi ON papers (doi);
    CREATE INDEX papers_by_title ON papers (norm_title);
    CREATE INDEX papers_by_change ON papers (changed_gen);
    -- papers taken out of the library, so the index can drop them too
    CREATE TABLE removed_papers (
        paper_id    TEXT PRIMARY KEY,
        removed_gen INTEGER NOT NULL
    ) WITHOUT ROWID;
"""


_V3 = """
    -- queries the user ran, newest last, for up/down in the search box
    CREATE TABLE search_history (
        seq   INTEGER PRIMARY KEY AUTOINCREMENT,
        query TEXT NOT NULL,
        at    REAL NOT NULL
    );
    CREATE INDEX search_history_by_query ON search_history (query);
    -- named queries, re-run live
    CREATE TABLE saved_searches (
        name     TEXT PRIMARY KEY,
        query    TEXT NOT NULL,
        saved_at REAL NOT NULL
    )
"""


_V4 = """
    -- papers the user has read, and when
    CREATE TABLE read_marks (
        paper_id TEXT PRIMARY KEY,
        read_at  REAL NOT NULL
    ) WITHOUT ROWID;
    -- the user's note on a paper
    CREATE TABLE notes (
        paper_id   TEXT PRIMARY KEY,
        text       TEXT NOT NULL,
        updated_at REAL NOT NULL
    ) WITHOUT ROWID
"""


_V5 = """
    -- the user's tags on papers (normalised: reader.tags), and when each was added
    CREATE TABLE tags (
        paper_id TEXT NOT NULL,
        tag      TEXT NOT NULL,
        added_at REAL NOT NULL,
        PRIMARY KEY (paper_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX tags_by_tag ON tags (tag)
"""

_V6 = """
    -- the library in arrival order, read by position (a page at a time) and a paper's
    -- position found, without reading whole rows
    CREATE INDEX IF NOT EXISTS papers_in_order ON papers (seq, id)
"""


def _v2_fill(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT seq, id, title FROM papers").fetchall()
    conn.executemany(
        "UPDATE papers SET norm_title = ?, arxiv_id = ? WHERE seq = ?",
        [
            (normalize_title(title), id_[6:] if id_.startswith("arxiv:") else "", seq)
            for seq, id_, title in rows
        ],
    )
    # bookmark snapshots gain the new fields' shape
    for paper_id, snapshot in conn.execute("SELECT paper_id, snapshot FROM bookmarks").fetchall():
        data = json.loads(snapshot)
        source = data.pop("source", "")
        data.setdefault("sources", [source] if source else [])
        conn.execute(
            "UPDATE bookmarks SET snapshot = ? WHERE paper_id = ?",
            (json.dumps(data, ensure_ascii=False), paper_id),
        )


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def run(conn: sqlite3.Connection) -> None:
        # executescript would commit on its own; run statement by statement.
        for statement in sql.split(";"):
            if statement.strip():
                conn.execute(statement)

    return run


def _v2(conn: sqlite3.Connection) -> None:
    _script(_V2)(conn)
    _v2_fill(conn)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _script(_V1),
    2: _v2,
    3: _script(_V3),
    4: _script(_V4),
    5: _script(_V5),
    6: _script(_V6),
}
