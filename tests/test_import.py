"""Importing files into the library: detection, all-or-nothing, dedupe and merge,
re-import, the sample making way, and the index keeping step."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.cli import main
from reader.library import Library
from reader.parsers import ParseError
from reader.sources.sample import sample_papers

ROOT = Path(__file__).resolve().parents[1]


def record(n: int, **fields) -> dict:
    data = {
        "id": f"arxiv:2401.{n:05d}",
        "title": f"Paper number {n} about stochastic zebras",
        "abstract": f"We study zebra {n} with care and at length, in many settings.",
        "authors": ["Ada Lovelace", "Grace Hopper"],
        "published": "2024-01-15",
        "categories": ["cs.LG"],
    }
    data.update(fields)
    return data


def write_jsonl(path: Path, records: list, *, gz: bool = False) -> Path:
    text = "".join(
        (line if isinstance(line, str) else json.dumps(line)) + "\n" for line in records
    )
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def lib(library):
    """The library on the sample (conftest's), under a short name."""
    return library


def snapshot(library: Library) -> tuple:
    """Everything a user could see of the library."""
    ids = library.store.paper_ids()
    return (
        ids,
        library.papers(ids),
        [(b.paper.id, b.added_at) for b in library.bookmarks()],
        library.store.generation(),
    )


def test_import_adds_papers_and_a_second_import_adds_nothing(lib, tmp_path):
    path = write_jsonl(tmp_path / "papers.jsonl", [record(n) for n in range(5)])
    first = lib.import_file(path)
    assert (first.added, first.updated, first.unchanged, first.skipped) == (5, 0, 0, [])
    second = lib.import_file(path)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 5)
    assert lib.counts().papers == 5  # the sample made way


def test_gzip_is_read_transparently(lib, tmp_path):
    path = write_jsonl(tmp_path / "papers.jsonl.gz", [record(n) for n in range(3)], gz=True)
    report = lib.import_file(path)
    assert report.added == 3
    assert lib.paper("arxiv:2401.00001").sources == ("papers.jsonl",)


def test_the_sample_makes_way_but_bookmarked_sample_papers_stay(lib, tmp_path):
    kept = sample_papers()[7]
    lib.toggle_bookmark(kept)
    lib.import_file(write_jsonl(tmp_path / "mine.jsonl", [record(1)]))
    assert lib.store.paper_ids() == [kept.id, "arxiv:2401.00001"]
    lib.ensure_index()
    assert lib.search("quantization") == []  # the retired sample is out of the index too
    assert lib.search("zebra") == ["arxiv:2401.00001"]
    # a second import keeps everything that is there
    lib.import_file(write_jsonl(tmp_path / "more.jsonl", [record(2)]))
    assert lib.counts().papers == 3


def test_a_bad_record_fails_the_whole_file_and_names_it(lib, tmp_path):
    lib.import_file(write_jsonl(tmp_path / "good.jsonl", [record(1)]))
    lib.toggle_bookmark(lib.paper("arxiv:2401.00001"))
    before = snapshot(lib)
    bad = write_jsonl(tmp_path / "bad.jsonl", [record(2), record(3), "{not json", record(4)])
    with pytest.raises(ParseError) as caught:
        lib.import_file(bad)
    message = str(caught.value)
    assert "bad.jsonl" in message and "line 3" in message and "\n" not in message
    assert snapshot(lib) == before


def test_skip_bad_goes_on_and_lists_what_it_skipped(lib, tmp_path):
    bad = write_jsonl(
        tmp_path / "bad.jsonl", [record(2), "{not json", {"abstract": "no title"}, record(4)]
    )
    report = lib.import_file(bad, skip_bad=True)
    assert report.added == 2
    assert [bad.where for bad in report.skipped] == ["line 2", "line 3"]


def test_an_interrupted_import_leaves_the_library_as_it_was(lib, tmp_path, monkeypatch):
    lib.import_file(write_jsonl(tmp_path / "first.jsonl", [record(1)]))
    before = snapshot(lib)
    import reader.importer as importer

    real = importer.read_papers

    def interrupted(*args, **kwargs):
        for count, paper in enumerate(real(*args, **kwargs)):
            if count == 3:
                raise KeyboardInterrupt
            yield paper

    monkeypatch.setattr("reader.importer.read_papers", interrupted)
    with pytest.raises(KeyboardInterrupt):
        lib.import_file(write_jsonl(tmp_path / "big.jsonl", [record(n) for n in range(10, 20)]))
    assert snapshot(lib) == before


def test_a_killed_import_leaves_the_library_as_it_was(data_dir, tmp_path):
    lib = Library.open(data_dir)
    lib.import_file(write_jsonl(tmp_path / "first.jsonl", [record(1)]))
    before = snapshot(lib)
    lib.close()
    big = write_jsonl(tmp_path / "big.jsonl", [record(n) for n in range(10, 60010)])
    env = {**os.environ, "READER_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "import", str(big)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)  # well into the import, long before it is done
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    again = Library(data_dir)
    try:
        assert snapshot(again) == before
    finally:
        again.close()


def test_same_paper_by_arxiv_version_doi_or_title_is_merged(lib, tmp_path):
    lib.import_file(write_jsonl(tmp_path / "a.jsonl", [
        record(1, abstract="", authors=[]),
        record(2, id="x", title="A Paper Known By Its DOI", doi="10.1000/ABC"),
        record(3, id="y", title="The Same Title, Written Twice"),
    ]))
    lib.toggle_bookmark(lib.paper("arxiv:2401.00001"))
    report = lib.import_file(write_jsonl(tmp_path / "b.jsonl", [
        record(1, id="arxiv:2401.00001v3", abstract="Now with an abstract."),
        record(5, id="z", title="Another name entirely", doi="https://doi.org/10.1000/abc"),
        record(6, id="w", title="the same title written twice", abstract="other text"),
    ]))
    assert (report.added, report.updated) == (0, 3)
    assert lib.counts().papers == 3
    merged = lib.paper("arxiv:2401.00001")
    assert merged.abstract == "Now with an abstract."  # filled in
    assert merged.authors == ("Ada Lovelace", "Grace Hopper")  # filled in too
    assert merged.sources == ("a.jsonl", "b.jsonl")
    assert lib.bookmarked_ids() == {"arxiv:2401.00001"}  # the bookmark is untouched
    by_doi = [p for p in lib.papers(lib.store.paper_ids()).values() if p.doi]
    assert [p.title for p in by_doi] == ["A Paper Known By Its DOI"]  # the first title kept


def test_the_index_catches_up_with_imports_in_place(lib, tmp_path):
    lib.import_file(write_jsonl(tmp_path / "a.jsonl", [record(n) for n in range(3)]))
    lib.ensure_index()
    built = sorted(p.name for p in lib.index.path.iterdir())
    lib.import_file(write_jsonl(tmp_path / "b.jsonl", [
        record(1, abstract="", authors=[]),
        record(9, title="A late paper on quokkas", abstract="Quokkas, at length."),
    ]))
    assert not lib.index_is_current()
    assert lib.ensure_index() is True
    assert lib.index_is_current()
    after = sorted(p.name for p in lib.index.path.iterdir())
    assert set(built) & set(after)  # the old segment is still there: updated, not rebuilt
    assert lib.search("quokkas") == ["arxiv:2401.00009"]
    assert set(lib.search("source:b.jsonl")) == {"arxiv:2401.00001", "arxiv:2401.00009"}
    assert set(lib.search("zebra")) == {"arxiv:2401.00000", "arxiv:2401.00001", "arxiv:2401.00002"}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"\x00\x01\x02\x03binary", "binary file"),
        (b"\x1f\x8b\x08\x00garbage-gzip", "damaged gzip"),
    ],
)
def test_unreadable_files_get_one_clear_line_and_change_nothing(lib, tmp_path, content, problem):
    before = snapshot(lib)
    path = tmp_path / "input.dat"
    path.write_bytes(content)
    with pytest.raises(ParseError) as caught:
        lib.import_file(path)
    assert str(caught.value).startswith(str(path)) and problem in str(caught.value)
    assert snapshot(lib) == before


def test_a_huge_single_line_is_an_error_not_a_crash(lib, tmp_path):
    before = snapshot(lib)
    path = tmp_path / "huge.txt"
    path.write_bytes(b"x" * (100 * 1024 * 1024))
    with pytest.raises(ParseError) as caught:
        lib.import_file(path)
    assert "huge.txt" in str(caught.value)
    assert snapshot(lib) == before


def test_cli_import_prints_a_summary_per_file_and_fails_on_a_bad_one(
    data_dir, tmp_path, capsys
):
    good = write_jsonl(tmp_path / "good.jsonl", [record(n) for n in range(4)])
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x00")
    assert main(["import", str(good), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert f"{good}: added 4, updated 0, unchanged 0, skipped 0" in out
    assert err.count("\n") == 1 and err.startswith("reader: error:") and "bad.bin" in err
    assert main(["import", str(good)]) == 0
    assert "added 0, updated 0, unchanged 4" in capsys.readouterr().out
    assert main(["search", "zebra", "--limit", "10"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4


def test_cli_skip_bad_lists_the_skipped_records_at_the_end(data_dir, tmp_path, capsys):
    path = write_jsonl(tmp_path / "mixed.jsonl", [record(1), "[1, 2", record(2)])
    assert main(["import", "--skip-bad", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "added 2" in lines[0] and "skipped 1" in lines[0]
    assert lines[-2] == "skipped 1 bad records:"
    assert lines[-1].startswith(f"  {path}: line 2: ")


def test_collection_names_the_source(data_dir, tmp_path, capsys):
    path = write_jsonl(tmp_path / "x.jsonl", [record(1)])
    assert main(["import", "--collection", "reading group", str(path)]) == 0
    capsys.readouterr()
    assert main(["search", 'source:"reading group"']) == 0
    assert "arxiv:2401.00001" in capsys.readouterr().out


def _export(fmt: str, path: Path, *extra: str) -> None:
    assert main(["export", "--format", fmt, "-o", str(path), *extra]) == 0


def test_jsonl_export_then_import_round_trips_exactly(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "first"))
    rows = [record(n, doi=f"10.1/{n}", comment="12 pages", extra={"upvotes": n})
            for n in range(5)]
    rows.append(record(9, id="", title="No arXiv id: [bold] $\\alpha$ & ü 漢字"))
    assert main(["import", str(write_jsonl(tmp_path / "in.jsonl", rows))]) == 0
    _export("jsonl", tmp_path / "one.jsonl")
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "second"))
    assert main(["import", str(tmp_path / "one.jsonl")]) == 0
    _export("jsonl", tmp_path / "two.jsonl")
    one = (tmp_path / "one.jsonl").read_text(encoding="utf-8")
    assert one == (tmp_path / "two.jsonl").read_text(encoding="utf-8")
    assert len(one.splitlines()) == 6 and "漢字" in one


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csv"])
def test_exports_import_back_with_titles_authors_abstracts(data_dir, tmp_path, monkeypatch, fmt):
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "first"))
    # (balanced braces are LaTeX groups in BibTeX: a title keeps them only as grouping)
    rows = [record(1, title="Percent 95% of $\\alpha$ & friends", abstract="A_b #1 ~ x."),
            record(2, title="Schrödinger’s zebra: 漢字", authors=["Zoë Ünal", "J. R. R. Tolkien"])]
    assert main(["import", str(write_jsonl(tmp_path / "in.jsonl", rows))]) == 0
    first = Library(tmp_path / "first")
    before = {(p.title, p.authors, p.abstract) for p in first.store.iter_papers()}
    first.close()
    out = tmp_path / f"out.{fmt}"
    _export(fmt, out)
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "second"))
    assert main(["import", str(out)]) == 0
    second = Library(tmp_path / "second")
    after = {(p.title, p.authors, p.abstract) for p in second.store.iter_papers()}
    second.close()
    assert after == before


def test_export_of_bookmarks_and_of_a_query(lib, tmp_path, capsys):
    lib.import_file(write_jsonl(tmp_path / "a.jsonl", [
        record(1), record(2, title="Quokkas are fine", abstract="Quokkas, mostly.")
    ]))
    lib.toggle_bookmark(lib.paper("arxiv:2401.00001"))
    assert main(["export", "--format", "markdown", "--bookmarks"]) == 0
    out = capsys.readouterr().out
    assert "Paper number 1 about stochastic zebras" in out and "Quokkas" not in out
    assert main(["export", "--format", "jsonl", "--query", "quokkas"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["title"] for line in lines] == ["Quokkas are fine"]


def test_a_file_that_is_not_utf8_is_refused_with_its_line(lib, tmp_path):
    before = snapshot(lib)
    latin1 = tmp_path / "latin1.bib"
    latin1.write_bytes(
        b"@article{a, title={Fine}, year=2020}\n\n"
        b"@article{b, title={Caf\xe9 society}, year=2021}\n"
    )
    with pytest.raises(ParseError) as caught:
        lib.import_file(latin1)
    assert str(caught.value).startswith(f"{latin1}:3: not UTF-8 text (byte 0xe9)")
    assert snapshot(lib) == before


def test_invalid_utf8_deep_in_a_gzip_stream_is_refused(lib, tmp_path):
    rows = [json.dumps(record(n)) for n in range(2000)]
    rows[1500] = rows[1500].replace("zebra", "zebr\xff").encode("latin-1").decode("latin-1")
    data = ("\n".join(rows) + "\n").encode("utf-8").replace("zebrÿ".encode(), b"zebr\xff")
    path = tmp_path / "deep.jsonl.gz"
    path.write_bytes(gzip.compress(data))
    before = snapshot(lib)
    with pytest.raises(ParseError) as caught:
        lib.import_file(path)
    assert ":1501: not UTF-8" in str(caught.value)
    assert snapshot(lib) == before


def test_every_real_export_imports_and_a_second_import_adds_nothing(lib):
    from conftest import shared_path

    folder = shared_path("formats")
    files = sorted(p for p in folder.glob("*/*") if p.is_file())
    assert len(files) >= 11
    first = [lib.import_file(path) for path in files]
    assert all(report.added > 0 for report in first), [r.summary() for r in first]
    again = [lib.import_file(path) for path in files]
    assert [(r.added, r.updated) for r in again] == [(0, 0)] * len(files)
    assert all(r.unchanged > 0 for r in again)
