"""A paper's links (reader.links) and its citation to copy (reader.citation)."""

from __future__ import annotations

import bibtexparser
import pytest

from reader.citation import bibtex_entry, paper_link
from reader.links import Link, abstract_urls, paper_links, safe_url
from reader.model import make_paper


def _paper(abstract: str = "", **fields):
    return make_paper("A Paper", abstract, **fields)


# -- paper_links -------------------------------------------------------------------------


def test_arxiv_paper_links_in_order():
    paper = _paper(
        "Code: https://github.com/org/repo. Weights on huggingface.co/org/model, "
        "and a project page at https://org.github.io/project/.",
        arxiv_id="2406.00153v2",
        doi="10.1234/ABC.5",
    )
    assert paper_links(paper) == [
        Link("abstract", "https://arxiv.org/abs/2406.00153"),
        Link("PDF", "https://arxiv.org/pdf/2406.00153"),
        Link("DOI", "https://doi.org/10.1234/abc.5"),
        Link("code", "https://github.com/org/repo"),
        Link("link", "https://huggingface.co/org/model"),
        Link("link", "https://org.github.io/project/"),
    ]


def test_the_papers_own_urls_come_first():
    paper = _paper(
        url="https://openreview.net/forum?id=abc",
        pdf_url="https://openreview.net/pdf?id=abc",
        arxiv_id="2406.00153",
    )
    assert paper_links(paper) == [
        Link("abstract", "https://openreview.net/forum?id=abc"),
        Link("PDF", "https://openreview.net/pdf?id=abc"),
    ]


def test_a_paper_without_links():
    assert paper_links(_paper("No links here.")) == []


def test_doi_only():
    assert paper_links(_paper(doi="https://doi.org/10.1145/3292500.3330701")) == [
        Link("DOI", "https://doi.org/10.1145/3292500.3330701")
    ]


@pytest.mark.parametrize(
    "abstract, url",
    [
        ("See https://x.org/a.", "https://x.org/a"),
        ("See https://x.org/a, then", "https://x.org/a"),
        ("(code: https://github.com/a/b)", "https://github.com/a/b"),
        ("[code](https://github.com/a/b).", "https://github.com/a/b"),
        ("See https://en.wikipedia.org/wiki/Go_(game).", "https://en.wikipedia.org/wiki/Go_(game)"),
        ("(https://en.wikipedia.org/wiki/Go_(game))", "https://en.wikipedia.org/wiki/Go_(game)"),
        ("at https://x.org/a?b=1&c=2; more", "https://x.org/a?b=1&c=2"),
        ("at https://x.org/a?b=1&amp;c=2 more", "https://x.org/a?b=1&c=2"),
        ('"https://x.org/q"', "https://x.org/q"),
        ("<https://x.org/angle>", "https://x.org/angle"),
        (r"\url{https://github.com/a\_b/c\_d}.", "https://github.com/a_b/c_d"),
        (r"\href{https://github.com/a/b}{our code}", "https://github.com/a/b"),
        ('<a href="https://x.org/h">x</a>', "https://x.org/h"),
        ("available at github.com/a/b.", "https://github.com/a/b"),
        ("available at www.github.com/a/b", "https://www.github.com/a/b"),
        ("http://old.example.org/x!", "http://old.example.org/x"),
        ("代码见 https://github.com/a/b。", "https://github.com/a/b"),
    ],
)
def test_urls_in_abstracts(abstract, url):
    assert abstract_urls(abstract) == [url]


def test_labels_and_duplicates():
    paper = _paper(
        "https://github.com/a/b and https://github.com/a/b/ again, https://gitlab.com/c/d, "
        "https://bitbucket.org/e/f, https://gist.github.com/g, https://huggingface.co/h, "
        "https://arxiv.org/abs/2406.00153 (this paper)",
        arxiv_id="2406.00153",
    )
    links = paper_links(paper)
    assert [link.url for link in links].count("https://github.com/a/b") == 1
    assert "https://github.com/a/b/" not in [link.url for link in links]
    labels = {link.url: link.label for link in links}
    assert labels["https://github.com/a/b"] == "code"
    assert labels["https://gitlab.com/c/d"] == "code"
    assert labels["https://bitbucket.org/e/f"] == "code"
    assert labels["https://gist.github.com/g"] == "code"
    assert labels["https://huggingface.co/h"] == "link"
    # The abstract's mention of the paper's own abs page is the "abstract" link.
    assert [link.label for link in links].count("abstract") == 1


@pytest.mark.parametrize(
    "abstract",
    [
        "javascript:alert(1)",
        "click javascript://github.com/%0aalert(1)",
        "file:///etc/passwd",
        "ftp://x.org/file",
        "data:text/html,<script>alert(1)</script>",
        "https://",
        "mailto:someone@github.com",
        "someone@github.com/x",
    ],
)
def test_only_http_urls_come_out_of_abstracts(abstract):
    assert abstract_urls(abstract) == []


def test_unsafe_paper_fields_are_dropped():
    paper = _paper(url="javascript:alert(1)", pdf_url="file:///etc/passwd", arxiv_id="2406.00153")
    assert paper_links(paper) == [
        Link("abstract", "https://arxiv.org/abs/2406.00153"),
        Link("PDF", "https://arxiv.org/pdf/2406.00153"),
    ]
    assert paper_links(_paper(url="javascript:alert(1)")) == []


def test_control_characters_never_reach_a_url():
    urls = abstract_urls("see https://x.org/a\x1b[31mred and https://y.org/\x07b")
    assert urls == ["https://x.org/ared", "https://y.org/b"]
    assert all(url.isprintable() for url in urls)
    assert safe_url("https://x.org/a b") == ""
    assert safe_url("https://x.org/\x1b]8;;") == ""


def test_every_link_is_http():
    paper = _paper(
        "javascript:x https://a.org file:/x github.com/q/r http://b.org/p",
        url="ftp://x.org",
        pdf_url="https://c.org/p.pdf",
        doi="10.1/x y",
    )
    for link in paper_links(paper):
        assert link.url.startswith(("http://", "https://"))
        assert " " not in link.url


# -- citation ----------------------------------------------------------------------------


def _cited(**fields):
    return make_paper(
        r"$\mu$LO: Compute-Efficient Meta-Generalization of Learned Optimizers",
        "Learned optimizers, 50% faster.",
        authors=["Benjamin Thérien", "Irina Rish"],
        published="2024-06-01",
        categories=["cs.LG"],
        **fields,
    )


def test_bibtex_entry_is_one_entry_that_parses_back():
    text = bibtex_entry(_cited(arxiv_id="2406.00153v1"))
    assert text.startswith("@misc{therien2024lo,")
    assert text.endswith("}\n")
    library = bibtexparser.parse_string(text)
    assert len(library.entries) == 1 and not library.failed_blocks
    entry = library.entries[0]
    assert entry["eprint"] == "2406.00153"
    assert entry["title"] == r"$\mu$LO: Compute-Efficient Meta-Generalization of Learned Optimizers"
    assert entry["url"] == "https://arxiv.org/abs/2406.00153"


def test_bibtex_entry_reuses_a_kept_key():
    text = bibtex_entry(_cited(extra={"bibtex_key": "mulo2024"}))
    assert text.startswith("@misc{mulo2024,")


@pytest.mark.parametrize(
    "fields, link",
    [
        ({"arxiv_id": "2406.00153v2", "doi": "10.1/x", "url": "https://o.net/f"},
         "https://arxiv.org/abs/2406.00153"),
        ({"doi": "10.1/X", "url": "https://o.net/f"}, "https://doi.org/10.1/x"),
        ({"url": "https://o.net/f"}, "https://o.net/f"),
        ({"pdf_url": "https://o.net/p.pdf"}, "https://o.net/p.pdf"),
        ({"url": "javascript:alert(1)"}, ""),
        ({}, ""),
    ],
)
def test_paper_link(fields, link):
    assert paper_link(_cited(**fields)) == link
