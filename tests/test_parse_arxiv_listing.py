"""The arXiv listing-page / e-mail digest text parser, on fixtures written here (the
project has no real sample of either shape)."""

from __future__ import annotations

import io

import pytest
from conftest import shared_path

from reader.model import Paper
from reader.parsers import BadRecord, ParseError, arxiv_atom, arxiv_listing, feed

DIGEST = r"""From: no-reply@arxiv.org
Subject: cs daily Subj-class mailing 1 1

------------------------------------------------------------------------------
------------------------------------------------------------------------------
Send any comments regarding submissions directly to submitter.
------------------------------------------------------------------------------
Archives at http://arxiv.org/
To unsubscribe, e-mail To: cs@arXiv.org, Subject: cancel
------------------------------------------------------------------------------
 Submissions to:
Computer Science
 received from  Fri 29 Dec 23 19:00:00 GMT  to  Mon  1 Jan 24 19:00:00 GMT
------------------------------------------------------------------------------
------------------------------------------------------------------------------
\\
arXiv:2401.01234
Date: Mon, 1 Jan 2024 10:00:00 GMT   (123kb)

Title: A Title That Is Long Enough
  To Wrap Onto   Indented Lines
Authors: Ada Lovelace, Grace Hopper and Alan Turing
Categories: cs.LG cs.AI
Comments: 12 pages,
  3 figures
Journal-ref: J. Imaginary Res. 7 (2024) 1-12
DOI: 10.1000/XYZ.123
License: http://creativecommons.org/licenses/by/4.0/
\\
  The abstract paragraph, hard-wrapped, possibly
several lines, with $\mathcal{O}(n)$ kept literal.

  A second paragraph.
\\ ( https://arxiv.org/abs/2401.01234 ,  123kb)
------------------------------------------------------------------------------
\\
arXiv:2401.05678
Date: Mon, 1 Jan 2024 11:30:00 GMT   (45kb,D)

Authors: Nobody Titled
Categories: cs.CL
\\
  A block that lost its title line.
\\ ( https://arxiv.org/abs/2401.05678 ,  45kb)
------------------------------------------------------------------------------
\\
arXiv:2312.09999 (*cross-listing*)
Date: Thu, 28 Dec 2023 00:00:00 GMT   (10kb)

Title: A Cross-Listed Paper
Authors: Jane Doe (MIT), John Roe (Oxford and Cambridge), and Max Mustermann
Categories: stat.ML cs.LG
\\
  Short abstract.
\\ ( https://arxiv.org/abs/2312.09999 ,  10kb)
------------------------------------------------------------------------------
%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--
\\
arXiv:2301.00042
replaced with revised version Mon, 1 Jan 2024 09:15:00 GMT   (200kb)

Title: An Older Paper, Revised
Authors: Alan Turing
Categories: cs.LO
Comments: v2: fixed a proof
\\ ( https://arxiv.org/abs/2301.00042 ,  200kb)
%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--%%--
"""

LISTING_PAGE = """\
Machine Learning
Authors and titles for new submissions
New submissions (showing 2 of 2 entries)
[1] arXiv:2401.11111 [pdf, html, other]
Title: Scaling Laws for Tiny Models
Authors: Ada Lovelace and Grace Hopper
Comments: 9 pages
Subjects: Machine Learning (cs.LG); Artificial Intelligence (cs.AI); Machine Learning (stat.ML)
We study how tiny models scale. arXiv:2301.00001 reported otherwise; we disagree.
[2] arXiv:2401.22222v2 [pdf]
Title: A Paper Shown Without Its Abstract
Authors: Alan Turing
Subjects: Logic in Computer Science (cs.LO)
Cross submissions (showing 1 of 1 entries)
[3] arXiv:2401.33333 (cross-list from cs.CV) [pdf, html]
Title: Seeing Things
Authors: Grace Hopper
Subjects: Computer Vision and Pattern Recognition (cs.CV); Machine Learning (cs.LG)
Abstract: An abstract after an explicit label.
Total of 3 entries
Showing up to 2000 entries per page: fewer | more | all
"""


def parse_text(text: str, name: str = "digest.txt") -> list:
    return list(arxiv_listing.parse(io.BytesIO(text.encode("utf-8")), name))


def test_digest_record_fields():
    first = parse_text(DIGEST)[0]
    assert isinstance(first, Paper)
    assert first.id == "arxiv:2401.01234"
    assert first.title == "A Title That Is Long Enough To Wrap Onto Indented Lines"
    assert first.authors == ("Ada Lovelace", "Grace Hopper", "Alan Turing")
    assert first.categories == ("cs.LG", "cs.AI")
    assert first.comment == "12 pages, 3 figures"
    assert first.journal_ref == "J. Imaginary Res. 7 (2024) 1-12"
    assert first.doi == "10.1000/xyz.123"
    assert first.published == "2024-01-01T10:00:00Z"
    assert first.url == "https://arxiv.org/abs/2401.01234"
    assert first.sources == ("digest.txt",)
    assert first.abstract == (
        r"The abstract paragraph, hard-wrapped, possibly several lines, with $\mathcal{O}(n)$"
        " kept literal.\n\nA second paragraph."
    )
    assert first.extra["license"] == "http://creativecommons.org/licenses/by/4.0/"


def test_digest_block_without_title_is_a_bad_record_and_reading_goes_on():
    records = parse_text(DIGEST)
    assert len(records) == 4
    line = DIGEST.splitlines().index("arXiv:2401.05678") + 1
    assert records[1] == BadRecord(f"line {line}", "no title")
    assert [record.id for record in records if isinstance(record, Paper)] == [
        "arxiv:2401.01234", "arxiv:2312.09999", "arxiv:2301.00042",
    ]


def test_digest_cross_listing_and_affiliations():
    cross = parse_text(DIGEST)[2]
    assert cross.title == "A Cross-Listed Paper"
    # Affiliations dropped; "and" inside them does not split a name; Oxford comma handled.
    assert cross.authors == ("Jane Doe", "John Roe", "Max Mustermann")
    assert cross.categories == ("stat.ML", "cs.LG")
    assert cross.abstract == "Short abstract."
    assert cross.published == "2023-12-28"
    assert cross.extra["announce_type"] == "cross"


def test_digest_replacement_without_abstract_is_still_a_paper():
    replaced = parse_text(DIGEST)[3]
    assert replaced.title == "An Older Paper, Revised"
    assert replaced.abstract == ""
    assert replaced.comment == "v2: fixed a proof"
    assert replaced.updated == "2024-01-01T09:15:00Z"
    assert replaced.extra["announce_type"] == "replace"
    # The digest footer is not read as anything.
    assert "%%" not in replaced.comment


def test_listing_page_records():
    first, second, third = parse_text(LISTING_PAGE, "list.txt")
    assert first.id == "arxiv:2401.11111"
    assert first.title == "Scaling Laws for Tiny Models"
    assert first.authors == ("Ada Lovelace", "Grace Hopper")
    assert first.categories == ("cs.LG", "cs.AI", "stat.ML")
    assert first.comment == "9 pages"
    # An id inside the abstract does not start a record.
    assert first.abstract == (
        "We study how tiny models scale. arXiv:2301.00001 reported otherwise; we disagree."
    )
    assert first.url == "https://arxiv.org/abs/2401.11111"
    # No abstract on the page: still a paper, and the section heading is not its abstract.
    assert second.title == "A Paper Shown Without Its Abstract"
    assert second.abstract == ""
    assert second.extra["arxiv_version"] == "v2"
    assert second.categories == ("cs.LO",)
    # Page footer lines are not glued to the last abstract.
    assert third.abstract == "An abstract after an explicit label."
    assert third.categories == ("cs.CV", "cs.LG")
    assert third.extra["announce_type"] == "cross"


def test_listing_record_without_title_is_a_bad_record():
    text = "[1] arXiv:2401.44444 [pdf]\nAuthors: Someone\nSubjects: Robotics (cs.RO)\n"
    assert parse_text(text) == [BadRecord("line 1", "no title")]


def test_text_without_arxiv_records_is_a_parse_error():
    with pytest.raises(ParseError, match="no arXiv records"):
        parse_text("Title: lonely\nAuthors: nobody\n")


def test_split_authors():
    split = arxiv_listing.split_authors
    assert split("A. One, B. Two, and C. Three") == ["A. One", "B. Two", "C. Three"]
    assert split("Alexandra Anderson and Sandy Andrews") == ["Alexandra Anderson", "Sandy Andrews"]
    assert split("X Y (1), Z W (2) ((1) Univ A, (2) Univ B)") == ["X Y", "Z W"]
    assert split("") == []


def test_looks_like_tells_listing_text_from_other_formats():
    assert arxiv_listing.looks_like(DIGEST)
    assert arxiv_listing.looks_like(LISTING_PAGE)
    assert not arxiv_listing.looks_like("arXiv:2401.01234\nno title line here\n")
    assert not arxiv_listing.looks_like("Title: A paper\nAuthors: Someone\n")
    assert not feed.looks_like(DIGEST) and not arxiv_atom.looks_like(DIGEST)
    assert not feed.looks_like(LISTING_PAGE) and not arxiv_atom.looks_like(LISTING_PAGE)


def test_looks_like_is_false_for_the_real_rss_feed():
    # Its descriptions start "arXiv:2604.21935v1 Announce Type: ..." but it has no Title: lines.
    rss = shared_path("formats", "arxiv_rss", "arxiv_rss_cs_ai_2026-04-27_excerpt.xml")
    assert not arxiv_listing.looks_like(rss.read_text(encoding="utf-8"))
