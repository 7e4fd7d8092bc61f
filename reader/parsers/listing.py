"""Text copied from a papers listing page (the Hugging Face papers search or daily page).

The shape, as the bundled sample shows it::

    Get trending papers in your email inbox once a day!      <- page header lines
    Get trending papers in your email inbox!
    SubscribeSupervised domain adaptation for ...            <- "Subscribe" button glued
    Building extraction - needed for inventory ...              to the first title
    Automated distribution of quantum circuits ...           <- then title, abstract, ...

Everything up to and including the "Subscribe" button (looked for in the first few
lines; "Subscriber ..." is a title, not the button) is page chrome. After it each paper
is a title line followed by its abstract line. A title followed by another title (the
page showed no abstract) becomes a paper without an abstract: a line is taken for a
title rather than an abstract when it is short, or when the line after it is clearly
its own abstract (long, or ending a sentence).
"""

from __future__ import annotations

import re

from reader.model import Paper, make_paper
from reader.parsers import ParseError, decode

SUBSCRIBE = "Subscribe"
# Page chrome the site puts above the list; dropped wherever it stands.
CHROME = re.compile(r"^(Get trending papers in your email inbox.*|Subscribe)$")
# The "Subscribe" button is looked for only among the first lines of the page.
HEADER_LINES = 5
# A title is short; an abstract is a paragraph. Titles run to about 250 characters at
# most; an abstract line longer than that, or one that ends a sentence, is an abstract.
MAX_TITLE_CHARS = 400
MIN_ABSTRACT_CHARS = 80
LONG_ABSTRACT_CHARS = 250
_SPACES = re.compile(r"\s+")


def _is_subscribe_glued(line: str) -> bool:
    """``SubscribeSupervised ...``: the button glued to a title (not ``Subscriber ...``)."""
    rest = line[len(SUBSCRIBE) :]
    return line.startswith(SUBSCRIBE) and bool(rest) and not rest[0].islower()


def _strip_header(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    for position, (number, line) in enumerate(lines[:HEADER_LINES]):
        if line == SUBSCRIBE:
            return lines[position + 1 :]
        if _is_subscribe_glued(line):
            return [(number, line[len(SUBSCRIBE) :].strip()), *lines[position + 1 :]]
    return [(number, line) for number, line in lines if not CHROME.match(line)]


def _ends_sentence(line: str) -> bool:
    return line.endswith((".", "…", "...", ".)", '."'))


def _looks_like_abstract(title: str, line: str, after: str | None) -> bool:
    """Whether ``line``, which follows ``title``, is its abstract (else the next title).

    ``after`` is the line after ``line``: when it is clearly the abstract of ``line``,
    ``line`` is a title and ``title`` had no abstract.
    """
    if len(line) >= LONG_ABSTRACT_CHARS or (_ends_sentence(line) and len(line) > len(title)):
        return True
    if len(line) < MIN_ABSTRACT_CHARS or len(line) <= len(title):
        return False
    if after is not None and len(after) > 1.5 * len(line):
        return not (len(after) >= LONG_ABSTRACT_CHARS or _ends_sentence(after))
    return True


def parse_listing(text: str, source: str = "listing") -> list[Paper]:
    """The papers in a copied listing page, in page order.

    Raises :class:`ParseError` when the text holds no paper at all.
    """
    lines = [
        (number, _SPACES.sub(" ", raw).strip())
        for number, raw in enumerate(text.splitlines(), start=1)
    ]
    lines = _strip_header([(number, line) for number, line in lines if line])
    papers: list[Paper] = []
    seen: set[str] = set()
    position = 0
    while position < len(lines):
        number, title = lines[position]
        if len(title) > MAX_TITLE_CHARS:
            raise ParseError(source, "expected a paper title, found a paragraph", number)
        abstract = ""
        line = lines[position + 1][1] if position + 1 < len(lines) else None
        after = lines[position + 2][1] if position + 2 < len(lines) else None
        if line is not None and _looks_like_abstract(title, line, after):
            abstract = lines[position + 1][1]
            position += 1
        position += 1
        paper = make_paper(title, abstract, sources=(source,))
        if paper.id not in seen:
            seen.add(paper.id)
            papers.append(paper)
    if not papers:
        raise ParseError(source, "no papers found (expected title and abstract lines)")
    return papers


def parse(stream, name: str):
    """The importer's entry point: a copied listing page as a binary stream."""
    yield from parse_listing(decode(stream.read()), source=name)
