"""Two copies of reader on one data directory: both write, nothing is lost, each sees
the other's changes, and the index has one writer at a time."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
import whoosh.index
from helpers import make_app, paper_list, settle, status_text, visible_rows
from store_child import ROOT, Acknowledged, start_child
from textual import events

from reader import paths
from reader.library import Library
from reader.model import make_paper
from reader.sources.sample import sample_papers
from reader.store import recovery
from reader.ui.app import ReaderApp
from reader.ui.widgets.paper_detail import PaperDetail

SAMPLE = sample_papers()
WIDE = (120, 36)
ZEBRA = make_paper("Zebra stripes as a learned optimizer",
                   "Zebras optimise their stripes; we learn from them at length.")


# -- the store -----------------------------------------------------------------------------


def test_two_processes_changing_bookmarks_notes_and_read_marks_at_once_lose_nothing(
    data_dir,
):
    # Both start on an empty data directory at the same moment (both create and migrate
    # the store), then, together, write as fast as they can, each waiting its turn for
    # the lock.
    count = 400
    children = {prefix: start_child(data_dir, seed, prefix, count, wait=True)
                for seed, prefix in ((1, "left"), (2, "right"))}
    for child in children.values():
        assert child.stdout.readline() == "ready\n"
    for child in children.values():
        child.stdin.write("go\n")
        child.stdin.flush()
    models, spans = {}, []
    for prefix, child in children.items():
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert err == ""
        models[prefix] = model = Acknowledged()
        lines = out.splitlines()
        for line in lines:
            model.feed(line)
        assert model.acks == count
        assert lines[0].startswith("start ") and lines[-1].startswith("done ")
        spans.append((float(lines[0].split()[1]), float(lines[-1].split()[1])))
    # they did write at the same time
    (start_a, end_a), (start_b, end_b) = spans
    assert start_a < end_b and start_b < end_a
    store, recovered = recovery.open_store(paths.store_path(data_dir),
                                           paths.backups_path(data_dir))
    try:
        assert recovered is None
        for model in models.values():
            model.check(store)
        assert store.count_bookmarks() > 0 and store.read_ids() and store.all_notes()
    finally:
        store.close()


# -- the index: one writer at a time -------------------------------------------------------

HOLD_WRITER = """
import sys, time
import whoosh.index
writer = whoosh.index.open_dir(sys.argv[1]).writer()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
writer.cancel()
"""


def _hold_index_writer(data_dir, seconds: float) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITER, str(paths.index_path(data_dir)), str(seconds)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert child.stdout.readline() == "locked\n"
    return child


def _write_lock_is_free(data_dir) -> bool:
    ix = whoosh.index.open_dir(paths.index_path(data_dir))
    try:
        writer = ix.writer(timeout=0)
    except whoosh.index.LockError:
        return False
    finally:
        ix.close()
    writer.cancel()
    return True


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_a_killed_writers_lock_does_not_block_the_next(library, data_dir):
    child = _hold_index_writer(data_dir, 60)
    try:
        assert not _write_lock_is_free(data_dir)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
    # The lock file stays (nobody deletes it); the kernel dropped the lock with the process.
    assert (paths.index_path(data_dir) / "MAIN_WRITELOCK").exists()
    library.store.add_papers([ZEBRA])
    started = time.monotonic()
    assert library.ensure_index() is True
    assert time.monotonic() - started < 5
    assert library.search("zebra") == [ZEBRA.id]


def test_an_index_writer_waits_for_another_process_to_finish(library, data_dir):
    child = _hold_index_writer(data_dir, 1.0)
    try:
        library.store.add_papers([ZEBRA])
        started = time.monotonic()
        assert library.ensure_index() is True  # no LockError: it waited its turn
        waited = time.monotonic() - started
    finally:
        child.wait(timeout=30)
        child.stdout.close()
    assert waited > 0.5
    assert library.search("zebra") == [ZEBRA.id]


def test_a_copy_sees_the_index_another_copy_updated(library, data_dir):
    assert library.search("zebra") == []
    other = Library.open(data_dir)
    try:
        other.store.add_papers([ZEBRA])
        assert other.ensure_index() is True
    finally:
        other.close()
    # nothing left to index here, but the searcher opened before is stale
    assert library.ensure_index() is False
    assert library.search("zebra") == [ZEBRA.id]


# -- the app sees the other copy's changes ------------------------------------------------


def _other_copy_changes(data_dir) -> None:
    other = Library(data_dir)
    try:
        other.toggle_bookmark(SAMPLE[2])
        other.set_note(SAMPLE[0].id, "from the other copy")
        other.set_read(SAMPLE[3].id)
    finally:
        other.close()


def _shows_the_changes(app) -> None:
    rows = visible_rows(app)
    assert rows[2].startswith(" ★")
    assert rows[0].startswith("  ✎")
    assert paper_list(app).is_read(SAMPLE[3].id)
    assert "1 bookmarked" in status_text(app)
    # the highlighted paper's detail shows its new note
    note = app.screen.query_one(PaperDetail).query_one("#note")
    assert "from the other copy" in str(note.render())


async def test_ctrl_r_shows_what_another_copy_changed(data_dir, monkeypatch):
    monkeypatch.setattr(ReaderApp, "REFRESH_EVERY", 3600)  # the key alone
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        _other_copy_changes(data_dir)
        await settle(pilot)
        assert not visible_rows(app)[2].startswith(" ★")
        await pilot.press("ctrl+r")
        await settle(pilot)
        _shows_the_changes(app)


async def test_the_app_notices_another_copys_changes_by_itself(data_dir, monkeypatch):
    monkeypatch.setattr(ReaderApp, "REFRESH_EVERY", 0.1)
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        # the last rows in view, the cursor among them: a refresh keeps them there
        await pilot.press("G", *"k" * 10)
        top = paper_list(app).scroll_offset.y
        assert top > 0
        _other_copy_changes(data_dir)
        await pilot.pause(0.3)
        await settle(pilot)
        assert paper_list(app).scroll_offset.y == top
        await pilot.press("g")
        await settle(pilot)
        _shows_the_changes(app)
        # papers the other copy added join the index, and the list
        other = Library(data_dir)
        try:
            other.store.add_papers([ZEBRA])
        finally:
            other.close()
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.pause(0.1)
        await settle(pilot)
        assert status_text(app).startswith(f"{len(SAMPLE) + 1} papers")
        await pilot.press("slash", *"zebra")
        await settle(pilot)
        assert list(paper_list(app).paper_ids) == [ZEBRA.id]


async def test_the_app_looks_for_changes_when_the_terminal_gets_focus(data_dir, monkeypatch):
    monkeypatch.setattr(ReaderApp, "REFRESH_EVERY", 3600)
    app = make_app(data_dir)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.post_message(events.AppBlur())
        _other_copy_changes(data_dir)
        app.post_message(events.AppFocus())
        await settle(pilot)
        _shows_the_changes(app)


async def test_a_change_while_another_copy_holds_the_store_is_refused_not_fatal(
    data_dir, monkeypatch
):
    import sqlite3

    from reader import paths
    from reader.ui.app import ReaderApp

    monkeypatch.setattr(ReaderApp, "STORE_PATIENCE", 0.2)
    app = make_app(data_dir)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        paper = paper_list(app).highlighted
        other = sqlite3.connect(paths.store_path(data_dir), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another copy in the middle of a long import
        try:
            await pilot.press("b")
            await pilot.pause()
            assert app.is_running
            messages = [str(n.message) for n in app._notifications]
            assert any("another copy of reader is writing" in m for m in messages)
            assert "★" not in visible_rows(app)[0]
        finally:
            other.execute("ROLLBACK")
            other.close()
        await pilot.press("b")  # the lock is gone: it saves
        await pilot.pause()
        assert app.library.is_bookmarked(paper.id)
        assert "★" in visible_rows(app)[0]
