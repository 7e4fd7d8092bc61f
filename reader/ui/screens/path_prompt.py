"""A one-line prompt for file paths (the palette's "Import file…")."""

from __future__ import annotations

import shlex

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class PathPrompt(ModalScreen[list[str] | None]):
    """Asks for one or more paths (space separated, quotes for spaces in names)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    PathPrompt {
        align: center middle;
        & > Vertical {
            width: 80; max-width: 100%; height: auto;
            border: round $accent; background: $surface; padding: 0 1;
        }
        & .hint { color: $text-muted; }
    }
    """

    def __init__(self, title: str, hint: str) -> None:
        super().__init__()
        self._title = title
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self._title).stylize("bold"))
            yield Input(placeholder="~/Downloads/papers.bib", id="paths")
            yield Static(Content(self._hint), classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            paths = shlex.split(event.value)
        except ValueError:
            paths = [event.value.strip()]
        self.dismiss([path for path in paths if path] or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
