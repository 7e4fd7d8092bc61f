"""Text copied from a papers listing page (the Hugging Face papers search or daily page).

The shape, as the bundled sample shows it::

    Get trending papers in your email inbox once a day!      <- page header lines
    Get trending papers in your email inbox!
    SubscribeSupervised domain adaptation for ...            <- "Subscribe" button glued
    Building extraction - needed for inventory ...              to the first title
    Automated distribution of quantum circuits ...           <- then title, abstract, ...

Everything up to and including the "Subscribe" button is page chrome. After it each
paper is a title line followed by its abstract line; a title whose next line is another
short line (the page showed no abstract) becomes a paper without an abstract.
"""

from __future__ import annotations

import re

from reader.model import Paper, make_paper
from reader.parsers import ParseError

SUBSCRIBE = "Subscribe"
# A title is short; an abstract is a paragraph. A line this long is never a title.
MAX_TITLE_CHARS = 400
MIN_ABSTRACT_CHARS = 80
_SPACES = re.compile(r"\s+")


def _strip_header(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    for position, (number, line) in enumerate(lines):
        if line.startswith(SUBSCRIBE):
            rest = line[len(SUBSCRIBE) :].strip()
            tail = lines[position + 1 :]
            return [(number, rest), *tail] if rest else tail
    return lines


def _looks_like_abstract(title: str, line: str) -> bool:
    return len(line) >= MIN_ABSTRACT_CHARS and len(line) > len(title)


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
        if position + 1 < len(lines) and _looks_like_abstract(title, lines[position + 1][1]):
            abstract = lines[position + 1][1]
            position += 1
        position += 1
        paper = make_paper(title, abstract, source=source)
        if paper.id not in seen:
            seen.add(paper.id)
            papers.append(paper)
    if not papers:
        raise ParseError(source, "no papers found (expected title and abstract lines)")
    return papers
