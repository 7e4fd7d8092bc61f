"""The ``reader`` command: subcommands print for scripts, errors are one line."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import reader
from reader import paths
from reader.cli import main
from reader.library import Library
from reader.model import make_paper, paper_id

REPO = Path(__file__).resolve().parents[1]
EIGHT_BIT = "8-bit Optimizers via Block-wise Quantization"
QUANTUM = "Automated distribution of quantum circuits via hypergraph partitioning"


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, READER_DATA_DIR=str(data_dir), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def bookmark(data_dir: Path, *titles_and_times: tuple[str, float]) -> None:
    library = Library.open(data_dir)
    try:
        for title, added_at in titles_and_times:
            library.store.add_bookmark(library.paper(paper_id(title)), added_at=added_at)
    finally:
        library.close()


def garbage_store(data_dir: Path) -> bytes:
    data_dir.mkdir(parents=True, exist_ok=True)
    garbage = random.Random(99).randbytes(8192)
    paths.store_path(data_dir).write_bytes(garbage)
    return garbage


def newer_store(data_dir: Path) -> None:
    """A store made by a newer reader: refused, never taken for damage."""
    from reader.store.schema import SCHEMA_VERSION

    data_dir.mkdir(parents=True, exist_ok=True)
    raw = sqlite3.connect(paths.store_path(data_dir))
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()


def assert_one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("reader: error:")
    return lines[0]


# -- search ------------------------------------------------------------------------------


def test_search_prints_id_tab_title_best_first(data_dir):
    result = run("search", "quantization", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{paper_id(EIGHT_BIT)}\t{EIGHT_BIT}"
    assert len(lines) >= 2
    for line in lines:
        paper, title = line.split("\t")
        assert paper == paper_id(title)
    assert result.stderr == ""  # no progress chatter when stderr is not a terminal


def test_search_limit(data_dir):
    result = run("search", "optimizers", "--limit", "1", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_search_joins_its_words(data_dir, capsys):
    # Two papers talk about quantization, several about embeddings; one about both.
    assert main(["search", "quantization"]) == 0
    assert len(capsys.readouterr().out.splitlines()) >= 2
    assert main(["search", "embedding"]) == 0
    assert len(capsys.readouterr().out.splitlines()) >= 2
    assert main(["search", "quantization", "embedding"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{paper_id(EIGHT_BIT)}\t{EIGHT_BIT}"]


def test_search_json(data_dir):
    result = run("search", "quantization", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    papers = json.loads(result.stdout)
    assert isinstance(papers, list) and len(papers) >= 2
    assert papers[0]["title"] == EIGHT_BIT
    assert papers[0]["id"] == paper_id(EIGHT_BIT)
    assert "block-wise" in papers[0]["abstract"].lower()
    for paper in papers:
        assert isinstance(paper["title"], str) and paper["title"]
        assert isinstance(paper["abstract"], str) and paper["abstract"]


def test_search_without_matches_prints_nothing(data_dir, capsys):
    assert main(["search", "zyxwvut"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["search", "zyxwvut", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_search_shows_safe_titles(data_dir, capsys):
    library = Library.open(data_dir)
    hostile = "\x1b]0;pwned\x07Zygote \x1b[31mred\x1b[0m\tpaper\n[bold]x[/]"
    library.store.add_papers([make_paper(hostile, "An abstract about zygotes.")])
    library.close()
    assert main(["search", "zygote"]) == 0
    out = capsys.readouterr().out
    assert out == f"{paper_id(hostile)}\tZygote red paper [bold]x[/]\n"


# -- bookmarks ---------------------------------------------------------------------------


def test_bookmarks_empty_then_listed_newest_first(data_dir):
    result = run("bookmarks", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""

    bookmark(data_dir, (EIGHT_BIT, 1000.0), (QUANTUM, 2000.0))
    result = run("bookmarks", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{paper_id(QUANTUM)}\t{QUANTUM}",
        f"{paper_id(EIGHT_BIT)}\t{EIGHT_BIT}",
    ]


def test_bookmarks_toggled_through_the_library_show_up(data_dir, capsys):
    library = Library.open(data_dir)
    assert library.toggle_bookmark(library.paper(paper_id(EIGHT_BIT))) is True
    library.close()
    assert main(["bookmarks"]) == 0
    assert capsys.readouterr().out == f"{paper_id(EIGHT_BIT)}\t{EIGHT_BIT}\n"


def test_bookmarks_json_has_the_time(data_dir):
    assert json.loads(run("bookmarks", "--json", data_dir=data_dir).stdout) == []
    bookmark(data_dir, (EIGHT_BIT, 1234.5), (QUANTUM, 2345.5))
    result = run("bookmarks", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(b["title"], b["bookmarked_at"]) for b in data] == [
        (QUANTUM, 2345.5),
        (EIGHT_BIT, 1234.5),
    ]
    assert all(b["abstract"] for b in data)


# -- paths and options -------------------------------------------------------------------


def printed_paths(stdout: str) -> dict[str, Path]:
    return {
        label: Path(value)
        for label, value in (line.split(None, 1) for line in stdout.splitlines())
    }


def test_paths_are_under_the_data_dir(data_dir):
    result = run("paths", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    printed = printed_paths(result.stdout)
    root = data_dir.resolve()
    assert printed["data"] == root
    assert set(printed) == {"data", "store", "index", "backups"}
    for path in printed.values():
        assert path == root or root in path.parents


@pytest.mark.parametrize("where", ["before", "after"])
def test_data_dir_option_overrides_the_environment(data_dir, tmp_path, where):
    other = tmp_path / "elsewhere"
    args = ["--data-dir", str(other), "paths"] if where == "before" else [
        "paths", "--data-dir", str(other)
    ]
    result = run(*args, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    printed = printed_paths(result.stdout)
    assert printed["data"] == other.resolve()
    assert other.resolve() in printed["store"].parents


@pytest.mark.parametrize("where", ["before", "after"])
def test_data_dir_option_decides_where_the_library_lives(data_dir, tmp_path, capsys, where):
    other = tmp_path / "elsewhere"
    search = ["search", "quantization", "--limit", "1"]
    args = ["--data-dir", str(other), *search] if where == "before" else [
        *search, "--data-dir", str(other)
    ]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith(paper_id(EIGHT_BIT))
    assert paths.store_path(other).exists()
    assert not paths.store_path(data_dir).exists()


def test_version(data_dir):
    result = run("--version", data_dir=data_dir)
    assert result.returncode == 0
    assert result.stdout.strip() == f"reader {reader.__version__}"


def test_version_in_process(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert reader.__version__ in capsys.readouterr().out


def test_help(data_dir):
    result = run("--help", data_dir=data_dir)
    assert result.returncode == 0
    for command in ("search", "bookmarks", "paths", "--data-dir"):
        assert command in result.stdout


# -- errors ------------------------------------------------------------------------------


def test_limit_zero_is_one_error_line(data_dir):
    result = run("search", "x", "--limit", "0", data_dir=data_dir)
    assert result.returncode != 0
    line = assert_one_error_line(result.stderr)
    assert "--limit" in line
    assert result.stdout == ""


def test_garbage_store_is_moved_aside_in_one_warning_line(data_dir):
    garbage = garbage_store(data_dir)
    result = run("search", "quantization", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    [line] = result.stderr.splitlines()
    store = paths.store_path(data_dir.resolve())
    assert line.startswith(f"reader: warning: {store}: the library store was damaged (")
    assert "no backup to restore, so this is a new library" in line
    # never deleted: the damaged bytes are kept beside, and the command went on
    [aside] = data_dir.glob("library.sqlite3.damaged-*")
    assert aside.name in line
    assert aside.read_bytes() == garbage
    assert EIGHT_BIT in result.stdout


def test_a_command_backs_up_the_store_once_a_day_and_restores_it_when_damaged(data_dir):
    bookmark(data_dir, (EIGHT_BIT, 1.0))
    assert run("bookmarks", data_dir=data_dir).stderr == ""
    [backup] = (data_dir / "backups").glob("library-*.sqlite3")
    assert run("links", paper_id(EIGHT_BIT), data_dir=data_dir).returncode == 0
    assert list((data_dir / "backups").glob("library-*.sqlite3")) == [backup]
    store = paths.store_path(data_dir)
    store.write_bytes(store.read_bytes()[: store.stat().st_size // 2])

    result = run("bookmarks", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"reader: warning: {paths.store_path(data_dir.resolve())}: "
                           "the library store was damaged (truncated: ")
    assert "and restored the backup of" in line
    assert result.stdout.splitlines() == [f"{paper_id(EIGHT_BIT)}\t{EIGHT_BIT}"]


def test_store_from_a_newer_reader_is_one_error_line_and_left_alone(data_dir):
    newer_store(data_dir)
    result = run("search", "x", data_dir=data_dir)
    assert result.returncode != 0
    line = assert_one_error_line(result.stderr)
    assert str(paths.store_path(data_dir.resolve())) in line
    assert "newer reader" in line
    assert result.stdout == ""
    raw = sqlite3.connect(paths.store_path(data_dir))
    assert raw.execute("PRAGMA user_version").fetchone()[0] > 0  # not replaced
    raw.close()
    assert not list(data_dir.glob("*.damaged-*"))


@pytest.mark.parametrize(
    "args",
    [["search", "x", "--limit", "0"], ["search", "x", "--limit", "-5"], ["bookmarks"]],
)
def test_errors_in_process(data_dir, capsys, args):
    if args == ["bookmarks"]:  # a store from a newer reader
        newer_store(data_dir)
    status = main(args)
    assert status != 0
    captured = capsys.readouterr()
    assert_one_error_line(captured.err)
    assert captured.out == ""


def test_indexing_progress_on_a_terminal_is_one_line(data_dir, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["search", "quantization", "--limit", "1"]) == 0
    err = capsys.readouterr().err
    assert "indexing 36/36 papers" in err
    # What the terminal shows: the last carriage-return segment of each line.
    visible = [line.split("\r")[-1] for line in err.split("\n")]
    [shown] = [line for line in visible if line]
    assert shown.endswith("100% indexing 36/36 papers")


def test_search_sorts_by_title_and_date(data_dir, capsys, tmp_path):
    import json as _json

    rows = [
        {"title": "Beta zebras", "abstract": "zebra one", "published": "2021-01-01"},
        {"title": "Alpha zebras", "abstract": "zebra two", "published": "2023-01-01"},
        {"title": "Gamma zebras", "abstract": "zebra three", "published": "2022-01-01"},
    ]
    path = tmp_path / "z.jsonl"
    path.write_text("".join(_json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["import", str(path)]) == 0
    capsys.readouterr()

    def titles(*extra):
        assert main(["search", "zebra", *extra]) == 0
        return [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()]

    assert titles("--sort", "title") == ["Alpha zebras", "Beta zebras", "Gamma zebras"]
    assert titles("--sort", "newest") == ["Alpha zebras", "Gamma zebras", "Beta zebras"]
    assert titles("--sort", "oldest") == ["Beta zebras", "Gamma zebras", "Alpha zebras"]
    assert sorted(titles()) == ["Alpha zebras", "Beta zebras", "Gamma zebras"]


def test_links_prints_a_papers_links(data_dir, capsys, tmp_path):
    import json as _json

    row = {"id": "arxiv:2401.00007", "title": "Linked", "doi": "10.1/x",
           "abstract": "Code: https://github.com/a/b."}
    path = tmp_path / "l.jsonl"
    path.write_text(_json.dumps(row) + "\n", encoding="utf-8")
    assert main(["import", str(path)]) == 0
    capsys.readouterr()
    assert main(["links", "arxiv:2401.00007"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "abstract\thttps://arxiv.org/abs/2401.00007",
        "PDF\thttps://arxiv.org/pdf/2401.00007",
        "DOI\thttps://doi.org/10.1/x",
        "code\thttps://github.com/a/b",
    ]
    assert main(["links", "nope"]) == 1
    assert capsys.readouterr().err.startswith("reader: error: no paper with the id 'nope'")


def test_search_sorts_by_upvotes(data_dir, capsys, tmp_path):
    import json as _json

    rows = [{"title": f"Upvoted zebra {n}", "abstract": "zebra", "upvotes": n} for n in (5, 50, 7)]
    rows.append({"title": "Unvoted zebra", "abstract": "zebra"})
    path = tmp_path / "u.jsonl"
    path.write_text("".join(_json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["import", str(path)]) == 0
    capsys.readouterr()
    assert main(["search", "zebra", "--sort", "upvotes"]) == 0
    titles = [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()]
    assert titles == ["Upvoted zebra 50", "Upvoted zebra 7", "Upvoted zebra 5", "Unvoted zebra"]


def test_bookmarks_backup_moves_to_a_new_machine(data_dir, capsys, tmp_path, monkeypatch):
    from reader.library import Library

    library = Library.open(data_dir)
    kept = library.store.paper_ids()[:3]
    for number, kept_id in enumerate(kept):
        library.store.add_bookmark(library.paper(kept_id), added_at=1000.0 + number)
    library.set_note(kept[0], "Read for Friday")
    library.set_read(kept[1])
    note_time = library.store.all_notes()[0][2]
    read_time = library.store.all_read_marks()[0][1]
    library.close()
    backup = tmp_path / "bookmarks.json"
    assert main(["bookmarks", "export", "-o", str(backup)]) == 0
    assert "exported 3 bookmarks" in capsys.readouterr().err
    assert main(["bookmarks", "export", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.count("## ") == 3

    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "new-machine"))
    assert main(["bookmarks", "import", str(backup)]) == 0
    assert "restored 3 bookmarks" in capsys.readouterr().out
    moved = Library(tmp_path / "new-machine")
    try:
        assert [(b.paper.id, b.added_at) for b in moved.bookmarks()] == [
            (kept[2], 1002.0), (kept[1], 1001.0), (kept[0], 1000.0)
        ]
        assert sorted(moved.store.paper_ids()) == sorted(kept)  # the sample made way
        assert moved.store.all_notes() == [(kept[0], "Read for Friday", note_time)]
        assert moved.store.all_read_marks() == [(kept[1], read_time)]
    finally:
        moved.close()


def test_a_file_that_is_not_a_backup_is_refused_in_one_line(data_dir, capsys, tmp_path):
    bogus = tmp_path / "x.json"
    bogus.write_text('{"bookmarks": 3}', encoding="utf-8")
    assert main(["bookmarks", "import", str(bogus)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a reader bookmarks backup" in err
