"""Text of arXiv listing pages and arXiv e-mail digests: blocks that start ``arXiv:<id>``.

Two shapes, read by one lenient reader. The e-mail digest::

    ------------------------------------------------------------------------------
    \\\\
    arXiv:2401.01234
    Date: Mon, 1 Jan 2024 10:00:00 GMT   (123kb)

    Title: A title that may
      wrap onto indented lines
    Authors: Ada Lovelace, Grace Hopper and Alan Turing
    Categories: cs.LG cs.AI
    Comments: 12 pages, 3 figures
    \\\\
      The abstract paragraph, hard-wrapped, possibly
      several lines.
    \\\\ ( https://arxiv.org/abs/2401.01234 ,  123kb)

and the text copied from a listing page (arxiv.org/list/cs.LG/new)::

    [1] arXiv:2401.01234 [pdf, html, other]
    Title: ...
    Authors: ...
    Subjects: Machine Learning (cs.LG); Artificial Intelligence (cs.AI)
    The abstract paragraph (absent on the "recent" pages).

A record runs from its ``arXiv:`` line to the next one. Inside it, ``Key: value`` lines
are fields (an indented line continues the field above it); the abstract is what lies
between the ``\\\\`` lines of a digest, or the unlabelled text after the fields of a
listing page. Page and digest chrome (section headings, the ``Total of N entries`` line,
separator rules) ends a record's text. A record without a title is a bad record; one
without an abstract is still a paper.
"""

from __future__ import annotations

import re

from reader.model import make_paper
from reader.parsers import BadRecord, ParseError, decode, tidy_abstract, tidy_title
from reader.parsers.fields import rfc822_date, split_authors

_ARXIV_ID = r"(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
# A record's first line: ``arXiv:2401.01234``, optionally numbered (``[3] ``) and followed
# only by bracketed notes (``[pdf, html]``, ``(cross-list from cs.CV)``, ``(*cross-listing*)``),
# so a wrapped abstract line that happens to start with an id is not taken for a record.
_RECORD_START = re.compile(
    rf"^(?:\[\d+\]\s*)?arXiv:(?P<id>{_ARXIV_ID})(?P<rest>(?:\s*[\[(].*)?)\s*$"
)
# What looks_like() looks for: the brief's cheap test of an id line.
_HEAD_ID_LINE = re.compile(r"^(\[\d+\]\s*)?arXiv:\d{4}\.\d{4,5}", re.MULTILINE)
_HEAD_TITLE_LINE = re.compile(r"^\s*Title:", re.MULTILINE)

FIELDS = {
    "title": "title",
    "authors": "authors",
    "author": "authors",
    "categories": "categories",
    "subjects": "subjects",
    "comments": "comment",
    "comment": "comment",
    "journal-ref": "journal_ref",
    "doi": "doi",
    "report-no": "report_no",
    "msc-class": "msc_class",
    "acm-class": "acm_class",
    "license": "license",
    "date": "date",
    "abstract": "abstract",
}
# ``Key: value`` where Key is one of FIELDS; ``Date (revised v2):`` keeps its note.
_FIELD = re.compile(
    r"^(?P<key>[A-Za-z][A-Za-z\-]*)(?:\s*\((?P<note>[^)]*)\))?\s*:\s?(?P<value>.*)$"
)
_REPLACED = re.compile(r"^replaced with revised version\s+(?P<date>.*)$", re.IGNORECASE)
# ``\\ ( https://arxiv.org/abs/2401.01234 ,  123kb)``: the end of a digest record.
_CLOSING = re.compile(r"^\\\\\s*\(\s*(?P<url>\S+)?")
_BACKSLASHES = re.compile(r"^\\\\\s*$")
_CHROME = re.compile(
    r"^(?:-{10,}|%%--%%.*|"
    r"(?:New submissions|Cross submissions|Cross-lists|Replacement submissions|Replacements)"
    r"(?:\s*\(showing [^)]*\)|\s+for\s+\w{3},.*)?|"
    r"Total of \d+ entries.*|Showing up to \d+ entries per page.*)$",
    re.IGNORECASE,
)
_SUBJECT_CODE = re.compile(r"\(([a-z][a-z\-]*(?:\.[A-Za-z\-]+)?)\)")
_SIZE_NOTE = re.compile(r"\s*\(\s*\d+(?:\.\d+)?\s*[kKmM]?b[^)]*\)\s*$")
_VERSION = re.compile(r"v(\d+)$")


def looks_like(head: str) -> bool:
    """Whether ``head`` (the start of a decoded file) is arXiv listing or digest text."""
    return bool(_HEAD_ID_LINE.search(head) and _HEAD_TITLE_LINE.search(head))




def _records(lines: list[str]) -> list[tuple[int, re.Match, list[str]]]:
    """(line number, start match, body lines) for each record in ``lines``."""
    records: list[tuple[int, re.Match, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        match = _RECORD_START.match(line)
        if match:
            records.append((number, match, []))
        elif records:
            records[-1][2].append(line)
    return records


def _read_body(body: list[str]) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """The fields, abstract lines and notes (``url``, ``replaced``) of one record body."""
    fields: dict[str, str] = {}
    notes: dict[str, str] = {}
    abstract: list[str] = []
    state = "fields"  # then "abstract" (after \\ or unlabelled text), then "done"
    last: str | None = None  # the field an indented line continues
    for line in body:
        stripped = line.strip()
        if state == "done":
            break
        closing = _CLOSING.match(stripped)
        if closing and not _BACKSLASHES.match(stripped):
            if closing.group("url"):
                notes["url"] = closing.group("url").rstrip(",")
            state = "done"
            continue
        if _BACKSLASHES.match(stripped):
            if state == "fields":
                state, last = "abstract", None
            else:
                state = "done"
            continue
        if _CHROME.match(stripped):
            state = "done"
            continue
        if state == "abstract":
            abstract.append(line)
            continue
        if not stripped:
            continue
        replaced = _REPLACED.match(stripped)
        if replaced:
            notes["replaced"] = replaced.group("date")
            continue
        field = _FIELD.match(line)
        key = FIELDS.get(field.group("key").lower()) if field else None
        if field and key:
            if key == "abstract":
                state = "abstract"
                abstract.append(field.group("value"))
                continue
            value = field.group("value").strip()
            if field.group("note"):
                notes[f"{key}_note"] = field.group("note")
            fields[key] = value
            last = key
            continue
        if last is not None and (line[:1].isspace() or not fields[last]):
            if last == "subjects" and fields[last] and not _continues_subjects(fields[last], line):
                state = "abstract"
                abstract.append(line)
                continue
            fields[last] = f"{fields[last]} {stripped}".strip()
            continue
        # Unlabelled text after the fields: a listing page's abstract.
        state = "abstract"
        abstract.append(line)
    return fields, abstract, notes


def _continues_subjects(subjects: str, line: str) -> bool:
    """Whether an indented ``line`` after ``Subjects:`` wraps the subject list."""
    return subjects.rstrip().endswith(";") or bool(_SUBJECT_CODE.search(line))


def _categories(fields: dict[str, str]) -> list[str]:
    if fields.get("categories"):
        codes = fields["categories"].split()
    else:
        codes = _SUBJECT_CODE.findall(fields.get("subjects", ""))
    return list(dict.fromkeys(codes))


def _paper(number: int, start: re.Match, body: list[str], name: str):
    fields, abstract_lines, notes = _read_body(body)
    title = tidy_title(fields.get("title", ""))
    if not title:
        return BadRecord(f"line {number}", "no title")
    arxiv_id = start.group("id")
    extra: dict[str, object] = {}
    version = _VERSION.search(arxiv_id)
    published = updated = ""
    date_text = _SIZE_NOTE.sub("", fields.get("date", "")).strip()
    date_note = notes.get("date_note", "")
    revised = re.search(r"v(\d+)", date_note) if "revised" in date_note.lower() else None
    if version:
        extra["arxiv_version"] = f"v{version.group(1)}"
    elif revised:
        extra["arxiv_version"] = f"v{revised.group(1)}"
    if date_text:
        if revised:
            updated = rfc822_date(date_text)
        else:
            published = rfc822_date(date_text)
        if not (published or updated):
            extra["date"] = date_text
    if "replaced" in notes:
        updated = rfc822_date(_SIZE_NOTE.sub("", notes["replaced"])) or updated
        extra["announce_type"] = "replace"
    rest = start.group("rest").lower()
    if "cross-list" in rest:
        extra["announce_type"] = "cross"
    elif "replaced" in rest:
        extra["announce_type"] = "replace"
    for key in ("report_no", "msc_class", "acm_class", "license"):
        if fields.get(key):
            extra[key] = tidy_title(fields[key])
    doi = fields.get("doi", "").split()
    if len(doi) > 1:
        extra["dois"] = doi
    bare = arxiv_id[: version.start()] if version else arxiv_id
    return make_paper(
        title,
        tidy_abstract("\n".join(abstract_lines)),
        arxiv_id=arxiv_id,
        authors=split_authors(fields.get("authors", "")),
        sources=(name,),
        published=published,
        updated=updated,
        url=notes.get("url") or f"https://arxiv.org/abs/{bare}",
        categories=_categories(fields),
        doi=doi[0] if doi else "",
        journal_ref=tidy_title(fields.get("journal_ref", "")),
        comment=tidy_title(fields.get("comment", "")),
        extra=extra,
    )


def parse_text(text: str, name: str):
    """Papers (and bad records) in arXiv listing or digest text, in order."""
    records = _records(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    if not records:
        raise ParseError(name, "no arXiv records found (expected lines like 'arXiv:2401.01234')")
    for number, start, body in records:
        yield _paper(number, start, body, name)


def parse(stream, name: str):
    """The importer's entry point: listing or digest text as a binary stream."""
    yield from parse_text(decode(stream.read()), name)
