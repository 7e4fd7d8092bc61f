"""RIS records (Zotero, EndNote, Mendeley), written with rispy.

``TY`` is ``JOUR`` for a paper with a journal or journal reference, ``CPAPER`` for one
with a conference venue and ``GEN`` otherwise. Tags: ``TI``, ``AU`` per author, ``AB``,
``PY`` (year), ``DA`` (``YYYY/MM/DD/``), ``DO``, ``UR`` (page, then PDF), ``JO`` (journal)
or ``T2`` (conference), ``KW`` per category, ``N1`` for the arXiv comment and the user's
note, and ``ID`` for reader's id. RIS is line based: line breaks inside a value (an
abstract's paragraphs) become spaces. ``rispy.loads`` reads the file back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from rispy import RisWriter

from reader.exporters import arxiv_abs_url, arxiv_pdf_url, date_parts, is_conference
from reader.model import Paper

_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x85\x0b\x0c]+\s*")


class _Writer(RisWriter):
    """rispy's writer without the "1." counter line it puts before each record."""

    def set_header(self, count: int) -> str:
        return ""


def _line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text).strip()


def record(paper: Paper, note: str | None = None) -> dict[str, Any]:
    """The rispy record (tag names as rispy's keys) for ``paper``."""
    if paper.venue and is_conference(paper.venue):
        kind, venue_key = "CPAPER", "secondary_title"
    elif paper.venue or paper.journal_ref:
        kind, venue_key = "JOUR", "journal_name"
    else:
        kind, venue_key = "GEN", ""
    ref: dict[str, Any] = {"type_of_reference": kind, "id": paper.id, "title": _line(paper.title)}
    authors = [_line(name) for name in paper.authors if name.strip()]
    if authors:
        ref["authors"] = authors
    if paper.abstract:
        ref["abstract"] = _line(paper.abstract)
    year, month, day = date_parts(paper.published)
    if year:
        ref["year"] = year
        if month:
            ref["date"] = f"{year}/{month}/{day}/"
    if paper.doi:
        ref["doi"] = paper.doi
    urls = [u for u in (paper.url or arxiv_abs_url(paper), paper.pdf_url or arxiv_pdf_url(paper))
            if u]
    if urls:
        ref["urls"] = [_line(url) for url in urls]
    if venue_key:
        ref[venue_key] = _line(paper.venue or paper.journal_ref)
    if paper.categories:
        ref["keywords"] = [_line(category) for category in paper.categories]
    notes = [_line(text) for text in (paper.comment, note or "") if text and text.strip()]
    if notes:
        ref["notes"] = notes
    return ref


def write(papers: Iterable[Paper], out: TextIO, notes: Mapping[str, str] | None = None) -> int:
    writer = _Writer()
    count = 0
    for paper in papers:
        if count:
            out.write("\n")
        writer.format_lines(out, [record(paper, (notes or {}).get(paper.id))])
        count += 1
    return count
