"""The main screen: search box, paper list, the highlighted paper's detail, status line.

One class serves both views: all papers (scope ``all``) and bookmarks (scope
``bookmarks``). Searches run in a thread worker after a short pause, one at a time:
typing never waits for the index, and what was typed while a search ran is searched
next, once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from reader.index import IndexUnavailable
from reader.library import ALL, BOOKMARKS, NEW, Counts, SearchResult
from reader.model import Paper
from reader.results import LazyIds
from reader.store import StoreBusy
from reader.text import clean_line
from reader.ui.paper_actions import PAPER_BINDINGS, PaperActions
from reader.ui.widgets.paper_detail import PaperDetail
from reader.ui.widgets.paper_list import PaperList
from reader.ui.widgets.search_box import SearchBox
from reader.ui.widgets.status_line import StatusLine

# a pause after a key press before searching: enough to take a pasted or held-down
# burst of keys as one search. Searches take 2-50 ms at 185k papers (ranking.py), so
# every word typed at a human pace is searched as it grows (one search at a time).
SEARCH_DELAY = 0.03
NARROW = "-narrow"
DEFAULT_SPLIT = 45
# With fewer results than this, look for a "did you mean" suggestion.
FEW_RESULTS = 3
SORT_NAMES = {"relevance": "by relevance", "newest": "newest first",
              "oldest": "oldest first", "title": "by title", "upvotes": "most upvoted"}


@dataclass(frozen=True)
class View:
    """One search's results as shown, with the counts at the time."""

    text: str
    result: SearchResult
    bookmarked: set[str]
    counts: Counts
    read: set[str]
    noted: set[str]
    tags: dict[str, tuple[str, ...]]


class LibraryScreen(PaperActions, Screen[None]):
    HORIZONTAL_BREAKPOINTS = [(0, NARROW), (100, "-wide")]
    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="search"),
        Binding("b", "toggle_bookmark", "Bookmark", id="bookmark"),
        Binding("s", "cycle_sort", "Sort", id="sort"),
        Binding("m", "more_like_this", "Like this", show=False, id="like-this"),
        Binding("r", "toggle_read", "Read/unread", show=False, id="read"),
        Binding("n", "edit_note", "Note", id="note"),
        Binding("R", "toggle_unread_only", "Unread only", show=False, id="unread-only"),
        Binding("S", "save_search", "Save search", show=False, id="save-search"),
        Binding("tab", "accept_suggestion", "Use suggestion", id="suggestion"),
        Binding("escape", "escape", "Clear search", show=False),
        *PAPER_BINDINGS,
        Binding("f", "full_screen", "Full screen", show=False, id="full-screen"),
        Binding("space", "page_detail(1)", "Scroll paper", show=False),
        Binding("shift+space", "page_detail(-1)", "Scroll paper up", show=False),
        Binding("less_than_sign", "resize_split(-5)", "Narrower list", show=False, id="narrower"),
        Binding("greater_than_sign", "resize_split(5)", "Wider list", show=False, id="wider"),
    ]
    DEFAULT_CSS = """
    LibraryScreen {
        & > #like { padding: 0 1; background: $boost; }
        & > #search { margin: 0; border: tall $border-blurred; }
        & > #search:focus { border: tall $border; }
        & > #main { height: 1fr; }
        & #papers { width: 1fr; min-width: 30; border-right: vkey $foreground 10%; }
        & #detail { width: 1fr; }
        &.-wide #papers { width: 45%; }
        &.-narrow #detail { display: none; }
    }
    """

    def __init__(self, scope: str, like: Paper | None = None) -> None:
        super().__init__()
        self.scope = scope
        # "more like this": the papers most like this one (a screen pushed over the view)
        self.like = like
        self.split = DEFAULT_SPLIT  # the list's share of the width (wide layout), percent
        self.query_text = ""
        # None: the query's natural order (relevance, or arrival / bookmark time)
        self.sort: str | None = None
        self.suggestion: str | None = None
        self.unread_only = False
        self._view: View | None = None
        self._waiting_for_index = False
        # the search to run next (text, pause) and whether the search worker is running
        self._search_lock = threading.Lock()
        self._wanted: tuple[str, float] | None = None
        self._searching = False
        # the listing was shown by on_mount: the first resume need not search again
        self._listed_at_mount = False

    @property
    def view_name(self) -> str:
        if self.like is not None:
            return "papers like this one"
        return {BOOKMARKS: "bookmarks", NEW: "new papers"}.get(self.scope, "all papers")

    def compose(self) -> ComposeResult:
        placeholder = f"Search {self.view_name}  ( / )"
        if self.like is not None:
            title = clean_line(self.like.title)
            yield Static(Content.assemble(("Like: ", "bold"), title), id="like")
        yield SearchBox(self.app.library.store.query_history, placeholder=placeholder,
                        id="search")
        with Horizontal(id="main"):
            yield PaperList(self.app.library.papers, id="papers")
            yield PaperDetail(id="detail")
        yield StatusLine(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        papers = self.query_one(PaperList)
        papers.empty_text = {
            BOOKMARKS: "No bookmarks yet: press b on a paper to keep it here.",
            NEW: "Nothing new: press U to fetch your subscriptions.",
        }.get(self.scope, "No papers.")
        papers.focus()
        self.watch(self.app, "busy", self._busy_changed)
        self.watch(self.app, "library_version", self._library_changed, init=False)
        if self.scope == ALL and self.like is None:
            # The first screen: listing the library needs no index and reads only the
            # rows in view from the store, so it is shown in the first paint instead of
            # after a round trip through a worker. The resume that follows the mount
            # has nothing new to show.
            self._show_results(self._view_of(""))
            # and the first paper beside it, in the same paint (the list's Highlighted
            # message would show it a frame later)
            self._show_detail(papers.highlighted)
            self._listed_at_mount = True
        else:
            self.run_search("", delay=0)

    def _compositor_refresh(self) -> None:
        # Textual lays the first screen out inside its start-up batch, renders it, and
        # drops the frame (nothing is drawn in a batch). Until the app's first paint,
        # right after the batch (ReaderApp._paint_first_screen), that render is
        # skipped: the first paint draws everything anyway.
        if not getattr(self.app, "first_screen_painted", True) and getattr(
            self.app, "_batch_count", 0
        ):
            return
        super()._compositor_refresh()

    def on_screen_resume(self) -> None:
        if self._listed_at_mount:
            self._listed_at_mount = False
            return
        # Bookmarks may have changed in the other view: refresh what is shown.
        if self.is_mounted:
            self.run_search(self.query_text, delay=0)

    # -- searching -----------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(Input.Submitted, "#search")
    def _query_submitted(self) -> None:
        self._remember_query()
        self.query_one(PaperList).focus()

    def _remember_query(self) -> None:
        text = self.query_one("#search", Input).value
        if text.strip():
            try:
                self.app.library.store.remember_query(text)
            except StoreBusy:
                pass  # history is a convenience: not worth a message

    def run_search(self, text: str, delay: float = SEARCH_DELAY) -> None:
        """Search for ``text`` after ``delay`` seconds, in a worker.

        At most one search runs at a time: a query typed while one runs waits for it,
        and only the newest of those runs then (typing "neural" while "n" is being
        searched runs "neural" next, not "ne", "neu", ...)."""
        with self._search_lock:
            self._wanted = (text, delay)
            if self._searching:
                return
            self._searching = True
        self._search_loop()

    def _next_wanted(self) -> tuple[str, float] | None:
        with self._search_lock:
            wanted, self._wanted = self._wanted, None
            if wanted is None:
                self._searching = False
            return wanted

    def _newer_wanted(self) -> bool:
        with self._search_lock:
            return self._wanted is not None

    @work(thread=True, group="search")
    def _search_loop(self) -> None:
        worker = get_current_worker()
        finished = False
        try:
            # (_next_wanted says the loop is over, under the lock, when nothing is left)
            while (wanted := self._next_wanted()) is not None:
                if worker.is_cancelled:
                    break
                text, delay = wanted
                if delay:
                    time.sleep(delay)
                    if self._newer_wanted():
                        continue  # typed on: search for the newer text instead
                self._search(text, worker)
            else:
                finished = True
        finally:
            if not finished:  # cancelled or failed: the next run_search starts anew
                with self._search_lock:
                    self._searching = False

    def _view_of(self, text: str) -> View:
        """Search for ``text`` and gather what showing the results needs (in the search
        worker; for the first listing, on mount). Raises ``IndexUnavailable``."""
        library = self.app.library
        like = self.like.id if self.like is not None else None
        asked = f"{text} is:unread" if self.unread_only else text
        result = library.query(asked, self.scope, self.sort, like=like)
        return View(text, result, library.bookmarked_ids(), library.counts(), library.read_ids(),
                    library.store.ids_with_notes(), library.store.tags_for())

    def _search(self, text: str, worker) -> None:
        library = self.app.library
        try:
            view = self._view_of(text)
        except IndexUnavailable:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._index_not_ready, text)
            return
        result = view.result
        if worker.is_cancelled or self._newer_wanted():
            return
        self.app.call_from_thread(self._show_results, view)
        if text.strip() and (result.relaxed or len(result.ids) < FEW_RESULTS):
            # Only now, and still in the worker: suggestions walk the word lists.
            try:
                suggestion = library.suggest(text)
            except IndexUnavailable:
                suggestion = None
            if suggestion and not worker.is_cancelled and not self._newer_wanted():
                self.app.call_from_thread(self._show_suggestion, text, suggestion)

    def _show_results(self, view: View) -> None:
        self._waiting_for_index = False
        papers = self.query_one(PaperList)
        same_query = view.text == self.query_text
        keep = papers.highlighted.id if papers.highlighted and same_query else None
        self.query_text = view.text
        had_suggestion = bool(self.suggestion)
        self.suggestion = None
        self._view = view
        if view.text:
            papers.empty_text = f"No {self.view_name} match this search."
        papers.set_read(view.read)
        papers.set_noted(view.noted)
        papers.set_tags(view.tags)
        top = papers.scroll_offset.y
        papers.show(view.result.ids, view.bookmarked, keep=keep, terms=view.result.terms)
        if keep is not None and top:
            # The same search again (a refresh): the rows stay where they were.
            papers.scroll_to(y=top, animate=False, immediate=True)
            papers.cursor = papers.cursor  # and the cursor in view
        self._update_status()
        if had_suggestion:
            # (the footer is rebuilt on every refresh: only when what it shows changed)
            self.refresh_bindings()

    @on(PaperList.NeedsRows)
    def _needs_rows(self, event: PaperList.NeedsRows) -> None:
        self.query_one(StatusLine).show_progress("ranking every match", 0, 0)
        self._load_rows(event.ids)

    @work(thread=True, exclusive=True, group="rows")
    def _load_rows(self, ids: LazyIds) -> None:
        """Rank the rest of a long result (the user scrolled past its first page)."""
        try:
            ids.load()
        except IndexUnavailable:
            self.app.call_from_thread(self.app.request_index)
            return
        finally:
            self.app.call_from_thread(self._rows_loaded, ids)

    def _rows_loaded(self, ids: LazyIds) -> None:
        if not self.app.busy:
            self.query_one(StatusLine).hide_progress()
        self.query_one(PaperList).rows_loaded(ids)
        self._update_status()

    def _show_suggestion(self, text: str, suggestion: str) -> None:
        if text != self.query_text:
            return
        self.suggestion = suggestion
        self._update_status()
        self.refresh_bindings()

    def _index_not_ready(self, text: str) -> None:
        self._waiting_for_index = True
        self.app.request_index()
        self.query_text = text
        self._update_status()

    def _update_status(self, note: str = "") -> None:
        view = self._view
        counts = view.counts if view else self.app.library.counts()
        notes = [note] if note else []
        waiting = self._waiting_for_index and self.query_text.strip()
        if waiting:
            # the list still shows the last results: no count of matches for this text
            notes.insert(0, f"{clean_line(self.query_text)!r}: results when indexing is done")
        if view and view.result.hint and not waiting:
            notes.append(view.result.hint)
        if self.suggestion:
            notes.append(f"did you mean: {self.suggestion}? (tab)")
        if self.unread_only:
            notes.append("unread only (R)")
        self.query_one(StatusLine).show_counts(
            papers=counts.papers,
            bookmarks=counts.bookmarks,
            shown=len(self.query_one(PaperList).paper_ids),
            about=not self.query_one(PaperList).count_is_exact,
            query="" if waiting else self.query_text,
            view=self.view_name,
            sort=SORT_NAMES.get(view.result.sort, "") if view else "",
            note="; ".join(notes),
        )

    def _busy_changed(self, busy: tuple[str, int, int] | None) -> None:
        status = self.query_one(StatusLine)
        if busy is None:
            status.hide_progress()
            if self._waiting_for_index:
                self.run_search(self.query_text, delay=0)
        else:
            status.show_progress(*busy)

    def _library_changed(self) -> None:
        # The box's text, not the last one shown: a search still waiting out its pause
        # must not give way to an older one.
        self.run_search(self.query_one("#search", Input).value, delay=0)

    # -- the highlighted paper -----------------------------------------------------------

    @property
    def terms(self) -> frozenset[str]:
        return self._view.result.terms if self._view else frozenset()

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        self._show_detail(event.paper)

    def _show_detail(self, paper: Paper | None) -> None:
        # The list knows the bookmarks and tags: no store query on the UI thread per key
        # press.
        papers = self.query_one(PaperList)
        bookmarked = paper is not None and papers.is_bookmarked(paper.id)
        tags = papers.tags_of(paper.id) if paper is not None else ()
        self.query_one(PaperDetail).show(paper, bookmarked, self.terms, tags)

    @on(PaperList.Selected)
    def _selected(self, event: PaperList.Selected) -> None:
        self._opened(event.paper)
        if self.has_class(NARROW):
            from reader.ui.screens.detail_screen import DetailScreen

            self.app.push_screen(DetailScreen(event.paper, self.terms))
        else:
            self.query_one(PaperDetail).focus()

    # -- actions -------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_escape(self) -> None:
        search = self.query_one("#search", Input)
        papers = self.query_one(PaperList)
        if search.has_focus:
            self._remember_query()
            papers.focus()
        elif self.query_one(PaperDetail).has_focus_within:
            papers.focus()
        elif search.value:
            search.value = ""  # Input.Changed runs the (empty) search
        elif self.query_text:
            self.run_search("", delay=0)
        elif self.like is not None:
            self.dismiss()

    def action_toggle_bookmark(self) -> None:
        paper = self.query_one(PaperList).highlighted
        if paper is None:
            return
        bookmarked = self.app.toggle_bookmark(paper)
        if bookmarked is None:
            return  # not saved (the app said why)
        library = self.app.library
        ids = library.bookmarked_ids()
        self.query_one(PaperList).set_bookmarked(ids)
        self.query_one(PaperDetail).show(paper, bookmarked, self.terms,
                                         self.query_one(PaperList).tags_of(paper.id))
        if self._view is not None:
            self._view = replace(self._view, bookmarked=ids, counts=library.counts())
        self._update_status()

    def current_paper(self) -> Paper | None:
        return self.query_one(PaperList).highlighted

    def tags_changed(self, paper: Paper) -> None:
        """After t: the list's # markers and the detail's tags line follow at once."""
        tags = self.app.library.store.tags_for()
        self.query_one(PaperList).set_tags(tags)
        self.query_one(PaperDetail).set_tags(tags.get(paper.id, ()))
        if self._view is not None:
            self._view = replace(self._view, tags=tags)

    def action_full_screen(self) -> None:
        paper = self.current_paper()
        if paper is not None:
            self._opened(paper)
            from reader.ui.screens.detail_screen import DetailScreen

            self.app.push_screen(DetailScreen(paper, self.terms))

    def _opened(self, paper: Paper) -> None:
        """Opening a paper marks it read, unless the settings say not to."""
        if self.app.mark_read_on_open:
            self._set_read(paper, True)

    def _set_read(self, paper: Paper, read: bool) -> None:
        library = self.app.library
        was = library.store.is_read(paper.id)
        if was == read:
            return
        try:
            library.set_read(paper.id, read)
        except StoreBusy as error:
            self.app.not_saved(error)
            return
        self.query_one(PaperList).set_read(library.read_ids())
        self.app.remember_undo(
            f"{'read' if read else 'unread'} mark on {paper.title[:40]}",
            lambda: library.set_read(paper.id, was),
        )

    def action_edit_note(self) -> None:
        paper = self.current_paper()
        if paper is None:
            return

        def saved(_: str | None) -> None:
            self.query_one(PaperDetail).refresh_note()
            self.query_one(PaperList).set_noted(self.app.library.store.ids_with_notes())

        from reader.ui.screens.note_screen import NoteScreen

        self.app.push_screen(NoteScreen(paper, self.app.library.note(paper.id)), saved)

    def action_toggle_read(self) -> None:
        paper = self.current_paper()
        if paper is None:
            return
        read = not self.query_one(PaperList).is_read(paper.id)
        self._set_read(paper, read)
        self.notify("Marked read" if read else "Marked unread", timeout=2)

    def action_toggle_unread_only(self) -> None:
        self.unread_only = not self.unread_only
        self.run_search(self.query_text, delay=0)

    def action_page_detail(self, direction: int) -> None:
        detail = self.query_one(PaperDetail)
        if direction > 0:
            detail.scroll_page_down(animate=False)
        else:
            detail.scroll_page_up(animate=False)

    def action_resize_split(self, step: int) -> None:
        """Make the list wider or narrower (wide layout), between 25% and 75%."""
        if self.has_class(NARROW):
            self.notify("The list takes the whole width below 100 columns.", timeout=3)
            return
        self.split = max(25, min(75, self.split + step))
        self._apply_split()

    def _apply_split(self) -> None:
        wide = not self.has_class(NARROW)
        self.query_one(PaperList).styles.width = f"{self.split}%" if wide else "1fr"

    def on_resize(self) -> None:
        if self.is_mounted and self.split != DEFAULT_SPLIT:
            self.call_after_refresh(self._apply_split)

    def action_more_like_this(self) -> None:
        paper = self.query_one(PaperList).highlighted
        if paper is not None:
            self.app.push_screen(LibraryScreen(self.scope if self.scope != NEW else ALL,
                                               like=paper))

    def action_save_search(self) -> None:
        text = self.query_text.strip()
        if not text:
            self.notify("Type a search first, then save it.", timeout=3)
            return

        def save(name: str | None) -> None:
            if name:
                try:
                    self.app.library.store.save_search(name, text)
                except StoreBusy as error:
                    self.app.not_saved(error)
                    return
                self.notify(f"Saved search {name!r}: {text}", markup=False, timeout=3)

        from reader.ui.screens.prompt import TextPrompt

        prompt = TextPrompt("Save this search", f"Name it; it re-runs live in view 3: {text}",
                            placeholder="a name", value=text[:40])
        self.app.push_screen(prompt, save)

    def search_for(self, text: str) -> None:
        """Put ``text`` in the search box and run it (palette, saved searches)."""
        self.query_one("#search", Input).value = text
        self.query_one(PaperList).focus()

    def action_cycle_sort(self) -> None:
        """Relevance (or the view's own order), newest, oldest, title, upvotes, round again."""
        natural = "relevance" if self.query_text.strip() else None
        order = [natural, "newest", "oldest", "title", "upvotes"]
        current = self.sort if self.sort in order else natural
        self.sort = order[(order.index(current) + 1) % len(order)]
        self.run_search(self.query_text, delay=0)

    def action_accept_suggestion(self) -> None:
        if self.suggestion:
            self.query_one("#search", Input).value = self.suggestion

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "accept_suggestion":
            return bool(self.suggestion)
        return True

    def refresh_bookmarks(self) -> None:
        """Redraw the bookmark markers (after a change made on another screen)."""
        self.query_one(PaperList).set_bookmarked(self.app.library.bookmarked_ids())
