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
        ("/", "go to the search box"),
        ("typing", "searches as you type"),
        ("enter", "from the search box to the list"),
        ("escape", "leave the search box; again, clear the search"),
        ("tab", "take the \"did you mean\" suggestion"),
        ("s", "sort: relevance, newest, oldest, title, upvotes"),
        ("up  down", "in the search box: earlier queries"),
        ("S", "save the search (view 3 lists saved searches)"),
    ]),
    ("Moving", [
        ("j  k  ↓  ↑", "next / previous paper"),
        ("g  G  home  end", "first / last paper"),
        ("pageup  pagedown", "a page up / down"),
        ("enter", "open the paper (full screen when narrow)"),
        ("escape", "back from the paper"),
    ]),
    ("Papers", [
        ("b", "bookmark the paper, or remove its bookmark (saved at once)"),
        ("m", "more like this: similar papers (escape returns)"),
        ("r  R", "mark read / unread; show unread papers only"),
        ("n", "write a note on the paper (saved as you type)"),
        ("t", "tags: add or remove the paper's tags (tab completes)"),
        ("u", "undo the last bookmark, note, read mark or tag change"),
        ("o", "open the paper's page (a list when it has several links)"),
        ("y  Y", "copy a BibTeX citation / the link"),
        ("L", "raw text: LaTeX as written, or readable math"),
        ("f", "the paper full screen"),
        ("space", "scroll the paper (shift+space back)"),
        ("<  >", "narrower / wider list"),
    ]),
    ("Views", [
        ("1", "all papers"),
        ("2", "bookmarks, newest first"),
        ("3", "saved searches, with live counts"),
        ("4", "new papers: what the last update brought"),
        ("U", "update: fetch the subscriptions in the config file"),
        ("ctrl+r", "refresh: what another running reader changed"),
        ("ctrl+p", "command palette: every action by name"),
        ("?", "this help"),
        ("q", "quit"),
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


def _table(rows: list[tuple[str, str]], width: int) -> Content:
    lines = [
        Content.assemble((key.ljust(width), "bold $accent"), "  ", what) for key, what in rows
    ]
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
                yield Static(_table(rows, 18))
            yield Static(Content("Search syntax"), classes="heading")
            yield Static(_table(QUERY_SYNTAX, 22))
            yield Static(Content("\nescape closes this help").stylize("$text-muted"))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
