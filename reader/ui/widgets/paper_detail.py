"""One paper in full: title, authors, source and the whole abstract, wrapped.

Paper text is untrusted, so it goes in as ``Content`` (shown literally, never parsed as
markup) after ``reader.text`` has removed escape sequences and control characters.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from reader.index.highlight import match_spans
from reader.model import Paper
from reader.text import clean_block, clean_line
from reader.ui.widgets.paper_list import STAR


def _meta(paper: Paper, bookmarked: bool) -> Content:
    parts: list[Content] = []
    if paper.authors:
        parts.append(Content(clean_line(", ".join(paper.authors))))
    details = [clean_line(value) for value in (paper.published, paper.venue) if value]
    details.extend(clean_line(source) for source in paper.sources)
    if paper.categories:
        details.append(clean_line(" ".join(paper.categories)))
    details.append(paper.id)
    parts.append(Content(" · ".join(details)).stylize("dim"))
    if bookmarked:
        parts.append(Content(f"{STAR} bookmarked").stylize("$warning"))
    return Content("\n").join(parts)


MATCH_STYLE = "bold underline $text-warning"


def _highlighted(text: str, terms: frozenset[str]) -> Content:
    content = Content(text)
    for start, end in match_spans(text, terms):
        content = content.stylize(MATCH_STYLE, start, end)
    return content


class PaperDetail(VerticalScroll, can_focus=True):
    """The highlighted paper, scrollable with the arrow keys, j/k and space."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False),
        Binding("k", "scroll_up", "Scroll up", show=False),
        Binding("space", "page_down", "Page down", show=False),
        Binding("shift+space", "page_up", "Page up", show=False),
    ]
    DEFAULT_CSS = """
    PaperDetail {
        padding: 0 2;
        background: $surface;
        & > #title { text-style: bold; color: $text-primary; margin: 1 0 0 0; }
        & > #meta { margin: 1 0; }
        & > #abstract { margin: 0 0 1 0; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield Static(id="meta")
        yield Static(id="abstract")

    def show(
        self, paper: Paper | None, bookmarked: bool = False, terms: frozenset[str] = frozenset()
    ) -> None:
        """Show ``paper``; words that are among a query's ``terms`` stand out."""
        title = self.query_one("#title", Static)
        meta = self.query_one("#meta", Static)
        abstract = self.query_one("#abstract", Static)
        if paper is None:
            title.update(Content(""))
            meta.update(Content(""))
            abstract.update(Content("Nothing to show.").stylize("$text-muted"))
            return
        title.update(_highlighted(clean_line(paper.title), terms))
        meta.update(_meta(paper, bookmarked))
        text = clean_block(paper.abstract) if paper.abstract else "(no abstract)"
        abstract.update(_highlighted(text, terms))
        self.scroll_home(animate=False)
