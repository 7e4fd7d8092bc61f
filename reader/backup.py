"""A full backup of the user's bookmarks, to move them to another machine.

The JSON file holds, for each bookmark, the paper as the library had it and the time
it was bookmarked, and the user's notes, read marks and tags with their times:
``{"reader_backup": 1, "bookmarks": [{"added_at": ..., "paper": {...}}], "notes":
[{"paper_id", "text", "updated_at"}], "read": [{"paper_id", "read_at"}], "tags":
[{"paper_id", "tag", "added_at"}]}``. Restoring puts the papers back in the library
(merged like any import) and everything else back with its original times; it never
removes anything. Older backups without notes, read marks or tags restore as they are.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import TextIO

from reader.model import Paper
from reader.parsers import ParseError
from reader.sources.sample import SAMPLE_SOURCE
from reader.tags import TagError, normalize_tag

FORMAT_VERSION = 1
SOURCE = "bookmarks backup"


def write_bookmarks(library, out: TextIO) -> int:
    bookmarks = library.bookmarks()
    store = library.store
    data = {
        "reader_backup": FORMAT_VERSION,
        "bookmarks": [{"added_at": b.added_at, "paper": asdict(b.paper)} for b in bookmarks],
        "notes": [
            {"paper_id": paper_id, "text": text, "updated_at": at}
            for paper_id, text, at in store.all_notes()
        ],
        "read": [{"paper_id": paper_id, "read_at": at} for paper_id, at in store.all_read_marks()],
        "tags": [
            {"paper_id": paper_id, "tag": tag, "added_at": at}
            for paper_id, tag, at in store.all_tag_rows()
        ],
    }
    json.dump(data, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(bookmarks)


def _paper(data: dict, path: Path, number: int) -> Paper:
    known = {f.name for f in fields(Paper)}
    values = {key: value for key, value in data.items() if key in known}
    for name in ("authors", "categories", "sources"):
        values[name] = tuple(values.get(name) or ())
    if not values.get("id") or not values.get("title"):
        raise ParseError(path, f"bookmark {number}: no paper id or title")
    return Paper(**values)


def restore_bookmarks(library, path: Path) -> tuple[int, int]:
    """Restore the bookmarks in the backup at ``path``; (bookmarks, papers added)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(path, f"not a reader bookmarks backup ({error})") from error
    if not isinstance(data, dict) or data.get("reader_backup") != FORMAT_VERSION:
        raise ParseError(path, "not a reader bookmarks backup (no reader_backup: 1)")
    entries = data.get("bookmarks")
    if not isinstance(entries, list):
        raise ParseError(path, "not a reader bookmarks backup (no bookmarks list)")
    restored = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("paper"), dict):
            raise ParseError(path, f"bookmark {number}: not a bookmark")
        added_at = entry.get("added_at")
        if not isinstance(added_at, (int, float)):
            raise ParseError(path, f"bookmark {number}: no time it was added")
        restored.append((_paper(entry["paper"], path, number), float(added_at)))
    counts = library.store.merge_papers(
        (paper for paper, _ in restored), SOURCE, replaces=SAMPLE_SOURCE
    )
    for paper, added_at in restored:
        library.store.add_bookmark(library.paper(paper.id) or paper, added_at=added_at)
    library.store.restore_user_data(
        [(n["paper_id"], n["text"], float(n["updated_at"])) for n in _records(data, "notes")
         if isinstance(n.get("text"), str)],
        [(r["paper_id"], float(r["read_at"])) for r in _records(data, "read")],
        [(t["paper_id"], t["tag"], float(t["added_at"])) for t in _records(data, "tags")
         if _is_tag(t["tag"])],
    )
    return len(restored), counts.added


def _records(data: dict, key: str) -> list[dict]:
    """The well-formed entries of an optional list (older backups have none)."""
    entries = data.get(key) or []
    needed = {"notes": ("paper_id", "text", "updated_at"), "read": ("paper_id", "read_at"),
              "tags": ("paper_id", "tag", "added_at")}[key]
    return [
        entry for entry in entries
        if isinstance(entry, dict) and all(name in entry for name in needed)
        and isinstance(entry["paper_id"], str)
        and isinstance(entry[needed[-1]], (int, float))
    ]


def _is_tag(value: object) -> bool:
    try:
        return isinstance(value, str) and bool(normalize_tag(value))
    except TagError:
        return False
