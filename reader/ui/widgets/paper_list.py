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

from reader.index.highlight import snippet
from reader.model import Paper
from reader.results import LazyIds
from reader.text import clean_line, display_title

STAR = "★"
NOTE = "✎"
TAG = "#"
MARKS = 5  # cells before a title: space, ★ (bookmarked), ✎ (noted), # (tagged), space
CACHE_LIMIT = 4000


class PaperList(ScrollView, can_focus=True):
    """Rows of paper titles with a cursor; ★ marks bookmarked papers, ✎ noted ones and
    # tagged ones."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="up"),
        Binding("home,g", "first", "First", show=False, id="first"),
        Binding("end,G", "last", "Last", show=False, id="last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page-down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page-up"),
        Binding("enter", "select", "Read", show=False),
    ]
    COMPONENT_CLASSES = {
        "paper-list--cursor", "paper-list--star", "paper-list--empty",
        "paper-list--snippet", "paper-list--match", "paper-list--read",
    }
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
        & > .paper-list--snippet { color: $text-muted; }
        & > .paper-list--read { color: $text-muted; }
        & > .paper-list--match { color: $text-warning; text-style: bold; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved to ``paper`` (None when the list is empty)."""

        def __init__(self, paper: Paper | None) -> None:
            super().__init__()
            self.paper = paper

    class NeedsRows(Message):
        """Rows in view are not ranked yet: ``ids.load()`` them (in a worker), then
        call ``rows_loaded``."""

        def __init__(self, ids: LazyIds) -> None:
            super().__init__()
            self.ids = ids

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
        self._ids: Sequence[str] = []
        # a load of the rest of a long result was asked for (once per result)
        self._asked = False
        # the cursor was sent to the end before the end was known
        self._to_last = False
        self._papers: dict[str, Paper] = {}
        self._bookmarked: set[str] = set()
        self._noted: set[str] = set()
        # paper id -> its tags, for the papers that have any
        self._tags: dict[str, tuple[str, ...]] = {}
        # Papers read: their rows are dimmed, so unread ones stand out.
        self._read: set[str] = set()
        # With a query, each paper takes two lines: its title and a snippet of its
        # abstract around the first match.
        self._terms: frozenset[str] = frozenset()
        self._snippets: dict[tuple[str, int], tuple[str, list[tuple[int, int]]]] = {}
        self.empty_text = "No papers."

    @property
    def row_height(self) -> int:
        return 2 if self._terms else 1

    # -- content -------------------------------------------------------------------------

    @property
    def paper_ids(self) -> Sequence[str]:
        return self._ids

    @property
    def count_is_exact(self) -> bool:
        return getattr(self._ids, "exact", True)

    def show(
        self,
        ids: Sequence[str],
        bookmarked: set[str],
        keep: str | None = None,
        terms: frozenset[str] = frozenset(),
    ) -> None:
        """Show these ids; keep the cursor on ``keep`` if it is among them. With
        ``terms`` (a query's), each row also shows where its abstract matches."""
        self._ids = ids
        self._asked = self._to_last = False
        self._bookmarked = bookmarked
        self._terms = terms
        self._papers.clear()
        self._snippets.clear()
        self.virtual_size = Size(0, len(ids) * self.row_height)
        position = _position(ids, keep) if keep is not None else None
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = position or 0
        self.refresh()

    def rows_loaded(self, ids: Sequence[str]) -> None:
        """The rest of ``ids`` is ranked now (its length may have changed)."""
        if ids is not self._ids:
            return
        self.virtual_size = Size(0, len(ids) * self.row_height)
        cursor = len(ids) - 1 if self._to_last else self.cursor
        self._to_last = False
        self.cursor = cursor  # clamped to the true length; tells the detail
        self.refresh()

    def _ready(self, start: int, stop: int) -> bool:
        ids = self._ids
        if not isinstance(ids, LazyIds) or ids.ready(start, stop):
            return True
        if not self._asked:
            self._asked = True
            self.post_message(self.NeedsRows(ids))
        return False

    def set_bookmarked(self, bookmarked: set[str]) -> None:
        self._bookmarked = bookmarked
        self.refresh()

    def set_noted(self, noted: set[str]) -> None:
        """Papers with a note: a ✎ beside the title."""
        self._noted = noted
        self.refresh()

    def set_tags(self, tags: dict[str, tuple[str, ...]]) -> None:
        """Every tagged paper's tags: a # beside the title (and the detail shows them)."""
        self._tags = tags
        self.refresh()

    def tags_of(self, paper_id: str) -> tuple[str, ...]:
        return self._tags.get(paper_id, ())

    def set_read(self, read: set[str]) -> None:
        self._read = read
        self.refresh()

    def is_bookmarked(self, paper_id: str) -> bool:
        return paper_id in self._bookmarked

    def is_read(self, paper_id: str) -> bool:
        return paper_id in self._read

    @property
    def highlighted(self) -> Paper | None:
        if not self._ids:
            return None
        return self._paper_at(self.cursor)

    def _paper_at(self, index: int) -> Paper | None:
        """The paper in row ``index``; None while that row is not ranked yet."""
        if not self._ready(index, index + 1):
            return None
        paper_id = self._ids[index]
        paper = self._papers.get(paper_id)
        if paper is None:
            # Fetch the whole screenful around this row in one query.
            start = max(0, min(index, self.scroll_offset.y // self.row_height))
            stop = max(index + 1, start + self.size.height // self.row_height + 1)
            if not self._ready(start, stop):
                start, stop = index, index + 1
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
        line = self.scroll_offset.y + y
        index, part = divmod(line, self.row_height)
        if not self._ids:
            if y == 0:
                style = base + self.get_component_rich_style("paper-list--empty")
                return Strip([Segment(" " + self.empty_text, style)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if index >= len(self._ids):
            return Strip.blank(width, base)
        paper = self._paper_at(index)
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("paper-list--cursor")
        if part == 1:
            return self._snippet_line(paper, width, style)
        if paper is not None:
            title = display_title(paper.title)
        elif self._ready(index, index + 1):
            title = self._ids[index]  # a paper the store no longer has
        else:
            title = "…"  # being ranked
        text_style = style
        if paper is not None and paper.id in self._read and index != self.cursor:
            text_style = style + self.get_component_rich_style("paper-list--read")
        marked = style + self.get_component_rich_style("paper-list--star")
        bookmarked = paper is not None and paper.id in self._bookmarked
        noted = paper is not None and paper.id in self._noted
        tagged = paper is not None and paper.id in self._tags
        markers = [
            Segment(" ", style),
            Segment(STAR, marked) if bookmarked else Segment(" ", style),
            Segment(NOTE, marked) if noted else Segment(" ", style),
            Segment(TAG, marked) if tagged else Segment(" ", style),
            Segment(" ", style),
        ]
        return Strip([*markers, Segment(_fit(title, width - MARKS), text_style)]).crop_extend(
            0, width, style
        )

    def _snippet_line(self, paper: Paper | None, width: int, style) -> Strip:
        room = width - MARKS
        if paper is None or room < 4:
            return Strip.blank(width, style)
        key = (paper.id, room)
        if key not in self._snippets:
            self._snippets[key] = snippet(clean_line(paper.abstract), self._terms, room)
        text, spans = self._snippets[key]
        dim = style + self.get_component_rich_style("paper-list--snippet")
        bright = style + self.get_component_rich_style("paper-list--match")
        segments = [Segment(" " * MARKS, style)]
        position = 0
        for start, end in spans:
            segments.append(Segment(text[position:start], dim))
            segments.append(Segment(text[start:end], bright))
            position = end
        segments.append(Segment(text[position:], dim))
        return Strip(segments).crop_extend(0, width, style)

    # -- the cursor ----------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._ids) - 1)) if self._ids else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        rows = self.row_height
        self.refresh_lines(old * rows - self.scroll_offset.y, rows)
        self.refresh_lines(new * rows - self.scroll_offset.y, rows)
        self.post_message(self.Highlighted(self.highlighted))

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_offset.y)
        height = max(1, self.scrollable_content_region.height)
        first = self.cursor * self.row_height
        last = first + self.row_height - 1
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + height:
            self.scroll_to(y=last - height + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height // self.row_height - 1)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        last = len(self._ids) - 1
        self._to_last = not self._ready(last, last + 1)
        self.cursor = last

    def action_page_down(self) -> None:
        self.cursor += self._page()

    def action_page_up(self) -> None:
        self.cursor -= self._page()

    def action_select(self) -> None:
        paper = self.highlighted
        if paper is not None:
            self.post_message(self.Selected(paper))

    def on_click(self, event: events.Click) -> None:
        index = (self.scroll_offset.y + event.y) // self.row_height
        if 0 <= index < len(self._ids):
            self.cursor = index


def _fit(text: str, room: int) -> str:
    """``text`` cut to ``room`` cells with an ellipsis when it is longer."""
    if cell_len(text) > room > 1:
        return set_cell_size(text, room - 1).rstrip() + "…"
    return text


def _position(ids: Sequence[str], paper_id: str) -> int | None:
    """Where ``paper_id`` is in ``ids``, looking only where no waiting is needed."""
    if isinstance(ids, LazyIds):
        return ids.position(paper_id)
    try:
        return ids.index(paper_id)
    except ValueError:
        return None
