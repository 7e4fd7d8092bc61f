"""The app driven with the pilot, pressing keys as a user would."""

from __future__ import annotations

import re

import pytest
from helpers import make_app, paper_list, settle, status_text, titles, visible_rows
from textual.widgets import Input

from reader.model import make_paper, normalize_title
from reader.sources.sample import sample_papers
from reader.ui.screens.detail_screen import DetailScreen
from reader.ui.screens.help_screen import HelpScreen
from reader.ui.widgets.paper_detail import PaperDetail

WIDE = (120, 36)
NARROW = (80, 24)
SAMPLE = sample_papers()
QUANT = "8-bit Optimizers via Block-wise Quantization"


def detail_title(app) -> str:
    return str(app.screen.query_one(PaperDetail).query_one("#title").render())


def detail_abstract(app) -> str:
    return str(app.screen.query_one(PaperDetail).query_one("#abstract").render())


async def search(pilot, text: str) -> None:
    await pilot.press("slash", *text)
    await settle(pilot)


async def test_opens_on_the_sample_papers(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert titles(app) == [paper.title for paper in SAMPLE]
        first_row = visible_rows(app)[0].strip()
        assert first_row.endswith("…")  # too long for the list: cut with an ellipsis
        assert SAMPLE[0].title.startswith(first_row.rstrip("…"))
        assert detail_title(app) == SAMPLE[0].title
        assert detail_abstract(app).startswith("Building extraction - needed for inventory")
        assert status_text(app).startswith("36 papers")
        assert "0 bookmarked" in status_text(app)


async def test_search_as_you_type_ranks_and_counts(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "quantization")
        assert titles(app)[0] == QUANT
        assert len(titles(app)) == 2
        assert "2 matches" in status_text(app)
        assert detail_title(app) == QUANT
        # enter goes from the search box to the list
        assert isinstance(app.focused, Input)
        await pilot.press("enter")
        assert app.focused is paper_list(app)


async def test_escape_leaves_search_then_clears_it(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "prompt")
        matched = len(titles(app))
        assert 0 < matched < 36
        await pilot.press("escape")
        assert app.focused is paper_list(app)
        assert len(titles(app)) == matched
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == ""
        assert len(titles(app)) == 36


async def test_a_malformed_query_does_not_crash(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, '"unbalanced (')
        assert app.is_running
        # a closed phrase then finds only papers holding it (word forms stemmed)
        await pilot.press("ctrl+a", "ctrl+k", *'"learned optimizers"')
        await settle(pilot)
        phrase = re.compile(r"\blearn\w* optimi\w*", re.IGNORECASE)
        assert titles(app)
        assert all(phrase.search(t + " " + a) for t, a in _title_abstracts(app))


def _title_abstracts(app):
    found = app.library.papers(paper_list(app).paper_ids)
    return [(found[i].title, found[i].abstract) for i in paper_list(app).paper_ids]


async def test_moving_through_the_list(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        papers = paper_list(app)
        await pilot.press("j", "j", "down")
        assert papers.cursor == 3
        assert detail_title(app) == SAMPLE[3].title
        await pilot.press("k", "up")
        assert papers.cursor == 1
        await pilot.press("G")
        assert papers.cursor == 35
        assert detail_title(app) == SAMPLE[35].title
        # the last paper is drawn on screen after jumping to it
        assert any(SAMPLE[35].title[:30] in row for row in visible_rows(app))
        await pilot.press("g")
        assert papers.cursor == 0
        await pilot.press("end", "home", "pagedown")
        page = papers.cursor
        assert page > 10
        await pilot.press("pageup")
        assert papers.cursor == 0
        await pilot.press("k")  # stays at the top
        assert papers.cursor == 0


async def test_bookmark_marks_the_row_and_shows_in_bookmarks_view(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "quantization")
        await pilot.press("escape", "b")
        await settle(pilot)
        assert visible_rows(app)[0].startswith(" ★   8-bit Optimizers")
        assert "★ 1 bookmarked" in status_text(app)
        assert "bookmarked" in str(app.screen.query_one("#meta").render())
        await pilot.press("2")
        await settle(pilot)
        assert titles(app) == [QUANT]
        await pilot.press("1")
        await settle(pilot)
        assert visible_rows(app)[0].startswith(" ★ ")
        # b again removes it
        await pilot.press("b")
        await settle(pilot)
        assert not visible_rows(app)[0].startswith(" ★ ")
        await pilot.press("2")
        await settle(pilot)
        assert titles(app) == []
        assert "No bookmarks yet" in visible_rows(app)[0]


async def test_bookmarks_view_is_newest_first_and_searchable(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("b", "j", "j", "b", "j", "b")  # papers 0, 2, 3
        await pilot.press("2")
        await settle(pilot)
        assert titles(app) == [SAMPLE[3].title, SAMPLE[2].title, SAMPLE[0].title]
        # "language" matches many sample papers; only the bookmarked ones are shown
        await search(pilot, "language")
        shown = titles(app)
        assert shown and set(shown) <= {SAMPLE[0].title, SAMPLE[2].title, SAMPLE[3].title}
        assert SAMPLE[3].title in shown  # "Language Models as Zero-Shot ..."
        assert "in bookmarks" in status_text(app)


async def test_bookmark_survives_a_restart(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "quantization")
        await pilot.press("escape", "b", "q")
    again = make_app(data_dir)
    async with again.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert titles(again) == [QUANT]
        assert visible_rows(again)[0].startswith(" ★   8-bit")


async def test_narrow_terminal_opens_detail_full_screen(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert not app.screen.query_one(PaperDetail).display
        await pilot.press("j", "enter")
        assert isinstance(app.screen, DetailScreen)
        assert detail_title(app) == SAMPLE[1].title
        await pilot.press("b")
        assert app.library.is_bookmarked(SAMPLE[1].id)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DetailScreen)
        assert visible_rows(app)[1].startswith(" ★ ")


async def test_wide_terminal_enter_moves_into_the_detail(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.screen.query_one(PaperDetail).display
        await pilot.press("enter")
        assert app.focused is app.screen.query_one(PaperDetail)
        await pilot.press("escape")
        assert app.focused is paper_list(app)


async def test_help_lists_the_keys(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        for key in ("/", "escape", "enter", "b", "1", "2", "ctrl+p", "q", "pagedown", '"learned optimizers"'):
            assert key in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_footer_shows_the_main_keys_even_at_80_columns(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = {binding.key for (_, binding, enabled, _) in app.active_bindings.values()
                 if binding.show}
        assert {"slash", "b", "s", "n", "t", "2", "question_mark", "q"} <= shown
        from textual.widgets._footer import FooterKey

        # the keys whose whole label is inside the 80 columns
        visible = {key.description for key in app.screen.query(FooterKey)
                   if key.region.width and key.region.right <= 80}
        assert {"Search", "Bookmark", "Help", "Quit"} <= visible


async def test_command_palette_switches_views(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await pilot.press("ctrl+p", *"Bookmarks")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "bookmarks"
        assert titles(app) == [SAMPLE[0].title]


@pytest.mark.parametrize(
    "title",
    ["[bold]Bold[/bold] claims", "A [/] closing tag", "[@click=app.quit]Click me[/]",
     "Red \x1b[31malert\x1b[0m and \x1b]0;pwned\x07title"],
)
async def test_paper_text_is_shown_literally(data_dir, title):
    app = make_app(data_dir)
    paper = make_paper(title, "Abstract with [italic]markup[/italic] and \x1b[2J escapes.")
    app.library.store.add_papers([paper])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("G")
        shown = detail_title(app)
        assert "\x1b" not in shown and "\x07" not in shown
        expected = title.replace("\x1b[31m", "").replace("\x1b[0m", "").replace("\x1b]0;pwned\x07", "")
        assert shown == expected
        last_row = [row for row in visible_rows(app) if row.strip()][-1].strip().rstrip("…")
        assert len(last_row) > 10 and expected.startswith(last_row)
        assert detail_abstract(app) == "Abstract with [italic]markup[/italic] and escapes."
        await pilot.click("#detail")
        assert app.is_running


async def test_index_is_built_in_the_background_on_first_start(data_dir):
    app = make_app(data_dir)
    assert not app.library.index_is_current()
    async with app.run_test(size=WIDE) as pilot:
        # searching straight away works: results arrive when the index is ready
        await pilot.press("slash", *"quantization")
        await settle(pilot)
        await settle(pilot)
        assert app.library.index_is_current()
        assert titles(app)[0] == QUANT


def _damage_index(data_dir) -> None:
    for path in (data_dir / "index").iterdir():
        if path.name != "reader-index.json":
            path.write_bytes(b"\x00garbage" * 64)


async def test_a_damaged_index_is_rebuilt_and_bookmarks_kept(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("b")
    _damage_index(data_dir)
    again = make_app(data_dir)
    async with again.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "quantization")
        await settle(pilot)
        assert titles(again)[0] == QUANT
        assert again.library.bookmarked_ids() == {SAMPLE[0].id}


async def test_index_damaged_while_running_is_rebuilt_on_the_next_search(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.library.index.close()
        _damage_index(data_dir)
        await search(pilot, "quantization")
        await settle(pilot)
        await settle(pilot)
        assert titles(app)[0] == QUANT
        assert "indexing" not in status_text(app)


LISTING = (
    "SubscribeZebra Optimizers in the Wild\n"
    + "We study zebra optimizers on savanna benchmarks and report stripes. " * 5
    + "\nQuantum Llamas for Everyone\n"
    + "Llamas are quantum animals, and this abstract says so at some length. " * 5
    + "\n"
)


async def test_import_from_the_palette_replaces_the_sample(data_dir, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(LISTING, encoding="utf-8")
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("j", "b")  # a bookmarked sample paper stays
        await pilot.press("ctrl+p", *"Import file")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*str(page), "enter")
        await settle(pilot)
        await settle(pilot)
        assert titles(app) == [SAMPLE[1].title, "Zebra Optimizers in the Wild",
                               "Quantum Llamas for Everyone"]
        assert status_text(app).startswith("3 papers")
        await search(pilot, "llamas")
        assert titles(app) == ["Quantum Llamas for Everyone"]


async def test_import_of_a_bad_file_says_so_and_changes_nothing(data_dir, tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02 not papers")
    app = make_app(data_dir)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        app.import_files([bad])
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert any("bad.bin" in m and "binary" in m for m in messages)
        assert len(titles(app)) == 36


async def test_search_rows_show_a_snippet_and_the_detail_highlights(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "quantization")
        rows = visible_rows(app)
        assert rows[0].strip().startswith("8-bit Optimizers")
        assert "quantization" in rows[1] and rows[1].startswith("     …")
        assert rows[2].strip().startswith("Memory Efficient Optimizers")
        abstract = app.screen.query_one(PaperDetail).query_one("#abstract").render()
        lit = {abstract.plain[span.start:span.end] for span in abstract.spans}
        assert lit == {"quantization", "quantized"}


async def test_s_cycles_the_sort_order(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "optimizers")
        await pilot.press("enter")
        ranked = titles(app)
        assert "by relevance" in status_text(app)
        await pilot.press("s")
        await settle(pilot)
        assert "newest first" in status_text(app)
        await pilot.press("s", "s")
        await settle(pilot)
        assert "by title" in status_text(app)
        assert titles(app) == sorted(ranked, key=normalize_title)
        await pilot.press("s")
        await settle(pilot)
        assert "most upvoted" in status_text(app)
        await pilot.press("s")
        await settle(pilot)
        assert titles(app) == ranked


async def test_a_misspelt_query_suggests_a_correction_that_tab_accepts(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "quantisaton")
        await settle(pilot)
        assert titles(app) == []
        assert "did you mean: quantization?" in status_text(app)
        await pilot.press("tab")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "quantization"
        assert titles(app)[0] == QUANT


async def test_an_unreadable_query_says_so_quietly(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "year:soon optimizers")
        assert "not a date" in status_text(app)
        assert titles(app)  # the words were still searched


async def test_U_updates_subscriptions_and_the_new_view_lists_what_came(
    data_dir, isolated_config, monkeypatch
):
    from fetch_server import FetchServer

    server = FetchServer().start()
    try:
        monkeypatch.setenv("READER_HF_URL", f"{server.url}/api/daily_papers")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        isolated_config.write_text(
            '[fetch]\npause = 0\ntimeout = 5\n\n[[subscriptions]]\nkind = "hf"\n',
            encoding="utf-8",
        )
        app = make_app(data_dir)
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("U")
            await settle(pilot)
            await settle(pilot)
            messages = [str(n.message) for n in app._notifications]
            [summary] = [m for m in messages if m.startswith("hf: ")]
            added = int(re.search(r"added (\d+)", summary).group(1))
            assert added > 0
            assert status_text(app).startswith(f"{added} papers")  # the sample made way
            await pilot.press("4")
            await settle(pilot)
            assert len(titles(app)) == added
            assert f"showing {added} new papers" in status_text(app)
            await pilot.press("1", "slash", *"is:new")
            await settle(pilot)
            assert len(titles(app)) == added
    finally:
        server.stop()


async def test_up_and_down_recall_earlier_queries_across_runs(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "quantization")
        await pilot.press("enter")
        await search(pilot, "prompt")
        await pilot.press("escape")
    again = make_app(data_dir)
    async with again.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"dra", "up")
        box = again.screen.query_one("#search", Input)
        assert box.value == "prompt"
        await pilot.press("up")
        assert box.value == "quantization"
        await pilot.press("up")  # the oldest stays
        assert box.value == "quantization"
        await pilot.press("down", "down")
        assert box.value == "dra"  # back to what was being typed


async def test_saved_search_is_listed_in_view_3_and_runs_live(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "quantization")
        await pilot.press("enter", "S")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *"quant", "enter")
        await pilot.pause()
        await pilot.press("escape", "escape")  # clear the search
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await settle(pilot)
        listing = app.screen.query_one("OptionList")
        prompt = str(listing.get_option_at_index(0).prompt)
        assert "quant" in prompt and "quantization" in prompt and "2 papers" in prompt
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "papers"
        assert titles(app)[0] == QUANT and len(titles(app)) == 2


async def test_m_shows_papers_like_this_one_and_escape_returns(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "quantization")
        await pilot.press("enter", "m")
        await settle(pilot)
        like = titles(app)
        assert like and QUANT not in like
        assert like[0] == "Memory Efficient Optimizers with 4-bit States"
        assert "papers like this one" in status_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert titles(app)[0] == QUANT and len(titles(app)) == 2


async def test_the_palette_lists_recent_queries_literally(data_dir):
    app = make_app(data_dir)
    app.library.store.remember_query("[/] broken [bold]markup")
    app.library.store.remember_query("quantization")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Recent search")
        await pilot.pause(0.5)
        assert app.is_running
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value in (
            "quantization", "[/] broken [bold]markup"
        )


async def test_math_is_readable_and_L_shows_the_raw_text(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search(pilot, "mulo")
        await pilot.press("enter")
        assert detail_title(app).startswith("μLO: Compute-Efficient")
        assert visible_rows(app)[0].strip().startswith("μLO: Compute-Efficient")
        await pilot.press("L")
        assert detail_title(app).startswith("$μ$LO: Compute-Efficient")
        await pilot.press("L")
        assert detail_title(app).startswith("μLO")


async def test_o_opens_the_link_or_asks_which(data_dir, monkeypatch):
    app = make_app(data_dir)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    paper = make_paper("A paper with links", "Code at https://github.com/x/y. Data too.",
                       arxiv_id="2401.00001")
    app.library.store.add_papers([paper])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("G", "o")
        await pilot.pause()
        picker = app.screen
        assert picker.__class__.__name__ == "LinkPicker"
        assert [link.url for link in picker.links] == [
            "https://arxiv.org/abs/2401.00001", "https://arxiv.org/pdf/2401.00001",
            "https://github.com/x/y",
        ]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert opened == ["https://github.com/x/y"]


async def test_y_copies_a_citation_and_Y_the_link(data_dir, monkeypatch):
    app = make_app(data_dir)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    paper = make_paper("Citable paper", "Abstract.", arxiv_id="2401.00002",
                       authors=("Ada Lovelace",), published="2024-01-02")
    app.library.store.add_papers([paper])
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("G", "y", "Y")
        await pilot.pause()
        assert copied[0].startswith("@") and "Citable paper" in copied[0]
        assert "eprint" in copied[0] and "Lovelace" in copied[0]
        assert copied[1] == "https://arxiv.org/abs/2401.00002"
        messages = [str(n.message) for n in app._notifications]
        assert any(m.startswith("Copied a BibTeX entry") for m in messages)


async def test_f_shows_the_paper_full_screen_and_the_split_resizes(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        papers = paper_list(app)
        before = papers.size.width
        await pilot.press("greater_than_sign", "greater_than_sign")
        await pilot.pause()
        assert papers.size.width > before
        await pilot.press("f")
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("f")
        assert not isinstance(app.screen, DetailScreen)


async def test_the_theme_picked_is_remembered(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await pilot.pause()
    again = make_app(data_dir)
    async with again.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_the_config_file_sets_the_theme_and_a_bad_one_is_one_line(
    data_dir, isolated_config
):
    isolated_config.write_text('[ui]\ntheme = "gruvbox"\n', encoding="utf-8")
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.theme == "gruvbox"
    isolated_config.write_text("[ui\ntheme = ", encoding="utf-8")
    broken = make_app(data_dir)
    async with broken.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        [message] = [str(n.message) for n in broken._notifications]
        assert message.startswith(str(isolated_config)) and "\n" not in message
        assert broken.is_running


async def test_read_state_r_toggles_enter_marks_and_R_shows_unread_only(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        papers = paper_list(app)
        await pilot.press("enter")  # opening the first paper marks it read
        await pilot.press("escape", "j", "r")  # r marks the second one
        assert app.library.read_ids() == {SAMPLE[0].id, SAMPLE[1].id}
        assert papers.is_read(SAMPLE[0].id)
        await pilot.press("r")  # and again: unread
        assert app.library.read_ids() == {SAMPLE[0].id}
        await pilot.press("R")
        await settle(pilot)
        assert len(titles(app)) == 35 and SAMPLE[0].title not in titles(app)
        assert "unread only" in status_text(app)
        await pilot.press("R", "slash", *"is:read")
        await settle(pilot)
        assert titles(app) == [SAMPLE[0].title]
    again = make_app(data_dir)
    async with again.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert again.library.read_ids() == {SAMPLE[0].id}


async def test_opening_can_leave_papers_unread(data_dir, isolated_config):
    isolated_config.write_text("[reading]\nmark_read_on_open = false\n", encoding="utf-8")
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "f")
        await pilot.pause()
        assert app.library.read_ids() == set()


async def test_n_writes_a_note_saved_as_you_type_and_searchable(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("j", "n")
        await pilot.pause()
        await pilot.press(*"For the [bold] reading group")
        await pilot.pause(1.0)  # saved without leaving the editor
        assert app.library.note(SAMPLE[1].id) == "For the [bold] reading group"
        await pilot.press("escape")
        await pilot.pause()
        note = str(app.screen.query_one(PaperDetail).query_one("#note").render())
        assert note == "For the [bold] reading group"
        assert visible_rows(app)[1].startswith("  ✎  Automated")  # the list marks notes
        await search(pilot, 'note:"reading group"')
        assert titles(app) == [SAMPLE[1].title]


async def test_a_note_is_kept_when_the_app_is_killed_mid_edit(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", *"draft")
        await pilot.pause(1.0)
        # no escape: the app goes away with the editor open
    assert make_app(data_dir).library.note(SAMPLE[0].id) == "draft"


async def test_u_undoes_the_last_change_to_bookmarks_notes_and_read_marks(data_dir):
    app = make_app(data_dir)
    store = app.library.store
    store.add_bookmark(SAMPLE[2], added_at=42.0)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "b")  # removes the bookmark made at time 42
        assert store.bookmark_time(SAMPLE[2].id) is None
        await pilot.press("n", *"a note")
        await pilot.press("escape")
        await pilot.press("r")
        assert app.library.read_ids() == {SAMPLE[2].id}
        await pilot.press("u")  # the read mark
        assert app.library.read_ids() == set()
        await pilot.press("u")  # the note
        assert app.library.note(SAMPLE[2].id) == ""
        await pilot.press("u")  # the removed bookmark comes back with its time
        assert store.bookmark_time(SAMPLE[2].id) == 42.0
        await settle(pilot)
        assert visible_rows(app)[2].startswith(" ★ ")
