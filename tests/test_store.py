"""The SQLite store: papers, bookmarks, and how it fails."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from reader.model import make_paper
from reader.store import Store, StoreError
from reader.store.schema import SCHEMA_VERSION


def paper(title: str, **fields):
    return make_paper(title, f"The abstract of {title}, long enough to read.", **fields)


ZETA = paper("Zeta optimizers for everyone")
ALPHA = paper("Alpha: a learned optimizer", authors=("Ada Lovelace", "Grace Hopper"))
MU = paper("Mu parametrization revisited", arxiv_id="2203.03466v2", categories=("cs.LG",))
BETA = paper("Beta schedules")


@pytest.fixture
def path(tmp_path):
    return tmp_path / "library.sqlite3"


@pytest.fixture
def open_store(path):
    """Open stores on ``path`` (or another file); all are closed after the test."""
    stores = []

    def opener(at=None):
        store = Store(at or path)
        stores.append(store)
        return store

    yield opener
    for store in stores:
        store.close()


# -- papers ------------------------------------------------------------------------------


def test_new_store_is_empty_at_the_current_schema(open_store, path):
    store = open_store()
    assert path.exists()
    assert store.schema_version == SCHEMA_VERSION
    assert store.count_papers() == 0
    assert store.paper_ids() == []
    assert store.bookmarks() == []


def test_papers_round_trip(open_store):
    store = open_store()
    store.add_papers([ZETA, ALPHA, MU])
    assert store.paper(ALPHA.id) == ALPHA
    assert store.paper(ALPHA.id).authors == ("Ada Lovelace", "Grace Hopper")
    assert store.paper(MU.id) == MU
    assert store.paper("title:0000000000000000") is None
    assert store.papers([MU.id, "missing", ZETA.id]) == {MU.id: MU, ZETA.id: ZETA}


def test_add_papers_is_idempotent(open_store):
    store = open_store()
    assert store.add_papers([ZETA, ALPHA]) == 2
    generation = store.generation()
    assert store.add_papers([ZETA, ALPHA]) == 0
    assert store.generation() == generation
    assert store.count_papers() == 2
    # Only the new one of a partly known batch is added.
    assert store.add_papers([ALPHA, MU]) == 1
    assert store.count_papers() == 3


def test_generation_changes_when_papers_are_added(open_store):
    store = open_store()
    seen = [store.generation()]
    store.add_papers([ZETA])
    seen.append(store.generation())
    store.add_papers([ALPHA, MU])
    seen.append(store.generation())
    assert len(set(seen)) == 3


def test_generation_survives_reopening(open_store, path):
    store = open_store()
    store.add_papers([ZETA])
    generation = store.generation()
    store.close()
    assert open_store(path).generation() == generation


def test_paper_ids_keep_arrival_order(open_store):
    store = open_store()
    store.add_papers([ZETA, ALPHA, MU])
    store.add_papers([BETA, ALPHA])  # ALPHA is already there: it keeps its place
    expected = [ZETA.id, ALPHA.id, MU.id, BETA.id]
    assert store.paper_ids() == expected
    assert [p.id for p in store.iter_papers(batch=2)] == expected
    assert store.paper_ids(offset=1, limit=2) == expected[1:3]


# -- bookmarks ---------------------------------------------------------------------------


def test_toggle_bookmark_persists_across_reopening(open_store, path):
    store = open_store()
    store.add_papers([ZETA, ALPHA])
    assert store.toggle_bookmark(ALPHA) is True
    assert store.is_bookmarked(ALPHA.id)
    store.close()

    reopened = open_store(path)
    assert reopened.is_bookmarked(ALPHA.id)
    assert not reopened.is_bookmarked(ZETA.id)
    assert [b.paper for b in reopened.bookmarks()] == [ALPHA]
    assert reopened.toggle_bookmark(ALPHA) is False
    assert not reopened.is_bookmarked(ALPHA.id)
    reopened.close()

    assert open_store(path).bookmarked_ids() == set()


def test_bookmarks_newest_first(open_store):
    store = open_store()
    store.add_papers([ZETA, ALPHA, MU])
    store.add_bookmark(ZETA, added_at=1000.0)
    store.add_bookmark(ALPHA, added_at=3000.0)
    store.add_bookmark(MU, added_at=2000.0)
    bookmarks = store.bookmarks()
    assert [b.paper.id for b in bookmarks] == [ALPHA.id, MU.id, ZETA.id]
    assert [b.added_at for b in bookmarks] == [3000.0, 2000.0, 1000.0]
    assert store.bookmark_ids_newest_first() == [ALPHA.id, MU.id, ZETA.id]
    assert store.count_bookmarks() == 3


def test_toggled_bookmarks_are_newest_first(open_store):
    store = open_store()
    store.add_papers([ZETA, ALPHA, MU])
    for p in (MU, ZETA, ALPHA):
        store.toggle_bookmark(p)
    assert store.bookmark_ids_newest_first() == [ALPHA.id, ZETA.id, MU.id]


def test_bookmark_snapshot_outlives_the_paper_row(open_store, path):
    store = open_store()
    store.add_papers([ZETA, ALPHA])
    store.toggle_bookmark(ALPHA)

    raw = sqlite3.connect(path)
    with raw:
        raw.execute("DELETE FROM papers WHERE id = ?", (ALPHA.id,))
    raw.close()

    assert store.count_papers() == 1
    assert store.paper(ALPHA.id) == ALPHA  # the bookmark's own copy
    assert store.papers([ALPHA.id, ZETA.id]) == {ALPHA.id: ALPHA, ZETA.id: ZETA}
    [bookmark] = store.bookmarks()
    assert bookmark.paper == ALPHA
    assert bookmark.paper.authors == ("Ada Lovelace", "Grace Hopper")


def test_two_stores_on_one_file_see_each_others_changes(open_store, path):
    first = open_store(path)
    second = open_store(path)
    first.add_papers([ZETA, ALPHA])

    assert first.toggle_bookmark(ZETA) is True
    assert second.is_bookmarked(ZETA.id)
    assert [b.paper.id for b in second.bookmarks()] == [ZETA.id]

    # The second "process" removes it; the first one sees that at once.
    assert second.toggle_bookmark(ZETA) is False
    assert not first.is_bookmarked(ZETA.id)
    assert second.toggle_bookmark(ALPHA) is True
    assert first.bookmarked_ids() == {ALPHA.id}

    generation = first.generation()
    assert second.add_papers([MU]) == 1
    assert first.count_papers() == 3
    assert first.generation() != generation


# -- failures ----------------------------------------------------------------------------


def test_garbage_file_raises_store_error_and_is_left_alone(path):
    garbage = random.Random(1234).randbytes(16384)
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as caught:
        Store(path)
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message
    assert path.read_bytes() == garbage


def test_store_from_a_newer_reader_is_refused(path):
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE future (x)")
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()

    with pytest.raises(StoreError) as caught:
        Store(path)
    assert str(path) in str(caught.value)

    # Nothing was migrated or downgraded.
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()
    assert "papers" not in tables


@pytest.mark.parametrize("column", ["id", "arxiv_id", "doi", "norm_title"])
def test_finding_a_known_paper_uses_an_index_not_a_scan(open_store, column):
    # An import looks every record up by these columns: a table scan per record makes
    # importing quadratic (minutes for 50,000 papers).
    store = open_store()
    plan = " ".join(
        str(row[-1])
        for row in store._conn.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM papers WHERE {column} = ? ORDER BY seq LIMIT 1",
            ("x",),
        )
    )
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan


def test_search_history_is_most_recent_first_without_repeats(open_store, path):
    store = open_store()
    for text in ["adam", "lion", "  adam  ", "", "quantization"]:
        store.remember_query(text)
    assert store.query_history() == ["quantization", "adam", "lion"]
    assert open_store(path).query_history(limit=2) == ["quantization", "adam"]


def test_saved_searches_by_name(open_store):
    store = open_store()
    store.save_search("optim", "optimizer NOT prompt")
    store.save_search("Adam", "adam")
    store.save_search("optim", "optimiser")  # saving again replaces
    assert store.saved_searches() == [("Adam", "adam"), ("optim", "optimiser")]
    store.delete_saved_search("Adam")
    assert store.saved_searches() == [("optim", "optimiser")]


def test_a_store_from_schema_1_is_backed_up_and_migrated_with_its_bookmarks(tmp_path):
    from reader.store.schema import MIGRATIONS

    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("BEGIN")
    MIGRATIONS[1](raw)
    raw.execute(
        "INSERT INTO papers (id, title, abstract, source, added_at)"
        " VALUES ('arxiv:2401.00001', 'Old paper', 'old text', 'old.bib', 1.0)"
    )
    snapshot = json.dumps({"id": "arxiv:2401.00001", "title": "Old paper", "source": "old.bib"})
    raw.execute(
        "INSERT INTO bookmarks (paper_id, added_at, snapshot) VALUES (?, 5.0, ?)",
        ("arxiv:2401.00001", snapshot),
    )
    raw.execute("PRAGMA user_version = 1")
    raw.execute("COMMIT")
    raw.close()
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION
    [bookmark] = store.bookmarks()
    assert (bookmark.paper.title, bookmark.added_at) == ("Old paper", 5.0)
    assert bookmark.paper.sources == ("old.bib",)
    assert store.paper("arxiv:2401.00001").arxiv_id == "2401.00001"
    backups = list(tmp_path.glob("old.sqlite3.schema1-*.bak"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    old.close()


def test_read_marks_keep_the_first_time_and_can_be_undone(open_store, path):
    store = open_store()
    store.set_read("arxiv:1", True)
    first = store._conn.execute("SELECT read_at FROM read_marks").fetchone()[0]
    store.set_read("arxiv:1", True)
    assert store._conn.execute("SELECT read_at FROM read_marks").fetchone()[0] == first
    store.set_read("arxiv:2", True)
    store.set_read("arxiv:2", False)
    assert open_store(path).read_ids() == {"arxiv:1"}
