"""The JSON / JSONL parser: Hugging Face daily papers, the arXiv metadata snapshot, the
benchmark corpus, reader's own export and generic records; bad lines; streaming."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import re

import pytest
from conftest import shared_path

from reader.model import Paper, paper_id
from reader.parsers import BadRecord, ParseError, jsonish

NEW_ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}$")


def parse_bytes(data: bytes, name: str = "test.jsonl") -> list[Paper | BadRecord]:
    return list(jsonish.parse(io.BytesIO(data), name))


def jsonl(*records) -> bytes:
    return "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
    ).encode("utf-8")


# -- Hugging Face daily papers ------------------------------------------------------------


def hf_papers(file_name: str) -> list[Paper]:
    path = shared_path("formats", "hf_daily_papers", file_name)
    with path.open("rb") as stream:
        records = list(jsonish.parse(stream, file_name))
    assert all(isinstance(record, Paper) for record in records), records
    return records


def test_hf_daily_papers_2024_early_schema():
    papers = hf_papers("hf_daily_papers_2024-05-27.json")
    assert len(papers) == 13
    first = papers[0]
    assert first.id == "arxiv:2405.15738"
    assert first.arxiv_id == "2405.15738"
    # The title is hard-wrapped in the file; the paper gets it on one line.
    assert first.title == (
        "ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models"
    )
    assert first.abstract.startswith("High-resolution Large Multimodal Models (LMMs) encounter")
    assert "\n" not in first.abstract
    assert first.authors[:2] == ("Chunjiang Ge", "Sijie Cheng")
    assert len(first.authors) == 9
    assert first.extra["upvotes"] == 32
    assert first.extra["comments"] == 3
    assert first.published.startswith("2024-05-24")
    assert first.url == "https://huggingface.co/papers/2405.15738"
    assert first.pdf_url == "https://arxiv.org/pdf/2405.15738"
    assert first.sources == ("hf_daily_papers_2024-05-27.json",)
    assert [p.extra["upvotes"] for p in papers] == sorted(
        (p.extra["upvotes"] for p in papers), reverse=True
    )
    assert all(NEW_ARXIV_ID.match(p.arxiv_id) and p.id == f"arxiv:{p.arxiv_id}" for p in papers)
    assert all(p.title and p.abstract and p.authors for p in papers)


def test_hf_daily_papers_2026_newest_schema():
    papers = hf_papers("hf_daily_papers_2026-06-03.json")
    assert len(papers) == 23
    first = papers[0]
    assert first.id == "arxiv:2606.01249"
    assert first.title == "Trust Region On-Policy Distillation"
    assert first.authors == (
        "Xingrun Xing", "Haoqing Wang", "Boyan Gao", "Ziheng Li", "Yehui Tang",
    )
    assert first.extra["upvotes"] == 28
    assert first.extra["ai_summary"].startswith("Trust Region On-Policy Distillation (TrOPD)")
    with_code = [p for p in papers if "github" in p.extra]
    assert len(with_code) == 12
    assert papers[3].extra["github"] == "https://github.com/yczhou001/PF-OPSD"
    assert all(NEW_ARXIV_ID.match(p.arxiv_id) for p in papers)
    assert len({p.id for p in papers}) == 23


def test_hf_items_with_missing_or_renamed_fields_still_parse():
    data = json.dumps([
        {"paper": {"id": "2401.00001", "title": "Only a title"}},
        {"title": "Top-level title", "paper": {
            "id": "2401.00002v2", "summary": "S.", "upvotes": "7",
            "authors": [{"name": "A"}, {"user": {"fullname": "B"}}],
        }},
        {"paper": {"id": "2401.00003", "summary": "no title anywhere"}},
    ]).encode()
    first, second, third = parse_bytes(data, "hf.json")
    assert first.title == "Only a title" and first.abstract == "" and first.authors == ()
    assert second.title == "Top-level title"
    assert second.id == "arxiv:2401.00002"
    assert second.authors == ("A", "B")
    assert second.extra["upvotes"] == 7
    assert third == BadRecord("item 3", "no title")


# -- the arXiv metadata snapshot ----------------------------------------------------------

SNAPSHOT = [
    {
        "id": "0704.0001",
        "submitter": "Pavel Nadolsky",
        "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
        "title": "Calculation of prompt diphoton production cross sections at Tevatron and\n"
                 "  LHC energies",
        "comments": "37 pages, 15 figures; published version",
        "journal-ref": "Phys.Rev.D76:013009,2007",
        "doi": "10.1103/PhysRevD.76.013009",
        "report-no": "ANL-HEP-PR-07-12",
        "categories": "hep-ph",
        "license": None,
        "abstract": "  A fully differential calculation in perturbative quantum chromodynamics is\n"
                    "presented for the production of massive photon pairs at hadron colliders.\n",
        "versions": [
            {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
            {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
        ],
        "update_date": "2008-11-13",
        "authors_parsed": [
            ["Balázs", "C.", ""], ["Berger", "E. L.", ""], ["Nadolsky", "P. M.", ""],
            ["Yuan", "C. -P.", ""],
        ],
    },
    {
        "id": "math/0406001",
        "submitter": "Someone",
        "authors": "J. Smith Jr and A. Doe",
        "title": "An old-style identifier",
        "comments": None,
        "journal-ref": None,
        "doi": None,
        "categories": "math.CO math.PR",
        "abstract": "First paragraph\nwrapped.\n\n  Second paragraph.",
        "versions": [{"version": "v2", "created": "Wed, 2 Jun 2004 10:00:00 GMT"},
                     {"version": "v1", "created": "Tue, 1 Jun 2004 09:00:00 GMT"}],
        "update_date": "2004-06-02",
        "authors_parsed": [["Smith", "John", "Jr"], ["Doe", "A.", ""]],
    },
    {
        "id": "2310.01234",
        "authors": "Ann One, Bob Two and Cy Three",
        "title": "No parsed authors",
        "categories": "cs.LG stat.ML",
        "abstract": "Text.",
        "versions": [{"version": "v1", "created": "Mon, 2 Oct 2023 17:59:59 GMT"}],
        "update_date": "2023-10-03",
    },
]


def test_arxiv_snapshot_records():
    first, old, plain = parse_bytes(jsonl(*SNAPSHOT), "arxiv-metadata-oai-snapshot.json")
    assert first.id == "arxiv:0704.0001"
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.abstract.startswith("A fully differential calculation in perturbative")
    assert "\n" not in first.abstract
    assert first.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")
    assert first.published == "2007-04-02"
    assert first.updated == "2008-11-13"
    assert first.doi == "10.1103/physrevd.76.013009"
    assert first.journal_ref == "Phys.Rev.D76:013009,2007"
    assert first.comment == "37 pages, 15 figures; published version"
    assert first.categories == ("hep-ph",)
    assert first.url == "https://arxiv.org/abs/0704.0001"
    assert first.pdf_url == "https://arxiv.org/pdf/0704.0001"

    assert old.id == "arxiv:math/0406001"
    assert old.authors == ("John Smith Jr", "A. Doe")
    assert old.published == "2004-06-01"  # v1, though v2 is listed first
    assert old.categories == ("math.CO", "math.PR")
    assert old.abstract == "First paragraph wrapped.\n\nSecond paragraph."
    assert old.comment == "" and old.doi == "" and old.journal_ref == ""

    assert plain.authors == ("Ann One", "Bob Two", "Cy Three")
    assert plain.published == "2023-10-02"


# -- the benchmark corpus -----------------------------------------------------------------


def corpus_head(file_name: str, count: int = 200) -> list[dict]:
    path = shared_path("corpus", file_name)
    with gzip.open(path, "rb") as stream:
        return [json.loads(line) for line in itertools.islice(stream, count)]


@pytest.mark.parametrize("file_name", ["arxiv_daily_01.jsonl.gz", "conference_papers_01.jsonl.gz"])
def test_corpus_records_parse_with_titles_and_abstracts(file_name):
    path = shared_path("corpus", file_name)
    with gzip.open(path, "rb") as stream:
        papers = list(itertools.islice(jsonish.parse(stream, file_name), 200))
    records = corpus_head(file_name)
    assert len(papers) == 200
    assert all(isinstance(p, Paper) for p in papers)
    for paper, record in zip(papers, records, strict=True):
        assert paper.title == record["title"]
        assert paper.abstract == record["abstract"]
        assert paper.authors == tuple(record["authors"])
        assert paper.published == record["published"]
        assert paper.url == record["url"]
        if record["id"].startswith("arxiv:"):
            assert paper.id == record["id"]
            assert paper.arxiv_id == record["id"].removeprefix("arxiv:")
        else:
            assert paper.id == paper_id(record["title"])
            assert paper.extra["source_id"] == record["id"]
            assert paper.venue == record["categories"][0]
            assert re.match(r"^\S.* \d{4}$", paper.venue)


# -- bad lines and streaming --------------------------------------------------------------


def test_broken_line_in_the_middle_is_reported_and_reading_goes_on():
    data = jsonl(
        {"title": "One", "abstract": "a"},
        {"title": "Two", "abstract": "b"},
        '{"title": "Broken", "abstract": ',
        "",
        "[1, 2]",
        {"abstract": "no title here"},
        {"title": "Three", "abstract": "c"},
    )
    records = parse_bytes(data)
    assert [r.title for r in records if isinstance(r, Paper)] == ["One", "Two", "Three"]
    bad = [r for r in records if isinstance(r, BadRecord)]
    assert [b.where for b in bad] == ["line 3", "line 5", "line 6"]
    assert "not valid JSON" in bad[0].problem
    assert "not a JSON object" in bad[1].problem
    assert bad[2].problem == "no title"


def test_bad_bytes_and_a_bom_do_not_stop_the_file():
    data = b"\xef\xbb\xbf" + jsonl({"title": "First"}) + b'{"title": "Caf\xe9 bad byte"}\n'
    first, second = parse_bytes(data)
    assert first.title == "First"
    assert second.title == "Caf\ufffd bad byte"


def test_an_over_long_line_is_skipped_without_keeping_it(monkeypatch):
    monkeypatch.setattr(jsonish, "MAX_LINE", 1000)
    data = jsonl({"title": "Before"}, {"title": "Huge", "abstract": "x" * 50_000},
                 {"title": "After"})
    records = parse_bytes(data)
    assert records[0].title == "Before"
    assert records[1] == BadRecord("line 2", records[1].problem)
    assert "longer than" in records[1].problem
    assert records[2].title == "After"


class _LineStream(io.RawIOBase):
    """A binary stream fed from a generator of lines, one line per read."""

    def __init__(self, lines):
        self._lines = iter(lines)
        self._pending = b""

    def readable(self):
        return True

    def readinto(self, buffer):
        if not self._pending:
            self._pending = next(self._lines, b"")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def test_jsonl_is_read_lazily():
    def lines():
        for number in range(1, 4):
            yield jsonl({"title": f"Paper {number}"})
        raise AssertionError("read past the third line")

    stream = io.BufferedReader(_LineStream(lines()))
    taken = list(itertools.islice(jsonish.parse(stream, "big.jsonl"), 2))
    assert [p.title for p in taken] == ["Paper 1", "Paper 2"]


# -- whole documents ----------------------------------------------------------------------


def test_pretty_printed_object_with_a_list_of_papers():
    data = json.dumps(
        {"count": 2, "results": [{"title": "A", "summary": "S"}, {"title": "B"}]}, indent=2
    ).encode()
    first, second = parse_bytes(data, "api.json")
    assert (first.title, first.abstract, second.title) == ("A", "S", "B")


def test_array_with_a_non_object_item():
    records = parse_bytes(b'[{"title": "A"}, "oops", {"title": "B"}]', "list.json")
    assert [getattr(r, "title", None) for r in records] == ["A", None, "B"]
    assert records[1] == BadRecord("item 2", "not a JSON object (found a string)")


def test_unreadable_documents_raise_parse_error():
    with pytest.raises(ParseError, match="not valid JSON") as error:
        parse_bytes(b'[\n{"title": "A"},\n{"title": \n', "cut.json")
    assert error.value.line == 4
    with pytest.raises(ParseError, match="not valid JSON") as error:
        parse_bytes(b'{\n  "papers": [\n    {"title": "A"},\n    {"title"\n', "cut.json")
    assert error.value.line == 5
    with pytest.raises(ParseError, match="empty"):
        parse_bytes(b"  \n ", "empty.json")
    with pytest.raises(ParseError, match="no list of papers"):
        parse_bytes(json.dumps({"a": 1, "b": {"c": 2}}, indent=1).encode(), "other.json")


def test_generic_records_and_author_spellings():
    data = jsonl(
        {"title": "Strings", "description": "D", "authors": "Ann One, Bob Two and Cy Three",
         "year": 2021, "doi": "https://doi.org/10.1234/ABC"},
        {"Title": "CSL", "abstract": "A", "author": [{"given": "Ada", "family": "Lovelace"}],
         "issued": {"date-parts": [[2020, 5, 1]]}, "container-title": "Journal of Things"},
        {"title": "From a URL", "url": "https://arxiv.org/abs/2101.00001v3",
         "authors": ["Solo Author"], "categories": "cs.CL, cs.AI"},
    )
    strings, csl, url = parse_bytes(data)
    assert strings.authors == ("Ann One", "Bob Two", "Cy Three")
    assert strings.abstract == "D"
    assert strings.published == "2021"
    assert strings.doi == "10.1234/abc"
    assert csl.authors == ("Ada Lovelace",)
    assert csl.published == "2020-05-01"
    assert csl.venue == "Journal of Things"
    assert url.id == "arxiv:2101.00001"
    assert url.categories == ("cs.CL", "cs.AI")


def test_own_export_keeps_its_id_and_fields():
    record = {
        "id": "title:0123456789abcdef", "title": "Kept", "abstract": "  spaces  kept ",
        "authors": ["A"], "sources": ["library"], "published": "2024", "updated": "",
        "url": "", "pdf_url": "", "categories": [], "arxiv_id": "", "doi": "10.1/X",
        "venue": "", "journal_ref": "", "comment": "", "extra": {"upvotes": 3},
    }
    (paper,) = parse_bytes(jsonl(record))
    assert paper.id == "title:0123456789abcdef"
    assert paper.abstract == "  spaces  kept "
    assert paper.doi == "10.1/X"
    assert paper.sources == ("library",)
    assert paper.extra == {"upvotes": 3}


def test_looks_like():
    assert jsonish.looks_like('\ufeff  \n{"title": "x"}')
    assert jsonish.looks_like("[\n  {")
    assert not jsonish.looks_like("@article{key,")
    assert not jsonish.looks_like("title,abstract\n")
