"""Tags: the store's tag API, the v4 -> v5 migration, ``tag:`` in queries, backups and
exports carrying tags, and the app's ``t`` prompt driven with the pilot."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from helpers import make_app, settle, titles, visible_rows
from markdown_it import MarkdownIt
from textual.widgets import Input

from reader.cli import main
from reader.exporters import markdown
from reader.library import BOOKMARKS, EXCLUDE_AT_MOST, Library
from reader.model import make_paper
from reader.sources.sample import sample_papers
from reader.store import Store
from reader.store.schema import MIGRATIONS, SCHEMA_VERSION
from reader.tags import TagError, normalize_tag, split_tags
from reader.ui.screens.detail_screen import DetailScreen
from reader.ui.screens.tag_prompt import TagPrompt
from reader.ui.widgets.paper_detail import PaperDetail


def paper(title: str):
    return make_paper(title, f"The abstract of {title}, long enough to read.")


ADAM = paper("Adam: a method for stochastic optimization")
LION = paper("Symbolic discovery of optimization algorithms")


@pytest.fixture
def store(tmp_path):
    opened = Store(tmp_path / "library.sqlite3")
    yield opened
    opened.close()


# -- the tag's one form ------------------------------------------------------------------


@pytest.mark.parametrize("typed, kept", [
    ("toread", "toread"), ("  ToRead ", "toread"), ("#toread", "toread"),
    ("reading group", "reading-group"), ("ml\ttheory", "ml-theory"),
    ("[bold]x[/bold]", "[bold]x[/bold]"), ("c++", "c++"), ("ＭＬ", "ml"),
])
def test_a_tag_has_one_form(typed, kept):
    assert normalize_tag(typed) == kept


@pytest.mark.parametrize("typed, problem", [
    ("", "empty"), ("  # ", "empty"), ("bad\x1b[31m", "control"), ("a\x00b", "control"),
    ("a,b", "commas"), ('say"x', "quotes"), ("-x", "start with '-'"), ("x" * 41, "longer"),
])
def test_a_bad_tag_is_refused_in_one_line(typed, problem):
    with pytest.raises(TagError) as raised:
        normalize_tag(typed)
    message = str(raised.value)
    assert problem in message and "\n" not in message and "\x1b" not in message


def test_a_typed_line_splits_on_spaces_and_commas():
    assert split_tags("ToRead, ml  theory,toread #x") == ["toread", "ml", "theory", "x"]
    assert split_tags("  ,  ") == []


# -- the store ---------------------------------------------------------------------------


def test_tags_are_added_removed_and_counted(store):
    store.add_papers([ADAM, LION])
    assert store.add_tag(ADAM.id, "ToRead", added_at=10.0)
    assert not store.add_tag(ADAM.id, "toread", added_at=20.0)  # keeps its first time
    store.add_tag(ADAM.id, "optim")
    store.add_tag(LION.id, "toread")
    assert store.tags_of(ADAM.id) == ["optim", "toread"]
    assert store.tag_rows_of(ADAM.id)[1] == ("toread", 10.0)
    assert store.all_tags() == [("optim", 1), ("toread", 2)]
    assert store.ids_with_tag("TOREAD") == {ADAM.id, LION.id}
    assert store.ids_with_tags(["toread", "optim"]) == {ADAM.id}
    assert store.ids_with_tags() == {ADAM.id, LION.id}
    assert store.tags_for([ADAM.id, LION.id, "arxiv:none"]) == {
        ADAM.id: ("optim", "toread"), LION.id: ("toread",)
    }
    assert store.tags_for() == store.tags_for([ADAM.id, LION.id])
    assert store.remove_tag(ADAM.id, "#ToRead")
    assert not store.remove_tag(ADAM.id, "toread")
    assert store.all_tags() == [("optim", 1), ("toread", 1)]
    with pytest.raises(TagError):
        store.add_tag(ADAM.id, "a,b")


def test_set_tags_keeps_the_times_of_tags_kept(store):
    store.add_tag(ADAM.id, "old", added_at=1.0)
    store.add_tag(ADAM.id, "gone", added_at=2.0)
    store.set_tags(ADAM.id, ["old", "New"])
    rows = dict(store.tag_rows_of(ADAM.id))
    assert set(rows) == {"old", "new"} and rows["old"] == 1.0 and rows["new"] > 2.0
    store.set_tags(ADAM.id, [])
    assert store.tags_of(ADAM.id) == []
    store.put_tag_rows(ADAM.id, [("old", 1.0), ("gone", 2.0)])
    assert store.tag_rows_of(ADAM.id) == [("gone", 2.0), ("old", 1.0)]


def test_tags_batch_lookup_reads_in_chunks(store):
    ids = [f"arxiv:{n}" for n in range(1200)]
    for paper_id in ids[::100]:
        store.add_tag(paper_id, "sparse")
    found = store.tags_for(ids)
    assert set(found) == set(ids[::100]) and found[ids[0]] == ("sparse",)


def test_tags_survive_a_paper_being_imported_again(store):
    store.add_papers([ADAM])
    store.add_tag(ADAM.id, "toread")
    store.merge_papers([ADAM], "again.bib")
    reopened = Store(store.path)
    try:
        assert reopened.tags_of(ADAM.id) == ["toread"]
    finally:
        reopened.close()


def test_a_store_from_schema_4_is_backed_up_and_gains_tags(tmp_path):
    path = tmp_path / "v4.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("BEGIN")
    for version in range(1, 5):
        MIGRATIONS[version](raw)
    raw.execute(
        "INSERT INTO papers (id, title, abstract, added_at, norm_title)"
        " VALUES ('arxiv:2401.00001', 'Old paper', 'old text', 1.0, 'old paper')"
    )
    raw.execute("INSERT INTO bookmarks (paper_id, added_at, snapshot) VALUES (?, 5.0, ?)",
                ("arxiv:2401.00001", '{"id": "arxiv:2401.00001", "title": "Old paper"}'))
    raw.execute("INSERT INTO notes (paper_id, text, updated_at)"
                " VALUES ('arxiv:2401.00001', 'kept', 6.0)")
    raw.execute("INSERT INTO read_marks (paper_id, read_at) VALUES ('arxiv:2401.00001', 7.0)")
    raw.execute("PRAGMA user_version = 4")
    raw.execute("COMMIT")
    raw.close()
    migrated = Store(path)
    try:
        assert migrated.schema_version == SCHEMA_VERSION >= 5
        assert [(b.paper.title, b.added_at) for b in migrated.bookmarks()] == [("Old paper", 5.0)]
        assert migrated.all_notes() == [("arxiv:2401.00001", "kept", 6.0)]
        assert migrated.read_ids() == {"arxiv:2401.00001"}
        assert migrated.all_tags() == []
        migrated.add_tag("arxiv:2401.00001", "toread", added_at=8.0)
        assert migrated.all_tag_rows() == [("arxiv:2401.00001", "toread", 8.0)]
    finally:
        migrated.close()
    [backup] = tmp_path.glob("v4.sqlite3.schema4-*.bak")
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 4
    assert old.execute("SELECT count(*) FROM notes").fetchone()[0] == 1
    old.close()


# -- tag: in queries ---------------------------------------------------------------------

SAMPLE = sample_papers()
QUANT = SAMPLE[8]      # "8-bit Optimizers via Block-wise Quantization" (Adam in its abstract)
CAUTIOUS = SAMPLE[6]   # "Cautious Optimizers" (AdamW, Adam)
QUANTUM = SAMPLE[1]    # quantum circuits: no Adam


@pytest.fixture
def tagged(library):
    store = library.store
    for item in (QUANT, CAUTIOUS, QUANTUM):
        store.add_tag(item.id, "toread")
    store.add_tag(QUANT.id, "Reading Group")
    store.add_bookmark(CAUTIOUS)
    return library


def test_tag_alone_lists_the_papers_with_it_in_library_order(tagged):
    assert tagged.query("tag:toread").ids == [QUANTUM.id, CAUTIOUS.id, QUANT.id]
    assert tagged.query("tag:ToRead").ids == tagged.query("tag:toread").ids
    assert tagged.query('tag:"reading group"').ids == [QUANT.id]
    assert tagged.query("tag:toread tag:reading-group").ids == [QUANT.id]
    assert tagged.query("tag:nothing").ids == []
    assert tagged.query("tag:a,b").ids == []  # cannot be a tag: matches nothing, no error


def test_tag_with_words_searches_among_the_tagged(tagged):
    found = tagged.query("tag:toread adam").ids
    assert set(found) == {QUANT.id, CAUTIOUS.id}
    assert tagged.query("adam tag:toread").ids == found
    everywhere = tagged.query("adam").ids
    assert len(everywhere) > len(found)


def test_without_a_tag_any_tag_and_is_tagged(tagged):
    assert set(tagged.query("is:tagged").ids) == {QUANT.id, CAUTIOUS.id, QUANTUM.id}
    assert set(tagged.query("tag:").ids) == {QUANT.id, CAUTIOUS.id, QUANTUM.id}
    assert tagged.query("adam -tag:reading-group tag:toread").ids == [CAUTIOUS.id]
    untagged = tagged.query("-tag:").ids
    assert len(untagged) == len(SAMPLE) - 3 and QUANT.id not in untagged
    assert not tagged.query("is:tagged").hint


@pytest.mark.parametrize("at_most", [EXCLUDE_AT_MOST, 1],
                         ids=["left out while ranking", "filtered afterwards"])
def test_a_search_leaves_out_papers_read_or_tagged_keeping_its_order(library,
                                                                     monkeypatch, at_most):
    monkeypatch.setattr("reader.library.EXCLUDE_AT_MOST", at_most)
    everything = list(library.query("adam").ids)
    assert len(everything) >= 4
    read = {everything[0], everything[2]}
    for paper_id in read:
        library.set_read(paper_id)
    library.store.add_tag(everything[1], "done")
    assert list(library.query("adam is:unread").ids) == [
        i for i in everything if i not in read]
    assert list(library.query("is:read adam").ids) == [i for i in everything if i in read]
    assert list(library.query("adam -tag:done").ids) == [
        i for i in everything if i != everything[1]]
    assert list(library.query("adam is:unread -tag:done").ids) == everything[3:]
    assert list(library.query("adam is:read is:unread").ids) == []


def test_tag_filters_the_bookmarks_view(tagged):
    assert tagged.query("tag:toread", BOOKMARKS).ids == [CAUTIOUS.id]
    assert tagged.query("tag:reading-group", BOOKMARKS).ids == []


# -- backups, exports and the command line -----------------------------------------------


def test_json_backup_carries_tags_with_their_times(data_dir, tmp_path, capsys, monkeypatch):
    library = Library.open(data_dir)
    library.store.add_bookmark(QUANT, added_at=1000.0)
    library.store.add_tag(QUANT.id, "toread", added_at=2000.5)
    library.store.add_tag(QUANT.id, "[bold]group", added_at=2001.0)
    library.store.add_tag(QUANTUM.id, "later", added_at=2002.0)  # tags on any paper travel
    rows = library.store.all_tag_rows()
    library.close()
    backup = tmp_path / "bookmarks.json"
    assert main(["bookmarks", "export", "-o", str(backup)]) == 0
    data = json.loads(backup.read_text(encoding="utf-8"))
    assert {"paper_id": QUANT.id, "tag": "toread", "added_at": 2000.5} in data["tags"]

    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "elsewhere"))
    assert main(["bookmarks", "import", str(backup)]) == 0
    moved = Library(tmp_path / "elsewhere")
    try:
        assert moved.store.all_tag_rows() == rows
        assert moved.query("tag:toread").ids == [QUANT.id]
    finally:
        moved.close()
    # restoring again changes nothing; a tag already there keeps its time
    assert main(["bookmarks", "import", str(backup)]) == 0
    again = Library(tmp_path / "elsewhere")
    try:
        assert again.store.all_tag_rows() == rows
    finally:
        again.close()
    capsys.readouterr()


def test_a_backup_with_a_bad_tag_restores_the_rest(data_dir, tmp_path):
    backup = tmp_path / "b.json"
    backup.write_text(json.dumps({
        "reader_backup": 1, "bookmarks": [],
        "tags": [{"paper_id": QUANT.id, "tag": "ok", "added_at": 1.0},
                 {"paper_id": QUANT.id, "tag": "bad\x1b[31m", "added_at": 1.0},
                 {"paper_id": QUANT.id, "tag": 7, "added_at": 1.0},
                 {"paper_id": QUANT.id, "tag": "no-time"}],
    }), encoding="utf-8")
    assert main(["bookmarks", "import", str(backup)]) == 0
    library = Library(data_dir)
    try:
        assert library.store.all_tag_rows() == [(QUANT.id, "ok", 1.0)]
    finally:
        library.close()


def test_markdown_lists_tags_literally():
    out = io.StringIO()
    assert markdown.write([QUANT], out, tags={QUANT.id: ("[bold]x", "toread")}) == 1
    text = out.getvalue()
    assert "- Tags: \\[bold\\]x, toread" in text
    rendered = MarkdownIt("commonmark").render(text)
    assert "Tags: [bold]x, toread" in rendered
    assert "Tags" not in markdown.section(QUANT)


def test_markdown_exports_carry_notes_and_tags(library, capsys):
    library.store.add_bookmark(QUANT)
    library.store.add_tag(QUANT.id, "toread")
    library.set_note(QUANT.id, "Read for Friday")
    assert main(["bookmarks", "export", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "- Tags: toread" in out and "> Read for Friday" in out
    assert main(["export", "--format", "markdown", "--query", "tag:toread"]) == 0
    out = capsys.readouterr().out
    assert out.count("## ") == 1 and "- Tags: toread" in out


def test_reader_tags_and_reader_search_tag(library, capsys):
    library.store.add_tag(QUANT.id, "toread")
    library.store.add_tag(CAUTIOUS.id, "toread")
    library.store.add_tag(CAUTIOUS.id, "adam")
    assert main(["tags"]) == 0
    assert capsys.readouterr().out.splitlines() == ["adam\t1", "toread\t2"]
    assert main(["tags", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[1] == {"tag": "toread", "papers": 2}
    assert main(["search", "tag:toread"]) == 0
    ids = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert ids == [CAUTIOUS.id, QUANT.id]
    assert main(["search", "tag:toread", "quantization"]) == 0
    assert capsys.readouterr().out.startswith(QUANT.id + "\t")


# -- the app -----------------------------------------------------------------------------

WIDE = (120, 36)
NARROW = (80, 24)


def meta_text(app) -> str:
    return str(app.screen.query_one(PaperDetail).query_one("#meta").render())


async def search(pilot, text: str) -> None:
    await pilot.press("slash", *text)
    await settle(pilot)


async def tag(pilot, *keys: str) -> None:
    """t, the keys, enter."""
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TagPrompt)
    await pilot.press(*keys, "enter")
    await settle(pilot)


async def test_t_tags_the_paper_and_the_list_detail_search_and_u_follow(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await tag(pilot, *"ToRead, ml")
        assert app.library.tags_of(SAMPLE[1].id) == ["ml", "toread"]
        rows = visible_rows(app)
        assert rows[1].startswith("   # Automated distribution")
        assert rows[0].startswith("     Supervised")  # untagged rows keep their place
        assert "Tags: ml, toread" in meta_text(app)
        await search(pilot, "tag:toread")
        assert titles(app) == [SAMPLE[1].title]
        assert "Tags: ml, toread" in meta_text(app)
        await pilot.press("escape", "u")  # leave the search box; undo the tags
        await settle(pilot)
        assert app.library.tags_of(SAMPLE[1].id) == []
        assert titles(app) == []  # the search runs again: nothing has the tag now


async def test_t_shows_the_tags_to_edit_and_completes_known_ones(data_dir):
    app = make_app(data_dir)
    store = app.library.store
    store.add_tag(SAMPLE[0].id, "toread", added_at=5.0)
    store.add_tag(SAMPLE[0].id, "reading-group", added_at=6.0)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "Tags: reading-group, toread" in meta_text(app)
        await pilot.press("t")
        await pilot.pause()
        answer = app.screen.query_one(Input)
        assert answer.value == "reading-group toread "
        await pilot.press(*["backspace"] * 7, "enter")  # delete "toread "
        await settle(pilot)
        assert store.tag_rows_of(SAMPLE[0].id) == [("reading-group", 6.0)]
        assert visible_rows(app)[0].startswith("   # ")
        assert "toread" not in meta_text(app)

        await pilot.press("j", "t")
        await pilot.pause()
        await pilot.press(*"rea")
        await pilot.pause()
        await pilot.press("tab")  # takes the completion
        assert app.screen.query_one(Input).value == "reading-group"
        await pilot.press("enter")
        await settle(pilot)
        assert app.library.tags_of(SAMPLE[1].id) == ["reading-group"]

        await pilot.press("u")
        assert app.library.tags_of(SAMPLE[1].id) == []
        await pilot.press("u")  # the removed tag is back with its time
        assert store.tag_rows_of(SAMPLE[0].id) == [("reading-group", 6.0), ("toread", 5.0)]
        await settle(pilot)
        await pilot.press("k")
        assert "Tags: reading-group, toread" in meta_text(app)


async def test_a_bad_tag_keeps_the_prompt_open_and_says_why(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("t", *"good -bad", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TagPrompt)
        problem = str(app.screen.query_one("#problem").render())
        assert problem == "tag '-bad': cannot start with '-'"
        await pilot.press("escape")  # cancels: nothing changes
        await settle(pilot)
        assert not isinstance(app.screen, TagPrompt)
        assert app.library.tags_of(SAMPLE[0].id) == []


async def test_a_tag_with_markup_is_shown_literally_everywhere(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await tag(pilot, *"[bold]x[/bold] [@click=app.quit]y")
        assert app.is_running
        assert app.library.tags_of(SAMPLE[0].id) == ["[@click=app.quit]y", "[bold]x[/bold]"]
        assert "Tags: [@click=app.quit]y, [bold]x[/bold]" in meta_text(app)
        await pilot.press("ctrl+p", *"Tag: [bold]")
        await pilot.pause(0.5)
        assert app.is_running
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        assert app.screen.query_one("#search", Input).value == "tag:[bold]x[/bold]"
        assert titles(app) == [SAMPLE[0].title]


async def test_the_palette_lists_tags_with_counts_and_runs_them(data_dir):
    app = make_app(data_dir)
    for item in SAMPLE[3:5]:
        app.library.store.add_tag(item.id, "toread")
    app.library.store.add_tag(SAMPLE[5].id, "later")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        commands = [command.title for command in app.get_system_commands(app.screen)]
        assert "Tag: toread (2)" in commands and "Tag: later (1)" in commands
        await pilot.press("2")  # from another view: the search runs in all papers
        await settle(pilot)
        await pilot.press("ctrl+p", *"Tag: toread")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "papers"
        assert titles(app) == [SAMPLE[3].title, SAMPLE[4].title]


async def test_the_bookmarks_view_marks_tags_and_t_works_there(data_dir):
    app = make_app(data_dir)
    app.library.store.add_bookmark(SAMPLE[2], added_at=1.0)
    app.library.store.add_bookmark(SAMPLE[7], added_at=2.0)
    app.library.store.add_tag(SAMPLE[2].id, "toread")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        rows = visible_rows(app)
        assert rows[0].startswith(" ★   ") and rows[1].startswith(" ★ # ")
        await tag(pilot, *"later")
        assert visible_rows(app)[0].startswith(" ★ # ")
        await search(pilot, "tag:later")
        assert titles(app) == [SAMPLE[7].title]


async def test_t_in_the_full_screen_paper(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        await tag(pilot, *"toread")
        assert isinstance(app.screen, DetailScreen)
        assert "Tags: toread" in meta_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert visible_rows(app)[0].startswith("   # ")


async def test_help_and_footer_list_t(data_dir):
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        shown = {binding.key for (_, binding, _, _) in app.active_bindings.values()
                 if binding.show}
        assert "t" in shown
        await pilot.press("question_mark")
        text = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        assert "tags: add or remove the paper's tags" in text and "tag:toread" in text


def test_snapshot_tags_in_the_list_the_detail_and_the_prompt(snap_compare, data_dir):
    app = make_app(data_dir)
    store = app.library.store
    store.add_bookmark(SAMPLE[1])
    store.add_tag(SAMPLE[1].id, "toread")
    store.add_tag(SAMPLE[1].id, "[bold]quantum")
    store.add_tag(SAMPLE[2].id, "reading-group")
    app.library.set_note(SAMPLE[2].id, "A survey")

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("j", "t", *"rea")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
