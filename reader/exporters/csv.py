"""A spreadsheet of papers: one row per paper after a header row.

Columns: id, title, authors, published, venue, doi, url, arxiv_id, categories,
abstract, and a last ``note`` column when notes are given. Authors and categories are
joined with "; ". ``reader.parsers.table`` reads the file back.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import TextIO

from reader.model import Paper

COLUMNS = (
    "id", "title", "authors", "published", "venue", "doi", "url", "arxiv_id", "categories",
    "abstract",
)
SEPARATOR = "; "


def write(papers: Iterable[Paper], out: TextIO, notes: Mapping[str, str] | None = None) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + (("note",) if notes is not None else ()))
    count = 0
    for paper in papers:
        row = [
            paper.id,
            paper.title,
            SEPARATOR.join(paper.authors),
            paper.published,
            paper.venue,
            paper.doi,
            paper.url or (f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else ""),
            paper.arxiv_id,
            SEPARATOR.join(paper.categories),
            paper.abstract,
        ]
        if notes is not None:
            row.append(notes.get(paper.id, ""))
        writer.writerow(row)
        count += 1
    return count
