"""BibTeX entries, built through bibtexparser's model and written by its writer.

Text is written so that LaTeX typesets it and bibtexparser reads it back intact:

* ``%``, ``&`` and ``#`` get a backslash everywhere; ``_`` and ``$`` outside math;
  ``~`` and ``^`` outside math become ``\\textasciitilde{}`` / ``\\textasciicircum{}``.
* Math (``$...$``, ``$$...$$``) and LaTeX commands (``\\alpha``, ``\\'e``, an already
  escaped ``\\%``) are kept as they are: arXiv titles and abstracts are LaTeX.
* Braces are kept when they balance (LaTeX groups) and escaped (``\\{``) when not.
* Unicode (accents, CJK) is written as UTF-8, which biber and bibtexparser read.

:func:`unescape` undoes exactly these escapes, so
``unescape(parsed_field) == original`` for text that held no backslash escapes of its
own. Author names are joined with " and "; a name that itself holds " and " or a comma
is wrapped in braces (:func:`split_authors` reads the list back).

Entry types: ``@inproceedings`` (booktitle) for a conference venue, ``@article``
(journal) for another venue or a journal reference, else ``@misc``. arXiv papers get
``eprint``, ``archivePrefix = {arXiv}`` and ``primaryClass``. Citation keys are
``<first author's last name><year><first title word>`` (``lovelace2024learned``),
made unique with a letter suffix; a ``bibtex_key`` kept from an import is reused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TextIO

import bibtexparser
from bibtexparser.model import Entry, Field

from reader.exporters import arxiv_abs_url, date_parts, is_conference
from reader.model import Paper

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Words skipped when taking the first word of the title for a citation key.
STOPWORDS = frozenset(
    "a an the on of in for to and or with from by at as is are via towards toward "
    "using do does can what when how why".split()
)

# A math span: $$...$$, or $...$ whose content neither starts nor ends with a space
# (so "costs $5 and $10" is not math). The opening $ is not escaped.
_MATH = re.compile(r"(?<!\\)\$\$(?:\\.|[^$\\])+?\$\$|(?<!\\)\$(?!\s)(?:\\.|[^$\\])+?(?<!\s)\$")
_ALWAYS = re.compile(r"(?<!\\)([%&#])")
_TEXT_ONLY = re.compile(r"(?<!\\)([_$])")
_TILDE = re.compile(r"(?<!\\)~")
_CARET = re.compile(r"(?<!\\)\^")
_BRACE = re.compile(r"(?<!\\)([{}])")
_ARXIV_CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z\-]+)?$")
_VALID_KEY = re.compile(r"^[^\s,{}()=#%\"'\\~]+$")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


# -- escaping ----------------------------------------------------------------------------


def escape(text: str) -> str:
    """``text`` as LaTeX-safe BibTeX field content (see the module documentation)."""
    keep_braces = _balanced(text)
    parts = []
    position = 0
    for math in _MATH.finditer(text):
        parts.append(_escape_text(text[position : math.start()], keep_braces))
        parts.append(_escape_math(math.group(), keep_braces))
        position = math.end()
    parts.append(_escape_text(text[position:], keep_braces))
    result = "".join(parts)
    if result.endswith("\\") and not result.endswith("\\\\"):
        # A trailing backslash would escape the closing brace of the field.
        result = result[:-1] + r"\textbackslash{}"
    return result


def _escape_math(text: str, keep_braces: bool) -> str:
    if not keep_braces:
        text = _BRACE.sub(r"\\\1", text)
    return _ALWAYS.sub(r"\\\1", text)


def _escape_text(text: str, keep_braces: bool) -> str:
    if not keep_braces:
        text = _BRACE.sub(r"\\\1", text)
    text = _ALWAYS.sub(r"\\\1", text)
    text = _TEXT_ONLY.sub(r"\\\1", text)
    text = _TILDE.sub(r"\\textasciitilde{}", text)
    return _CARET.sub(r"\\textasciicircum{}", text)


def _balanced(text: str) -> bool:
    depth = 0
    for brace in _BRACE.finditer(text):
        depth += 1 if brace.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def unescape(value: str) -> str:
    """The text :func:`escape` was given, from a field value bibtexparser read."""
    value = value.replace(r"\textasciitilde{}", "~").replace(r"\textasciicircum{}", "^")
    value = value.replace(r"\textbackslash{}", "\\")
    return re.sub(r"\\([%&#_${}])", r"\1", value)


def format_authors(authors: Iterable[str]) -> str:
    names = []
    for name in authors:
        name = escape(name)
        if _AND.search(name) or "," in name:
            name = "{" + name + "}"
        names.append(name)
    return " and ".join(names)


def split_authors(value: str) -> list[str]:
    """The names in an ``author`` field this module wrote (" and " outside braces)."""
    names, depth, start = [], 0, 0
    for match in re.finditer(r"(?<!\\)[{}]|\s+and\s+", value, flags=re.IGNORECASE):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    result = []
    for name in names:
        name = name.strip()
        if name.startswith("{") and name.endswith("}") and _balanced(name[1:-1]):
            name = name[1:-1]
        result.append(unescape(name))
    return [name for name in result if name]


# -- entries -----------------------------------------------------------------------------


def _ascii_words(text: str) -> list[str]:
    text = re.sub(r"\$[^$]*\$|\\[A-Za-z]+", " ", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[a-z0-9]+", text.lower())


def citation_key(paper: Paper) -> str:
    """``lovelace2024learned``: last name of the first author, year, first title word."""
    last = ""
    if paper.authors:
        words = [w for w in paper.authors[0].replace(",", " ").split() if w]
        # "Jr." and the like are not the last name.
        while len(words) > 1 and words[-1].rstrip(".").lower() in {"jr", "sr", "ii", "iii"}:
            words.pop()
        last = "".join(_ascii_words(words[-1])) if words else ""
    year = date_parts(paper.published)[0]
    word = next((w for w in _ascii_words(paper.title) if w not in STOPWORDS), "")
    return f"{last or 'anon'}{year}{word}"


def _unique(key: str, used: set[str]) -> str:
    if key not in used:
        return key
    for suffix in "abcdefghijklmnopqrstuvwxyz":
        if key + suffix not in used:
            return key + suffix
    number = 2
    while f"{key}-{number}" in used:
        number += 1
    return f"{key}-{number}"


def _braced(text: str) -> str:
    return "{" + text + "}"


def _url_value(url: str) -> str:
    """A URL kept verbatim (biblatex and \\url read it raw); braces percent-encoded."""
    return _braced(url.replace("{", "%7B").replace("}", "%7D"))


def entry(paper: Paper, key: str, note: str | None = None) -> Entry:
    """The bibtexparser entry for ``paper`` with citation key ``key``."""
    fields: list[tuple[str, str]] = []

    def text(name: str, value: str) -> None:
        if value.strip():
            fields.append((name, _braced(escape(value))))

    if paper.authors:
        fields.append(("author", _braced(format_authors(paper.authors))))
    text("title", paper.title)
    year, month, _ = date_parts(paper.published)
    if year:
        fields.append(("year", _braced(year)))
    if month and 1 <= int(month) <= 12:
        fields.append(("month", MONTHS[int(month) - 1]))
    notes = [paper.comment]
    if paper.venue and is_conference(paper.venue):
        entry_type = "inproceedings"
        text("booktitle", paper.venue)
        notes.append(paper.journal_ref)
    elif paper.venue or paper.journal_ref:
        entry_type = "article"
        text("journal", paper.venue or paper.journal_ref)
        if paper.venue:
            notes.append(paper.journal_ref)
    else:
        entry_type = "misc"
    if paper.doi:
        fields.append(("doi", _url_value(paper.doi)))
    url = paper.url or arxiv_abs_url(paper)
    if url:
        fields.append(("url", _url_value(url)))
    if paper.arxiv_id:
        fields.append(("eprint", _braced(paper.arxiv_id)))
        fields.append(("archivePrefix", "{arXiv}"))
        if paper.categories and _ARXIV_CATEGORY.match(paper.categories[0]):
            fields.append(("primaryClass", _braced(paper.categories[0])))
    text("note", "; ".join(part for part in notes if part.strip()))
    if paper.categories:
        text("keywords", ", ".join(paper.categories))
    text("abstract", paper.abstract)
    if note:
        text("annote", note)
    return Entry(entry_type, key, [Field(name, value) for name, value in fields])


def write(papers: Iterable[Paper], out: TextIO, notes: Mapping[str, str] | None = None) -> int:
    used: set[str] = set()
    count = 0
    for paper in papers:
        kept = paper.extra.get("bibtex_key")
        if isinstance(kept, str) and _VALID_KEY.match(kept) and kept not in used:
            key = kept
        else:
            key = _unique(citation_key(paper), used)
        used.add(key)
        library = bibtexparser.Library([entry(paper, key, (notes or {}).get(paper.id))])
        if count:
            out.write("\n")
        out.write(bibtexparser.write_string(library, unparse_stack=[]))
        count += 1
    return count
