"""What can be done to the paper in front of the reader, from any screen showing one:
tag it, open its link, copy its citation or link, show its raw text."""

from __future__ import annotations

from textual.binding import Binding

from reader.citation import bibtex_entry, paper_link
from reader.links import Link, paper_links
from reader.model import Paper
from reader.ui.screens.link_picker import LinkPicker
from reader.ui.widgets.paper_detail import PaperDetail

PAPER_BINDINGS = [
    Binding("t", "edit_tags", "Tags", id="tags"),
    Binding("o", "open_link", "Link", show=False, id="open-link"),
    Binding("y", "copy_citation", "Copy BibTeX", show=False, id="copy-bibtex"),
    Binding("Y", "copy_link", "Copy link", show=False, id="copy-link"),
    Binding("L", "toggle_raw", "Raw text", show=False, id="raw-text"),
]


class PaperActions:
    """Mixed into screens; they provide ``current_paper`` and a ``PaperDetail``."""

    def current_paper(self) -> Paper | None:
        raise NotImplementedError

    def action_edit_tags(self) -> None:
        paper = self.current_paper()
        if paper is not None:
            self.app.edit_tags(paper, self.tags_changed)

    def tags_changed(self, paper: Paper) -> None:
        """The paper's tags were changed: show them."""
        self.query_one(PaperDetail).set_tags(self.app.library.tags_of(paper.id))

    def action_open_link(self) -> None:
        paper = self.current_paper()
        if paper is None:
            return
        links = paper_links(paper)
        if not links:
            self.notify("This paper has no links.", timeout=3)
        elif len(links) == 1:
            self._open(links[0])
        else:
            self.app.push_screen(LinkPicker(links), self._open)

    def _open(self, link: Link | None) -> None:
        if link is not None:
            self.app.open_url(link.url)
            self.notify(f"Opening {link.url}", markup=False, timeout=3)

    def action_copy_citation(self) -> None:
        paper = self.current_paper()
        if paper is not None:
            self.app.copy_to_clipboard(bibtex_entry(paper))
            self.notify(f"Copied a BibTeX entry for: {paper.title[:60]}", markup=False,
                        timeout=3)

    def action_copy_link(self) -> None:
        paper = self.current_paper()
        link = paper_link(paper) if paper is not None else ""
        if link:
            self.app.copy_to_clipboard(link)
            self.notify(f"Copied {link}", markup=False, timeout=3)
        elif paper is not None:
            self.notify("This paper has no link to copy.", timeout=3)

    def action_toggle_raw(self) -> None:
        detail = self.query_one(PaperDetail)
        detail.raw = not detail.raw
        self.notify("Showing the raw text" if detail.raw else "Showing readable math",
                    timeout=2)
