"""Word pairs: a small filter per document of which terms stand next to each other.

A phrase needs word positions, and Whoosh keeps those pickled per posting: a rare
phrase of common words ("semantic model") would read the positions of every paper that
has both words, hundreds of blocks of them. So each title and abstract also gets a
Bloom filter of its adjacent term pairs (``PairedText``), kept in a Whoosh column: it
is written, merged and deleted with its document. A paper whose filter lacks one of a
phrase's pairs cannot have the phrase; positions are read only for the papers the
filter lets through (the ones with the phrase and a few percent of others).

A pair sets ``HASHES`` bits of its field's filter, found from the two terms' CRC-32
(stable across processes and Python versions, unlike ``hash``).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
from whoosh.columns import FixedBytesColumn
from whoosh.fields import TEXT

from reader.index.analysis import TextAnalyzer

# bits set by each pair
HASHES = 3
# filter sizes (bits, a power of two): about 120 pairs in an abstract, 10 in a title
ABSTRACT_BITS = 1024
TITLE_BITS = 128

_MASK = (1 << 64) - 1
_M1 = 0x9E3779B97F4A7C15
_M2 = 0xC2B2AE3D27D4EB4F
# term → its hash; emptied when it grows past this (a corpus has ~200k distinct terms)
_CACHED_TERMS = 300_000
_hashes: dict[str, int] = {}


def _term_hash(term: str) -> int:
    value = _hashes.get(term)
    if value is None:
        value = _hashes[term] = zlib.crc32(term.encode("utf-8", "surrogatepass"))
    return value


def _shifts(bits: int) -> list[int]:
    """Where each of a pair's ``HASHES`` bit numbers sits in its mixed 64-bit hash."""
    width = bits.bit_length() - 1
    return [64 - width * (j + 1) for j in range(HASHES)]


def pair_bits(first: str, second: str, bits: int) -> list[int]:
    """The bits the pair ``first second`` sets in a filter of ``bits`` bits."""
    mixed = (((_term_hash(first) * _M1) & _MASK) ^ _term_hash(second)) * _M2 & _MASK
    return [(mixed >> shift) & (bits - 1) for shift in _shifts(bits)]


_U64_M1 = np.uint64(_M1)
_U64_M2 = np.uint64(_M2)


def filter_bytes(terms: Sequence[str], bits: int) -> bytes:
    """The filter of a field whose terms, in order, are ``terms``."""
    if len(terms) < 2:
        return bytes(bits // 8)
    if len(_hashes) >= _CACHED_TERMS:
        _hashes.clear()
    try:
        values = list(map(_hashes.__getitem__, terms))
    except KeyError:  # a term seen for the first time
        for term in terms:
            if term not in _hashes:
                _term_hash(term)
        values = list(map(_hashes.__getitem__, terms))
    hashes = np.array(values, dtype=np.uint64)
    # the arithmetic of pair_bits, wrapping at 64 bits, for every pair at once
    mixed = ((hashes[:-1] * _U64_M1) ^ hashes[1:]) * _U64_M2
    shifts = np.array(_shifts(bits), dtype=np.uint64)
    on = np.zeros(bits, dtype=bool)
    on[(mixed[:, None] >> shifts) & np.uint64(bits - 1)] = True
    return np.packbits(on, bitorder="little").tobytes()


def may_have(filters: np.ndarray, docs: np.ndarray, words: Sequence[str]) -> np.ndarray:
    """Which of ``docs`` may have the phrase ``words`` (False only for documents that
    surely do not), given every document's filter (rows of ``filters``)."""
    bits = filters.shape[1] * 8
    left = np.arange(len(docs))
    for first, second in zip(words, words[1:]):
        for bit in pair_bits(first, second, bits):
            if not len(left):
                break
            left = left[(filters[docs[left], bit >> 3] & (1 << (bit & 7))) != 0]
    keep = np.zeros(len(docs), dtype=bool)
    keep[left] = True
    return keep


class PairedText(TEXT):
    """A TEXT field that also keeps each document's filter of adjacent term pairs
    (its column, ``bits`` bits).

    Its analyzer is the project's ``TextAnalyzer``: indexing takes the terms in one
    list from it and gives Whoosh the same postings as ``TEXT`` would (tested), without
    a token object per word; the filter is made from the same list."""

    def __init__(self, bits: int, analyzer: TextAnalyzer, **kwargs) -> None:
        if not isinstance(analyzer, TextAnalyzer):
            raise TypeError("PairedText needs a TextAnalyzer (its index_terms)")
        super().__init__(analyzer=analyzer, **kwargs)
        self.pair_filter_bits = bits
        self.column_type = FixedBytesColumn(bits // 8)
        self._last: tuple[object, bytes] | None = None
        self._single: dict[int, bytes] = {}
        self._term_bytes: dict[str, bytes] = {}

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_last"] = None
        state["_single"] = {}
        state["_term_bytes"] = {}
        return state

    def index(self, value, **kwargs):
        self._last = None
        if not isinstance(value, str) or kwargs:
            return super().index(value, **kwargs)
        terms, first = self.analyzer.index_terms(value)
        positions: dict[str, list[int]] = {}
        for position, term in enumerate(terms, first):
            found = positions.get(term)
            if found is None:
                positions[term] = [position]
            else:
                found.append(position)
        encode = self.format.encode
        boost = self.format.field_boost
        # most terms are once in a text: their encoded position is kept, not redone;
        # so is each term's UTF-8 (the postings share them: less memory while indexing)
        single = self._single
        names = self._term_bytes
        if len(names) >= _CACHED_TERMS:
            names.clear()
        items = []
        for term, found in positions.items():
            if len(found) == 1:
                encoded = single.get(found[0])
                if encoded is None:
                    encoded = single[found[0]] = encode(found)
            else:
                encoded = encode(found)
            encoded_term = names.get(term)
            if encoded_term is None:
                encoded_term = names[term] = term.encode("utf-8")
            items.append((encoded_term, len(found), len(found) * boost, encoded))
        # Whoosh asks for the column value next, with the same text
        self._last = (value, filter_bytes(terms, self.pair_filter_bits))
        return items

    def to_column_value(self, value) -> bytes:
        last = self._last
        self._last = None
        if last is not None and last[0] is value:
            return last[1]
        if not isinstance(value, str):  # words given as they are: any pair may be there
            return b"\xff" * (self.pair_filter_bits // 8)
        return filter_bytes(self.analyzer.index_terms(value)[0], self.pair_filter_bits)
