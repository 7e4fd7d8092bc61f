"""Helpers for driving the app in tests."""

from __future__ import annotations

from textual.pilot import Pilot

from reader.library import Library
from reader.ui.app import ReaderApp
from reader.ui.widgets.paper_list import PaperList


async def settle(pilot: Pilot) -> None:
    """Let pending searches and index builds finish and the screen repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def make_app(data_dir) -> ReaderApp:
    return ReaderApp(Library.open(data_dir))


def paper_list(app: ReaderApp) -> PaperList:
    return app.screen.query_one(PaperList)


def visible_rows(app: ReaderApp) -> list[str]:
    """The text of the list rows on screen, as the user sees them."""
    papers = paper_list(app)
    return [papers.render_line(y).text.rstrip() for y in range(papers.size.height)]


def titles(app: ReaderApp) -> list[str]:
    papers = paper_list(app)
    found = app.library.papers(papers.paper_ids)
    return [found[paper_id].title for paper_id in papers.paper_ids]


def status_text(app: ReaderApp) -> str:
    return str(app.screen.query_one("#counts").render())
