"""The search box: an Input that recalls earlier queries with up and down."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.widgets import Input


class SearchBox(Input):
    """``up`` goes back through the history (most recent first), ``down`` forward and
    finally to what was being typed."""

    BINDINGS = [
        Binding("up", "history(1)", "Earlier query", show=False),
        Binding("down", "history(-1)", "Later query", show=False),
    ]

    def __init__(self, history: Callable[[], list[str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self._history = history
        self._recalled: list[str] = []
        self._position = -1  # -1: the draft being typed
        self._draft = ""

    def action_history(self, step: int) -> None:
        if self._position == -1:
            self._recalled = self._history()
            self._draft = self.value
        position = max(-1, min(self._position + step, len(self._recalled) - 1))
        if position == self._position:
            return
        self._position = position
        self.value = self._draft if position == -1 else self._recalled[position]
        self.cursor_position = len(self.value)

    def _on_blur(self, event) -> None:
        self._position = -1
        super()._on_blur(event)
