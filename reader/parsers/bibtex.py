"""BibTeX / BibLaTeX files (.bib), as reference managers export them.

bibtexparser 2 splits the file into blocks (entries, ``@string``, ``@preamble``,
``@comment``, failed blocks); this module does the rest itself, because the stock
middlewares fall short on real exports:

* Field values are evaluated the BibTeX way: ``{...}`` and ``"..."`` values, numbers,
  ``@string`` macros (names are case-insensitive and may contain ``-``), the predefined
  month macros (``jan`` ... ``dec``) and ``#`` concatenation. An unknown macro name is
  kept as text. (bibtexparser's ``ResolveStringReferencesMiddleware`` only resolves a
  value that is exactly one macro name.)
* Field names are case-insensitive (``Abstract =``); of a repeated field the first wins,
  as in BibTeX.
* Entries that bibtexparser reports as failed only because their key repeats an
  earlier one (Mendeley writes ``@article{,`` for every entry without a key) or because
  a field repeats are complete entries: they become papers. Every other failed block,
  and an entry with a malformed value (``title = {A} year = 2020``: a missing comma),
  becomes a :class:`BadRecord` with its line; the entries around it are read.
* ``crossref``: an entry missing its authors, date or venue takes them from the entry
  it cross-references, when that entry is in the same file (a parent's ``title``
  becomes the child's ``booktitle``).
* LaTeX in title, authors, abstract, venue, note and keywords is turned into Unicode
  with pylatexenc (``{\\"o}`` -> ö, ``\\c{c}`` -> ç, ``95\\%`` -> 95%, ``{BERT}`` ->
  BERT). Math (``$...$``, ``$$...$$``, ``\\(...\\)``) is kept as LaTeX, as the arXiv
  parsers keep it, so a paper imported from arXiv and from a .bib gets the same text
  and title id. Only the LaTeX pieces of a text go through pylatexenc (plain text is
  passed through as is), which keeps big files fast; a piece pylatexenc cannot read is
  kept with its braces stripped, a stray brace is dropped. A bare ``%`` inside a value
  is a percent sign, not a comment.
* An entry whose ``@`` line starts with ``%`` (``% @article{...}``) is commented out and
  skipped: BibTeX itself would read it, but that is how people leave entries out.
* Every entry type is a paper (``@web_page``, ``@online``, ``@misc``, ...).
* Authors: ``A and B and C`` split outside braces, ``Last, First`` -> ``First Last``,
  ``Last, Jr, First`` -> ``First Last Jr``, a trailing ``and others`` dropped.
* Other fields: ``year`` + ``month`` (``jan``, ``January``, ``1``) + ``day``, or a
  biblatex ``date``; ``doi``; ``url`` (a ``.pdf`` URL is also the ``pdf_url``);
  ``journal``/``journaltitle``/``booktitle`` -> venue; ``note`` -> comment;
  ``keywords`` -> ``extra["keywords"]``; key and type -> ``extra["bibtex_key"]``,
  ``extra["bibtex_type"]``; the arXiv id from ``eprint`` (+ ``archivePrefix`` /
  ``eprinttype``), Mendeley's ``arxivId``, an arxiv.org URL, a 10.48550 DOI or
  ``arXiv:<id>`` in the journal; ``primaryClass`` -> categories.

A text with no ``@type{...}`` block at all is not BibTeX: :class:`ParseError`.
A file that has blocks but no entries (only ``@string``/``@comment``) yields nothing.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import bibtexparser
from bibtexparser.middlewares.names import split_multiple_persons_names
from bibtexparser.model import (
    Entry,
    ExplicitComment,
    ImplicitComment,
    ParsingFailedBlock,
    Preamble,
    String,
)
from pylatexenc.latex2text import LatexNodes2Text

from reader.model import Paper, make_paper, normalize_arxiv_id
from reader.parsers import BadRecord, ParseError, decode, tidy_abstract, tidy_title

# bibtexparser logs a warning for every malformed block (and pylatexenc for odd LaTeX);
# with no logging configured Python would print those on stderr, over the terminal UI.
# The parser reports problems as BadRecords instead. Records still propagate to the
# application's handlers when it configures logging.
for _name in ("bibtexparser", "pylatexenc"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

# -- format detection ----------------------------------------------------------------

_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*[A-Za-z][\w\-]*[ \t]*[{(]", re.MULTILINE)


def looks_like(head: str) -> bool:
    """Whether the start of a file looks like BibTeX: an ``@type{`` or ``@type(`` block
    at the start of a line (``%`` comment lines do not count)."""
    return _ENTRY_START.search(head) is not None


# -- field values --------------------------------------------------------------------

MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
# BibTeX predefines these macros; a file's own @string may redefine them.
_DEFAULT_MACROS = {name[:3]: name.capitalize() for name in MONTHS}
_DIGITS = re.compile(r"\d+")


def _split_concatenation(raw: str) -> list[str]:
    """The parts of a value joined with ``#`` (outside braces and quotes)."""
    if "#" not in raw:
        return [raw]
    parts: list[str] = []
    depth = 0
    quoted = False
    start = 0
    escaped = False
    for index, char in enumerate(raw):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(raw[start:index])
            start = index + 1
    parts.append(raw[start:])
    return parts


class MalformedValue(ValueError):
    """A field value that is not ``{...}``, ``"..."``, a number, a macro or a ``#`` chain."""


# Braces and quotes; a backslash escapes the next character (bibtexparser's convention).
_DELIMITERS = re.compile(r'\\.|[{}"]', re.DOTALL)
_MACRO_NAME = re.compile(r"[^\s\"#%'(),={}]+")


def _quoted(part: str) -> bool:
    """Whether the ``"`` at the start of ``part`` is closed by its last character."""
    depth = 0
    for match in _DELIMITERS.finditer(part, 1, len(part) - 1):
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == '"' and depth == 0:
            return False
    return True


def evaluate(raw: str, macros: dict[str, str]) -> str:
    """The text of a raw BibTeX value: enclosing removed, macros expanded, ``#`` joined.

    Raises :class:`MalformedValue` for a value that is none of these (``{A} b = {C}``,
    which is what a missing comma between two fields looks like).
    """
    pieces = []
    for part in _split_concatenation(raw):
        part = part.strip()
        if part.startswith("{") and _group_end(part, 0) == len(part):
            pieces.append(part[1:-1])
        elif len(part) >= 2 and part[0] == part[-1] == '"' and _quoted(part):
            pieces.append(part[1:-1])
        elif not part or _DIGITS.fullmatch(part):
            pieces.append(part)
        elif _MACRO_NAME.fullmatch(part):
            name = part.lower()
            if name in macros:
                pieces.append(macros[name])
            elif name in _DEFAULT_MACROS:
                pieces.append(_DEFAULT_MACROS[name])
            else:
                pieces.append(part)  # an undefined macro: keep its name as text
        else:
            raise MalformedValue(part)
    return "".join(pieces)


# -- LaTeX to Unicode ----------------------------------------------------------------

_LATEX = LatexNodes2Text(math_mode="verbatim")
_SPECIAL = re.compile(r"[\\{}$~]")
_ACCENT_SYMBOLS = frozenset("'\"^`~=.")
_ACCENT_LETTERS = frozenset("cvuHkrdbt")
# Commands that stand for a letter inside a word: the space after them is LaTeX's
# command terminator ("Stra\ss e" is "Straße"). After any other command the space is
# kept, which reads better than LaTeX's rule when the command turns into nothing.
_LETTER_COMMANDS = frozenset(
    ["ss", "SS", "o", "O", "aa", "AA", "ae", "AE", "oe", "OE", "l", "L", "i", "j", "dh",
     "DH", "th", "TH", "ng", "NG"]
)
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_BRACES = re.compile(r"(?<!\\)[{}]")


def _strip_braces(text: str) -> str:
    return _BRACES.sub("", text)


def _is_escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index > 0 and text[index - 1] == "\\":
        backslashes += 1
        index -= 1
    return backslashes % 2 == 1


def _find_unescaped(text: str, target: str, start: int) -> int:
    while True:
        found = text.find(target, start)
        if found < 0 or not _is_escaped(text, found):
            return found
        start = found + 1


def _group_end(text: str, start: int) -> int | None:
    """The index after the ``}`` closing the ``{`` at ``start``, or None."""
    depth = 0
    for match in _DELIMITERS.finditer(text, start):
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return match.end()
    return None


def _groups_end(text: str, index: int) -> int:
    """After the brace groups that directly follow ``index`` (``\\frac{1}{2}``)."""
    while index < len(text) and text[index] == "{":
        end = _group_end(text, index)
        if end is None:
            break
        index = end
    return index


def _skip_spaces(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _unit_end(text: str, start: int) -> int | None:
    """The end of the LaTeX piece starting at ``start`` (a group, math or a command
    with its arguments), or None for a stray character."""
    char = text[start]
    length = len(text)
    if char == "{":
        return _group_end(text, start)
    if char == "}":
        return None
    if char == "~":
        return start + 1
    if char == "$":
        if text.startswith("$$", start):
            close = _find_unescaped(text, "$$", start + 2)
            return None if close < 0 else close + 2
        close = _find_unescaped(text, "$", start + 1)
        return None if close < 0 else close + 1
    # a backslash
    if start + 1 >= length:
        return None
    following = text[start + 1]
    if following.isascii() and following.isalpha():
        index = start + 1
        while index < length and text[index].isascii() and text[index].isalpha():
            index += 1
        name = text[start + 1 : index]
        after = _skip_spaces(text, index)
        if after < length and text[after] == "{":
            return _groups_end(text, after)
        if name in _ACCENT_LETTERS and after < length and text[after] not in "\\{}$":
            return after + 1  # \c c
        if name in _LETTER_COMMANDS:
            return after
        return index
    if following in "([":
        close = text.find("\\)" if following == "(" else "\\]", start + 2)
        return start + 2 if close < 0 else close + 2
    if following in _ACCENT_SYMBOLS:
        index = _skip_spaces(text, start + 2)
        if index >= length:
            return length
        if text[index] == "{":
            return _group_end(text, index) or length
        if text[index] == "\\":  # \'\i
            end = index + 1
            while end < length and text[end].isascii() and text[end].isalpha():
                end += 1
            return max(end, index + 2)
        return index + 1
    return start + 2  # \% \& \_ \\ \, ...


# Where pylatexenc's text differs from what the command stands for in a bibliography.
_SYMBOLS = {"textasciicircum": "^", "textasciitilde": "~", "textbackslash": "\\"}
_URL_COMMAND = re.compile(r"\\url\s*\{(.*)\}", re.DOTALL)
_SYMBOL_COMMAND = re.compile(r"\\([a-z]+)\s*(?:\{\})?")


@lru_cache(maxsize=8192)
def _convert(piece: str) -> str:
    if piece[0] == "$" or piece.startswith(("\\(", "\\[")):
        return piece  # math stays LaTeX, as the arXiv sources keep it
    url = _URL_COMMAND.fullmatch(piece)
    if url:
        return _plain(url.group(1))
    symbol = _SYMBOL_COMMAND.fullmatch(piece)
    if symbol and symbol.group(1) in _SYMBOLS:
        return _SYMBOLS[symbol.group(1)]
    try:
        return _LATEX.latex_to_text(_BARE_PERCENT.sub(r"\\%", piece))
    except Exception:  # pylatexenc is tolerant, but never let odd LaTeX stop an import
        return _strip_braces(piece)


def latex_to_unicode(text: str) -> str:
    """Text with its LaTeX (accents, commands, math, braces) turned into Unicode."""
    if not _SPECIAL.search(text):
        return text
    try:
        out = []
        position = 0
        while True:
            match = _SPECIAL.search(text, position)
            if match is None:
                out.append(text[position:])
                break
            start = match.start()
            out.append(text[position:start])
            end = _unit_end(text, start)
            if end is None:
                out.append("$" if text[start] == "$" else "")
                position = start + 1
                continue
            out.append(" " if text[start] == "~" else _convert(text[start:end]))
            position = end
        return "".join(out)
    except Exception:
        return _strip_braces(text)


def _plain(value: str) -> str:
    """A URL or DOI as written in BibTeX: ``\\url{}`` unwrapped, escapes and braces gone."""
    value = value.strip()
    match = re.fullmatch(r"\\(?:url|href)\s*\{(.*?)\}.*", value, re.DOTALL)
    if match:
        value = match.group(1)
    value = re.sub(r"\\([&%_#$~{}])", r"\1", value)
    return _strip_braces(value).strip()


# -- names, dates, identifiers ---------------------------------------------------------


def _top_level_commas(name: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(name):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            parts.append(name[start:index])
            start = index + 1
    parts.append(name[start:])
    return [part.strip() for part in parts]


def authors(value: str) -> list[str]:
    """``A and B and C`` as names, ``Last, First`` turned into ``First Last``;
    a trailing ``and others`` is dropped."""
    names = []
    for name in split_multiple_persons_names(value):
        if name.strip().lower() == "others":
            continue
        parts = [part for part in _top_level_commas(name)]
        if len(parts) == 2:
            name = f"{parts[1]} {parts[0]}"
        elif len(parts) >= 3:  # von Last, Jr, First
            name = f"{', '.join(parts[2:])} {parts[0]} {parts[1]}"
        name = tidy_title(latex_to_unicode(name))
        if name:
            names.append(name)
    return names


def _month(value: str) -> int | None:
    value = value.strip().lower().rstrip(".")
    if value.isdigit():
        number = int(value)
        return number if 1 <= number <= 12 else None
    match = re.match(r"[a-z]+", value)
    if match and len(match.group()) >= 3:
        for number, name in enumerate(MONTHS, start=1):
            if name.startswith(match.group()):
                return number
    return None


def _iso(year: str, month: int | None = None, day: int | None = None) -> str:
    if month is None:
        return year
    if day is None or not 1 <= day <= 31:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{day:02d}"


def published(fields: dict[str, str]) -> str:
    """The entry's date: biblatex ``date``, else ``year`` with ``month`` (and ``day``)."""
    match = re.match(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", fields.get("date", ""))
    if match:
        month = int(match.group(2)) if match.group(2) else None
        if month is not None and not 1 <= month <= 12:
            month = None
        day = int(match.group(3)) if match.group(3) and month else None
        return _iso(match.group(1), month, day)
    year = re.search(r"\d{4}", fields.get("year", ""))
    if not year:
        return ""
    month = _month(fields.get("month", ""))
    day_text = fields.get("day", "").strip()
    day = int(day_text) if month and day_text.isdigit() else None
    return _iso(year.group(), month, day)


_ARXIV_EPRINT = re.compile(
    r"(?:arxiv:)?(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?", re.I
)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+)", re.I)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\S+)", re.I)
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s]\s*(\d{4}\.\d{4,5}(?:v\d+)?)", re.I)


def arxiv_id(fields: dict[str, str], url: str, doi: str) -> str:
    """The arXiv id an entry names: its ``eprint`` (when the archive is arXiv, or when
    none is given and it looks like an arXiv id), ``arxivid``, an arXiv URL or DOI, or
    ``arXiv:<id>`` in the journal (``arXiv preprint arXiv:2101.00001``)."""
    eprint = _plain(fields.get("eprint", ""))
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    candidates = []
    if eprint and (archive == "arxiv" or (not archive and _ARXIV_EPRINT.fullmatch(eprint))):
        candidates.append(eprint)
    candidates.append(_plain(fields.get("arxivid", "")))
    for pattern, text in (
        (_ARXIV_URL, url),
        (_ARXIV_DOI, doi),
        (_ARXIV_IN_TEXT, fields.get("journal", "")),
    ):
        match = pattern.search(text)
        if match:
            candidates.append(match.group(1).removesuffix(".pdf"))
    for candidate in candidates:
        if candidate and normalize_arxiv_id(candidate):
            return candidate
    return ""


def keywords(value: str) -> list[str]:
    value = latex_to_unicode(value)
    separator = ";" if ";" in value else ","
    seen: dict[str, None] = {}
    for word in value.split(separator):
        word = tidy_title(word)
        if word:
            seen.setdefault(word, None)
    return list(seen)


# -- entries -------------------------------------------------------------------------

# Fields an entry takes from the entry it cross-references when it lacks them.
_INHERITED = ("author", "year", "month", "day", "date", "journal", "journaltitle", "booktitle")
_USED = frozenset(
    ["title", "abstract", "author", "year", "month", "day", "date", "doi", "url",
     "bdsk-url-1", "eprint", "archiveprefix", "eprinttype", "primaryclass", "arxivid",
     "journal", "journaltitle", "booktitle", "note", "keywords", "crossref"]
)
_KEY_IN_RAW = re.compile(r"\s*@\s*[\w\-]+\s*[{(]\s*([^,\s{}()=]+)")


def _fields(entry: Entry, macros: dict[str, str]) -> dict[str, str] | BadRecord:
    """The entry's fields used here, names lower-cased, values evaluated (the first of
    a repeated field wins); a BadRecord when one of them is malformed."""
    fields: dict[str, str] = {}
    for field in entry.fields:
        name = field.key.strip().lower()
        if name in _USED and name not in fields:
            value = field.value if isinstance(field.value, str) else str(field.value)
            try:
                fields[name] = evaluate(value, macros)
            except MalformedValue:
                line = (field.start_line or entry.start_line or 0) + 1
                key = entry.key.strip()
                where = f"entry {key} (line {line})" if key else f"line {line}"
                return BadRecord(where, f"malformed value of field '{field.key.strip()}' "
                                        "(a missing comma or quote?)")
    return fields


def _crossref(fields: dict[str, str], parents: dict[str, dict[str, str]]) -> dict[str, str]:
    key = fields.get("crossref", "").strip()
    parent = parents.get(key) or parents.get(key.lower()) if key else None
    if not parent or parent is fields:
        return fields
    merged = dict(fields)
    for name in _INHERITED:
        if not merged.get(name, "").strip() and parent.get(name, "").strip():
            merged[name] = parent[name]
    if not merged.get("booktitle", "").strip() and parent.get("title", "").strip():
        merged["booktitle"] = parent["title"]
    return merged


def to_paper(
    fields: dict[str, str], key: str, entry_type: str, line: int, source: str
) -> Paper | BadRecord:
    """The paper of one entry's (evaluated) fields, or a BadRecord when it has no title."""
    title = tidy_title(latex_to_unicode(fields.get("title", "")))
    if not title:
        return BadRecord(f"entry {key}" if key else f"entry at line {line}", "no title")
    url = _plain(fields.get("url", "") or fields.get("bdsk-url-1", ""))
    url = url.split()[0] if url else ""
    doi = _plain(fields.get("doi", ""))
    arxiv = arxiv_id(fields, url, doi)
    venue = next(
        (fields[name] for name in ("journal", "journaltitle", "booktitle") if fields.get(name)),
        "",
    )
    extra: dict = {"bibtex_type": entry_type.lower()}
    if key:
        extra["bibtex_key"] = key
    words = keywords(fields.get("keywords", ""))
    if words:
        extra["keywords"] = words
    primary_class = tidy_title(fields.get("primaryclass", "")) if arxiv else ""
    return make_paper(
        title,
        tidy_abstract(latex_to_unicode(fields.get("abstract", ""))),
        arxiv_id=arxiv or None,
        authors=authors(fields.get("author", "")),
        sources=(source,),
        published=published(fields),
        url=url,
        pdf_url=url if re.search(r"\.pdf$", url.split("?")[0], re.I) else "",
        categories=[primary_class] if primary_class else [],
        doi=doi,
        venue=tidy_title(latex_to_unicode(venue)),
        comment=tidy_abstract(latex_to_unicode(fields.get("note", ""))),
        extra=extra,
    )


def _failure(block: ParsingFailedBlock) -> BadRecord:
    line = (block.start_line or 0) + 1
    match = _KEY_IN_RAW.match(block.raw or "")
    where = f"entry {match.group(1)} (line {line})" if match else f"line {line}"
    error = block.error
    reason = getattr(error, "abort_reason", None) or str(error) or type(error).__name__
    reason = tidy_title(reason)
    if len(reason) > 120:
        reason = reason[:119] + "…"
    return BadRecord(where, f"malformed BibTeX: {reason}")


def _commented_out(block, lines: list[str]) -> bool:
    """Whether the block starts on a line after a ``%`` (``% @article{...}``): BibTeX
    would still read it, but people write that to leave an entry out, and biber does."""
    if isinstance(block, (ImplicitComment, ExplicitComment)) or block.start_line is None:
        return False
    if not 0 <= block.start_line < len(lines):
        return False
    line = lines[block.start_line]
    return "%" in line[: line.find("@")] if "@" in line else False


def parse_text(text: str, source: str = "bibtex"):
    """Yield a Paper or a BadRecord for each entry of a BibTeX text, in file order."""
    try:
        library = bibtexparser.parse_string(text, parse_stack=[])
    except Exception as error:  # the splitter gave up: a parser bug, not a bad entry
        raise ParseError(source, f"cannot read the BibTeX ({error})") from error

    lines = text.split("\n")
    macros: dict[str, str] = {}
    items: list[Entry | BadRecord] = []
    has_blocks = False
    for block in library.blocks:
        inner = getattr(block, "ignore_error_block", None)
        if isinstance(block, ParsingFailedBlock) and isinstance(inner, (Entry, String)):
            block = inner  # a repeated key or field: the block itself is complete
        if _commented_out(block, lines):
            has_blocks = True
            continue
        if isinstance(block, String):
            has_blocks = True
            try:
                value = evaluate(block.value, macros)
            except MalformedValue:
                value = _strip_braces(block.value).strip().strip('"')
            macros[block.key.strip().lower()] = value
        elif isinstance(block, Entry):
            has_blocks = True
            items.append(block)
        elif isinstance(block, ParsingFailedBlock):
            has_blocks = True
            items.append(_failure(block))
        elif isinstance(block, (Preamble, ExplicitComment)):
            has_blocks = True
    if not has_blocks:
        raise ParseError(source, "not BibTeX: no @entry{...} found")

    # Evaluate every entry first: a crossref may point at an entry further down.
    evaluated: list[tuple[Entry, dict[str, str]] | BadRecord] = []
    parents: dict[str, dict[str, str]] = {}
    for item in items:
        if isinstance(item, Entry):
            fields = _fields(item, macros)
            if isinstance(fields, BadRecord):
                evaluated.append(fields)
                continue
            key = item.key.strip()
            if key:
                parents.setdefault(key, fields)
                parents.setdefault(key.lower(), fields)
            item = (item, fields)
        evaluated.append(item)

    for item in evaluated:
        if isinstance(item, BadRecord):
            yield item
            continue
        entry, fields = item
        fields = _crossref(fields, parents)
        line = (entry.start_line or 0) + 1
        yield to_paper(fields, entry.key.strip(), entry.entry_type, line, source)


def parse(stream, name: str):
    """The importer's entry point: a BibTeX file as a binary stream."""
    yield from parse_text(decode(stream.read()), source=name)
