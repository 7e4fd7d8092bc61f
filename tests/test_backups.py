"""Automatic store backups, and a damaged store put aside and restored from the newest."""

from __future__ import annotations

import os
import random
import sqlite3
from datetime import datetime, timedelta

import pytest

from reader import paths
from reader.library import Library
from reader.sources.sample import sample_papers
from reader.store import StoreDamaged, StoreError, backups, recovery
from reader.store.schema import SCHEMA_VERSION

SAMPLE = sample_papers()
TODAY = datetime(2026, 11, 30, 9, 15)


def bookmarked_library(data_dir, count: int = 2, note: str = "") -> set[str]:
    """Bookmark the first ``count`` sample papers; their ids."""
    library = Library.open(data_dir)
    try:
        for paper in SAMPLE[:count]:
            library.toggle_bookmark(paper)
        if note:
            library.set_note(SAMPLE[0].id, note)
        return library.bookmarked_ids()
    finally:
        library.close()


def back_up(data_dir, now: datetime = TODAY):
    return backups.backup_if_due(paths.store_path(data_dir), paths.backups_path(data_dir),
                                 now=now)


def bookmarks_in(path) -> set[str]:
    conn = backups.connect_existing(path, "ro")
    try:
        return {row[0] for row in conn.execute("SELECT paper_id FROM bookmarks")}
    finally:
        conn.close()


# -- backups -----------------------------------------------------------------------------


def test_one_backup_a_day_holding_the_bookmarks(data_dir):
    ids = bookmarked_library(data_dir)
    made = back_up(data_dir)
    assert made == paths.backups_path(data_dir) / "library-20261130-091500.sqlite3"
    assert bookmarks_in(made) == ids
    # later the same day: nothing; the next day: another
    assert back_up(data_dir, TODAY + timedelta(hours=10)) is None
    assert back_up(data_dir, TODAY + timedelta(days=1)) is not None
    assert len(backups.list_backups(paths.backups_path(data_dir))) == 2


def test_the_library_backs_up_what_is_due(data_dir):
    bookmarked_library(data_dir)
    library = Library.open(data_dir)
    try:
        made = library.backup_if_due()
        assert made is not None and made.parent == paths.backups_path(data_dir)
        assert library.backup_if_due() is None
    finally:
        library.close()


def test_a_backup_is_one_file_that_opens_on_its_own(data_dir):
    bookmarked_library(data_dir)
    made = back_up(data_dir)
    folder = made.parent
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [made.name]
    header = made.read_bytes()[:100]
    assert header[18:20] == b"\x01\x01"  # a rollback-journal database: no -wal needed
    conn = backups.connect_existing(made, "ro")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
    conn.close()


def test_the_newest_five_are_kept(data_dir):
    bookmarked_library(data_dir)
    for day in range(8):
        back_up(data_dir, TODAY + timedelta(days=day))
    kept = backups.list_backups(paths.backups_path(data_dir))
    assert [path.name[8:16] for path in kept] == [
        "20261207", "20261206", "20261205", "20261204", "20261203"
    ]


def test_a_half_written_backup_is_never_taken_for_one(data_dir):
    # What a backup killed half-way leaves: its temporary file, which is ignored and
    # cleared by the next backup.
    ids = bookmarked_library(data_dir)
    folder = paths.backups_path(data_dir)
    folder.mkdir()
    partial = folder / "library-20261201-000000.sqlite3.partial"
    partial.write_bytes(paths.store_path(data_dir).read_bytes()[:5000])
    (folder / "library-20261201-000000.sqlite3.partial-journal").write_bytes(b"x")
    assert backups.list_backups(folder) == []
    made = back_up(data_dir)
    assert backups.list_backups(folder) == [made]
    assert not partial.exists()
    assert [p.name for p in folder.iterdir() if "partial" in p.name] == []
    assert bookmarks_in(made) == ids


def _damage_a_middle_page(store) -> None:
    data = bytearray(store.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    pages = len(data) // page
    middle = pages // 2
    data[middle * page : (middle + 1) * page] = random.Random(7).randbytes(page)
    store.write_bytes(bytes(data))


def test_a_damaged_store_is_not_backed_up_and_the_next_start_restores(data_dir, monkeypatch):
    ids = bookmarked_library(data_dir)
    good = back_up(data_dir)
    store = paths.store_path(data_dir)
    _damage_a_middle_page(store)
    # the backup's full check finds it: the good backup is not pushed out
    with pytest.raises(StoreDamaged) as caught:
        back_up(data_dir, TODAY + timedelta(days=1))
    assert str(store) in str(caught.value)
    assert backups.list_backups(paths.backups_path(data_dir)) == [good]
    # A big store is only probed at start-up; the backup's note asks for a full check.
    monkeypatch.setattr(recovery, "FULL_CHECK_BELOW", 0)
    library = Library.open(data_dir)
    try:
        assert library.recovered is not None
        assert library.recovered.restored == good
        assert library.bookmarked_ids() == ids
    finally:
        library.close()
    assert not (paths.backups_path(data_dir) / backups.DAMAGE_NOTE).exists()


# -- a damaged store ---------------------------------------------------------------------


def _truncate(store) -> bytes:
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 2])
    return data[: len(data) // 2]


def _garbage(store) -> bytes:
    garbage = random.Random(42).randbytes(64 * 1024)
    store.write_bytes(garbage)
    return garbage


@pytest.mark.parametrize("damage", [_truncate, _garbage], ids=["truncated", "garbage"])
def test_a_damaged_store_is_put_aside_and_the_backup_restored(data_dir, damage):
    ids = bookmarked_library(data_dir, count=3, note="read for Tuesday")
    back_up(data_dir)
    store = paths.store_path(data_dir)
    damaged = damage(store)

    library = Library.open(data_dir)
    try:
        recovered = library.recovered
        assert recovered is not None
        message = recovered.message
        assert "\n" not in message
        assert message.startswith(f"{store}: the library store was damaged (")
        expected = "truncated: " if damage is _truncate else "not a database"
        assert expected in message
        assert f"moved it to {recovered.moved_to.name}" in message
        assert "restored the backup of 2026-11-30 09:15" in message
        # the user's bookmarks and notes from the backup are there, and it all works
        assert library.bookmarked_ids() == ids
        assert library.note(SAMPLE[0].id) == "read for Tuesday"
        assert library.store.count_papers() == len(SAMPLE)
        library.toggle_bookmark(SAMPLE[5])
        library.ensure_index()
        assert library.search("quantization")
    finally:
        library.close()
    # the damaged file is kept, renamed with a timestamp, exactly as it was
    assert recovered.moved_to.parent == data_dir
    assert recovered.moved_to.name.startswith("library.sqlite3.damaged-")
    assert recovered.moved_to.read_bytes() == damaged
    # and the next start finds nothing wrong
    again = Library.open(data_dir)
    try:
        assert again.recovered is None
        assert SAMPLE[5].id in again.bookmarked_ids()
    finally:
        again.close()


@pytest.mark.parametrize("damage", [_truncate, _garbage], ids=["truncated", "garbage"])
def test_without_a_backup_a_damaged_store_makes_way_for_a_new_library(data_dir, damage):
    bookmarked_library(data_dir)
    damaged = damage(paths.store_path(data_dir))
    library = Library.open(data_dir)
    try:
        assert library.recovered is not None
        assert library.recovered.restored is None
        assert library.recovered.message.endswith(
            "there was no backup to restore, so this is a new library"
        )
        # as on a fresh install: the sample, no bookmarks
        assert library.store.count_papers() == len(SAMPLE)
        assert library.bookmarked_ids() == set()
    finally:
        library.close()
    assert library.recovered.moved_to.read_bytes() == damaged


def test_the_log_and_shared_memory_go_aside_with_the_store(data_dir):
    bookmarked_library(data_dir)
    back_up(data_dir)
    store = paths.store_path(data_dir)
    # a store whose last changes are still in its write-ahead log
    writer = sqlite3.connect(store, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("INSERT INTO meta (key, value) VALUES ('in the log', '1')")
    log = store.with_name(store.name + "-wal").read_bytes()
    writer.close()
    store.with_name(store.name + "-wal").write_bytes(log)
    garbage = _garbage(store)
    library = Library.open(data_dir)
    try:
        aside = library.recovered.moved_to
        assert library.recovered.restored is not None
    finally:
        library.close()
    assert aside.read_bytes() == garbage
    assert aside.with_name(aside.name + "-wal").read_bytes() == log


def test_an_empty_store_file_with_backups_is_restored(data_dir):
    ids = bookmarked_library(data_dir)
    back_up(data_dir)
    paths.store_path(data_dir).write_bytes(b"")
    library = Library.open(data_dir)
    try:
        assert "the file is empty" in library.recovered.message
        assert library.bookmarked_ids() == ids
    finally:
        library.close()


def test_an_empty_store_file_without_backups_is_a_first_start(data_dir):
    data_dir.mkdir(parents=True)
    paths.store_path(data_dir).write_bytes(b"")
    library = Library.open(data_dir)
    try:
        assert library.recovered is None
        assert library.store.count_papers() == len(SAMPLE)
    finally:
        library.close()


def test_a_store_from_a_newer_reader_is_refused_not_replaced(data_dir):
    bookmarked_library(data_dir)
    back_up(data_dir)
    store = paths.store_path(data_dir)
    raw = sqlite3.connect(store)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StoreError, match="newer reader"):
        Library.open(data_dir)
    assert not list(data_dir.glob("*.damaged-*"))
    assert sqlite3.connect(store).execute("PRAGMA user_version").fetchone()[0] == (
        SCHEMA_VERSION + 1
    )


def test_any_folder_name_will_do(tmp_path):
    # The store is opened by URI (never creating one): the name must be encoded.
    data_dir = tmp_path / "my data #1 ?%20 ü"
    ids = bookmarked_library(data_dir)
    assert back_up(data_dir) is not None
    _truncate(paths.store_path(data_dir))
    library = Library.open(data_dir)
    try:
        assert library.recovered.restored is not None
        assert library.bookmarked_ids() == ids
    finally:
        library.close()


def test_a_sound_store_is_probed_without_reading_it_all(data_dir, monkeypatch):
    # Above the size for a full check, opening reads a handful of pages: a sound store
    # opens untouched, and a full check is not run.
    bookmarked_library(data_dir)
    monkeypatch.setattr(recovery, "FULL_CHECK_BELOW", 0)
    checks = []
    real = recovery.integrity_problem
    monkeypatch.setattr(recovery, "integrity_problem",
                        lambda conn: checks.append(1) or real(conn))
    before = os.stat(paths.store_path(data_dir)).st_mtime_ns
    library = Library.open(data_dir)
    library.close()
    assert library.recovered is None
    assert checks == []
    assert os.stat(paths.store_path(data_dir)).st_mtime_ns == before


# -- in the app ----------------------------------------------------------------------------


async def test_the_app_says_the_store_was_restored_and_makes_the_days_backup(
    data_dir, monkeypatch
):
    from helpers import make_app, paper_list, settle

    from reader.ui.app import ReaderApp

    monkeypatch.setattr(ReaderApp, "BACKUP_DELAY", 0.01)
    ids = bookmarked_library(data_dir)
    yesterday = datetime.now() - timedelta(days=1)
    old = back_up(data_dir, yesterday)
    _garbage(paths.store_path(data_dir))
    app = make_app(data_dir)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        await pilot.pause(0.1)
        await settle(pilot)
        [message] = [str(n.message) for n in app._notifications]
        assert "the library store was damaged (file is not a database)" in message
        assert f"restored the backup of {yesterday:%Y-%m-%d %H:%M}" in message
        # then normal use: the bookmarks from the backup are there
        await pilot.press("2")
        await settle(pilot)
        assert set(paper_list(app).paper_ids) == ids
    # and today's backup was made in a worker
    made = backups.list_backups(paths.backups_path(data_dir))
    assert len(made) == 2 and made[1] == old
    assert bookmarks_in(made[0]) == ids
