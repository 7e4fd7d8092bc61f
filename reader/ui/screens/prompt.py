"""One-line prompts: a name for a saved search, file paths to import."""

from __future__ import annotations

import shlex

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, ScreenResultType
from textual.widgets import Input, Static


class PromptScreen(ModalScreen[ScreenResultType]):
    """A box in the middle of the screen (a ``Vertical``) asking for something on one
    line, with ``.hint`` lines under it; escape cancels (None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    PromptScreen {
        align: center middle;
        & > Vertical {
            width: 80; max-width: 100%; height: auto;
            border: round $accent; background: $surface; padding: 0 1;
        }
        & .hint { color: $text-muted; }
    }
    """

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(PromptScreen[str | None]):
    """Asks for one line of text; escape cancels (None)."""

    def __init__(self, title: str, hint: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self._title = title
        self._hint = hint
        self._placeholder = placeholder
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self._title).stylize("bold"))
            yield Input(value=self._value, placeholder=self._placeholder, id="answer")
            yield Static(Content(self._hint), classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)



def split_paths(text: str) -> list[str]:
    """Paths typed on one line: separated by spaces, quotes around names with spaces."""
    try:
        return [path for path in shlex.split(text) if path]
    except ValueError:
        return [text.strip()] if text.strip() else []
