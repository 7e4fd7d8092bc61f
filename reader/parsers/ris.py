"""RIS files (``TY  - JOUR`` ... ``ER  -``) and Web of Science field-tagged exports.

RIS is what Zotero, EndNote, Mendeley, Scopus, PubMed, Embase, Lens and Rayyan export.
rispy reads the lines; it is given a mapping that keeps every tag as it is and reads
every tag as a list, so this module sees the raw tags and decides itself which one
wins (``TI`` before ``T1``, ``AB`` before ``N2``, ...). What the real exports do:

* a UTF-8 BOM (dropped by :func:`decode`) and CRLF line ends;
* lines without a tag continue the tag before them: each is one more keyword after
  ``KW`` (Rayyan writes one keyword a line after a single ``KW  -``), one more line of
  the title or abstract otherwise;
* a record missing its ``ER`` line (the last one of a file, or one followed directly by
  the next ``TY``) is closed where the next record starts, not merged into it;
* many records have no abstract: they are still papers.

Fields: title ``TI``/``T1``/``CT``/``BT``/``ST``; abstract ``AB``/``N2``; authors
``AU``+``A1`` (else ``A2``-``A4``), "Last, First" made "First Last"; date from
``PY``/``Y1`` and ``DA`` (``2021/05/03/`` -> ``2021-05-03``, ``PY 2014`` with
``DA Apr 15`` -> ``2014-04-15``); DOI ``DO``; links ``UR``/``L1``/``L2`` (a PDF link
becomes ``pdf_url``); venue ``JF``/``JO``/``T2``/``J2``/``JA``/``SO``; ``KW`` ->
``extra["keywords"]``; ``TY`` -> ``extra["ris_type"]``; the arXiv id from a
``10.48550/arXiv.<id>`` DOI, an arxiv.org link or an ``arXiv:<id>`` note.

The Web of Science plain-text export (``FN``/``VR`` header, ``PT`` starts a record,
continuation lines indented by three spaces, ``ER``/``EF``) is a different format with
two-letter tags too; it is recognised by its first line and read with rispy's
``WokParser``: ``TI``, ``AB``, ``AF`` (else ``AU``), ``PY`` + ``PD``, ``DI``, ``SO``,
``DE`` + ``ID`` keywords, ``PT``/``DT``/``UT`` into ``extra``.

A text without any record start is not RIS: :class:`ParseError`.
"""

from __future__ import annotations

import re

import rispy

from reader.model import Paper, make_paper, normalize_arxiv_id
from reader.parsers import BadRecord, ParseError, decode, tidy_abstract, tidy_title

# -- format detection ----------------------------------------------------------------

_RIS_START = re.compile(r"^TY  -", re.MULTILINE)
_WOS_HEADER = re.compile(r"(?:FN|PT) ")
_WOS_TAG_LINE = re.compile(r"^(?:TI|AU|ER)(?: |$)", re.MULTILINE)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def is_wos(text: str) -> bool:
    """Whether the text is a Web of Science field-tagged export (``FN ``/``PT `` first)."""
    return _WOS_HEADER.match(_first_line(text)) is not None


def looks_like(head: str) -> bool:
    """Whether the start of a file looks like RIS (a ``TY  -`` line) or a Web of
    Science field-tagged export (``FN ``/``PT `` header and tagged lines)."""
    if _RIS_START.search(head):
        return True
    return is_wos(head) and _WOS_TAG_LINE.search(head) is not None


# -- reading the tags with rispy -----------------------------------------------------


class _SameTag(dict):
    """A rispy mapping that names every tag after itself."""

    def __missing__(self, tag):
        return tag


class _AllTags:
    """A rispy list-tag set holding every tag: repeats and continuation lines all kept."""

    def __contains__(self, tag) -> bool:
        return True


def _parser(wos: bool) -> rispy.RisParser:
    kind = rispy.WokParser if wos else rispy.RisParser
    return kind(mapping=_SameTag(), list_tags=_AllTags(), newline="\n")


def _close_records(lines: list[str], parser: rispy.RisParser, end_line: str):
    """The lines with an end tag added where a record lacks one, and the line number
    where each record starts.

    Follows rispy's own state machine: outside a record, the start tag opens one;
    inside, the end tag closes it. Lines outside records are blanked, so that rispy's
    loose start test (any line beginning with ``TY``) sees only real start tags.
    """
    out: list[str] = []
    starts: list[int] = []
    inside = False
    for number, line in enumerate(lines, start=1):
        tag = parser.parse_line(line)[0]
        if not inside:
            if tag == parser.START_TAG:
                inside = True
                starts.append(number)
                out.append(line)
            else:
                out.append("")
            continue
        if tag == parser.START_TAG:  # the next record began before this one ended
            out.append(end_line)
            starts.append(number)
        elif tag == parser.END_TAG:
            inside = False
        out.append(line)
    if inside:
        out.append(end_line)
    return out, starts


def read_records(text: str, source: str) -> tuple[list[dict], list[int], bool]:
    """rispy's records (tag -> list of values), their start lines, and whether the text
    is a Web of Science export. Raises ParseError when it holds no record."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    wos = is_wos(text)
    parser = _parser(wos)
    lines, starts = _close_records(text.split("\n"), parser, "ER" if wos else "ER  - ")
    if not starts:
        expected = "a 'PT' record" if wos else "a 'TY  - ' line"
        raise ParseError(source, f"not RIS: no record start found (expected {expected})")
    try:
        records = parser.parse_lines(iter(lines))
    except Exception as error:  # rispy should not fail on any text; never crash an import
        raise ParseError(source, f"cannot read the RIS records ({error})") from error
    return records, starts, wos


def _values(record: dict, *tags: str, keep_blank: bool = False) -> list[str]:
    """The values of the tags, in tag order; blank ones (a blank line inside a
    multi-line value) only with ``keep_blank``."""
    values: list[str] = []
    for tag in tags:
        value = record.get(tag)
        if value is None:
            continue
        for item in [value] if isinstance(value, str) else value:
            item = item.strip() if isinstance(item, str) else ""
            if item or keep_blank:
                values.append(item)
    return values


def _text(record: dict, *tags: str, separator: str = " ") -> str:
    """The value of the first of the tags that has one (its lines joined with
    ``separator``; with a newline, blank lines are kept as paragraph breaks)."""
    for tag in tags:
        values = _values(record, tag, keep_blank=separator == "\n")
        if any(values):
            return separator.join(values)
    return ""


# -- field helpers -------------------------------------------------------------------

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = re.compile(r"\b(" + "|".join(MONTHS) + r")[a-z]*\b\.?", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"(\d{4})(?:[/\-.](\d{1,2})?(?:[/\-.](\d{1,2})?)?)?")
_YEAR = re.compile(r"\b(\d{4})\b")
_DAY = re.compile(r"\b(\d{1,2})\b")

DateParts = tuple[str | None, int | None, int | None]


def date_parts(text: str) -> DateParts:
    """Year, month and day in ``2021/05/03/``, ``2021-05``, ``2021 May 3``, ``Apr 15``,
    ``JUN 8 2004`` or ``May 2021``; None for what is not there."""
    text = text.strip()
    year: str | None = None
    month: int | None = None
    day: int | None = None
    numeric = _NUMERIC_DATE.match(text)
    if numeric:
        year = numeric.group(1)
        if numeric.group(2) and 1 <= int(numeric.group(2)) <= 12:
            month = int(numeric.group(2))
            if numeric.group(3) and 1 <= int(numeric.group(3)) <= 31:
                day = int(numeric.group(3))
        if month is not None:
            return year, month, day
        rest = text[numeric.end() :]
    else:
        found = _YEAR.search(text)
        year = found.group(1) if found else None
        rest = text
    name = _MONTH_NAME.search(rest)
    if name:
        month = MONTHS.index(name.group(1).lower()) + 1
        found = _DAY.search(_YEAR.sub(" ", rest[name.end() :]))
        if found and 1 <= int(found.group(1)) <= 31:
            day = int(found.group(1))
    return year, month, day


def iso_date(primary: list[str], secondary: list[str]) -> str:
    """The publication date: the year from the first primary date (``PY``/``Y1``) that
    has one, else from a secondary one (``DA``); month and day from whichever of them is
    the most precise and agrees with that year (``DA`` often has no year)."""
    candidates = [date_parts(text) for text in primary + secondary]
    year = next((parts[0] for parts in candidates if parts[0]), None)
    if year is None:
        return ""
    month = day = None
    for found_year, found_month, found_day in candidates:
        if found_year not in (None, year) or found_month is None:
            continue
        if month is None or (day is None and found_day is not None and found_month == month):
            month, day = found_month, found_day
    if month is None:
        return year
    if day is None:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{day:02d}"


_SUFFIX = re.compile(r"(?:jr|sr|ii|iii|iv)\.?", re.IGNORECASE)


def person(name: str) -> str:
    """``Last, First`` (or ``Last, First, Suffix``) as ``First Last``; a name that is
    already ``First Last`` (or ``Name, Jr.``) is kept."""
    parts = [part.strip() for part in name.split(",")]
    parts = [part for part in parts if part]
    if len(parts) == 2 and _SUFFIX.fullmatch(parts[1]):
        return tidy_title(name)
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}"
    if len(parts) >= 3:
        return f"{parts[1]} {parts[0]} {' '.join(parts[2:])}"
    return tidy_title(name)


def _unique(values) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _keywords(values: list[str]) -> list[str]:
    """Keywords, one a value or several in a value separated by ';'."""
    words = []
    for value in values:
        words.extend(value.split(";") if ";" in value else [value])
    return _unique(tidy_title(word) for word in words)


_LINK = re.compile(r"https?://\S+", re.IGNORECASE)
_DOI_IN_LINK = re.compile(r"doi\.org/(10\.\S+)", re.IGNORECASE)
_ARXIV_LINK = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\S+)", re.IGNORECASE)
_ARXIV_NOTE = re.compile(
    r"arxiv:\s*(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)


def _is_pdf(link: str) -> bool:
    path = link.split("?")[0].split("#")[0].lower()
    return path.endswith(".pdf") or "arxiv.org/pdf/" in path


def _links(record: dict, *tags: str) -> list[str]:
    return _unique(
        match.group().rstrip(".,;") for value in _values(record, *tags)
        for match in _LINK.finditer(value)
    )


def _arxiv_id(doi: str, links: list[str], notes: list[str]) -> str:
    found = _ARXIV_DOI.search(doi)
    if found:
        return found.group(1)
    for link in links:
        found = _ARXIV_LINK.search(link)
        if found and normalize_arxiv_id(found.group(1)):
            return found.group(1).removesuffix(".pdf")
    for note in notes:
        found = _ARXIV_NOTE.search(note)
        if found:
            return found.group(1)
    return ""


# -- records -------------------------------------------------------------------------


def ris_paper(record: dict, source: str) -> Paper | None:
    """The paper of one RIS record, or None when it has no title."""
    title = tidy_title(_text(record, "TI", "T1", "CT", "BT", "ST"))
    if not title:
        return None
    names = _values(record, "AU", "A1") or _values(record, "A2", "A3", "A4")
    page_links = _links(record, "UR", "L2", "L1")
    pdf_links = [link for link in _links(record, "L1", "UR", "L2", "L4") if _is_pdf(link)]
    pdf_links += _links(record, "L1")  # L1 is the RIS "link to PDF"
    url = next((link for link in page_links if not _is_pdf(link)), "")
    doi = _text(record, "DO")
    if not doi:
        from_link = next((m.group(1) for link in page_links if (m := _DOI_IN_LINK.search(link))),
                         "")
        doi = from_link or next((v for v in _values(record, "M3") if v.startswith("10.")), "")
    venues = ("JF", "JO", "T2", "J2", "JA", "SO")
    notes = _values(record, "AN", "M1", "M3", "N1", *venues)
    extra: dict = {}
    ris_type = _text(record, "TY")
    if ris_type:
        extra["ris_type"] = ris_type
    words = _keywords(_values(record, "KW"))
    if words:
        extra["keywords"] = words
    arxiv = _arxiv_id(doi, page_links + pdf_links, notes)
    return make_paper(
        title,
        tidy_abstract(_text(record, "AB", "N2", separator="\n")),
        arxiv_id=arxiv or None,
        authors=_unique(person(name) for name in names),
        sources=(source,),
        published=iso_date(_values(record, "PY", "Y1"), _values(record, "DA")),
        url=url,
        pdf_url=pdf_links[0] if pdf_links else "",
        doi=doi,
        venue=tidy_title(_text(record, *venues)),
        extra=extra,
    )


def wos_paper(record: dict, source: str) -> Paper | None:
    """The paper of one Web of Science record, or None when it has no title."""
    title = tidy_title(_text(record, "TI"))
    if not title:
        return None
    names = _values(record, "AF") or _values(record, "AU")
    doi = _text(record, "DI")
    extra: dict = {}
    for tag, name in (("PT", "wos_type"), ("DT", "document_type"), ("UT", "wos_id")):
        value = _text(record, tag)
        if value:
            extra[name] = value
    # A long keyword list wraps onto indented lines, mid-keyword: join, then split at ';'.
    words = _keywords([_text(record, "DE"), _text(record, "ID")])
    if words:
        extra["keywords"] = words
    arxiv = _arxiv_id(doi, [], [])
    return make_paper(
        title,
        tidy_abstract(_text(record, "AB", separator="\n")),
        arxiv_id=arxiv or None,
        authors=_unique(person(name) for name in names),
        sources=(source,),
        published=iso_date(_values(record, "PY"), _values(record, "PD", "EA")),
        doi=doi,
        venue=tidy_title(_text(record, "SO")),
        extra=extra,
    )


def parse_text(text: str, source: str = "ris"):
    """Yield a Paper, or a BadRecord for a record without a title, per record."""
    records, starts, wos = read_records(text, source)
    make = wos_paper if wos else ris_paper
    for number, record in enumerate(records, start=1):
        paper = make(record, source)
        if paper is None:
            line = f" (line {starts[number - 1]})" if len(starts) == len(records) else ""
            yield BadRecord(f"record {number}{line}", "no title")
        else:
            yield paper


def parse(stream, name: str):
    """The importer's entry point: a RIS or Web of Science file as a binary stream."""
    yield from parse_text(decode(stream.read()), source=name)
