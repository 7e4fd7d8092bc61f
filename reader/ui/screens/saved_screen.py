"""View 3: the saved searches, each with how many papers it finds now."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from reader.index import IndexUnavailable
from reader.results import LazyIds
from reader.store import StoreBusy


class SavedSearchesScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "run", "Run", show=False),
        Binding("d,delete", "delete", "Delete"),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
    ]
    DEFAULT_CSS = """
    SavedSearchesScreen {
        & > #heading { padding: 0 1; background: $boost; text-style: bold; }
        & > OptionList { height: 1fr; border: none; }
        & > #hint { padding: 0 1; color: $text-muted; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(Content("Saved searches"), id="heading")
        yield OptionList(id="saved")
        yield Static(
            Content("enter runs a search in all papers · d deletes it · "
                    "S in a view saves the current search"),
            id="hint",
        )
        yield Footer(compact=True)

    def on_screen_resume(self) -> None:
        self.refresh_list()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        # another copy of reader saved or deleted one, or papers came in: counts change
        self.watch(self.app, "library_version", self.refresh_list, init=False)

    def refresh_list(self) -> None:
        saved = self.app.library.store.saved_searches()
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        if not saved:
            options.add_option(Option(Content("No saved searches yet."), disabled=True))
            return
        options.add_options(self._option(name, text, None) for name, text in saved)
        options.highlighted = min(highlighted or 0, len(saved) - 1)
        self.count_matches(saved)

    @staticmethod
    def _option(name: str, text: str, count: int | None) -> Option:
        found = "…" if count is None else f"{count:,}"
        prompt = Content.assemble((name, "bold"), "  ", (text, "italic"), "  ",
                                  (f"{found} papers", "dim"))
        return Option(prompt, id=name)

    @work(thread=True, exclusive=True, group="saved")
    def count_matches(self, saved: list[tuple[str, str]]) -> None:
        """Re-run each saved search (live counts) in a worker."""
        worker = get_current_worker()
        for name, text in saved:
            if worker.is_cancelled:
                return
            try:
                ids = self.app.library.query(text).ids
                if isinstance(ids, LazyIds):
                    ids.load()  # the exact count, not the index's estimate
                count = len(ids)
            except IndexUnavailable:
                return
            self.app.call_from_thread(self._show_count, name, text, count)

    def _show_count(self, name: str, text: str, count: int) -> None:
        options = self.query_one(OptionList)
        try:
            index = options.get_option_index(name)
        except Exception:  # the list changed meanwhile
            return
        options.replace_option_prompt_at_index(index, self._option(name, text, count).prompt)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._run(event.option.id)

    def action_run(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._run(options.get_option_at_index(options.highlighted).id)

    def _run(self, name: str | None) -> None:
        saved = dict(self.app.library.store.saved_searches())
        if name in saved:
            self.app.search_in_papers(saved[name])

    def action_delete(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        name = options.get_option_at_index(options.highlighted).id
        if name:
            try:
                self.app.library.store.delete_saved_search(name)
            except StoreBusy as error:
                self.app.not_saved(error)
                return
            self.notify(f"Deleted saved search {name!r}", markup=False, timeout=3)
            self.refresh_list()

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()
