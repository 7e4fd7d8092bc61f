"""The words of the library as written (folded, not stemmed), with how many papers use
each: what ``prefix*``, ``fuzzy~`` and "did you mean" look words up in.

Whoosh can keep such a list as extra "spelling" fields, but analysing and indexing every
title and abstract a second time tripled the time to build the index. This list is a
by-product of indexing (a set of words per paper), saved beside the index as a sorted
text file (``word<TAB>papers`` per line) and held in memory once loaded:

- prefixes are a binary search in the sorted words;
- words one edit away are found by trying every edit of the typed word (deletions,
  swaps, replacements, insertions: a few hundred dictionary lookups), not by walking the
  whole vocabulary.

Counts only grow when papers are indexed again or removed (a word may outlive its
last paper): a stale word expands to a term no paper has, which finds nothing.
"""

from __future__ import annotations

import os
import re
import string
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh.support.charset import accent_map

from reader.index.analysis import fold_text

FILE = "words.txt"
# the words of author names (not stemmed in the index either)
NAMES_FILE = "names.txt"
# new words put into the sorted list one at a time (each moves the list along) until
# it is sorted again; past this many, it is sorted again when next needed
_INSERT_AT_MOST = 2_000
_WORD = re.compile(r"[^\W\d_]+")
# ASCII text as bytes: letters to lower case, everything else to a space (its words are
# then what ``_WORD`` finds in it, and splitting is several times faster)
_ASCII_LETTERS = bytes(ord(chr(c).lower()) if chr(c).isalpha() else ord(" ")
                       for c in range(128)) + b" " * 128
# The letters tried in replacements and insertions: the alphabet, plus any other
# letter the vocabulary holds (é, ß, ...) is not tried; accents are folded anyway.
_LETTERS = string.ascii_lowercase


def words_of(text: str) -> set[str]:
    """The distinct words of ``text`` as the vocabulary holds them."""
    return set(_words(text))


def _words(text: str) -> list[str]:
    """The words of ``text`` (folded, lower case, accents folded), repeats included."""
    folded = fold_text(text)
    if folded.isascii():  # most titles and abstracts
        return folded.encode("ascii").translate(_ASCII_LETTERS).decode("ascii").split()
    folded = folded.lower()
    if not folded.isascii():
        folded = folded.translate(accent_map)
    return _WORD.findall(folded)


class Vocabulary:
    """Words and the number of papers that use each."""

    def __init__(self, counts: Counter[str] | None = None) -> None:
        self.counts: Counter[str] = counts if counts is not None else Counter()
        self._sorted: list[str] | None = None
        self._inserted = 0  # words put into ``_sorted`` since it was sorted

    def __len__(self) -> int:
        return len(self.counts)

    def __contains__(self, word: object) -> bool:
        return word in self.counts

    def add(self, texts: Iterable[str]) -> None:
        """Count the words of one paper (its title, abstract, ...)."""
        words: set[str] = set()
        for text in texts:
            if text:
                words.update(_words(text))
        if self._sorted is not None:
            # papers indexed into a library: their few new words go into the sorted list
            new = [word for word in words if word not in self.counts]
            self._inserted += len(new)
            if self._inserted > _INSERT_AT_MOST:
                self._sorted = None  # sorted again when next needed
            else:
                for word in new:
                    insort(self._sorted, word)
        self.counts.update(words)

    def papers_with(self, word: str) -> int:
        return self.counts.get(word, 0)

    # -- lookups -------------------------------------------------------------------------

    def _words(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.counts)
            self._inserted = 0
        return self._sorted

    def starting_with(self, prefix: str, scan: int = 2000) -> list[str]:
        """Words that start with ``prefix`` (at most ``scan`` of them, in order)."""
        words = self._words()
        found: list[str] = []
        position = bisect_left(words, prefix)
        while position < len(words) and len(found) < scan:
            word = words[position]
            if not word.startswith(prefix):
                break
            found.append(word)
            position += 1
        return found

    def most_used(self, words: Iterable[str], limit: int) -> list[str]:
        """The ``limit`` words used by most papers, most first (ties alphabetically)."""
        return sorted(set(words), key=lambda w: (-self.counts.get(w, 0), w))[:limit]

    def within(self, word: str, distance: int = 1) -> set[str]:
        """Known words at most ``distance`` (1 or 2) edits from ``word``, itself included
        when known."""
        found = {word} if word in self.counts else set()
        edits = _edits(word)
        found.update(e for e in edits if e in self.counts)
        if distance >= 2:
            for near in edits:
                found.update(e for e in _edits(near) if e in self.counts)
        return found

    def split_joined(self, word: str, least: int = 1) -> tuple[str, str] | None:
        """``word`` as two known words run together (each used by at least ``least``
        papers, the split whose rarer half is most used), or None."""
        best: tuple[int, str, str] | None = None
        for cut in range(2, len(word) - 1):
            head, tail = word[:cut], word[cut:]
            score = min(self.counts.get(head, 0), self.counts.get(tail, 0))
            if score >= least and (best is None or score > best[0]):
                best = (score, head, tail)
        return (best[1], best[2]) if best else None

    # -- files ---------------------------------------------------------------------------

    def save(self, folder: Path, file: str = FILE) -> None:
        """Write ``file`` into ``folder`` (a whole new file, renamed into place)."""
        path = Path(folder) / file
        temporary = path.with_name(file + ".tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            out.writelines(f"{word}\t{count}\n" for word, count in sorted(self.counts.items()))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)

    @classmethod
    def load(cls, folder: Path, file: str = FILE) -> Vocabulary:
        """Read ``words.txt`` from ``folder``; raises OSError or ValueError when it is
        missing or damaged."""
        counts: Counter[str] = Counter()
        with open(Path(folder) / file, encoding="utf-8") as lines:
            for line in _lines(lines):
                word, _, count = line.rstrip("\n").partition("\t")
                counts[word] = int(count)
        vocabulary = cls(counts)
        vocabulary._sorted = list(counts)  # written sorted
        return vocabulary


def _lines(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        if "\t" not in line:
            raise ValueError(f"{FILE}: damaged line {line[:40]!r}")
        yield line


def _edits(word: str) -> set[str]:
    """Every string one deletion, swap, replacement or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS if c != b[0]]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts)
