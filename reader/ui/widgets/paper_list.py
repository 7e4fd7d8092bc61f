"""The list of papers: a ScrollView that draws only the rows in view (the Line API).

It holds the ids of the papers to show, in order, and fetches the papers for the rows on
screen from the library as they scroll into view, so its cost does not grow with the
number of papers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.model import Paper
from reader.text import clean_line

STAR = "★"
CACHE_LIMIT = 4000


class PaperList(ScrollView, can_focus=True):
    """Rows of paper titles with a cursor; a ★ marks bookmarked papers."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("enter", "select", "Open"),
    ]
    COMPONENT_CLASSES = {"paper-list--cursor", "paper-list--star", "paper-list--empty"}
    DEFAULT_CSS = """
    PaperList {
        overflow-x: hidden;
        background: $surface;
        & > .paper-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .paper-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .paper-list--star { color: $warning; }
        & > .paper-list--empty { color: $text-muted; text-style: italic; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved to ``paper`` (None when the list is empty)."""

        def __init__(self, paper: Paper | None) -> None:
            super().__init__()
            self.paper = paper

    class Selected(Message):
        """The user pressed enter on ``paper``."""

        def __init__(self, paper: Paper) -> None:
            super().__init__()
            self.paper = paper

    def __init__(
        self,
        fetch: Callable[[Sequence[str]], dict[str, Paper]],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._fetch = fetch
        self._ids: list[str] = []
        self._papers: dict[str, Paper] = {}
        self._bookmarked: set[str] = set()
        self.empty_text = "No papers."

    # -- content -------------------------------------------------------------------------

    @property
    def paper_ids(self) -> list[str]:
        return self._ids

    def show(self, ids: list[str], bookmarked: set[str], keep: str | None = None) -> None:
        """Show these ids; keep the cursor on ``keep`` if it is among them."""
        self._ids = ids
        self._bookmarked = bookmarked
        self._papers.clear()
        self.virtual_size = Size(0, len(ids))
        position = 0
        if keep is not None:
            try:
                position = ids.index(keep)
            except ValueError:
                position = 0
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = position
        self.refresh()

    def set_bookmarked(self, bookmarked: set[str]) -> None:
        self._bookmarked = bookmarked
        self.refresh()

    @property
    def highlighted(self) -> Paper | None:
        if not self._ids:
            return None
        return self._paper_at(self.cursor)

    def _paper_at(self, index: int) -> Paper | None:
        paper_id = self._ids[index]
        paper = self._papers.get(paper_id)
        if paper is None:
            # Fetch the whole screenful around this row in one query.
            start = max(0, min(index, self.scroll_offset.y))
            stop = max(index + 1, start + self.size.height + 1)
            if len(self._papers) > CACHE_LIMIT:
                self._papers.clear()
            self._papers.update(self._fetch(self._ids[start:stop]))
            paper = self._papers.get(paper_id)
        return paper

    # -- drawing -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        # Not size.width: the vertical scrollbar covers the last column(s) of that.
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = self.scroll_offset.y + y
        if not self._ids:
            if y == 0:
                style = base + self.get_component_rich_style("paper-list--empty")
                return Strip([Segment(" " + self.empty_text, style)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if index >= len(self._ids):
            return Strip.blank(width, base)
        paper = self._paper_at(index)
        title = clean_line(paper.title) if paper else self._ids[index]
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("paper-list--cursor")
        if paper is not None and paper.id in self._bookmarked:
            star = Segment(f" {STAR} ", style + self.get_component_rich_style("paper-list--star"))
        else:
            star = Segment("   ", style)
        room = width - star.cell_length
        if cell_len(title) > room > 1:
            title = set_cell_size(title, room - 1).rstrip() + "…"
        return Strip([star, Segment(title, style)]).crop_extend(0, width, style)

    # -- the cursor ----------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._ids) - 1)) if self._ids else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh_line(old - self.scroll_offset.y)
        self.refresh_line(new - self.scroll_offset.y)
        self.post_message(self.Highlighted(self.highlighted))

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_offset.y)
        height = max(1, self.scrollable_content_region.height)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._ids) - 1

    def action_page_down(self) -> None:
        self.cursor += self._page()

    def action_page_up(self) -> None:
        self.cursor -= self._page()

    def action_select(self) -> None:
        paper = self.highlighted
        if paper is not None:
            self.post_message(self.Selected(paper))

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self._ids):
            self.cursor = index
