"""The listing parser and the bundled sample it reads."""

from __future__ import annotations

from importlib import resources

import pytest

from reader.model import paper_id
from reader.parsers import ParseError, decode
from reader.parsers.listing import parse_listing
from reader.sources.sample import SAMPLE_FILE, sample_papers

FIRST_TITLE = "Supervised domain adaptation for building extraction from off-nadir aerial images"
LAST_TITLE = (
    "Why Can GPT Learn In-Context? Language Models Implicitly Perform Gradient Descent "
    "as Meta-Optimizers"
)
# Long enough to be taken for an abstract (a paragraph, not a title).
ABSTRACT_A = (
    "We show that a carefully tuned optimizer beats every baseline we tried on image "
    "classification, language modelling and reinforcement learning benchmarks."
)
ABSTRACT_B = (
    "Memory is the bottleneck of large-scale training; we store optimizer states in four "
    "bits and lose no accuracy on any of the eleven tasks we evaluate."
)


def sample_text() -> str:
    return decode(resources.files("reader.sources").joinpath(SAMPLE_FILE).read_bytes())


def without_abstract_after(text: str, title: str) -> str:
    """The sample with the abstract line that follows ``title`` removed."""
    lines = text.splitlines()
    position = lines.index(title)
    assert len(lines[position + 1]) > 400, "the line after the title should be its abstract"
    return "\n".join(lines[: position + 1] + lines[position + 2 :]) + "\n"


# -- the bundled sample ------------------------------------------------------------------


def test_sample_has_36_papers_in_page_order():
    papers = sample_papers()
    assert len(papers) == 36
    # "Subscribe" (the page's button, glued to the first title) is not part of the title.
    assert papers[0].title == FIRST_TITLE
    assert papers[-1].title == LAST_TITLE
    assert len({p.id for p in papers}) == 36


def test_every_sample_paper_has_an_abstract():
    for paper in sample_papers():
        assert paper.abstract.strip(), paper.title
        assert len(paper.abstract) > len(paper.title)


def test_sample_abstract_belongs_to_its_title():
    by_title = {p.title: p for p in sample_papers()}
    assert by_title[FIRST_TITLE].abstract.startswith("Building extraction - needed for inventory")
    assert "in-context learning" in by_title[LAST_TITLE].abstract.lower()


def test_page_header_lines_are_not_papers():
    assert sample_text().startswith("Get trending papers")
    for paper in sample_papers():
        assert "Get trending papers" not in paper.title
        assert "Get trending papers" not in paper.abstract
        assert not paper.title.startswith("Subscribe")


def test_header_with_subscribe_on_its_own_line():
    text = (
        "Get trending papers in your email inbox once a day!\n"
        "Get trending papers in your email inbox!\n"
        "Subscribe\n"
        "Cautious Optimizers\n"
        f"{ABSTRACT_A}\n"
    )
    papers = parse_listing(text, source="page.txt")
    assert [p.title for p in papers] == ["Cautious Optimizers"]
    assert papers[0].abstract == ABSTRACT_A
    assert papers[0].sources == ("page.txt",)


# -- papers without an abstract ----------------------------------------------------------


def test_title_without_abstract_followed_by_title_gives_both_papers():
    text = (
        "Large Language Models as Optimizers\n"
        "Memory Efficient Optimizers with 4-bit States\n"
        f"{ABSTRACT_B}\n"
        "Cautious Optimizers\n"
        f"{ABSTRACT_A}\n"
    )
    papers = parse_listing(text, source="t")
    assert [(p.title, p.abstract) for p in papers] == [
        ("Large Language Models as Optimizers", ""),
        ("Memory Efficient Optimizers with 4-bit States", ABSTRACT_B),
        ("Cautious Optimizers", ABSTRACT_A),
    ]


def test_sample_with_one_abstract_missing_keeps_every_paper():
    # "A Large Batch Optimizer Reality Check..." is followed by a short title.
    title = (
        "A Large Batch Optimizer Reality Check: Traditional, Generic Optimizers Suffice "
        "Across Batch Sizes"
    )
    full = {p.title: p for p in sample_papers()}
    papers = parse_listing(without_abstract_after(sample_text(), title), source="t")
    assert [p.title for p in papers] == list(full)
    for paper in papers:
        expected = "" if paper.title == title else full[paper.title].abstract
        assert paper.abstract == expected, paper.title


def test_missing_abstract_before_a_long_title_keeps_every_paper():
    # "Large Language Models as Optimizers" is followed by an 83-character title.
    title = "Large Language Models as Optimizers"
    full = {p.title: p for p in sample_papers()}
    papers = parse_listing(without_abstract_after(sample_text(), title), source="t")
    assert [p.title for p in papers] == list(full)
    assert {p.title: p.abstract for p in papers}[title] == ""


def test_title_starting_with_subscribe_is_not_taken_for_the_header():
    text = (
        "Cautious Optimizers\n"
        f"{ABSTRACT_A}\n"
        "Subscriber Churn Prediction with Graph Optimizers\n"
        f"{ABSTRACT_B}\n"
    )
    titles = [p.title for p in parse_listing(text, source="t")]
    assert titles == ["Cautious Optimizers", "Subscriber Churn Prediction with Graph Optimizers"]


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n   \n\t\n",
        "Get trending papers in your email inbox once a day!\n"
        "Get trending papers in your email inbox!\nSubscribe\n",
    ],
    ids=["empty", "blank", "header-only"],
)
def test_text_without_papers_raises_naming_the_source(text):
    with pytest.raises(ParseError) as caught:
        parse_listing(text, source="downloads/papers-page.txt")
    assert "downloads/papers-page.txt" in str(caught.value)
    assert caught.value.source == "downloads/papers-page.txt"
    assert "\n" not in str(caught.value)


def test_paragraph_where_a_title_should_be_raises_with_its_line_number():
    paragraph = "This is a second paragraph with no title above it. " * 12  # > 400 chars
    text = f"Cautious Optimizers\n{ABSTRACT_A}\n\n{paragraph}\n"
    with pytest.raises(ParseError) as caught:
        parse_listing(text, source="page.txt")
    # Line numbers are the file's own: the blank line 3 counts.
    assert caught.value.line == 4
    assert str(caught.value).startswith("page.txt:4:")


# -- decoding ----------------------------------------------------------------------------


def test_invalid_utf8_is_replaced_not_raised():
    data = (
        b"Caf\xe9 Optimizers \xff\xfe for \xc3( everyone\n"
        + ABSTRACT_A.encode()
        + b" \x80\x81\n"
    )
    text = decode(data)
    assert "\ufffd" in text
    papers = parse_listing(text, source="bad.txt")
    assert len(papers) == 1
    assert papers[0].title.startswith("Caf\ufffd Optimizers")
    assert papers[0].abstract.startswith(ABSTRACT_A)


def test_utf8_bom_is_not_part_of_the_first_title():
    data = b"\xef\xbb\xbfCautious Optimizers\n" + ABSTRACT_A.encode() + b"\n"
    papers = parse_listing(decode(data), source="bom.txt")
    assert papers[0].title == "Cautious Optimizers"
    assert papers[0].id == paper_id("Cautious Optimizers")


def test_crlf_input_parses_like_lf():
    lf = sample_text()
    crlf = lf.replace("\r\n", "\n").replace("\n", "\r\n")
    assert "\r\n" in crlf
    from_lf = parse_listing(lf, source="s")
    from_crlf = parse_listing(crlf, source="s")
    assert from_crlf == from_lf
    assert len(from_crlf) == 36
    for paper in from_crlf:
        assert "\r" not in paper.title and "\r" not in paper.abstract
