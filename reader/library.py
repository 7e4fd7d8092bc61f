"""The library: the store (source of truth) and the search index (derived) together.

The CLI and the UI call this; it has no Textual imports. Slow calls (``rebuild_index``,
``search``) are meant for worker threads; the others are quick reads or single-row
writes.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from reader import paths
from reader.index.types import Hits, Parsed, Progress
from reader.locks import file_lock
from reader.model import Paper
from reader.results import PAGE, LibraryOrder, Ranked
from reader.store import Bookmark, backups, recovery
from reader.tags import TagError

if TYPE_CHECKING:
    from reader.importer import ImportReport
    from reader.index.index import SearchIndex

ALL = "all"
NEW = "new"
# Up to this many changed papers (or a quarter of the library) are indexed in place;
# more, and a fresh build is quicker.
CATCH_UP_LIMIT = 5000
BOOKMARKS = "bookmarks"
# held while one copy of reader checks, updates or rebuilds the index
INDEX_LOCK = ".index.lock"
# A search with words leaves out at most this many papers (is:unread, -tag:x) as it
# ranks, the index looking up each one's document (about 0.05 ms at 185k papers); a
# longer list is filtered out of the whole ranked list afterwards.
EXCLUDE_AT_MOST = 2_000


SORTS = ("relevance", "newest", "oldest", "title", "upvotes")
FLAGS = ("bookmarked", "new", "read", "unread", "tagged")


class IndexBusy(RuntimeError):
    """The index's write lock stayed taken (by a program other than reader)."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What a search found, in order, and what the user should be told about it."""

    # a sequence that may fetch positions as they are read (see reader.results)
    ids: Sequence[str]
    sort: str
    hint: str = ""
    # the stemmed terms the query looked for: what the display highlights
    terms: frozenset[str] = frozenset()
    # no paper had every word: these have some of them
    relaxed: bool = False


@dataclass(frozen=True, slots=True)
class Counts:
    papers: int
    bookmarks: int


class Library:
    """The user's library in ``root`` (a data directory)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        # A damaged store is put aside and the newest backup restored: what was done.
        self.store, self.recovered = recovery.open_store(
            paths.store_path(self.root), paths.backups_path(self.root)
        )
        self._index: SearchIndex | None = None
        # processes a full index rebuild may use (the CLI, which has no other busy
        # threads, sets more: the worker processes are forked)
        self.index_processes = 1
        self._index_lock = threading.RLock()
        # the index generation the open searcher was made on (another copy may move it)
        self._index_seen: int | None = None

    @classmethod
    def open(cls, root: Path) -> Library:
        """Open (creating if needed) the library; an empty one gets the bundled sample."""
        library = cls(root)
        if library.store.is_empty():
            from reader.sources.sample import sample_papers

            library.store.add_papers(sample_papers())
        return library

    @property
    def index(self) -> SearchIndex:
        """The search index (Whoosh is imported on first use, not at start-up)."""
        if self._index is None:
            with self._index_lock:
                if self._index is None:
                    from reader.index.index import SearchIndex

                    self._index = SearchIndex(paths.index_path(self.root))
        return self._index

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self.store.close()

    def backup_if_due(self) -> Path | None:
        """Back up the store unless that was done today: the new backup, or None.

        About 1-3 s for a 400 MB store (run it in a worker). Raises ``StoreDamaged``
        when the store fails its check (then nothing is backed up).
        """
        return backups.backup_if_due(self.store.path, paths.backups_path(self.root))

    # -- the index -----------------------------------------------------------------------

    def index_is_current(self) -> bool:
        return self.index.is_current(self.store.generation())

    def rebuild_index(self, progress: Progress | None = None,
                      finishing: Callable[[], None] | None = None) -> None:
        """Rebuild the index from the store (slow: run it in a worker); ``finishing`` is
        called when the papers are in and the index is being written out."""
        generation = self.store.generation()
        self.index.rebuild(
            self.store.iter_papers(), self.store.count_papers(), generation, progress,
            # forking beside another running thread (a backup) is not safe
            processes=self.index_processes if threading.active_count() == 1 else 1,
            finishing=finishing,
        )

    def ensure_index(
        self, progress: Progress | None = None, waiting: Callable[[], None] | None = None,
        finishing: Callable[[], None] | None = None,
    ) -> bool:
        """Bring the index up to date with the store; return whether it had to change.

        Papers added or changed since the index was written are indexed in place; a
        missing, damaged or incompatible index (or a very large change) is rebuilt.
        One copy of reader at a time does this; another waits (``waiting`` is called
        when it must) and then finds the work done.
        """
        from whoosh.index import LockError  # (Whoosh loads on first use)

        with self._index_lock, file_lock(self.root / INDEX_LOCK, on_wait=waiting):
            try:
                return self._ensure_index(progress, finishing)
            except LockError as error:  # a program other than reader holds Whoosh's lock
                raise IndexBusy(f"{self.index.path}: the index is locked by another "
                                "program; try again later") from error

    def _ensure_index(self, progress: Progress | None,
                      finishing: Callable[[], None] | None = None) -> bool:
        generation = self.store.generation()
        indexed = self.index.indexed_generation()
        if indexed != self._index_seen:
            # Another copy of reader changed the index: search the new one.
            self.index.close()
            self._index_seen = indexed
        if indexed == generation and self.index.check():
            return False
        if indexed is not None and indexed < generation and self.index.check():
            changed = self.store.count_changed_after(indexed)
            if changed <= max(CATCH_UP_LIMIT, self.store.count_papers() // 4):
                papers = self.store.iter_papers(changed_after=indexed)
                removed = self.store.removed_since(indexed)
                self.index.catch_up(papers, changed, generation, progress, removed)
                return True
        self.rebuild_index(progress, finishing)
        return True

    # -- importing -----------------------------------------------------------------------

    def import_file(
        self,
        path: Path,
        *,
        collection: str | None = None,
        format_name: str | None = None,
        skip_bad: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import one file in one transaction (all or nothing); the index is not touched:
        call ``ensure_index`` after the last file."""
        path = Path(path)
        if path.is_dir():
            raise IsADirectoryError(f"{path}: is a folder, not a file")
        # (the importer and its parsers load on the first import, not at start-up)
        from reader import importer
        from reader.sources.sample import SAMPLE_SOURCE

        format_name = format_name or importer.detect_format(path)
        source = collection or path.name.removesuffix(".gz")
        report = importer.ImportReport(path, format_name)
        papers = importer.read_papers(
            path,
            source_name=source,
            format_name=format_name,
            skip_bad=skip_bad,
            skipped=report.skipped,
            progress=progress,
        )
        counts = self.store.merge_papers(papers, source, replaces=SAMPLE_SOURCE)
        report.added, report.updated, report.unchanged = (
            counts.added, counts.updated, counts.unchanged
        )
        return report

    # -- reading -------------------------------------------------------------------------

    def counts(self) -> Counts:
        return Counts(self.store.count_papers(), self.store.count_bookmarks())

    def paper(self, paper_id: str) -> Paper | None:
        return self.store.paper(paper_id)

    def papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        return self.store.papers(paper_ids)

    def search(self, text: str, scope: str = ALL, limit: int | None = None) -> list[str]:
        """Ids of papers matching ``text`` in ``scope``, in the query's natural order."""
        ids = self.query(text, scope).ids
        return list(ids[:limit] if limit is not None else ids)

    def query(
        self, text: str, scope: str = ALL, sort: str | None = None, like: str | None = None
    ) -> SearchResult:
        """Papers matching ``text`` in ``scope`` (``all`` or ``bookmarks``).

        An empty query lists the scope in its natural order: the library in the order
        papers arrived, bookmarks newest first. With words, results are ranked by
        relevance unless ``sort`` (``newest``, ``oldest``, ``title``) says otherwise.
        ``is:bookmarked`` in the text keeps only bookmarked papers; ``tag:name`` only
        papers with that tag (``-tag:name``: without it; ``is:tagged``: any tag). With
        ``like`` (a paper id), the search is among the papers most like that one, most
        alike first.
        Raises ``IndexUnavailable`` if the index must be rebuilt first.
        """
        text, note_words = _take_note_terms(text)
        text, (tags_wanted, tags_unwanted) = _take_tag_terms(text)
        # nothing to search for (the first screen): no need to load the index's parser
        parsed = self.index.parse(text) if text.strip() else Parsed(None)
        hints = [parsed.hint] if parsed.hint else []
        only: set[str] | None = None
        for flag in sorted(parsed.flags):
            if flag not in FLAGS:
                hints.append(f"is:{flag} is not a flag (try is:bookmarked, is:new, is:unread)")
        if scope == BOOKMARKS or "bookmarked" in parsed.flags:
            only = self.store.bookmarked_ids()
        if note_words is not None:
            noted = self.store.ids_with_notes(note_words)
            only = noted if only is None else only & noted
        if tags_wanted is not None or "tagged" in parsed.flags:
            tagged = self._ids_tagged(tags_wanted or [])
            only = tagged if only is None else only & tagged
        if scope == NEW or "new" in parsed.flags:
            new = set(self.new_ids())
            only = new if only is None else only & new
        terms: frozenset[str] = frozenset()
        relaxed = False
        similar = self.similar(like) if like else None
        if similar is not None:
            only = set(similar.ids) if only is None else only & set(similar.ids)
        read_flags = parsed.flags & {"read", "unread"}
        read = self.store.read_ids() if read_flags else set()
        unwanted: set[str] | None = None
        if tags_unwanted is not None:  # -tag:x, or -tag: (papers without tags)
            unwanted = set().union(*(self._ids_tagged([tag]) for tag in tags_unwanted)) \
                if tags_unwanted else self._ids_tagged([])
        # A search with words leaves the papers read or tagged out as it ranks (a few
        # thousand at most), so it still ranks one page now; otherwise they are filtered
        # out of the whole list afterwards, and there is no paging.
        exclude: set[str] = set()
        if parsed.query is not None:
            if "read" in read_flags:  # a search within the papers read
                only = read if only is None else only & read
                read_flags = read_flags - {"read"}
            wanted_out = (read if "unread" in read_flags else set()) | (unwanted or set())
            if len(wanted_out) <= EXCLUDE_AT_MOST:
                exclude, read_flags, unwanted = wanted_out, read_flags - {"unread"}, None
        filtered = bool(read_flags) or unwanted is not None
        ids: Sequence[str]
        if parsed.query is None:
            natural = "added"
            if similar is not None:
                ids = [i for i in similar.ids if i in only]
                terms = similar.terms
            elif scope == BOOKMARKS:
                ids = [i for i in self.store.bookmark_ids_newest_first() if i in only]
            elif scope == NEW:
                ids = [i for i in self.new_ids() if only is None or i in only]
            elif only is not None:
                # (a filter's few ids sorted, not every id in the library filtered)
                ids = self.store.sorted_ids(only, "added", in_library=True)
            elif filtered or sort not in (None, natural, "relevance"):
                ids = self.store.sorted_ids(None, sort if sort in SORTS else natural)
            else:
                ids = self.library_order()
        else:
            natural = "relevance"
            # The common case (all papers, by relevance) ranks one page now, the rest
            # when something scrolls past it.
            paged = only is None and not filtered and sort in (None, natural)
            ids, terms = self._matches(parsed.query, only, paged, exclude)
            if not ids and not parsed.flags:
                loose = self.index.relaxed(text)
                if loose is not None:
                    ids, terms = self._matches(loose, only, paged, exclude)
                    relaxed = bool(ids)
                    if relaxed:
                        hints.append("no paper has every word: these have some")
        if "read" in read_flags:
            ids = [paper_id for paper_id in ids if paper_id in read]
        if "unread" in read_flags:
            ids = [paper_id for paper_id in ids if paper_id not in read]
        if unwanted is not None:
            ids = [paper_id for paper_id in ids if paper_id not in unwanted]
        sort = sort if sort in SORTS else natural
        listing = parsed.query is None and similar is None and scope == ALL and only is None
        if sort not in (natural, "relevance") and not listing:  # (a listing came sorted)
            ids = self.store.sorted_ids(list(ids), sort)
        return SearchResult(ids, sort, "; ".join(hints), terms,
                            relaxed=parsed.query is not None and relaxed)

    def _matches(self, q, only: set[str] | None, paged: bool, exclude: set[str]
                 ) -> tuple[Sequence[str], frozenset[str]]:
        if not paged:
            hits = self.index.hits(q, only=only, exclude=exclude)
            return hits.ids, hits.terms
        first, total, exact = self.index.first_page(q, PAGE, exclude=exclude)
        return Ranked(first.ids, total, exact,
                      lambda: self.index.hits(q, exclude=exclude).ids), first.terms

    def library_order(self) -> LibraryOrder:
        """Every paper in arrival order, read from the store as positions are asked for."""
        store = self.store
        count, upto = store.count_and_last()  # papers that arrive later are not in it
        return LibraryOrder(count, partial(store.page_in_order, upto=upto), store.position)

    # -- updates -------------------------------------------------------------------------

    def begin_update(self) -> None:
        """Mark the start of a fetch or update: papers that arrive from now on are new."""
        self.store.set_meta("last_update", repr(time.time()))

    def new_ids(self) -> list[str]:
        """Papers that arrived with the last update, newest arrivals first."""
        started = self.store.meta("last_update")
        return self.store.ids_added_since(float(started)) if started else []

    def similar(self, paper_id: str, limit: int = 100) -> Hits:
        """The papers most like this one, most alike first (with the terms it used)."""
        paper = self.paper(paper_id)
        if paper is None:
            return Hits([], frozenset())
        return self.index.similar(paper, limit)

    def suggest(self, text: str) -> str | None:
        """A corrected query for "did you mean", or None."""
        return self.index.suggest(text)

    # -- the user's data -----------------------------------------------------------------

    def is_bookmarked(self, paper_id: str) -> bool:
        return self.store.is_bookmarked(paper_id)

    def bookmarked_ids(self) -> set[str]:
        return self.store.bookmarked_ids()

    def toggle_bookmark(self, paper: Paper) -> bool:
        """Bookmark or un-bookmark ``paper``, committed before this returns."""
        return self.store.toggle_bookmark(paper)

    def note(self, paper_id: str) -> str:
        return self.store.note(paper_id)

    def set_note(self, paper_id: str, text: str) -> None:
        """Save the note on a paper (empty removes it), committed before this returns."""
        self.store.set_note(paper_id, text)

    def read_ids(self) -> set[str]:
        return self.store.read_ids()

    def set_read(self, paper_id: str, read: bool = True) -> None:
        """Mark the paper read or unread, committed before this returns."""
        self.store.set_read(paper_id, read)

    def bookmarks(self) -> list[Bookmark]:
        return self.store.bookmarks()

    def tags_of(self, paper_id: str) -> list[str]:
        return self.store.tags_of(paper_id)

    def set_tags(self, paper_id: str, tags: Sequence[str]) -> None:
        """Give the paper exactly these tags, committed before this returns."""
        self.store.set_tags(paper_id, tags)

    def _ids_tagged(self, tags: Sequence[str]) -> set[str]:
        """Papers with every one of ``tags`` (none: any tag); a name that cannot be a
        tag matches nothing."""
        try:
            return self.store.ids_with_tags(tags)
        except TagError:
            return set()


_NOTE = re.compile(r'(?<![\w:])note:("[^"]*"?|\S*)')


_TAG = re.compile(r'(?<![\w:])(-?)tag:("[^"]*"?|\S*)')


def _take_tag_terms(text: str) -> tuple[str, tuple[list[str] | None, list[str] | None]]:
    """``tag:name`` and ``-tag:name`` taken out of a query: (the tags a paper must have,
    the tags it must not), each None when the query does not ask; ``tag:`` alone is
    any tag and ``-tag:`` alone no tag at all (``[]``)."""
    wanted: list[str] | None = None
    unwanted: list[str] | None = None
    for minus, value in _TAG.findall(text):
        names = [value.strip('"')] if value.strip('"').strip() else []
        if minus:
            unwanted = (unwanted or []) + names
        else:
            wanted = (wanted or []) + names
    return _TAG.sub(" ", text), (wanted, unwanted)


def _take_note_terms(text: str) -> tuple[str, list[str] | None]:
    """``note:word`` / ``note:"some words"`` taken out of a query: the words a note must
    hold (``note:`` alone: any note), or None when the query asks nothing of notes."""
    found = _NOTE.findall(text)
    if not found:
        return text, None
    words = [word for value in found for word in value.strip('"').split()]
    return _NOTE.sub(" ", text), words
