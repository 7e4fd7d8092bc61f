"""Export writers: every format, written with awkward papers and read back."""

from __future__ import annotations

import csv
import io

import bibtexparser
import pytest
import rispy
from markdown_it import MarkdownIt
from pylatexenc.latex2text import LatexNodes2Text

from reader.exporters import EXTENSIONS, FORMATS, bibtex
from reader.model import Paper, make_paper
from reader.parsers import jsonish, table

AWKWARD = [
    make_paper(
        "{Braces} & 100% of $\\alpha$-nets: x_1 [bold] *x* #1 ~ \"quoted\"",
        "We cut costs by 50% & more, for $5 (not $10).\n\n"
        "Second paragraph: café, naïve, 深度学习, {unbalanced and a_b ^ c.",
        arxiv_id="2405.12345v2",
        authors=["Ada Lovelace", "Émile Zoé", "李明", "Research and Development Team"],
        sources=("test",),
        published="2024-05-27",
        categories=["cs.LG", "cs.AI"],
        comment="12 pages; 5% of figures",
        extra={"upvotes": 3},
    ),
    make_paper(
        "中文标题: [bold] Learning \"Quotes\" } in C#",
        "An abstract with <em>tags</em> &amp; entities.",
        authors=["O'Brien, Jr.", "Zoë Müller"],
        sources=("test",),
        published="2021",
        venue="ICRA 2021",
        doi="10.1109/ICRA48506.2021.9561755",
        url="https://ieeexplore.ieee.org/document/9561755?a=1&b=2%20",
        extra={"source_id": "icra2021:9561755"},
    ),
    make_paper("[bold] *x*", sources=("test",)),
]
NOTES = {AWKWARD[0].id: "Read *this* first: 50% of it & more.", AWKWARD[2].id: "A short note"}


def export(format_name: str, papers=AWKWARD, notes=NOTES) -> str:
    out = io.StringIO()
    assert FORMATS[format_name](iter(papers), out, notes) == len(papers)
    return out.getvalue()


def test_every_format_is_registered_with_an_extension():
    assert set(FORMATS) == {"jsonl", "bibtex", "ris", "csv", "markdown"}
    assert set(EXTENSIONS) == set(FORMATS)
    for name in FORMATS:
        assert export(name, papers=[]) in ("", "id,title,authors,published,venue,doi,url,"
                                              "arxiv_id,categories,abstract,note\n")


def test_jsonl_round_trips_field_for_field():
    text = export("jsonl")
    assert len(text.splitlines()) == 3
    assert "深度学习" in text  # written as UTF-8, not \u escapes
    back = list(jsonish.parse(io.BytesIO(text.encode("utf-8")), "export.jsonl"))
    assert back == AWKWARD


def test_jsonl_round_trip_keeps_ids_that_differ_from_the_computed_one():
    paper = Paper(id="title:00000000000000ff", title="Renamed later", sources=("a", "b"))
    back = list(jsonish.parse(io.BytesIO(export("jsonl", [paper]).encode()), "x.jsonl"))
    assert back == [paper]


def test_bibtex_reads_back_with_titles_authors_and_abstracts_intact():
    text = export("bibtex")
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    entries = library.entries
    assert len(entries) == 3
    for paper, entry in zip(AWKWARD, entries, strict=True):
        assert bibtex.unescape(entry["title"]) == paper.title
        if paper.abstract:
            assert bibtex.unescape(entry["abstract"]) == paper.abstract
        else:
            assert "abstract" not in entry.fields_dict
        if paper.authors:
            assert bibtex.split_authors(entry["author"]) == list(paper.authors)
    arxiv, conference, bare = entries
    assert arxiv.key == "lovelace2024braces"
    assert arxiv.entry_type == "misc"
    assert arxiv["eprint"] == "2405.12345"
    assert arxiv["archivePrefix"] == "arXiv"
    assert arxiv["primaryClass"] == "cs.LG"
    assert arxiv["year"] == "2024" and arxiv["month"] == "may"
    assert bibtex.unescape(arxiv["note"]) == "12 pages; 5% of figures"
    assert bibtex.unescape(arxiv["annote"]) == NOTES[AWKWARD[0].id]
    assert conference.entry_type == "inproceedings"
    assert conference["booktitle"] == "ICRA 2021"
    assert conference["doi"] == "10.1109/icra48506.2021.9561755"
    assert conference["url"] == AWKWARD[1].url
    assert bare.key == "anonbold"


def test_bibtex_is_valid_latex_text():
    """What LaTeX typesets: the characters themselves, math as math, balanced braces as
    groups (invisible), unbalanced ones as braces."""
    entry = bibtexparser.parse_string(export("bibtex")).entries[0]
    shown = LatexNodes2Text().latex_to_text(entry["title"])
    assert shown == 'Braces & 100% of α-nets: x_1 [bold] *x* #1 ~ "quoted"'
    abstract = LatexNodes2Text().latex_to_text(entry["abstract"])
    assert "50% & more, for $5 (not $10)" in abstract
    assert "café, naïve, 深度学习, {unbalanced" in abstract


def test_bibtex_citation_keys_are_unique():
    twins = [make_paper("Learning to learn", authors=["Ada Lovelace"], published="2024"),
             make_paper("Learning, again", authors=["Ada Lovelace"], published="2024-01")]
    keys = [e.key for e in bibtexparser.parse_string(export("bibtex", twins)).entries]
    assert keys == ["lovelace2024learning", "lovelace2024learninga"]


def test_ris_reads_back_with_rispy():
    records = rispy.loads(export("ris"))
    assert len(records) == 3
    arxiv, conference, bare = records
    for paper, record in zip(AWKWARD, records, strict=True):
        assert record["title"] == paper.title
        assert record.get("authors", []) == list(paper.authors)
        # RIS is line based: the abstract's paragraphs are joined on one line.
        assert record.get("abstract", "") == " ".join(paper.abstract.split())
    assert arxiv["type_of_reference"] == "GEN"
    assert arxiv["year"] == "2024" and arxiv["date"] == "2024/05/27/"
    assert arxiv["urls"] == ["https://arxiv.org/abs/2405.12345", "https://arxiv.org/pdf/2405.12345"]
    assert arxiv["keywords"] == ["cs.LG", "cs.AI"]
    assert arxiv["notes"] == ["12 pages; 5% of figures", NOTES[AWKWARD[0].id]]
    assert conference["type_of_reference"] == "CPAPER"
    assert conference["doi"] == "10.1109/icra48506.2021.9561755"
    assert conference["secondary_title"] == "ICRA 2021"
    assert bare["notes"] == ["A short note"]


def test_csv_reads_back_with_the_csv_module_and_the_table_parser():
    text = export("csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "id", "title", "authors", "published", "venue", "doi", "url", "arxiv_id",
        "categories", "abstract", "note",
    ]
    for paper, row in zip(AWKWARD, rows, strict=True):
        assert row["id"] == paper.id
        assert row["title"] == paper.title
        assert row["abstract"] == paper.abstract
        assert row["authors"].split("; ") == list(paper.authors) or not paper.authors
        assert row["note"] == NOTES.get(paper.id, "")
    assert rows[0]["arxiv_id"] == "2405.12345" and rows[0]["categories"] == "cs.LG; cs.AI"
    back = list(table.parse(io.BytesIO(text.encode("utf-8")), "export.csv"))
    assert [(p.id, p.title, p.authors, p.abstract) for p in back] == [
        (p.id, p.title, p.authors, p.abstract) for p in AWKWARD
    ]


def test_csv_without_notes_has_no_note_column():
    header = export("csv", notes=None).splitlines()[0]
    assert header == "id,title,authors,published,venue,doi,url,arxiv_id,categories,abstract"


@pytest.fixture
def rendered() -> str:
    return MarkdownIt("commonmark").render(export("markdown"))


def test_markdown_shows_titles_literally(rendered):
    assert "<h2>[bold] *x*</h2>" in rendered
    assert "[bold] Learning &quot;Quotes&quot; } in C#</h2>" in rendered
    assert "<h2>{Braces} &amp; 100% of $\\alpha$-nets: x_1 [bold] *x* #1 ~ " in rendered
    # Nothing in the abstract became markup either.
    assert "An abstract with &lt;em&gt;tags&lt;/em&gt; &amp;amp; entities." in rendered
    assert rendered.count("<h2>") == 3


def test_markdown_has_abstract_paragraphs_authors_links_and_notes(rendered):
    text = export("markdown")
    assert "We cut costs by 50% & more, for $5 (not $10)." in text
    second = "<p>Second paragraph: café, naïve, 深度学习, {unbalanced and a_b ^ c.</p>"
    assert second in rendered
    assert "Ada Lovelace, Émile Zoé, 李明, Research and Development Team" in rendered
    assert '<a href="https://arxiv.org/abs/2405.12345">arXiv:2405.12345</a>' in rendered
    assert '<a href="https://doi.org/10.1109/icra48506.2021.9561755">' in rendered
    assert "2024-05-27" in rendered and "ICRA 2021" in rendered
    assert "<blockquote>" in rendered
    assert "Read <em>this</em> first: 50% of it &amp; more." in rendered  # the user's Markdown
    assert "A short note" in rendered
