"""Long lists: results fetched by position, ranked a page at a time, searched while the
index is still being built."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from helpers import make_app, paper_list, settle, status_text, visible_rows

import reader.index.index
import reader.index.ranking
import reader.library
import reader.ui.app
from reader import paths
from reader.library import Library
from reader.model import make_paper
from reader.results import LazyIds, LibraryOrder, Ranked
from reader.sources.sample import SAMPLE_SOURCE
from reader.store import Store

BIG = 100_000


def fill_store(data_dir, count: int) -> None:
    """``count`` papers written straight into a new store (the import path would take
    minutes at this size), with an empty index marked current so nothing rebuilds."""
    store = Store(paths.store_path(data_dir))
    store.close()
    with sqlite3.connect(paths.store_path(data_dir)) as conn:
        conn.executemany(
            "INSERT INTO papers (id, title, added_at, norm_title) VALUES (?, ?, ?, ?)",
            ((f"test:{n:06d}", f"Paper number {n:06d}", float(n), f"paper number {n:06d}")
             for n in range(count)),
        )
    library = Library.open(data_dir)
    library.index.rebuild([], 0, library.store.generation())
    library.close()


def common_library(data_dir, count: int) -> Library:
    """``count`` papers that all say "common"; paper n says it n % 7 + 1 times."""
    library = Library.open(data_dir)
    library.store.merge_papers(
        (make_paper(title=f"Paper {n:04d} on things",
                    abstract=" ".join(["common"] * (n % 7 + 1)) + f" filler{n}")
         for n in range(count)),
        "test",
        replaces=SAMPLE_SOURCE,
    )
    library.ensure_index()
    return library


@pytest.fixture
def small_pages(monkeypatch):
    """Rank 25 matches up front instead of hundreds, so a few hundred papers make a
    result longer than its first page."""
    monkeypatch.setattr(reader.library, "PAGE", 25)


def test_library_order_reads_by_position(data_dir):
    fill_store(data_dir, 3000)
    library = Library.open(data_dir)
    ids = library.query("").ids
    assert isinstance(ids, LibraryOrder)
    assert len(ids) == 3000
    assert ids[0] == "test:000000"
    assert ids[-1] == "test:002999"
    assert ids[2990:2993] == ["test:002990", "test:002991", "test:002992"]
    assert ids.position("test:001234") == 1234
    assert ids.position("nope") is None
    assert list(ids)[1500] == "test:001500"
    library.close()


def test_library_order_reads_any_page_in_any_order(data_dir):
    fill_store(data_dir, 3000)
    library = Library.open(data_dir)
    everything = library.store.paper_ids()
    # the end first (counted from the end), then backwards and forwards from there,
    # then a page in the middle with no neighbour read
    ids = library.query("").ids
    assert ids[-5:] == everything[-5:]
    assert ids[2700:2750] == everything[2700:2750]
    assert ids[2500:2520] == everything[2500:2520]
    assert ids[1400] == everything[1400]
    assert ids[1600:1700] == everything[1600:1700]
    assert list(ids) == everything
    library.close()


def test_papers_added_after_the_listing_do_not_shift_it(data_dir):
    fill_store(data_dir, 600)
    library = Library.open(data_dir)
    ids = library.query("").ids
    before = library.store.paper_ids()
    # another copy of reader adds papers while this listing is shown
    library.store.merge_papers([make_paper(title=f"Late paper {n}") for n in range(40)],
                               "late")
    assert len(ids) == 600
    assert ids[-1] == before[-1]
    assert ids[-300:] == before[-300:]
    assert library.query("").ids[-1] != before[-1]  # a new listing has them
    library.close()


def test_ranked_results_rank_the_rest_when_read(data_dir, small_pages):
    library = common_library(data_dir, 300)
    ids = library.query("common").ids
    assert isinstance(ids, Ranked)
    assert ids.exact and len(ids) == 300  # counted without ranking them all
    first = list(ids.loaded())
    assert len(first) == 25
    assert ids.ready(0, 25) and not ids.ready(0, 26)
    assert ids[3] == first[3] and not ids.ready(0, 26)  # within the first page: no work
    last = ids[-1]  # from the end: everything is ranked
    assert ids.ready(0, 300)
    everything = list(ids)
    assert everything[-1] == last
    assert ids.exact and len(ids) == 300
    assert everything[:25] == first
    assert sorted(everything) == sorted(library.index.search("common"))
    # the abstracts that say "common" most come first
    top = library.papers(first)
    assert all(top[i].abstract.count("common") == 7 for i in first[:10])
    library.close()


def test_a_phrase_checks_the_first_page_and_estimates_the_rest(data_dir, small_pages,
                                                               monkeypatch):
    monkeypatch.setattr(reader.index.index, "CHECKED_PAGE", 10)
    monkeypatch.setattr(reader.index.ranking, "CHECK_ALL_BELOW", 50)
    library = common_library(data_dir, 300)
    # every paper says "common" then "filler<n>"; 6 papers in 7 say "common common"
    papers = library.papers(list(library.query("common").ids))
    wanted = [paper_id for paper_id, paper in papers.items()
              if "common common" in paper.abstract]
    ids = library.query('"common common"').ids
    assert isinstance(ids, Ranked) and not ids.exact
    first = list(ids.loaded())
    assert len(first) == 10
    assert abs(len(ids) - len(wanted)) <= 60  # an estimate, from the papers checked
    everything = list(ids)
    assert ids.exact and len(ids) == len(wanted)
    assert sorted(everything) == sorted(wanted)
    assert everything[:10] == first
    library.close()


def test_small_results_are_exact_at_once(data_dir, small_pages):
    library = common_library(data_dir, 300)
    ids = library.query("filler17").ids
    assert ids.exact and list(ids) == library.index.search("filler17")
    library.close()


async def test_jumping_to_the_end_of_100k_papers(data_dir):
    fill_store(data_dir, BIG)
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert f"{BIG:,} papers" in status_text(app)
        rows = visible_rows(app)
        assert "Paper number 000000" in rows[0]
        await pilot.press("G")
        await settle(pilot)
        rows = [row for row in visible_rows(app) if row.strip()]
        assert "Paper number 099999" in rows[-1]
        assert "Paper number 099998" in rows[-2]
        assert paper_list(app).highlighted.title == "Paper number 099999"
        await pilot.press("k", "k")
        assert paper_list(app).highlighted.title == "Paper number 099997"
        await pilot.press("g")
        await settle(pilot)
        assert "Paper number 000000" in visible_rows(app)[0]


async def test_jumping_to_the_end_of_a_long_result(data_dir, small_pages):
    common_library(data_dir, 300).close()
    app = make_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"common", "enter")
        await settle(pilot)
        assert "300 matches" in status_text(app)
        top = paper_list(app).highlighted
        ids = paper_list(app).paper_ids
        assert isinstance(ids, LazyIds)
        first_page = list(ids.loaded())
        assert len(first_page) == 25  # only the first page is ranked
        await pilot.press("G")
        await settle(pilot)
        assert "300 matches" in status_text(app) and "about" not in status_text(app)
        everything = list(paper_list(app).paper_ids)
        assert everything[:25] == first_page
        last = paper_list(app).highlighted
        assert last is not None and last.id == everything[-1]
        rows = [row for row in visible_rows(app) if row.strip()]
        assert "…" not in "".join(rows)
        assert last.title in "".join(rows)
        await pilot.press("g")
        assert paper_list(app).highlighted.id == top.id


async def test_a_search_started_while_indexing_gets_its_results(data_dir, monkeypatch):
    library = Library.open(data_dir)  # the sample, never indexed
    gate = threading.Event()
    build = library.ensure_index

    def slow_ensure_index(progress=None, **options):
        gate.wait(30)
        return build(progress, **options)

    monkeypatch.setattr(library, "ensure_index", slow_ensure_index)
    app = reader.ui.app.ReaderApp(library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"quantization")
        await pilot.pause(0.4)
        assert "'quantization': results when indexing is done" in status_text(app)
        assert "matches" not in status_text(app)  # no count claimed for it yet
        # the list still shows the library (listing needs no index) and moves
        assert len([row for row in visible_rows(app) if row.strip()]) > 10
        await pilot.press("escape", "j")
        assert paper_list(app).cursor == 1
        gate.set()
        await settle(pilot)
        await settle(pilot)
        assert "indexing" not in status_text(app)
        assert paper_list(app).highlighted.title == "8-bit Optimizers via Block-wise Quantization"



def test_a_rebuild_with_worker_processes_finds_every_paper(data_dir, monkeypatch):
    import reader.index.index as index_module

    monkeypatch.setattr(index_module, "PARALLEL_FROM", 10)
    library = common_library(data_dir, 300)
    library.index_processes = 2
    library.rebuild_index()
    library.index.close()
    import whoosh.index

    assert len(whoosh.index.open_dir(library.index.path).reader().leaf_readers()) >= 2
    assert len(library.search("common")) == 300
    assert library.search("filler123") == [library.search("filler123")[0]]
    assert library.search("fill*")  # the vocabulary was written
    library.close()


def test_a_prefix_of_many_words_is_counted_exactly(data_dir, small_pages):
    library = Library.open(data_dir)
    words = [f"fill{chr(97 + n)}" for n in range(16)]  # 16 words, 3 papers each
    library.store.merge_papers(
        (make_paper(title=f"Paper {n}", abstract=f"{words[n % 16]} common")
         for n in range(48)), "test", replaces=SAMPLE_SOURCE)
    library.ensure_index()
    ids = library.query("fill*").ids
    assert isinstance(ids, Ranked) and ids.exact  # counted, though only 25 are ranked
    assert len(ids) == 48 and not ids.ready(0, 26)
    assert len(list(ids)) == 48
    assert set(ids) == set(library.index.search("fill*"))
    library.close()


async def test_typing_during_a_slow_search_runs_only_the_newest_text_next(data_dir,
                                                                         monkeypatch):
    library = Library.open(data_dir)
    library.ensure_index()
    asked: list[str] = []
    gate = threading.Event()
    query = library.query

    def slow_query(text, *args, **kwargs):
        asked.append(text)
        if text == "8":
            gate.wait(30)  # a search that takes a while
        return query(text, *args, **kwargs)

    monkeypatch.setattr(library, "query", slow_query)
    app = reader.ui.app.ReaderApp(library)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        asked.clear()
        await pilot.press("slash", "8")
        await pilot.pause(0.3)  # "8" is being searched
        await pilot.press(*"-bit optim")
        await pilot.pause(0.3)
        gate.set()
        await settle(pilot)
        assert asked == ["8", "8-bit optim"]
        assert paper_list(app).highlighted.title.startswith("8-bit Optimizers")


def test_a_rebuild_says_when_it_starts_writing_the_index_out(data_dir, monkeypatch):
    import reader.index.index as index_module

    monkeypatch.setattr(index_module, "SAY_FINISHING_FROM", 10)
    library = common_library(data_dir, 30)
    events: list[str] = []
    library.rebuild_index(lambda done, total: events.append(f"{done}/{total}"),
                          finishing=lambda: events.append("writing"))
    assert events[-2:] == ["30/30", "writing"]  # every paper in, then the slow part
    assert library.search("filler7")
    library.close()
