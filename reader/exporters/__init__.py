"""Export papers to files other tools read.

:data:`FORMATS` maps a format name to its writer. Every writer has the signature::

    write(papers: Iterable[Paper], out: TextIO, notes: Mapping[str, str] | None = None) -> int

It writes each paper to ``out`` as it goes (the papers may be a generator over a large
library), adds the user's note for a paper when ``notes`` has one under the paper's id
(where the format has a place for it), and returns how many papers it wrote. The
Markdown writer also takes ``tags`` (a paper id to its tags) and lists them.
:data:`EXTENSIONS` gives each format's usual file name extension.

===========  ====================================================================
jsonl        reader's own format: one JSON object per paper, every field; imports
             back exactly (``reader.parsers.jsonish``)
bibtex       BibTeX entries for LaTeX, LaTeX-special characters escaped
ris          RIS records (Zotero, EndNote, Mendeley)
csv          a spreadsheet: id, title, authors, published, venue, doi, url, arxiv_id,
             categories, abstract (and note, when notes are given)
markdown     a readable list: title, authors, date, links, tags, abstract and note
===========  ====================================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TextIO

from reader.model import Paper

Writer = Callable[[Iterable[Paper], TextIO, "Mapping[str, str] | None"], int]

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# "ICRA 2021", "NeurIPS 2023 Datasets and Benchmarks", "Proceedings of ...": a meeting.
_CONFERENCE = re.compile(
    r"\b(?:conference|conf\.|proceedings|proc\.|workshops?|symposium|congress|meeting)\b"
    r"|^[\w&'\-]+\s+(?:19|20)\d\d\b",
    re.IGNORECASE,
)


def date_parts(published: str) -> tuple[str, str, str]:
    """Year, month and day (``""`` when unknown) of an ISO date or timestamp."""
    match = _DATE.match(published.strip())
    if not match:
        return "", "", ""
    year, month, day = (part or "" for part in match.groups())
    return year, month, day


def is_conference(venue: str) -> bool:
    """Whether ``venue`` names a conference or workshop rather than a journal."""
    return bool(_CONFERENCE.search(venue))


def arxiv_abs_url(paper: Paper) -> str:
    return f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else ""


def arxiv_pdf_url(paper: Paper) -> str:
    return f"https://arxiv.org/pdf/{paper.arxiv_id}" if paper.arxiv_id else ""


# Imported after the helpers above, which the format modules use.
from reader.exporters import bibtex, csv, jsonl, markdown, ris  # noqa: E402

FORMATS: dict[str, Writer] = {
    "jsonl": jsonl.write,
    "bibtex": bibtex.write,
    "ris": ris.write,
    "csv": csv.write,
    "markdown": markdown.write,
}

EXTENSIONS: dict[str, str] = {
    "jsonl": ".jsonl",
    "bibtex": ".bib",
    "ris": ".ris",
    "csv": ".csv",
    "markdown": ".md",
}
