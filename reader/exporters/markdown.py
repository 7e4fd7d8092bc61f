"""A readable Markdown list of papers.

Each paper is a ``## Title`` heading, a short list (authors, date and venue, links),
the abstract as paragraphs, and the user's note as a block quote when ``notes`` has
one; the user's tags, when ``tags`` has some, are a line of the list. Titles, authors,
abstracts and tags are escaped minimally so that they show literally ("[bold] *x*"
stays that, not a link and emphasis) while LaTeX like ``$\\alpha$`` is left readable;
the note is the user's own text and is written as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

from reader.exporters import arxiv_abs_url, arxiv_pdf_url
from reader.model import Paper

# Characters that mark up inline text wherever they stand.
_INLINE = re.compile(
    r"[*`\[\]~]"                       # emphasis, code, links, strikethrough
    r"|\\(?=[!-/:-@\[-`{-~])"          # a backslash that would escape what follows
    r"|(?<![^\W_])_|_(?![^\W_])"       # "_" not inside a word
    r"|<(?=[A-Za-z/!?])"               # the start of an HTML tag
    r"|&(?=#?\w+;)"                    # an HTML entity
)
# What makes a line start a heading, quote, list, table or setext underline.
_BLOCK_START = re.compile(r"^([ \t]*)([#>+\-=|]|\d+(?=[.)]))", re.MULTILINE)


def escape(text: str, *, line_start: bool = True) -> str:
    """``text`` escaped to show literally as Markdown inline text; ``line_start``: the
    text starts a line (or paragraph), where "#", ">", "-", "1." would start a block."""
    text = _INLINE.sub(lambda m: "\\" + m.group(), text)
    return _BLOCK_START.sub(_escape_block_start, text) if line_start else text


def _escape_block_start(match: re.Match) -> str:
    lead, mark = match.groups()
    # "1." -> "1\.", "#" -> "\#"
    return lead + mark + "\\" if mark[0].isdigit() else lead + "\\" + mark


def _heading(title: str) -> str:
    text = escape(" ".join(title.split()))
    # A trailing run of "#" would be taken for the heading's closing sequence.
    return re.sub(r"(?<!\\)(#+)$", lambda m: "\\" + m.group(1), text)


def _link(label: str, url: str) -> str:
    return f"[{label}](<{url.replace('<', '%3C').replace('>', '%3E').replace(' ', '%20')}>)"


def _paragraphs(text: str) -> str:
    return "\n\n".join(escape(" ".join(part.split())) for part in re.split(r"\n\s*\n", text)
                       if part.strip())


def section(paper: Paper, note: str | None = None, tags: Sequence[str] = ()) -> str:
    """The Markdown for one paper, ending in a blank line."""
    lines = [f"## {_heading(paper.title)}", ""]
    details = []
    if paper.authors:
        separator = "; " if any("," in name for name in paper.authors) else ", "
        details.append("Authors: " + escape(separator.join(paper.authors), line_start=False))
    when = " · ".join(part for part in (paper.published[:10], paper.venue) if part)
    if when:
        details.append("Published: " + escape(when, line_start=False))
    links = []
    if paper.arxiv_id:
        links.append(_link(f"arXiv:{paper.arxiv_id}", arxiv_abs_url(paper)))
    if paper.url and paper.url != arxiv_abs_url(paper):
        links.append(_link("Page", paper.url))
    pdf = paper.pdf_url or arxiv_pdf_url(paper)
    if pdf:
        links.append(_link("PDF", pdf))
    if paper.doi:
        links.append(_link(escape(f"DOI {paper.doi}"), f"https://doi.org/{paper.doi}"))
    if links:
        details.append("Links: " + " · ".join(links))
    if tags:
        details.append("Tags: " + escape(", ".join(tags), line_start=False))
    if details:
        lines += [f"- {detail}" for detail in details] + [""]
    if paper.abstract.strip():
        lines += [_paragraphs(paper.abstract), ""]
    if note and note.strip():
        quoted = [f"> {line}".rstrip() for line in note.strip().splitlines()]
        lines += ["> **Note:**", ">", *quoted, ""]
    return "\n".join(lines) + "\n"


def write(
    papers: Iterable[Paper],
    out: TextIO,
    notes: Mapping[str, str] | None = None,
    tags: Mapping[str, Sequence[str]] | None = None,
) -> int:
    count = 0
    for paper in papers:
        out.write(section(paper, (notes or {}).get(paper.id), (tags or {}).get(paper.id, ())))
        count += 1
    return count
