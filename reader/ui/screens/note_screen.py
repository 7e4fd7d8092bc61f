"""The note editor (n): a TextArea over the paper, saved as you type and on leaving."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static, TextArea

from reader.model import Paper
from reader.store import StoreBusy
from reader.text import display_title

SAVE_AFTER = 0.5  # seconds without typing


class NoteScreen(ModalScreen[str]):
    """Edits the note on ``paper``; dismisses with the saved text."""

    BINDINGS = [Binding("escape", "close", "Done")]
    DEFAULT_CSS = """
    NoteScreen {
        align: center middle;
        & > Vertical {
            width: 90; max-width: 100%; height: 70%;
            border: round $accent; background: $surface; padding: 0 1;
        }
        & TextArea { height: 1fr; }
        & .hint { color: $text-muted; }
    }
    """

    def __init__(self, paper: Paper, text: str) -> None:
        super().__init__()
        self.paper = paper
        self._before = text
        self._saved = text
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.assemble(("Note: ", "bold"), display_title(self.paper.title)))
            yield TextArea(self._saved, id="note", soft_wrap=True)
            yield Static(Content("Saved as you type · escape closes"), classes="hint")

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    def on_text_area_changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SAVE_AFTER, self._save)

    def _save(self) -> None:
        text = self.query_one(TextArea).text
        if text != self._saved:
            try:
                self.app.library.set_note(self.paper.id, text)
            except StoreBusy as error:
                self.app.not_saved(error)  # the text stays here; leaving tries again
                return
            self._saved = text

    def action_close(self) -> None:
        self._save()
        if self._saved != self.query_one(TextArea).text:
            return  # not saved: stay, so the note is not lost
        if self._saved != self._before:
            library, paper_id, before = self.app.library, self.paper.id, self._before
            self.app.remember_undo(f"note on {self.paper.title[:40]}",
                                   lambda: library.set_note(paper_id, before))
        self.dismiss(self._saved)
