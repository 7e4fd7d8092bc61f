"""The line under the list: counts of papers, matches and bookmarks, and index progress."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static


class StatusLine(Horizontal):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        & > #counts { width: 1fr; padding: 0 1; color: $text; }
        & > #busy { width: auto; display: none; color: $text-accent; }
        & > ProgressBar { width: auto; display: none; padding: 0 1; }
        &.-busy > #busy, &.-busy > ProgressBar { display: block; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="counts")
        yield Static(id="busy")
        # the progress bar (#progress) is mounted when first shown: most starts show none

    def show_counts(
        self,
        *,
        papers: int,
        bookmarks: int,
        shown: int,
        query: str,
        about: bool = False,
        view: str,
        sort: str = "",
        note: str = "",
    ) -> None:
        parts = [f"{papers:,} papers"]
        if query:
            # about: the index's estimate, until every match is ranked
            matches = "1 match" if shown == 1 else f"{'about ' if about else ''}{shown:,} matches"
            parts.append(f"{matches} in {view}")
        elif view != "all papers":
            one = view.removesuffix("s").replace("papers", "paper")
            parts.append(f"showing 1 {one}" if shown == 1 else f"showing {shown:,} {view}")
        parts.append(f"★ {bookmarks:,} bookmarked")
        if sort:
            parts.append(sort)
        if note:
            parts.append(note)
        # Plain Content: the query is the user's text and must not be read as markup.
        self.query_one("#counts", Static).update(Content(" · ".join(parts)))

    def show_progress(self, what: str, done: int, total: int) -> None:
        """Show background work: ``what`` (plain text) and a bar at ``done`` of ``total``
        (a moving bar when ``total`` is 0: under way, how far not known)."""
        from textual.widgets import ProgressBar

        self.add_class("-busy")
        self.query_one("#busy", Static).update(Content(what))
        bars = self.query(ProgressBar)
        if bars:
            bar = bars.first()
        else:
            bar = ProgressBar(show_eta=False, id="progress")
            self.mount(bar)
        bar.update(total=total or None, progress=done)

    def hide_progress(self) -> None:
        self.remove_class("-busy")
