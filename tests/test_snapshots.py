"""Snapshot tests of the main screens (pytest-textual-snapshot).

Update them after an intended UI change with ``pytest tests/test_snapshots.py
--snapshot-update`` and look at the report before committing.
"""

from __future__ import annotations

from helpers import make_app, settle

WIDE = (120, 36)
NARROW = (80, 24)


def _driver(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await settle(pilot)
        # Toasts disappear on a timer: keep them out of the picture.
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


def test_main_screen(snap_compare, data_dir):
    assert snap_compare(make_app(data_dir), terminal_size=WIDE, run_before=_driver())


def test_search_results(snap_compare, data_dir):
    keys = ("slash", *"quantization", "enter")
    assert snap_compare(make_app(data_dir), terminal_size=WIDE, run_before=_driver(*keys))


def test_bookmarks_view(snap_compare, data_dir):
    keys = ("b", "j", "j", "j", "j", "j", "j", "j", "b", "2")
    assert snap_compare(make_app(data_dir), terminal_size=WIDE, run_before=_driver(*keys))


def test_help_screen(snap_compare, data_dir):
    assert snap_compare(
        make_app(data_dir), terminal_size=WIDE, run_before=_driver("question_mark")
    )


def test_narrow_list(snap_compare, data_dir):
    assert snap_compare(make_app(data_dir), terminal_size=NARROW, run_before=_driver("j"))


def test_narrow_detail(snap_compare, data_dir):
    keys = ("j", "j", "j", "j", "j", "j", "j", "enter")
    assert snap_compare(make_app(data_dir), terminal_size=NARROW, run_before=_driver(*keys))


AWKWARD = [
    ("A [bold]title[/bold] full of [@click=app.quit]markup[/] brackets",
     "Its abstract has \x1b[31mescape\x1b[0m sequences and \x1b]0;title\x07 OSC in it."),
    ("大規模言語モデルによる最適化：漢字のタイトル",
     "日本語の要旨です。Wide characters keep the columns aligned."),
    ("Schr\\\"odinger bridges with $\\mathcal{O}(n^2)$ cost and 95\\% accuracy",
     "We use $\\alpha$-divergences, $x_i^2$ and <i>HTML</i> tags &amp; entities."),
]


def _awkward_app(data_dir):
    from reader.model import make_paper

    app = make_app(data_dir)
    app.library.store.add_papers([make_paper(t, a, sources=("awkward",)) for t, a in AWKWARD])
    return app


def test_awkward_papers_wide(snap_compare, data_dir):
    keys = ("G", "k", "k")
    assert snap_compare(_awkward_app(data_dir), terminal_size=(160, 48),
                        run_before=_driver(*keys))


def test_mulo_paper_narrow_detail(snap_compare, data_dir):
    keys = ("slash", *"mulo", "enter", "enter")
    assert snap_compare(make_app(data_dir), terminal_size=NARROW, run_before=_driver(*keys))


def test_awkward_list_narrow(snap_compare, data_dir):
    assert snap_compare(_awkward_app(data_dir), terminal_size=NARROW,
                        run_before=_driver("G", "k"))
