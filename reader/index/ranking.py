"""Ranking with arrays: Whoosh's BM25F scores, computed a whole posting list at a time.

Whoosh scores a query one posting at a time in Python: a word in most abstracts
("learning", "model") costs 100-400 ms at 185k papers. Here each term's posting list
is read block by block into numpy arrays (document numbers and weights), scored with
the same BM25F formula and statistics Whoosh uses, and queries are combined as
arrays over all document numbers: ``And`` intersects, ``Or`` unites, both add
scores, ``NOT`` removes. The results are Whoosh's (same scores, same order: score,
then document number), tested against it.

Phrases need word positions, which are slow to read. A phrase first counts as its
words all being there and its pairs of words in the paper's filter of word pairs
(``pairs``); its score is the sum of its words' scores either way. The positions are
checked only for the papers that could reach the page asked for, best first, and a
paper whose phrase fails drops out. So the first page of ``"language model"`` checks
a few hundred papers, not every paper with both words.

Query shapes this module does not know are scored by Whoosh's own matcher, so any
query works. Term postings are cached per open searcher (a new searcher, after an
index change, starts a new cache).
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from itertools import accumulate

import numpy as np
from whoosh import query
from whoosh.reading import TermNotFound
from whoosh.util.numeric import _length_byte_cache

from reader.index import pairs
from reader.index.codec import length_codes

# the posting arrays kept between queries (bytes)
CACHE_BYTES = 64 * 1024 * 1024
# how much of that warming up may fill
WARM_BYTES = CACHE_BYTES // 2
# blocks of word positions kept between queries (128 postings each, about 1.5 kB)
BLOCK_CACHE = 2_000
# below this many possible matches, a phrase checks them all (an exact count)
CHECK_ALL_BELOW = 2_000
# papers whose phrase positions are checked at a time: best first (a page's worth),
# or in document order when all are checked (each block of positions read once)
CHECK_STEP = 128
CHECK_ALL_STEP = 4096

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
        self.starts = np.array([start for start, _, _ in blocks], dtype=np.int64)

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.weights.nbytes

    def values_for(self, docs: np.ndarray, loaded: _Blocks, term: tuple) -> list[bytes]:
        """The encoded positions of the postings for ``docs`` (which must all be
        there), reading their blocks unless ``loaded`` has them (as ``term`` + block
        number)."""
        index = np.searchsorted(self.docs, docs)
        blocks = np.searchsorted(self.starts, index, side="right") - 1
        starts = self.starts
        found = []
        for position, block in zip(index.tolist(), blocks.tolist()):
            key = (*term, block)
            values = loaded.get(key)
            if values is None:
                _, matcher, where = self.blocks[block]
                if matcher is None:  # postings inlined in the term's entry
                    values = where
                else:
                    matcher._goto(where)
                    matcher._read_values()
                    values = matcher._values
                loaded.put(key, values)
            found.append(values[position - starts[block]])
        return found


class _Blocks:
    """Blocks of encoded positions recently read (least recently used go first)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._blocks: OrderedDict[tuple, tuple] = OrderedDict()

    def get(self, key: tuple) -> tuple | None:
        values = self._blocks.get(key)
        if values is not None:
            self._blocks.move_to_end(key)
        return values

    def put(self, key: tuple, values: tuple) -> None:
        self._blocks[key] = values
        if len(self._blocks) > self.limit:
            self._blocks.popitem(last=False)


def _decode_positions(values: list[bytes]) -> list[list[int]]:
    """Whoosh's encoded positions (a 4-byte count, then a pickled list of gaps), many
    at once: one unpickling of all the lists instead of one each."""
    parts = []
    for value in values:
        body = value[4:]
        if body.startswith(b"\x80\x02"):
            body = body[2:]
        if body.endswith(b"."):
            body = body[:-1]
        parts.append(body)
    gaps = pickle.loads(b"\x80\x02(" + b"".join(parts) + b"l.")
    return [list(accumulate(deltas)) for deltas in gaps]


# the true scores of some documents (all possible matches): NaN where they do not match
Check = Callable[[np.ndarray], np.ndarray]


@dataclass
class _Result:
    """A query node over all documents: which may match (``mask``), with which score
    (``scores``, zero elsewhere; never below the true score), and, when some
    matches still need their phrase positions checked, ``check``: the true scores
    of some of the documents in ``mask`` (NaN for those that do not match)."""

    mask: np.ndarray
    scores: np.ndarray
    check: Check | None = None

    def true_scores(self, docs: np.ndarray) -> np.ndarray:
        """The scores of ``docs``, NaN for those that do not match."""
        inside = self.mask[docs]
        found = np.where(inside, self.scores[docs], np.nan)
        if self.check is not None and inside.any():
            found[inside] = self.check(docs[inside])
        return found


@dataclass
class Ranking:
    """The best documents (numbers, best first), how many match, and whether that
    count is exact (an estimate when phrase positions were not all checked)."""

    docs: list[int]
    total: int
    exact: bool


class Ranker:
    """Ranks queries on one open Whoosh searcher. Not thread-safe on its own: the
    index calls it under its lock."""

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
        self._filters: dict[str, np.ndarray | None] = {}
        self._blocks = _Blocks(BLOCK_CACHE)
        self._alive: np.ndarray | None = None

    # -- ranking -------------------------------------------------------------------------

    def rank(self, q: query.Query, limit: int | None,
             within: np.ndarray | None = None,
             checked_limit: int | None = None) -> Ranking:
        """The ``limit`` best matches of ``q`` (all when None), best first, among the
        documents ``within`` (a mask) when given; only ``checked_limit`` of them
        when phrase positions must be checked (those are slow to read)."""
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
        if self._cached >= WARM_BYTES:
            return False
        if field in self.schema:
            self._read(field, text)
        return True

    def warm_pairs(self, field: str) -> None:
        """Read a field's word pair filters now (phrases need them)."""
        if field in self.schema:
            self._pair_filters(field)

    def documents(self, field: str, texts: Collection[str]) -> np.ndarray:
        """A mask of the documents having any of ``texts`` in ``field`` (ids → docs),
        each looked up in each segment's terms (no postings arrays made or cached)."""
        mask = np.zeros(self.size, dtype=bool)
        if field not in self.schema:
            return mask
        fieldobj = self.schema[field]
        keys = [fieldobj.to_bytes(text) for text in texts]
        found: list[int] = []
        for reader, base in self.leaves:
            terms = reader._terms
            for key in keys:
                try:
                    info = terms.term_info(field, key)
                except TermNotFound:
                    continue
                if info.is_inlined():
                    found.extend(base + doc for doc in info.inlined_postings()[0])
                    continue
                matcher = terms.matcher(field, key, fieldobj.format)
                while matcher.is_active():
                    found.append(base + matcher.id())
                    matcher.next()
        mask[found] = True
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
            order, step = candidates, CHECK_ALL_STEP
        else:
            order = candidates[np.argsort(-result.scores[candidates], kind="stable")]
            step = CHECK_STEP
        found_docs: list[np.ndarray] = []
        found_scores: list[np.ndarray] = []
        count = checked = 0
        worst = -np.inf  # the limit-th best true score so far (when limited)
        for start in range(0, len(order), step):
            batch = order[start:start + step]
            if not everything and count >= limit and result.scores[batch[0]] < worst:
                break
            scores = result.true_scores(batch)
            checked += len(batch)
            matched = ~np.isnan(scores)
            found_docs.append(batch[matched])
            found_scores.append(scores[matched])
            count += int(matched.sum())
            if not everything and count >= limit:
                every = np.concatenate(found_scores)
                worst = np.partition(every, len(every) - limit)[len(every) - limit]
        docs = np.concatenate(found_docs) if found_docs else _EMPTY_DOCS
        scores = np.concatenate(found_scores) if found_scores else _EMPTY_WEIGHTS
        ranked = docs[np.lexsort((docs, -scores))].tolist()
        if limit is not None:
            ranked = ranked[:limit]
        if checked == len(order):
            return Ranking(ranked, count, True)
        estimate = round(len(order) * count / checked) if checked else len(order)
        return Ranking(ranked, max(estimate, count), False)

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
            None if check is None else (lambda docs: check(docs) * boost),
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
            def check(docs: np.ndarray) -> np.ndarray:
                total = np.full(len(docs), constant)
                for part in parts:
                    total += part.true_scores(docs)  # NaN (no match) stays NaN
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
            def check(docs: np.ndarray) -> np.ndarray:
                each = np.vstack([part.true_scores(docs) for part in parts])
                matched = ~np.isnan(each)
                return np.where(matched.any(axis=0), np.nansum(each, axis=0), np.nan)
        return self._boosted(_Result(mask, scores, check), q.boost)

    def _exact_mask(self, result: _Result, among: np.ndarray) -> np.ndarray:
        """Which documents (of those in ``among``) truly match ``result``."""
        if result.check is None:
            return result.mask
        docs = np.flatnonzero(result.mask & among)
        mask = np.zeros(self.size, dtype=bool)
        mask[docs[~np.isnan(result.check(docs))]] = True
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
        positional = len(words) > 1 and self.schema[field].format.supports("positions")
        if positional:
            # a word's positions come with its postings when those are read now
            postings = [self._read(field, word, values=self._blocks) for word in words]
        parts = [self._term(field, word) for word in words]
        mask = parts[0].mask.copy()
        scores = parts[0].scores.copy()
        for part in parts[1:]:
            mask &= part.mask
            scores += part.scores
        scores[~mask] = 0.0
        if len(words) == 1:
            return self._boosted(_Result(mask, scores), q.boost)
        if not positional:
            return self._whoosh(q)
        filters = self._pair_filters(field)
        if filters is not None:
            # only the papers whose filter has every pair of the phrase's words
            docs = np.flatnonzero(mask)
            mask = np.zeros(self.size, dtype=bool)
            mask[docs[pairs.may_have(filters, docs, words)]] = True
        scores[~mask] = 0.0

        def check(docs: np.ndarray) -> np.ndarray:
            order = np.argsort(docs, kind="stable")  # blocks in file order
            ordered = docs[order]
            found = [_decode_positions(posting.values_for(ordered, self._blocks, (field, word)))
                     for posting, word in zip(postings, words)]
            matched = np.zeros(len(docs), dtype=bool)
            for row, first in enumerate(found[0]):
                starts = set(first)
                for offset in range(1, len(found)):
                    starts.intersection_update(p - offset for p in found[offset][row])
                    if not starts:
                        break
                matched[order[row]] = bool(starts)
            return np.where(matched, scores[docs], np.nan)

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
                raw = length_codes(reader._perdoc, field)
                if raw is not None:
                    stored = min(len(raw), count)
                    codes[:stored] = np.frombuffer(raw, dtype=np.uint8, count=stored)
                parts.append(codes)
            lengths = _LENGTHS[np.concatenate(parts)] if parts else _EMPTY_WEIGHTS
            self._lengths[field] = lengths
        return lengths

    def _pair_filters(self, field: str) -> np.ndarray | None:
        """Each document's filter of adjacent term pairs in ``field`` (a row each), or
        None when the field keeps none. A segment without the column may have any pair."""
        if field in self._filters:
            return self._filters[field]
        bits = getattr(self.schema[field], "pair_filter_bits", None)
        filters = None
        if bits:
            width = bits // 8
            filters = np.zeros((self.size, width), dtype=np.uint8)
            for reader, base in self.leaves:
                count = reader.doc_count_all()
                if not reader.has_column(field):
                    filters[base:base + count] = 0xFF
                    continue
                column = reader.column_reader(field, translate=False)
                # documents past the stored ones have the default: no pairs
                stored = min(column._count, count)
                raw = column._dbfile.get(column._basepos, stored * width)
                filters[base:base + stored] = np.frombuffer(raw, dtype=np.uint8).reshape(
                    stored, width)
        self._filters[field] = filters
        return filters

    def _read(self, field: str, text: str, cache: bool = True,
              values: _Blocks | None = None) -> _Postings:
        """A term's postings, from the cache or read now (then, with ``values``, the
        encoded positions of its blocks go there too)."""
        key = (field, text)
        postings = self._postings.get(key)
        if postings is None:
            postings = self._read_postings(field, text, values)
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

    def _read_postings(self, field: str, text: str,
                       values: _Blocks | None = None) -> _Postings:
        all_docs: list[np.ndarray] = []
        all_weights: list[np.ndarray] = []
        blocks: list = []
        count = 0
        for terminfo, matcher, base in self._matchers(field, text):
            if terminfo.is_inlined():
                ids, weights, inlined = terminfo.inlined_postings()
                docs = np.asarray(ids, dtype=np.int64)
                weights = np.asarray(weights if weights is not None else [1.0] * len(ids),
                                     dtype=np.float64)
                blocks.append((count, None, tuple(inlined or ())))
            else:
                first = len(blocks)
                docs, weights, positions, block_values = _read_blocks(matcher)
                if values is not None:
                    for number, found in enumerate(block_values):
                        values.put((field, text, first + number), found)
                blocks.extend((count + start, matcher, where) for start, where in positions)
            all_docs.append((docs + base).astype(np.int32))
            all_weights.append(weights)
            count += len(docs)
        if not all_docs:
            return _Postings(_EMPTY_DOCS, _EMPTY_WEIGHTS, [])
        return _Postings(np.concatenate(all_docs), np.concatenate(all_weights), blocks)


def _read_blocks(matcher) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]], list]:
    """All postings of a Whoosh 3 leaf matcher, a block (up to 128 postings) at a
    time (its ids are stored as gaps from the block's first id), and where each
    block starts: (index of its first posting, file position)."""
    gaps: list[int] = []
    weights: list[float] = []
    ends: list[int] = []
    positions: list[tuple[int, int]] = []
    values: list = []  # each block's encoded values (positions), as stored
    where = matcher._baseoffset
    matcher._goto(where)
    while True:
        positions.append((len(gaps), where))
        matcher._read_data()
        block_ids, block_weights, block_values = matcher._data
        values.append(block_values)
        count = matcher._blocklength
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
    if len(positions) > 1:
        # each block starts afresh: make its first id a gap from the last block's end
        first = np.array([start for start, _ in positions[1:]])
        docs[first] -= np.array(ends[:-1], dtype=np.int64)
    return np.cumsum(docs), np.array(weights, dtype=np.float64), positions, values
