"""The store's schema and its migrations.

``PRAGMA user_version`` holds the schema version. ``MIGRATIONS[n]`` takes a store at
version ``n - 1`` to version ``n``; a new store runs them all, in one transaction each.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

MIGRATIONS: dict[int, str] = {
    1: """
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
    """,
}
