"""One paper full screen: what `enter` opens when the terminal is narrow."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from reader.model import Paper
from reader.ui.paper_actions import PAPER_BINDINGS, PaperActions
from reader.ui.widgets.paper_detail import PaperDetail


class DetailScreen(PaperActions, Screen[None]):
    BINDINGS = [
        Binding("escape,q,f", "dismiss", "Back"),
        Binding("b", "toggle_bookmark", "Bookmark", id="bookmark"),
        Binding("n", "edit_note", "Note", id="note"),
        *PAPER_BINDINGS,
    ]

    def __init__(self, paper: Paper, terms: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.paper = paper
        self.terms = terms

    def compose(self) -> ComposeResult:
        yield PaperDetail(id="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        detail = self.query_one(PaperDetail)
        library = self.app.library
        detail.show(self.paper, library.is_bookmarked(self.paper.id), self.terms,
                    library.tags_of(self.paper.id))
        detail.focus()

    def current_paper(self) -> Paper:
        return self.paper

    def action_edit_note(self) -> None:
        from reader.ui.screens.note_screen import NoteScreen

        self.app.push_screen(NoteScreen(self.paper, self.app.library.note(self.paper.id)),
                             lambda _: self.query_one(PaperDetail).refresh_note())

    def action_toggle_bookmark(self) -> None:
        bookmarked = self.app.toggle_bookmark(self.paper)
        if bookmarked is None:
            return  # not saved (the app said why)
        self.query_one(PaperDetail).show(self.paper, bookmarked, self.terms,
                                         self.app.library.tags_of(self.paper.id))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
