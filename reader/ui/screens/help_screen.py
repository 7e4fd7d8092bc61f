"""The `?` screen: every key, and what a query may hold."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("Searching", [
        ("/", "go to the search box", "search"),
        ("typing", "searches as you type"),
        ("enter", "from the search box to the list"),
        ("escape", "leave the search box; again, clear the search"),
        ("tab", "take the \"did you mean\" suggestion"),
        ("s", "sort: relevance, newest, oldest, title, upvotes", "sort"),
        ("up  down", "in the search box: earlier queries"),
        ("S", "save the search (view 3 lists saved searches)", "save-search"),
    ]),
    ("Moving", [
        ("j  k  ↓  ↑", "next / previous paper"),
        ("g  G  home  end", "first / last paper"),
        ("pageup  pagedown", "a page up / down"),
        ("enter", "open the paper (full screen when narrow)"),
        ("escape", "back from the paper"),
    ]),
    ("Papers", [
        ("b", "bookmark the paper, or remove its bookmark (saved at once)", "bookmark"),
        ("m", "more like this: similar papers (escape returns)", "like-this"),
        ("r  R", "mark read / unread; show unread papers only"),
        ("n", "write a note on the paper (saved as you type)", "note"),
        ("t", "tags: add or remove the paper's tags (tab completes)", "tags"),
        ("u", "undo the last bookmark, note, read mark or tag change", "undo"),
        ("o", "open the paper's page (a list when it has several links)", "open-link"),
        ("y  Y", "copy a BibTeX citation / the link"),
        ("L", "raw text: LaTeX as written, or readable math", "raw-text"),
        ("f", "the paper full screen", "full-screen"),
        ("space", "scroll the paper (shift+space back)"),
        ("<  >", "narrower / wider list"),
    ]),
    ("Views", [
        ("1", "all papers", "papers"),
        ("2", "bookmarks, newest first", "bookmarks"),
        ("3", "saved searches, with live counts", "saved"),
        ("4", "new papers: what the last update brought", "new"),
        ("U", "update: fetch the subscriptions in the config file", "update"),
        ("ctrl+r", "refresh: what another running reader changed", "refresh"),
        ("ctrl+p", "command palette: every action by name"),
        ("?", "this help", "help"),
        ("q", "quit", "quit"),
    ]),
]

QUERY_SYNTAX = [
    ("adam optimiser", "both words, any form or spelling (optimizers)"),
    ('"learned optimizers"', "the exact phrase"),
    ("quant*", "words starting with quant"),
    ("quantisaton~", "words one typo away"),
    ("adam OR lion", "either word"),
    ("optimizer NOT prompt", "without a word; -prompt works too"),
    ("(adam OR lion) memory", "parentheses group"),
    ("title:prompt", "in one field: title abstract author cat source"),
    ("year:2023", "year:2020..2024  date:>2025-01  date:<2024"),
    ("is:bookmarked", "only bookmarked papers; is:new, is:read, is:unread"),
    ('note:"group"', "papers whose note holds the words; note: any note"),
    ("tag:toread", "papers with the tag; -tag:toread without it; is:tagged"),
]


def _table(rows: list[tuple[str, ...]], width: int,
           keymap: dict[str, str] | None = None) -> Content:
    """Rows of keys and what they do; a row with a binding id shows the key the
    config's ``[keys]`` gave it, if any."""
    keymap = keymap or {}
    lines = []
    for key, what, *binding in rows:
        if binding and binding[0] in keymap:
            key = keymap[binding[0]].replace(",", "  ")
        lines.append(Content.assemble((key.ljust(width), "bold $accent"), "  ", what))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > VerticalScroll {
            width: 86; max-width: 100%; height: auto; max-height: 100%;
            border: round $accent; background: $surface; padding: 0 2;
        }
        & .heading { text-style: bold; color: $text-primary; margin: 1 0 0 0; }
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for heading, rows in KEYS:
                yield Static(Content(heading), classes="heading")
                yield Static(_table(rows, 18, getattr(self.app, "remapped_keys", {})))
            yield Static(Content("Search syntax"), classes="heading")
            yield Static(_table(QUERY_SYNTAX, 22))
            yield Static(Content("\nescape closes this help").stylize("$text-muted"))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
