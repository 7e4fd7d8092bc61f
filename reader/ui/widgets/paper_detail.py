"""One paper in full: title, authors, source, the whole abstract wrapped, and links.

Paper text is untrusted, so it goes in as ``Content`` (shown literally, never parsed as
markup) after ``reader.text`` has made it safe and readable: escape sequences and
control characters removed, mojibake repaired, HTML-ish tags and LaTeX math turned
into text (``L`` shows the raw text instead).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from reader.index.highlight import match_spans
from reader.links import paper_links
from reader.model import Paper
from reader.text import clean_block, clean_line, display_abstract, display_title
from reader.ui.widgets.paper_list import STAR

MATCH_STYLE = "bold underline $text-warning"


def _meta(paper: Paper, bookmarked: bool, tags: Sequence[str] = ()) -> Content:
    parts: list[Content] = []
    if paper.authors:
        parts.append(Content(clean_line(", ".join(paper.authors))))
    details = [clean_line(value) for value in (paper.published, paper.venue) if value]
    details.extend(clean_line(source) for source in paper.sources)
    if paper.categories:
        details.append(clean_line(" ".join(paper.categories)))
    upvotes = paper.extra.get("upvotes")
    if isinstance(upvotes, int):
        details.append(f"▲ {upvotes} upvotes")
    details.append(paper.id)
    parts.append(Content(" · ".join(details)).stylize("dim"))
    if bookmarked:
        parts.append(Content(f"{STAR} bookmarked").stylize("$warning"))
    if tags:  # the user's own words: plain text, never markup
        parts.append(Content.assemble(("Tags: ", "bold"), (", ".join(tags), "$accent")))
    return Content("\n").join(parts)


def _links(paper: Paper) -> Content:
    links = paper_links(paper)
    if not links:
        return Content("")
    lines = [Content.assemble((f"{link.label:<9}", "dim"), link.url) for link in links]
    return Content("\n").join(lines)


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
        & > #links { margin: 0 0 1 0; }
        & > #note { margin: 0 0 1 0; padding: 0 1; border-left: thick $accent;
                    color: $text; display: none; }
        & > #note.-has-note { display: block; }
    }
    """

    # Show the source's own text (LaTeX and all) instead of the readable form.
    raw: reactive[bool] = reactive(False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[Paper | None, bool, frozenset[str], Sequence[str]] = (
            None, False, frozenset(), ()
        )

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield Static(id="meta")
        yield Static(id="note")
        yield Static(id="abstract")
        yield Static(id="links")

    @property
    def paper(self) -> Paper | None:
        return self._shown[0]

    def show(
        self,
        paper: Paper | None,
        bookmarked: bool = False,
        terms: frozenset[str] = frozenset(),
        tags: Sequence[str] = (),
    ) -> None:
        """Show ``paper`` (and the user's ``tags`` on it); words that are among a query's
        ``terms`` stand out."""
        # the same paper again (a refresh, a bookmark): the reader keeps their place
        scroll_home = paper is None or self.paper is None or paper.id != self.paper.id
        self._shown = (paper, bookmarked, terms, tags)
        title = self.query_one("#title", Static)
        meta = self.query_one("#meta", Static)
        abstract = self.query_one("#abstract", Static)
        links = self.query_one("#links", Static)
        if paper is None:
            for widget in (title, meta, links):
                widget.update(Content(""))
            abstract.update(Content("Nothing to show.").stylize("$text-muted"))
            self.refresh_note()
            return
        math = not self.raw
        title.update(_highlighted(display_title(paper.title, math=math), terms))
        meta.update(_meta(paper, bookmarked, tags))
        if paper.abstract:
            abstract.update(_highlighted(display_abstract(paper.abstract, math=math), terms))
        else:
            abstract.update(Content("(no abstract)").stylize("dim"))
        links.update(_links(paper))
        self.refresh_note()
        if scroll_home:
            self.scroll_home(animate=False)

    def set_tags(self, tags: Sequence[str]) -> None:
        """Show these tags on the paper shown (after they were edited)."""
        paper, bookmarked, terms, _ = self._shown
        if paper is not None:
            self.show(paper, bookmarked, terms, tags)

    def refresh_note(self) -> None:
        """Show the user's note on the paper, if any (plain text)."""
        note = self.query_one("#note", Static)
        text = self.app.library.note(self.paper.id) if self.paper is not None else ""
        note.set_class(bool(text.strip()), "-has-note")
        note.update(Content(clean_block(text)) if text.strip() else Content(""))

    def watch_raw(self) -> None:
        if self.is_mounted and self.paper is not None:
            self.show(*self._shown)
