"""Ranking with arrays: Whoosh's BM25F scores, computed a whole posting list at a time.

Whoosh scores a query one posting at a time in Python: a word in most abstracts
("learning", "model") costs 100-400 ms at 185k papers. Here each term's posting list
is read block by block into numpy arrays (document numbers and weights), scored with
the same BM25F formula and statistics Whoosh uses, and queries are combined as
arrays over all document numbers: ``And`` intersects, ``Or`` unites, both add
scores, ``NOT`` removes. The results are Whoosh's (same scores, same order: score,
then document number), tested against it.

Phrases need word positions, which are slow to read. A phrase first counts as its
words all being there (its score is the sum of its words' scores either way); the
positions are checked only for the papers that could reach the page asked for,
best first, and a paper whose phrase fails drops out. So the first page of
``"language model"`` checks a few hundred papers, not every paper with both words.

Query shapes this module does not know are scored by Whoosh's own matcher, so any
query works. Term postings are cached per open searcher (a new searcher, after an
index change, starts a new cache).
"""

from __future__ import annotations

import heapq
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
from whoosh import query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import TermNotFound
from whoosh.util.numeric import _length_byte_cache

# the posting arrays kept between queries (bytes)
CACHE_BYTES = 64 * 1024 * 1024
# how much of that warming up may fill
WARM_BYTES = CACHE_BYTES // 2
# below this many possible matches, a phrase checks them all (an exact count)
CHECK_ALL_BELOW = 2_000
# papers whose phrase positions are checked at a time, best first
CHECK_STEP = 512

_LENGTHS = np.array(_length_byte_cache, dtype=np.float64)
_EMPTY_DOCS = np.zeros(0, dtype=np.int32)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)


class _Postings:
    """One term's postings over the whole index: document numbers (ascending) and
    weights, and where each block of them is, to read word positions (phrases)
    for just the documents that need them."""

    __slots__ = ("docs", "weights", "blocks", "starts")

    def __init__(self, docs: np.ndarray, weights: np.ndarray, blocks: list) -> None:
        self.docs = docs
        self.weights = weights
        # (index of the block's first posting, matcher, block position or values)
        self.blocks = blocks
        self.starts = [start for start, _, _ in blocks]

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.weights.nbytes

    def value(self, doc: int, docs: list[int], loaded: dict[int, tuple]):
        """The encoded positions of the posting for ``doc`` (which must be there),
        found in ``docs`` (``self.docs`` as a list: bisecting it is 30x quicker than
        numpy for one number), reading its block unless it is in ``loaded`` (the
        blocks this query has read)."""
        index = bisect_left(docs, doc)
        block = bisect_right(self.starts, index) - 1
        values = loaded.get(block)
        if values is None:
            _, matcher, where = self.blocks[block]
            if matcher is None:  # postings inlined in the term's entry
                values = where
            else:
                matcher._goto(where)
                matcher._read_values()
                values = matcher._values
            loaded[block] = values
        return values[index - self.starts[block]]


Check = Callable[[int], "float | None"]


@dataclass
class _Result:
    """A query node over all documents: which may match (``mask``), with which score
    (``scores``, zero elsewhere; never below the true score), and, when some
    matches still need their phrase positions checked, ``check``: the true score
    of one document, or None when it does not match."""

    mask: np.ndarray
    scores: np.ndarray
    check: Check | None = None

    def true_score(self, doc: int) -> float | None:
        if self.check is None:
            return float(self.scores[doc]) if self.mask[doc] else None
        return self.check(doc) if self.mask[doc] else None


@dataclass
class Ranking:
    """The best documents (numbers, best first), how many match, and whether that
    count is exact (an estimate when phrase positions were not all checked)."""

    docs: list[int]
    total: int
    exact: bool


class Ranker:
    """Ranks queries on one open Whoosh searcher. Safe to use from one thread at a
    time (the index guards it with its lock)."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.leaves = list(searcher.reader().leaf_readers())
        self.size = searcher.doc_count_all()
        weighting = searcher.weighting
        self.B = getattr(weighting, "B", 0.75)
        self.K1 = getattr(weighting, "K1", 1.2)
        self._field_B = getattr(weighting, "_field_B", {})
        self._postings: OrderedDict[tuple, _Postings] = OrderedDict()
        self._cached = 0
        self._lengths: dict[str, np.ndarray] = {}
        self._alive: np.ndarray | None = None
        self._lock = threading.Lock()

    # -- ranking -------------------------------------------------------------------------

    def rank(self, q: query.Query, limit: int | None,
             within: np.ndarray | None = None,
             checked_limit: int | None = None) -> Ranking:
        """The ``limit`` best matches of ``q`` (all when None), best first, among the
        documents ``within`` (a mask) when given; only ``checked_limit`` of them
        when phrase positions must be checked (those are slow to read)."""
        with self._lock:
            result = self._evaluate(q)
            mask = result.mask & self._alive_mask()
            if within is not None:
                mask &= within
            candidates = np.flatnonzero(mask)
            if result.check is None:
                return self._top(candidates, result.scores, limit)
            if checked_limit is not None and limit is not None:
                limit = min(limit, checked_limit)
            return self._top_checked(candidates, result, limit)

    def warm(self, field: str, text: str) -> bool:
        """Read a term's postings into the cache now; False once warming has filled
        its share of the cache."""
        with self._lock:
            if self._cached >= WARM_BYTES:
                return False
            if field in self.schema:
                self._read(field, text)
            return True

    def documents(self, field: str, texts: Collection[str]) -> np.ndarray:
        """A mask of the documents having any of ``texts`` in ``field`` (ids → docs)."""
        mask = np.zeros(self.size, dtype=bool)
        with self._lock:
            for text in texts:
                mask[self._read(field, text, cache=False).docs] = True
        return mask

    def _top(self, candidates: np.ndarray, scores: np.ndarray, limit: int | None) -> Ranking:
        total = len(candidates)
        values = scores[candidates]
        if limit is not None and total > limit:
            # everything scoring at least the limit-th best (ties included), then sort
            threshold = np.partition(values, total - limit)[total - limit]
            keep = values >= threshold
            candidates, values = candidates[keep], values[keep]
        # best score first; equal scores by document number (candidates ascend)
        order = np.argsort(-values, kind="stable")
        docs = candidates[order]
        if limit is not None:
            docs = docs[:limit]
        return Ranking(docs.tolist(), total, True)

    def _top_checked(self, candidates: np.ndarray, result: _Result,
                     limit: int | None) -> Ranking:
        """Check documents best upper score first until no unchecked one can beat
        the ``limit``-th checked match (upper scores never fall below true ones)."""
        everything = limit is None or len(candidates) <= CHECK_ALL_BELOW
        if everything:
            # in document order: each block of positions is read once
            order, upper_sorted = candidates, result.scores[candidates]
        else:
            order = candidates[np.argsort(-result.scores[candidates], kind="stable")]
            upper_sorted = result.scores[order]
        found: list[tuple[float, int]] = []  # (-score, doc): sorts best first
        best: list[float] = []  # a min-heap of the best ``limit`` true scores
        checked = 0
        limited = not everything and limit is not None
        for start in range(0, len(order), CHECK_STEP):
            bounds = upper_sorted[start:start + CHECK_STEP].tolist()
            docs = order[start:start + CHECK_STEP].tolist()
            for bound, doc in zip(bounds, docs):
                if limited and len(best) >= limit and bound < best[0]:
                    break
                score = result.check(doc)  # type: ignore[misc]
                checked += 1
                if score is None:
                    continue
                found.append((-score, doc))
                if limit is not None:
                    if len(best) < limit:
                        heapq.heappush(best, score)
                    elif score > best[0]:
                        heapq.heapreplace(best, score)
            else:
                continue
            break
        found.sort()
        docs = [doc for _, doc in found]
        if limit is not None:
            docs = docs[:limit]
        if checked == len(order):
            return Ranking(docs, len(found), True)
        estimate = round(len(order) * len(found) / checked) if checked else len(order)
        return Ranking(docs, max(estimate, len(found)), False)

    # -- evaluating a query --------------------------------------------------------------

    def _none(self) -> _Result:
        return _Result(np.zeros(self.size, dtype=bool), np.zeros(self.size))

    def _evaluate(self, q: query.Query) -> _Result:
        if q is query.NullQuery or isinstance(q, query.NullQuery.__class__):
            return self._none()
        if isinstance(q, query.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, query.Phrase) and q.slop == 1:
            return self._phrase(q)
        if type(q) is query.And:
            return self._and(q)
        if type(q) is query.Or and not getattr(q, "scale", None) \
                and not getattr(q, "minmatch", 0):
            return self._or(q)
        return self._whoosh(q)

    def _boosted(self, result: _Result, boost: float) -> _Result:
        if boost == 1.0:
            return result
        check = result.check
        return _Result(
            result.mask, result.scores * boost,
            None if check is None else (lambda doc: _times(check(doc), boost)),
        )

    def _and(self, q: query.And) -> _Result:
        positive = [c for c in q.subqueries if not isinstance(c, query.Not)]
        negative = [c.query for c in q.subqueries if isinstance(c, query.Not)]
        if not positive:
            return self._whoosh(q)
        parts = [self._evaluate(child) for child in positive]
        mask = parts[0].mask.copy()
        for part in parts[1:]:
            mask &= part.mask
        for child in negative:
            excluded = self._evaluate(child)
            mask &= ~self._exact_mask(excluded, mask)
        # Whoosh scores a NOT as matching every other document with 1.0
        constant = float(len(negative))
        scores = np.full(self.size, constant)
        for part in parts:
            scores += part.scores
        scores[~mask] = 0.0
        check = None
        if any(part.check is not None for part in parts):
            def check(doc: int) -> float | None:
                total = constant
                for part in parts:
                    score = part.true_score(doc)
                    if score is None:
                        return None
                    total += score
                return total
        return self._boosted(_Result(mask, scores, check), q.boost)

    def _or(self, q: query.Or) -> _Result:
        parts = [self._evaluate(child) for child in q.subqueries]
        if not parts:
            return self._none()
        mask = parts[0].mask.copy()
        scores = parts[0].scores.copy()
        for part in parts[1:]:
            mask |= part.mask
            scores += part.scores
        check = None
        if any(part.check is not None for part in parts):
            def check(doc: int) -> float | None:
                total, matched = 0.0, False
                for part in parts:
                    score = part.true_score(doc)
                    if score is not None:
                        total += score
                        matched = True
                return total if matched else None
        return self._boosted(_Result(mask, scores, check), q.boost)

    def _exact_mask(self, result: _Result, among: np.ndarray) -> np.ndarray:
        """Which documents (of those in ``among``) truly match ``result``."""
        if result.check is None:
            return result.mask
        mask = np.zeros(self.size, dtype=bool)
        for doc in np.flatnonzero(result.mask & among).tolist():
            if result.check(doc) is not None:
                mask[doc] = True
        return mask

    def _term(self, field: str, text: str, boost: float = 1.0) -> _Result:
        mask = np.zeros(self.size, dtype=bool)
        scores = np.zeros(self.size)
        if field in self.schema:
            postings = self._read(field, text)
            mask[postings.docs] = True
            scores[postings.docs] = self._score(field, text, postings) * boost
        return _Result(mask, scores)

    def _score(self, field: str, text: str, postings: _Postings) -> np.ndarray:
        """Whoosh's BM25F score of each posting (its ``weight`` when the field is
        not scorable)."""
        if not self.schema[field].scorable:
            return postings.weights
        parent = self.searcher
        idf = parent.idf(field, text)
        average = parent.avg_field_length(field) or 1
        B = self._field_B.get(field, self.B)
        K1 = self.K1
        tf = postings.weights
        lengths = self._field_lengths(field)[postings.docs]
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / average)))

    def _phrase(self, q: query.Phrase) -> _Result:
        field, words = q.fieldname, list(q.words)
        if field not in self.schema or not words:
            return self._none()
        parts = [self._term(field, word) for word in words]
        mask = parts[0].mask.copy()
        scores = parts[0].scores.copy()
        for part in parts[1:]:
            mask &= part.mask
            scores += part.scores
        scores[~mask] = 0.0
        if len(words) == 1:
            return self._boosted(_Result(mask, scores), q.boost)
        postings = [self._read(field, word) for word in words]
        fmt = self.schema[field].format

        loaded: list[dict[int, tuple]] = [{} for _ in postings]  # blocks read, per word
        lists: list[list[int]] = []

        def check(doc: int) -> float | None:
            if not lists:
                lists.extend(posting.docs.tolist() for posting in postings)
            starts: set[int] | None = None
            for offset, posting in enumerate(postings):
                value = posting.value(doc, lists[offset], loaded[offset])
                positions = fmt.decode_positions(value)
                shifted = {p - offset for p in positions}
                starts = shifted if starts is None else starts & shifted
                if not starts:
                    return None
            return float(scores[doc])

        return self._boosted(_Result(mask, scores, check), q.boost)

    def _whoosh(self, q: query.Query) -> _Result:
        """Any other query, scored by Whoosh's own matcher."""
        mask = np.zeros(self.size, dtype=bool)
        scores = np.zeros(self.size)
        matcher = q.matcher(self.searcher, self.searcher.context())
        docs: list[int] = []
        values: list[float] = []
        while matcher.is_active():
            docs.append(matcher.id())
            values.append(matcher.score())
            matcher.next()
        if docs:
            mask[docs] = True
            scores[docs] = values
        return _Result(mask, scores)

    # -- reading the index ---------------------------------------------------------------

    def _alive_mask(self) -> np.ndarray:
        if self._alive is None:
            alive = np.ones(self.size, dtype=bool)
            for reader, base in self.leaves:
                if reader.has_deletions():
                    deleted = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
                    alive[deleted + base] = False
            self._alive = alive
        return self._alive

    def _field_lengths(self, field: str) -> np.ndarray:
        """Each document's length in ``field`` as Whoosh scores with it (its lossy
        one-byte form)."""
        lengths = self._lengths.get(field)
        if lengths is None:
            parts = []
            for reader, _ in self.leaves:
                count = reader.doc_count_all()
                codes = np.zeros(count, dtype=np.uint8)
                column = reader._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
                if column is not None:
                    stored = min(column._count, count)
                    raw = column._dbfile.get(column._basepos, stored)
                    codes[:stored] = np.frombuffer(raw, dtype=np.uint8)
                parts.append(codes)
            lengths = _LENGTHS[np.concatenate(parts)] if parts else _EMPTY_WEIGHTS
            self._lengths[field] = lengths
        return lengths

    def _read(self, field: str, text: str, cache: bool = True) -> _Postings:
        key = (field, text)
        postings = self._postings.get(key)
        if postings is None:
            postings = self._read_postings(field, text)
            if cache:
                self._remember(key, postings)
        else:
            self._postings.move_to_end(key)
        return postings

    def _remember(self, key: tuple, postings: _Postings) -> None:
        self._postings[key] = postings
        self._cached += postings.nbytes
        while self._cached > CACHE_BYTES and len(self._postings) > 1:
            _, dropped = self._postings.popitem(last=False)
            self._cached -= dropped.nbytes

    def _matchers(self, field: str, text: str):
        """Each segment's raw (unfiltered) matcher for the term, with its base."""
        fieldobj = self.schema[field]
        tbytes = fieldobj.to_bytes(text)
        for reader, base in self.leaves:
            terms = reader._terms
            try:
                terminfo = terms.term_info(field, tbytes)
            except TermNotFound:
                continue
            yield terminfo, terms.matcher(field, tbytes, fieldobj.format), base

    def _read_postings(self, field: str, text: str) -> _Postings:
        all_docs: list[np.ndarray] = []
        all_weights: list[np.ndarray] = []
        blocks: list = []
        count = 0
        for terminfo, matcher, base in self._matchers(field, text):
            if terminfo.is_inlined():
                ids, weights, values = terminfo.inlined_postings()
                docs = np.asarray(ids, dtype=np.int64)
                weights = np.asarray(weights if weights is not None else [1.0] * len(ids),
                                     dtype=np.float64)
                blocks.append((count, None, tuple(values or ())))
            else:
                docs, weights, positions = _read_blocks(matcher)
                blocks.extend((count + start, matcher, where) for start, where in positions)
            all_docs.append((docs + base).astype(np.int32))
            all_weights.append(weights)
            count += len(docs)
        if not all_docs:
            return _Postings(_EMPTY_DOCS, _EMPTY_WEIGHTS, [])
        return _Postings(np.concatenate(all_docs), np.concatenate(all_weights), blocks)


def _times(score: float | None, boost: float) -> float | None:
    return None if score is None else score * boost


def _read_blocks(matcher) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """All postings of a Whoosh 3 leaf matcher, a block (up to 128 postings) at a
    time (its ids are stored as gaps from the block's first id), and where each
    block starts: (index of its first posting, file position)."""
    gaps: list[int] = []
    weights: list[float] = []
    starts: list[int] = []
    ends: list[int] = []
    positions: list[tuple[int, int]] = []
    where = matcher._baseoffset
    matcher._goto(where)
    while True:
        positions.append((len(gaps), where))
        matcher._read_data()
        block_ids, block_weights, _ = matcher._data
        count = matcher._blocklength
        starts.append(len(gaps))
        gaps.extend(block_ids)
        ends.append(matcher._maxid)
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        if matcher._lastblock:
            break
        where = matcher._nextoffset
        matcher._goto(where)
    docs = np.array(gaps, dtype=np.int64)
    if len(starts) > 1:
        # each block starts afresh: make its first id a gap from the last block's end
        first = np.array(starts[1:])
        docs[first] -= np.array(ends[:-1], dtype=np.int64)
    return np.cumsum(docs), np.array(weights, dtype=np.float64), positions
