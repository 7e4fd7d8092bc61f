"""The Textual app: two views (all papers, bookmarks), help, and the command palette.

The app owns the library and its background jobs: making sure the search index is
current when it starts (rebuilding it, with progress, when it is missing or stale), the
day's automatic store backup, and noticing what another running copy of reader changed
(every few seconds, when the terminal gets focus, and on ctrl+r).
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.markup import escape
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from reader.library import ALL, BOOKMARKS, NEW, IndexBusy, Library
from reader.model import Paper
from reader.store import StoreBusy
from reader.ui.keys import binding_ids, keymap_from_config
from reader.ui.screens.library_screen import LibraryScreen

UNDO_KEPT = 50
# allocations between collections of the youngest objects, once the app is up
GC_YOUNG_OBJECTS = 5_000


# The other screens are imported when first shown: the first screen waits for nothing
# it does not show.
def _saved_searches_screen() -> Screen:
    from reader.ui.screens.saved_screen import SavedSearchesScreen

    return SavedSearchesScreen()


class ReaderApp(App[None]):
    TITLE = "reader"
    MODES = {
        "papers": lambda: LibraryScreen(ALL),
        "bookmarks": lambda: LibraryScreen(BOOKMARKS),
        "new": lambda: LibraryScreen(NEW),
        "saved": _saved_searches_screen,
    }
    DEFAULT_MODE = "papers"
    # The screens' footers are compact (every key fits in 120 columns); docked right,
    # the palette key's margin would let the keys under it show through.
    CSS = """
    Footer.-compact FooterKey.-command-palette { margin-right: 0; }
    """
    BINDINGS = [
        Binding("1", "switch_mode('papers')", "Papers", show=False, id="papers"),
        Binding("2", "switch_mode('bookmarks')", "Bookmarks", id="bookmarks"),
        Binding("3", "switch_mode('saved')", "Saved", show=False, id="saved"),
        Binding("4", "switch_mode('new')", "New", show=False, id="new"),
        Binding("U", "update", "Update", show=False, id="update"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("u", "undo", "Undo", show=False, id="undo"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="refresh"),
    ]
    # How often to look for changes another copy of reader made (seconds): O(1) each.
    REFRESH_EVERY = 2.0
    # The day's store backup starts this long after start-up (seconds), in a worker.
    BACKUP_DELAY = 2.0

    # (what, done, total) while background work runs (indexing, importing), else None.
    busy: reactive[tuple[str, int, int] | None] = reactive(None, always_update=True)
    # Grows whenever papers were added or changed: the views refresh (not at start-up:
    # they list the library when they mount).
    library_version: reactive[int] = reactive(0, init=False)

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self._index_worker: Worker | None = None
        self._update_worker: Worker | None = None
        # [reading] mark_read_on_open in the config file
        self.mark_read_on_open = True
        self._undo: list[tuple[str, Callable[[], None]]] = []
        # binding id -> keys, from the config's [keys] (the help shows them)
        self.remapped_keys: dict[str, str] = {}
        # papers added by another copy of reader are waiting to be indexed
        self._index_behind = False
        # whether start-up is over: the first screen has been painted
        self.first_screen_painted = False

    # seconds a change made at the keyboard waits for another copy's long write
    STORE_PATIENCE = 2.0

    def on_mount(self) -> None:
        self.library.store.set_patience(self.STORE_PATIENCE)
        self._apply_settings()
        # after the first screen is painted: checking the index imports Whoosh
        self.call_after_refresh(self.request_index)
        recovered = self.library.recovered
        if recovered is not None:
            self.notify(recovered.message, title="Library restored", severity="warning",
                        markup=False, timeout=30)
        self._watch_store()
        self.set_timer(self.BACKUP_DELAY, self.back_up)
        self.set_interval(3600, self.back_up)  # a session left open over midnight
        self.call_later(self._paint_first_screen)

    def _paint_first_screen(self) -> None:
        """Paint the first screen as soon as start-up is over.

        Textual mounts and lays out the first screen of a mode inside its start-up
        batch, where the frame it renders is dropped, and nothing asks for another
        until a later refresh tick (after the terminal's resize events, each a layout
        of the whole screen). This runs first thing after the batch: the library is on
        the terminal one frame after start-up instead of several.
        """
        self.first_screen_painted = True
        screen = self.screen
        screen.refresh()
        paint = getattr(screen, "_on_timer_update", None)  # Textual's own refresh tick
        if paint is not None:
            paint()
        if not gc.isenabled():
            # Start-up is over (``reader.cli.main`` held the cyclic collector off): what
            # it made lives as long as the app, so it is left out of the collector's
            # rounds from now on.
            gc.freeze()
            gc.enable()
        # Every frame Textual draws leaves thousands of small objects in reference
        # cycles (its strips and their caches): collecting the youngest objects every
        # 700 allocations, as Python does by default, promotes many of them before they
        # die and makes the costly full collections come often (typing a word paused
        # the app 0.9-1.1 s in all for collections, 0.4-0.55 s with this).
        gc.set_threshold(GC_YOUNG_OBJECTS, *gc.get_threshold()[1:])

    def not_saved(self, error: StoreBusy) -> None:
        """Say that a change was not made because another copy of reader held the store
        (a long import): nothing changed, nothing is lost, the user may try again."""
        self.notify(str(error), title="Not saved", severity="error", markup=False, timeout=8)

    def _apply_settings(self) -> None:
        """The theme: the config file's [ui] theme if it names one, else the last one
        picked in the palette (remembered in the store)."""
        from reader.config import load_config

        config = load_config()
        if config.problem:
            self.notify(config.problem, title="Settings", severity="warning", markup=False,
                        timeout=8)
        self.mark_read_on_open = config.section("reading").get("mark_read_on_open", True) \
            is not False
        wanted = config.section("ui").get("theme") or self.library.store.meta("theme")
        if isinstance(wanted, str) and wanted in self.available_themes:
            self.theme = wanted
        elif wanted:
            self.notify(f"{config.path}: no theme called {wanted!r}; using {self.theme}",
                        title="Settings", severity="warning", markup=False, timeout=8)
        self.watch(self, "theme", self._remember_theme, init=False)
        keys = config.section("keys")
        # (the ids are gathered from every screen's bindings only when keys are remapped)
        keymap, problems = keymap_from_config(keys, self.key_ids(), str(config.path)) \
            if keys else ({}, [])
        for problem in problems:
            self.notify(problem, title="Settings", severity="warning", markup=False,
                        timeout=8)
        if keymap:
            self.set_keymap(keymap)
        self.remapped_keys = keymap

    @staticmethod
    def key_ids() -> dict[str, str]:
        """The ids of the bindings ``[keys]`` may remap, with what each does."""
        from reader.ui.screens.detail_screen import DetailScreen
        from reader.ui.widgets.paper_list import PaperList

        return binding_ids([ReaderApp, LibraryScreen, DetailScreen, PaperList])

    def _remember_theme(self, theme: str) -> None:
        try:
            self.library.store.set_meta("theme", theme)
        except StoreBusy:
            pass  # only a preference: the next pick remembers it

    def _report(self, what: str) -> Callable[[int, int], None]:
        def progress(done: int, total: int) -> None:
            self.call_from_thread(setattr, self, "busy", (what, done, total))

        return progress

    def request_index(self) -> None:
        """Make sure the index is usable: checked, and rebuilt if stale or damaged.

        Called at start-up and whenever a search finds the index unusable. At most one
        check or rebuild runs at a time.
        """
        if self._index_worker is None or self._index_worker.is_finished:
            self._index_worker = self._ensure_index()

    @work(thread=True, group="index")
    def _ensure_index(self, announce: bool = False) -> None:
        """With ``announce``, the views refresh when the index changed."""
        changed = False
        try:
            # Cheap when the index is current (one small file and a probe query).
            changed = self.library.ensure_index(
                self._report("indexing"), waiting=self._waiting_for_other_copy,
                # the papers are in; writing them out takes about as long again
                finishing=lambda: self.call_from_thread(
                    setattr, self, "busy", ("writing the index", 0, 0)),
            )
            # then what the first prefix or fuzzy search would otherwise wait for
            self.library.index.warm()
        except IndexBusy as error:
            self._index_behind = True  # tried again at the next look for changes
            self.notify(str(error), title="Index", severity="warning", markup=False)
        finally:
            self.call_from_thread(setattr, self, "busy", None)
        if changed and announce:
            self.call_from_thread(setattr, self, "library_version", self.library_version + 1)

    def _waiting_for_other_copy(self) -> None:
        self.call_from_thread(setattr, self, "busy", ("another reader is indexing", 0, 1))

    # -- the store: backups, and other copies of reader ---------------------------------

    @work(thread=True, group="backup")
    def back_up(self) -> None:
        """Today's automatic store backup, unless made already (1-3 s for 400 MB)."""
        from reader.store import StoreDamaged

        try:
            self.library.backup_if_due()
        except StoreDamaged as error:
            self.notify(str(error), title="Library damaged", severity="error", markup=False,
                        timeout=30)
        except (OSError, sqlite3.Error) as error:
            self.notify(f"The automatic backup failed: {error}", title="Backup",
                        severity="warning", markup=False, timeout=10)

    def _watch_store(self) -> None:
        store = self.library.store
        self._data_version = store.data_version()
        self._generation = store.generation()
        self.set_interval(self.REFRESH_EVERY, self._check_for_changes)

    def _check_for_changes(self) -> None:
        """Refresh if another copy of reader (or a worker) committed to the store.

        O(1) and never waits for a writer (SQLite's data_version), so it runs on the UI
        thread: a few microseconds at any library size."""
        try:
            changed = self.library.store.data_version() != self._data_version
        except sqlite3.Error:
            return  # the store is unusable for now: the next look may find it back
        if changed:
            self.refresh_library()
        elif self._index_behind:
            self._catch_up_index()

    def on_app_focus(self) -> None:
        self._check_for_changes()

    def action_refresh(self) -> None:
        self.refresh_library()
        self.notify("Refreshed", timeout=1)

    def refresh_library(self) -> None:
        """Show the store as it is now: what another copy of reader changed (bookmarks,
        notes, read marks, papers) appears; papers it added join the index in a worker,
        and the views refresh again when they are in."""
        store = self.library.store
        self._data_version = store.data_version()
        generation = store.generation()
        if generation != self._generation:
            self._generation = generation
            self._index_behind = True
        self._catch_up_index()
        self.library_version += 1

    def _catch_up_index(self) -> None:
        if self._index_behind and (self._index_worker is None
                                   or self._index_worker.is_finished):
            self._index_behind = False
            self._index_worker = self._ensure_index(announce=True)

    # -- updating ------------------------------------------------------------------------

    def action_update(self) -> None:
        """Fetch every subscription in the config file, in a worker, with progress."""
        if self._update_worker is None or self._update_worker.is_finished:
            self._update_worker = self.update_subscriptions()
        else:
            self.notify("An update is already running.", timeout=3)

    @work(thread=True, group="update")
    def update_subscriptions(self) -> None:
        from reader.config import load_config
        from reader.sources.fetch import run_update

        worker = get_current_worker()
        report = self._report("updating")

        def progress(done: int, total: int, message: str) -> None:
            report(done, total)
            self.call_from_thread(setattr, self, "busy", (f"updating: {message}", done, total))

        changed = False
        try:
            self.library.begin_update()
            results = run_update(self.library, load_config(), progress=progress,
                                 cancelled=lambda: worker.is_cancelled)
            if not results:
                self.notify("No subscriptions yet: add [[subscriptions]] to the config file "
                            "(see the README).", title="Update", markup=False, timeout=8)
            for result in results:
                changed = changed or bool(result.added or result.updated)
                self.notify(result.summary(), title="Update", markup=False, timeout=8,
                            severity="information" if result.ok else "error")
            if changed:
                self.library.ensure_index(self._report("indexing"))
        except ValueError as error:  # the config file cannot be used
            self.notify(str(error), title="Update failed", severity="error", markup=False,
                        timeout=10)
        finally:
            self.call_from_thread(setattr, self, "busy", None)
        if changed:
            self.call_from_thread(setattr, self, "library_version", self.library_version + 1)

    # -- importing -----------------------------------------------------------------------

    def action_import(self) -> None:
        from reader.ui.screens.prompt import TextPrompt

        prompt = TextPrompt(
            "Import papers from files",
            "BibTeX, RIS, arXiv Atom/RSS/JSON, Hugging Face JSON, JSONL, CSV or a copied "
            "listing page; .gz is fine. Several paths: separate them with spaces.",
            placeholder="~/Downloads/papers.bib",
        )
        self.push_screen(prompt, self._import_paths)

    def _import_paths(self, text: str | None) -> None:
        from reader.ui.screens.prompt import split_paths

        paths = split_paths(text or "")
        if paths:
            self.import_files([Path(path).expanduser() for path in paths])

    @work(thread=True, group="index", exclusive=False)
    def import_files(self, paths: list[Path]) -> None:
        """Import files in a worker, with progress; the views refresh afterwards."""
        from reader.parsers import ParseError

        changed = False
        try:
            for path in paths:
                try:
                    report = self.library.import_file(
                        path, progress=self._report(f"importing {path.name}")
                    )
                except (ParseError, OSError, ValueError) as error:
                    self.notify(str(error), title="Import failed", severity="error",
                                markup=False, timeout=10)
                    continue
                except Exception as error:  # a bug must not take the user's session down
                    self.notify(f"{path}: unexpected error: {error!r}", title="Import failed",
                                severity="error", markup=False, timeout=10)
                    continue
                changed = changed or bool(report.added or report.updated)
                self.notify(report.summary(), title="Imported", markup=False, timeout=6)
            if changed:
                self.library.ensure_index(self._report("indexing"))
        finally:
            self.call_from_thread(setattr, self, "busy", None)
        if changed:
            self.call_from_thread(setattr, self, "library_version", self.library_version + 1)

    def toggle_bookmark(self, paper: Paper) -> bool | None:
        """Toggle the bookmark (committed before this returns) and say so; None when
        another copy of reader held the store and nothing changed."""
        store = self.library.store
        was = store.bookmark_time(paper.id)
        try:
            bookmarked = self.library.toggle_bookmark(paper)
        except StoreBusy as error:
            self.not_saved(error)
            return None
        verb = "Bookmarked" if bookmarked else "Removed bookmark"
        self.notify(f"{verb}: {paper.title[:60]}", markup=False, timeout=2)
        if was is None:
            self.remember_undo(f"bookmark of {paper.title[:40]}",
                               lambda: store.remove_bookmark(paper.id))
        else:
            self.remember_undo(f"removed bookmark of {paper.title[:40]}",
                               lambda: store.add_bookmark(paper, added_at=was))
        return bookmarked

    def edit_tags(self, paper: Paper, changed: Callable[[Paper], None]) -> None:
        """Ask for the paper's tags (t); save them, then call ``changed``."""
        store = self.library.store
        known = [tag for tag, _ in sorted(store.all_tags(), key=lambda item: -item[1])]

        def save(tags: list[str] | None) -> None:
            if tags is not None and self.set_tags(paper, tags):
                changed(paper)

        from reader.ui.screens.tag_prompt import TagPrompt

        self.push_screen(TagPrompt(paper, store.tags_of(paper.id), known), save)

    def set_tags(self, paper: Paper, tags: list[str]) -> bool:
        """Give the paper exactly these tags (committed before this returns), say so,
        and keep a way back; return whether they changed."""
        store = self.library.store
        before = store.tag_rows_of(paper.id)
        if sorted(tags) == [tag for tag, _ in before]:
            return False
        try:
            self.library.set_tags(paper.id, tags)
        except StoreBusy as error:
            self.not_saved(error)
            return False
        shown = ", ".join(store.tags_of(paper.id)) or "none"
        self.notify(f"Tags: {shown} on {paper.title[:50]}", markup=False, timeout=3)
        self.remember_undo(f"tag change on {paper.title[:40]}",
                           lambda: store.put_tag_rows(paper.id, before))
        return True

    # -- undo --------------------------------------------------------------------------

    def remember_undo(self, what: str, revert: Callable[[], None]) -> None:
        """Keep a way back from a change to the user's data (u undoes the last one)."""
        self._undo.append((what, revert))
        del self._undo[:-UNDO_KEPT]

    def action_undo(self) -> None:
        if not self._undo:
            self.notify("Nothing to undo.", timeout=2)
            return
        what, revert = self._undo[-1]
        try:
            revert()
        except StoreBusy as error:
            self.not_saved(error)
            return
        self._undo.pop()
        self.notify(f"Undid the {what}", markup=False, timeout=3)
        self.library_version += 1  # the views redraw from the store

    def search_in_papers(self, text: str) -> None:
        """Show all papers matching ``text`` (saved searches, recent queries)."""

        async def search() -> None:
            if self.current_mode != "papers":
                await self.switch_mode("papers")
            if isinstance(self.screen, LibraryScreen):
                self.screen.search_for(text)

        self.call_later(search)

    def action_help(self) -> None:
        from reader.ui.screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Papers", "Show all papers (1)", lambda: self.switch_mode("papers"))
        yield SystemCommand(
            "Bookmarks", "Show bookmarked papers, newest first (2)",
            lambda: self.switch_mode("bookmarks"),
        )
        yield SystemCommand("Help", "Every key and the search syntax (?)", self.action_help)
        yield SystemCommand(
            "Refresh", "Show what another running copy of reader changed (ctrl+r)",
            self.action_refresh,
        )
        yield SystemCommand(
            "Import file…", "Import papers from BibTeX, RIS, arXiv, JSON, CSV files",
            self.action_import,
        )
        yield SystemCommand(
            "Update subscriptions", "Fetch new papers from the sources in the config file (U)",
            self.action_update,
        )
        yield SystemCommand(
            "New papers", "Papers that arrived with the last update (4)",
            lambda: self.switch_mode("new"),
        )
        yield SystemCommand("Saved searches", "Saved searches with live counts (3)",
                            lambda: self.switch_mode("saved"))
        # The palette reads titles as markup: the user's own words are escaped.
        for name, text in self.library.store.saved_searches():
            yield SystemCommand(f"Saved search: {escape(name)}", escape(text),
                                lambda text=text: self.search_in_papers(text))
        for tag, count in self.library.store.all_tags():
            yield SystemCommand(f"Tag: {escape(tag)} ({count})",
                                f"Papers tagged {escape(tag)} (tag:{escape(tag)})",
                                lambda tag=tag: self.search_in_papers(f"tag:{tag}"))
        for text in self.library.store.query_history(limit=8):
            yield SystemCommand(f"Recent search: {escape(text)}", "Run it again in all papers",
                                lambda text=text: self.search_in_papers(text))
        if isinstance(screen, LibraryScreen):
            yield SystemCommand("Save this search…", "Name the current search (S)",
                                screen.action_save_search)
            yield SystemCommand("More like this", "Papers like the highlighted one (m)",
                                screen.action_more_like_this)
            yield SystemCommand("Sort", "Relevance, newest, oldest, title (s)",
                                screen.action_cycle_sort)
            yield SystemCommand("Search", "Go to the search box (/)", screen.action_focus_search)
            yield SystemCommand(
                "Toggle bookmark", "Bookmark the highlighted paper, or remove it (b)",
                screen.action_toggle_bookmark,
            )
            yield SystemCommand("Tags…", "Add or remove tags on the highlighted paper (t)",
                                screen.action_edit_tags)
            yield SystemCommand(
                "Open paper", "Open the highlighted paper (enter)",
                screen.query_one("#papers").action_select,
            )
            yield SystemCommand("Clear search", "Show every paper again (escape)",
                                screen.action_escape)

    def on_unmount(self) -> None:
        self.library.close()
