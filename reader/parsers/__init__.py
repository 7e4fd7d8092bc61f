"""Parsers turn the text of a source file into :class:`reader.model.Paper` records.

They never touch the store; a failure raises :class:`ParseError`, whose message is one
line naming the file, where, and what is wrong.
"""

from __future__ import annotations

from pathlib import Path


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
