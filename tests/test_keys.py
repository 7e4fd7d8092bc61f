"""Key remapping from the config file's [keys] table."""

from __future__ import annotations

from helpers import make_app, paper_list, settle
from textual.widgets import Static

from reader.ui.screens.help_screen import HelpScreen

WIDE = (120, 36)


async def test_keys_table_remaps_bookmark_and_moving(data_dir, isolated_config):
    isolated_config.write_text('[keys]\nbookmark = "B"\ndown = "ctrl+n,down"\n',
                               encoding="utf-8")
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        papers = paper_list(app)
        await pilot.press("ctrl+n")
        assert papers.cursor == 1
        await pilot.press("j")  # no longer bound: the list stays
        assert papers.cursor == 1
        first = papers.highlighted
        await pilot.press("b")  # the old key does nothing now
        assert not app.library.is_bookmarked(first.id)
        await pilot.press("B")
        assert app.library.is_bookmarked(first.id)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert any(line.startswith("B ") and "bookmark the paper" in line
                   for line in shown.splitlines())


async def test_unknown_keys_are_one_line_each_and_the_rest_applies(data_dir,
                                                                   isolated_config):
    isolated_config.write_text(
        '[keys]\nbookmrk = "x"\nnote = 5\nsort = "ctrl+s"\n', encoding="utf-8")
    app = make_app(data_dir)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert len(messages) == 2 and all("\n" not in m for m in messages)
        assert any("bookmrk: no such key binding" in m for m in messages)
        assert any("[keys] note = 5: not a key" in m for m in messages)
        await pilot.press("slash", *"adam", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "newest first" in str(app.screen.query_one("#counts").render())
