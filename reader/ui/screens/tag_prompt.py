"""The tag prompt (t): the paper's tags as one editable line, completing known tags.

The line starts with the paper's tags; what it holds when enter is pressed becomes the
paper's tags (type a name to add it, delete one to remove it). Tags are separated by
spaces or commas. A tag that cannot be one keeps the prompt open with one line saying
why.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.suggester import Suggester
from textual.widgets import Input, Static

from reader.model import Paper
from reader.tags import TagError, last_word, split_tags
from reader.text import display_title
from reader.ui.screens.prompt import PromptScreen

HINT = ("Spaces or commas between tags; the paper gets exactly these (delete one to "
        "remove it). tab or → completes · enter saves · escape cancels")


class TagSuggester(Suggester):
    """Completes the word being typed from the known tags (most used first), leaving
    out tags the line already has."""

    def __init__(self, known: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.known = list(known)

    async def get_suggestion(self, value: str) -> str | None:
        word = last_word(value)
        typed = word.lstrip("#").lower()
        if not typed:
            return None
        try:
            present = set(split_tags(value[: len(value) - len(word)]))
        except TagError:
            present = set()
        for tag in self.known:
            if tag.startswith(typed) and tag != typed and tag not in present:
                return value + tag[len(typed):]
        return None


class TagPrompt(PromptScreen[list[str] | None]):
    """Edits the tags of ``paper``; dismisses with the new tags, or None (escape)."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False)]
    DEFAULT_CSS = """
    TagPrompt {
        & #problem { color: $text-error; display: none; }
        & #problem.-shown { display: block; }
    }
    """

    def __init__(self, paper: Paper, tags: Sequence[str], known: Sequence[str]) -> None:
        super().__init__()
        self.paper = paper
        self._tags = list(tags)
        self._known = list(known)

    def compose(self) -> ComposeResult:
        value = " ".join(self._tags) + " " if self._tags else ""
        with Vertical():
            yield Static(Content.assemble(("Tags: ", "bold"), display_title(self.paper.title)))
            yield Input(value=value, placeholder="toread, reading-group ...", id="tags",
                        suggester=TagSuggester(self._known), select_on_focus=False)
            yield Static(id="problem")
            yield Static(Content(HINT), classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).cursor_position = len(self.query_one(Input).value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            tags = split_tags(event.value)
        except TagError as error:
            problem = self.query_one("#problem", Static)
            problem.update(Content(str(error)))
            problem.add_class("-shown")
            return
        self.dismiss(tags)

    def on_input_changed(self) -> None:
        self.query_one("#problem", Static).remove_class("-shown")

    def action_complete(self) -> None:
        """Take the completion shown (the cursor goes to the end first)."""
        answer = self.query_one(Input)
        if not answer.cursor_at_end:
            answer.cursor_position = len(answer.value)
        else:
            answer.action_cursor_right()

