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
