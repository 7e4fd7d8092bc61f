"""Parsers turn the content of a source file into :class:`reader.model.Paper` records.

Every format module has a ``parse(stream, name)`` generator: ``stream`` is a binary
file object (already decompressed), ``name`` the file's name or collection (used in
messages and as the papers' source). It yields a ``Paper`` per record, or a
:class:`BadRecord` for a record it cannot use (no title, a broken JSON line), and goes on
with the next. A file it cannot read at all raises :class:`ParseError`. Parsers never
touch the store: the importer decides what a bad record does to the file's import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# format name -> parser module, in the order the importer tries to detect them (the
# names are also the CLI's --format choices: listing them loads no parser).
FORMATS: dict[str, str] = {
    "json": "reader.parsers.jsonish",
    "arxiv-atom": "reader.parsers.arxiv_atom",
    "feed": "reader.parsers.feed",
    "bibtex": "reader.parsers.bibtex",
    "ris": "reader.parsers.ris",
    "arxiv-listing": "reader.parsers.arxiv_listing",
    "csv": "reader.parsers.table",
    "listing": "reader.parsers.listing",
}


class ParseError(ValueError):
    """A source could not be read as papers."""

    def __init__(self, source: str | Path, problem: str, line: int | None = None) -> None:
        self.source = str(source)
        self.problem = problem
        self.line = line
        where = f"{self.source}:{line}" if line is not None else self.source
        super().__init__(f"{where}: {problem}")


def decode(data: bytes) -> str:
    """Text from bytes of unknown quality: UTF-8 (BOM dropped), bad bytes replaced."""
    return data.decode("utf-8-sig", errors="replace")


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record that could not be read; ``where`` is e.g. ``line 12`` or ``entry smith20``."""

    where: str
    problem: str


_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_WHITESPACE = re.compile(r"\s+")


def tidy_title(text: str) -> str:
    """A title on one line: every run of whitespace (arXiv hard-wraps) made one space."""
    return _WHITESPACE.sub(" ", text).strip()


def tidy_abstract(text: str) -> str:
    """An abstract with hard wraps undone: paragraphs (blank-line separated) kept,
    the lines inside each joined with single spaces."""
    paragraphs = (tidy_title(part) for part in _BLANK_LINE.split(text.replace("\r\n", "\n")))
    return "\n\n".join(part for part in paragraphs if part)
