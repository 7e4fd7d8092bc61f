"""The Textual app: two views (all papers, bookmarks), help, and the command palette.

The app owns the library and one background job: making sure the search index is
current when it starts (rebuilding it, with progress, when it is missing or stale).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker

from reader.library import ALL, BOOKMARKS, Library
from reader.model import Paper
from reader.ui.screens.help_screen import HelpScreen
from reader.ui.screens.library_screen import LibraryScreen


class ReaderApp(App[None]):
    TITLE = "reader"
    MODES = {
        "papers": lambda: LibraryScreen(ALL),
        "bookmarks": lambda: LibraryScreen(BOOKMARKS),
    }
    DEFAULT_MODE = "papers"
    BINDINGS = [
        Binding("1", "switch_mode('papers')", "Papers"),
        Binding("2", "switch_mode('bookmarks')", "Bookmarks"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    # (done, total) while the index is being rebuilt, else None.
    indexing: reactive[tuple[int, int] | None] = reactive(None, always_update=True)

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self._index_worker: Worker | None = None

    def on_mount(self) -> None:
        self.request_index()

    def request_index(self) -> None:
        """Make sure the index is usable: checked, and rebuilt if stale or damaged.

        Called at start-up and whenever a search finds the index unusable. At most one
        check or rebuild runs at a time.
        """
        if self._index_worker is None or self._index_worker.is_finished:
            self._index_worker = self._ensure_index()

    @work(thread=True, group="index")
    def _ensure_index(self) -> None:
        def progress(done: int, total: int) -> None:
            self.call_from_thread(setattr, self, "indexing", (done, total))

        try:
            # Cheap when the index is current (one small file and a probe query).
            self.library.ensure_index(progress)
        finally:
            self.call_from_thread(setattr, self, "indexing", None)

    def toggle_bookmark(self, paper: Paper) -> bool:
        """Toggle the bookmark (committed before this returns) and say so."""
        bookmarked = self.library.toggle_bookmark(paper)
        verb = "Bookmarked" if bookmarked else "Removed bookmark"
        self.notify(f"{verb}: {paper.title[:60]}", markup=False, timeout=2)
        return bookmarked

    def action_help(self) -> None:
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
        if isinstance(screen, LibraryScreen):
            yield SystemCommand("Search", "Go to the search box (/)", screen.action_focus_search)
            yield SystemCommand(
                "Toggle bookmark", "Bookmark the highlighted paper, or remove it (b)",
                screen.action_toggle_bookmark,
            )
            yield SystemCommand(
                "Open paper", "Open the highlighted paper (enter)",
                screen.query_one("#papers").action_select,
            )
            yield SystemCommand("Clear search", "Show every paper again (escape)",
                                screen.action_escape)

    def on_unmount(self) -> None:
        self.library.close()
