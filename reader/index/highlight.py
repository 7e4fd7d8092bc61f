"""Why a paper matched: which displayed words are search terms, and a snippet.

Works on the text as displayed: each word is analyzed like the index does it and
compared with the terms the query looked for (``SearchResult.terms``), so prefix,
fuzzy and British/American matches light up too. Only what is on screen is computed.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")

Span = tuple[int, int]


@lru_cache(maxsize=50_000)
def _word_terms(word: str) -> tuple[str, ...]:
    from reader.index.analysis import terms  # Whoosh: not before a query needs it

    return tuple(terms(word))


def match_spans(text: str, wanted: frozenset[str]) -> list[Span]:
    """(start, end) of every word in ``text`` that is one of the ``wanted`` terms."""
    if not wanted:
        return []
    return [
        match.span()
        for match in _WORD.finditer(text)
        if any(term in wanted for term in _word_terms(match.group(0)))
    ]


def snippet(text: str, wanted: frozenset[str], width: int) -> tuple[str, list[Span]]:
    """About ``width`` characters of ``text`` around its first matching word, with the
    matches in it; the start of ``text`` when nothing matches."""
    spans = match_spans(text, wanted)
    if not spans:
        return text[:width], []
    first = spans[0][0]
    start = max(0, first - width // 4)
    if start:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and first - space < width // 2 else start
    piece = text[start : start + width]
    prefix = "…" if start else ""
    shift = len(prefix) - start
    inside = [
        (begin + shift, min(end, start + width) + shift)
        for begin, end in spans
        if start <= begin < start + width
    ]
    return prefix + piece, inside
