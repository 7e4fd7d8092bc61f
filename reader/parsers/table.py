"""CSV and TSV files of papers: a header row naming the columns, one paper per row.

Column names are matched case-insensitively, ignoring spaces and punctuation, so
"Title", "Abstract Note" (Zotero) and "arxiv_id" are all recognised:

=========== ==========================================================
title       title (required)
abstract    abstract, summary, abstract note, description
authors     authors, author, creators: "A; B", "A, B and C", "A and B"
published   published, date, publication date, year, publication year
doi, url    doi; url, link; pdf, pdf url
id          id, arxiv id, arxiv, eprint: arXiv ids give the paper its arxiv: id
categories  categories, category, keywords, tags
venue       venue, journal, booktitle, conference, publication title
comment     comment, comments
=========== ==========================================================

The delimiter (comma, tab or semicolon) is sniffed from the header line. Rows are read
one at a time, so a large file is never held whole. The header must name a title
column; a row without a title is a bad record.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from reader.model import Paper, make_paper
from reader.parsers import BadRecord, ParseError, tidy_abstract, tidy_title
from reader.parsers.fields import (
    find_arxiv_id,
    iso_date,
    split_authors,
    split_categories,
)

# The largest field the csv module accepts (its default is 128 KB).
FIELD_LIMIT = 64 * 1024 * 1024
DELIMITERS = ",\t;"

# Paper field -> the column names that hold it (normalised: lower case, letters and
# digits only), most specific first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "abstract": ("abstract", "summary", "abstractnote", "description"),
    "authors": ("authors", "author", "creators"),
    "published": ("published", "date", "publicationdate", "publisheddate", "year",
                  "publicationyear"),
    "updated": ("updated",),
    "doi": ("doi",),
    "url": ("url", "link", "absurl"),
    "pdf_url": ("pdfurl", "pdf"),
    "arxiv_id": ("arxivid", "arxiv", "eprint"),
    "id": ("id", "key"),
    "categories": ("categories", "category", "keywords", "tags", "manualtags"),
    "venue": ("venue", "journal", "booktitle", "conference", "publicationtitle"),
    "journal_ref": ("journalref",),
    "comment": ("comment", "comments"),
}


def _normal(column: str) -> str:
    return re.sub(r"[^0-9a-z]", "", column.lstrip("\ufeff").casefold())


def _header_cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def looks_like(head: str) -> bool:
    """Whether ``head`` starts a table: a first line with a delimiter and a title column."""
    first = head.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return any(
        delimiter in first and "title" in (_normal(c) for c in _header_cells(first, delimiter))
        for delimiter in DELIMITERS
    )


def _delimiter(header: str) -> str:
    """The delimiter of ``header``: sniffed, then checked to split off a title column."""
    candidates = []
    try:
        candidates.append(csv.Sniffer().sniff(header, delimiters=DELIMITERS).delimiter)
    except csv.Error:
        pass
    candidates += [d for d in DELIMITERS if d in header]
    for delimiter in candidates:
        if "title" in (_normal(cell) for cell in _header_cells(header, delimiter)):
            return delimiter
    return candidates[0] if candidates else ","


def parse(stream: BinaryIO, name: str) -> Iterator[Paper | BadRecord]:
    """The papers in a CSV/TSV binary stream, one per row after the header."""
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    try:
        yield from _rows(text, name)
    finally:
        # Leave the binary stream open: it belongs to the caller.
        text.detach()


def _rows(text: io.TextIOWrapper, name: str) -> Iterator[Paper | BadRecord]:
    header_line = text.readline()
    skipped = 0
    while header_line and not header_line.strip():
        skipped += 1
        header_line = text.readline()
    if not header_line:
        raise ParseError(name, "empty file, no papers in it")
    delimiter = _delimiter(header_line.rstrip("\r\n"))

    def lines() -> Iterator[str]:
        yield header_line
        yield from text

    reader = csv.reader(lines(), delimiter=delimiter)
    header = next(reader)
    columns = _column_map(header)
    if "title" not in columns:
        found = ", ".join(repr(cell.strip()) for cell in header if cell.strip()) or "none"
        raise ParseError(name, f"no title column (columns found: {found})", skipped + 1)
    last_line = reader.line_num
    while True:
        start = skipped + last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if reader.line_num == last_line:
                raise ParseError(name, f"cannot read the table: {error}", start) from None
            last_line = reader.line_num
            yield BadRecord(f"line {start}", f"unreadable row ({error})")
            continue
        last_line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        yield _row_to_paper(row, columns, name, f"line {start}")


def _column_map(header: list[str]) -> dict[str, int]:
    """Paper field -> index of the column that holds it."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        positions.setdefault(_normal(cell), index)
    columns = {}
    for field_name, names in COLUMNS.items():
        for column_name in names:
            if column_name in positions:
                columns[field_name] = positions[column_name]
                break
    return columns


def _row_to_paper(
    row: list[str], columns: dict[str, int], name: str, where: str
) -> Paper | BadRecord:
    def cell(field_name: str) -> str:
        index = columns.get(field_name)
        return row[index].strip() if index is not None and index < len(row) else ""

    title = tidy_title(cell("title"))
    if not title:
        return BadRecord(where, "no title")
    raw_id = cell("id")
    url = cell("url")
    arxiv = find_arxiv_id([cell("arxiv_id"), raw_id, url, cell("doi")])
    extra = {}
    if raw_id and not raw_id.startswith(("arxiv:", "title:")) and not find_arxiv_id([raw_id]):
        extra["source_id"] = raw_id
    return make_paper(
        title,
        tidy_abstract(cell("abstract")),
        arxiv_id=arxiv,
        authors=split_authors(cell("authors")),
        sources=(name,),
        published=iso_date(cell("published")),
        updated=iso_date(cell("updated")),
        url=url or (f"https://arxiv.org/abs/{arxiv}" if arxiv else ""),
        pdf_url=cell("pdf_url") or (f"https://arxiv.org/pdf/{arxiv}" if arxiv else ""),
        categories=split_categories(cell("categories")),
        doi=cell("doi"),
        venue=tidy_title(cell("venue")),
        journal_ref=tidy_title(cell("journal_ref")),
        comment=tidy_title(cell("comment")),
        extra=extra,
    )
