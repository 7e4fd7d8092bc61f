"""The Whoosh index of the library.

Layout: ``<data dir>/index/`` holds the Whoosh files and ``reader-index.json``, which
records what the index was built from: the index schema version, the Whoosh version and
the store's papers generation. If any of them differs from what this code and the store
have, or the index cannot be opened and probed, the index is stale and gets rebuilt.

A rebuild writes a new index into a sibling folder and swaps it in with renames, so a
crash half-way leaves the old index (or none) and never a broken one. Abstracts are
indexed, not stored: the store has them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import whoosh
import whoosh.index
from whoosh import query
from whoosh.fields import ID, KEYWORD, TEXT, Schema

from reader.index import analysis
from reader.index.codec import ReaderCodec
from reader.index.pairs import ABSTRACT_BITS, TITLE_BITS, PairedText
from reader.index.query import (
    STEMMED_FIELDS,
    Parsed,
    any_words,
    expand,
    make_parser,
    normalize_word,
    parse,
    plain_words,
    wanted_terms,
)
from reader.index.ranking import Ranker
from reader.index.types import Hits, IndexUnavailable, Progress
from reader.index.vocabulary import FILE as VOCABULARY_FILE
from reader.index.vocabulary import NAMES_FILE, Vocabulary
from reader.model import Paper

INDEX_SCHEMA_VERSION = 7
META_FILE = "reader-index.json"
# a first page whose phrases must be checked word position by word position is
# shorter (the rest is ranked when the list scrolls there)
CHECKED_PAGE = 64
# the most used words whose postings are read before the first search needs them
WARM_WORDS = 60
# finding the document of a paper id costs about this many times reading the id of
# a document (55 µs vs 3 µs at 185k papers in 7 segments: a lookup in each segment):
# searches within some papers look up whichever of the two is fewer
ID_LOOKUP_COST = 20
# from this many papers a rebuild says when it starts writing out (seconds, not instant)
SAY_FINISHING_FROM = 5_000
# from this many papers a rebuild may use several processes (starting them costs ~1 s)
PARALLEL_FROM = 20_000
# how many of a paper's key terms "more like this" searches with
SIMILAR_TERMS = 15


def make_schema() -> Schema:
    text = analysis.text_analyzer
    return Schema(
        id=ID(stored=True, unique=True),
        # A query word that analysis splits (8bit, GPT-4o) is searched as a phrase.
        # each with a filter of its word pairs, to rule out phrases without positions
        title=PairedText(TITLE_BITS, analyzer=text(), field_boost=2.0, phrase=True,
                         multitoken_query="phrase"),
        abstract=PairedText(ABSTRACT_BITS, analyzer=text(), phrase=True,
                            multitoken_query="phrase"),
        author=TEXT(analyzer=analysis.name_analyzer(), phrase=True, multitoken_query="phrase"),
        source=TEXT(analyzer=analysis.name_analyzer(), phrase=True, multitoken_query="phrase"),
        cat=KEYWORD(lowercase=True, scorable=False),
        # the publication date as far as known (2024, 2024-05, 2024-05-27): ranges
        date=ID(),
    )


def _document(paper: Paper) -> dict[str, str]:
    return {
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        "author": " ; ".join(paper.authors),
        "source": " ; ".join(paper.sources),
        "cat": " ".join(paper.categories),
        "date": paper.published[:10],
    }


def _expected_meta(generation: int) -> dict[str, object]:
    return {
        "schema": INDEX_SCHEMA_VERSION,
        "whoosh": whoosh.versionstring(),
        "generation": generation,
    }


class SearchIndex:
    """The index folder at ``path``. Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._searcher = None
        self._ranker: Ranker | None = None
        self._parser = None
        self._vocabulary: Vocabulary | None = None
        self._names: Vocabulary | None = None
        self._words_stamp: tuple | None = None
        # Set when reading the index failed: it must be rebuilt before use.
        self.damaged = False

    # -- state ---------------------------------------------------------------------------

    def _read_meta(self) -> dict | None:
        try:
            return json.loads((self.path / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def is_current(self, generation: int) -> bool:
        """Whether the index on disk was built from this store generation by this code.

        Cheap (reads one small file): safe to call at start-up.
        """
        return self._read_meta() == _expected_meta(generation)

    def indexed_generation(self) -> int | None:
        """The store generation the index reflects, if this code can update it in place.

        None when the index is missing or was made by another schema or Whoosh version.
        """
        meta = self._read_meta()
        if not meta or {**meta, "generation": 0} != _expected_meta(0):
            return None
        generation = meta.get("generation")
        return generation if isinstance(generation, int) else None

    # -- building ------------------------------------------------------------------------

    def rebuild(
        self,
        papers: Iterable[Paper],
        total: int,
        generation: int,
        progress: Progress | None = None,
        processes: int = 1,
        finishing: Callable[[], None] | None = None,
    ) -> None:
        """Index ``papers`` from scratch into a new folder, then swap it in.

        With ``processes`` > 1 (and enough papers), that many worker processes analyse
        and index (one segment each, not merged: the merge is serial and as slow as
        the work it would save). Only from a process without other busy threads: the
        workers are forked. ``finishing`` is called when every paper has been given to
        the writer and it starts writing the index out (about as long again)."""
        building = self.path.with_name(f"{self.path.name}.building-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        ix = whoosh.index.create_in(building, make_schema())
        # Non-compound segments are memory-mapped instead of read into memory.
        if processes > 1 and total >= PARALLEL_FROM:
            # 20k papers: 26 s instead of 49 s on two cores
            writer = ix.writer(procs=processes, multisegment=True, limitmb=96,
                               compound=False, codec=ReaderCodec())
        else:
            # Fewer, larger runs to merge at the commit (128 MB: 10% slower at 20k).
            writer = ix.writer(limitmb=256, compound=False, codec=ReaderCodec())
        vocabulary, names = Vocabulary(), Vocabulary()
        try:
            done = _feed(writer.add_document, papers, total, progress, vocabulary, names)
            if finishing and total >= SAY_FINISHING_FROM:
                finishing()
            writer.commit()
            vocabulary.save(building)
            names.save(building, NAMES_FILE)
        except BaseException:
            writer.cancel()
            shutil.rmtree(building, ignore_errors=True)
            raise
        ix.close()
        _write_json(building / META_FILE, _expected_meta(generation))
        self._swap_in(building)
        _report_end(progress, done, total)

    def catch_up(
        self,
        papers: Iterable[Paper],
        total: int,
        generation: int,
        progress: Progress | None = None,
        removed: Collection[str] = (),
    ) -> None:
        """(Re)index just ``papers`` (new or changed since the indexed generation), and
        drop the ``removed`` ids.

        Each replaces its earlier version (by id). The metadata file is written after
        the commit: a crash between the two only means the same papers are indexed
        again next time.
        """
        with self._lock:
            ix = whoosh.index.open_dir(self.path)
            # Another process's writer holds the lock for at most one update: wait.
            writer = ix.writer(limitmb=128, compound=False, timeout=60.0, delay=0.25,
                               codec=ReaderCodec())
            # the words in memory when they are the files' (no reading 300k lines again)
            if self._vocabulary is not None and self._names is not None \
                    and self._word_files() == self._words_stamp:
                vocabulary, names = self._vocabulary, self._names
            else:
                try:
                    vocabulary = Vocabulary.load(self.path)
                    names = Vocabulary.load(self.path, NAMES_FILE)
                except (OSError, ValueError):
                    # the check rebuilds an index without them
                    vocabulary, names = Vocabulary(), Vocabulary()
            # (changed in place below: until they are saved they are nobody's)
            self._vocabulary = self._names = self._words_stamp = None
            try:
                for paper_id in removed:
                    writer.delete_by_term("id", paper_id)
                done = _feed(writer.update_document, papers, total, progress, vocabulary,
                             names)
                # the words first: a crash before the commit leaves extra words (harmless)
                vocabulary.save(self.path)
                names.save(self.path, NAMES_FILE)
                self._vocabulary, self._names = vocabulary, names
                self._words_stamp = self._word_files()
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            finally:
                ix.close()
            _write_json(self.path / META_FILE, _expected_meta(generation))
            self._close_searcher()  # the next search opens the new generation
        _report_end(progress, done, total)

    def _swap_in(self, building: Path) -> None:
        with self._lock:
            self._close_searcher()
            old = self.path.with_name(f"{self.path.name}.old-{os.getpid()}")
            if self.path.exists():
                os.replace(self.path, old)
            os.replace(building, self.path)
            shutil.rmtree(old, ignore_errors=True)
            self.damaged = False

    # -- searching -----------------------------------------------------------------------

    def check(self) -> bool:
        """Open the index and read a little of every kind of file in it.

        Damage shows as many unrelated exception types, some only when postings or
        stored fields are read, so this reads the term dictionary, the first postings
        of each text field and the stored fields of the first and last documents.
        A search that failed on this index (``damaged``) also fails the check.
        """
        with self._lock:
            if self.damaged:
                return False
            try:
                searcher = self._open()
                reader = searcher.reader()
                for field in ("title", "abstract"):
                    for term in reader.lexicon(field):
                        reader.postings(field, term).all_ids()
                        break
                count = searcher.doc_count_all()
                if count:
                    searcher.stored_fields(0)
                    searcher.stored_fields(count - 1)
                return True
            except Exception:
                self._close_searcher()
                return False

    def _open(self):
        if self._searcher is None:
            if self._read_meta() is None:
                raise IndexUnavailable(f"{self.path}: no index")
            try:
                ix = whoosh.index.open_dir(self.path)
                searcher = ix.searcher()
                searcher.doc_count()
                self._parser = make_parser(ix.schema)
                for file in (VOCABULARY_FILE, NAMES_FILE):
                    if not (self.path / file).is_file():
                        raise FileNotFoundError(self.path / file)
            except Exception as error:  # damage shows as many exception types
                self.damaged = True
                raise IndexUnavailable(f"{self.path}: unreadable index ({error!r})") from error
            self._searcher = searcher
            self._ranker = Ranker(searcher)
        return self._searcher

    def _words(self) -> Vocabulary:
        """The vocabulary, read on first use and again when its files have changed
        (another copy of reader indexed papers, or a rebuild). Call with the lock
        held, index open."""
        stamp = self._word_files()
        if self._vocabulary is None or stamp != self._words_stamp:
            try:
                self._names = Vocabulary.load(self.path, NAMES_FILE)
                self._vocabulary = Vocabulary.load(self.path)
            except (OSError, ValueError) as error:
                self._close_searcher()
                self._vocabulary = self._names = None
                self.damaged = True
                raise IndexUnavailable(f"{self.path}: unreadable word list ({error})") \
                    from error
            self._words_stamp = stamp
        return self._vocabulary

    def _word_files(self) -> tuple | None:
        """What tells the word files' versions apart (None when one is missing)."""
        try:
            found = [os.stat(self.path / name) for name in (VOCABULARY_FILE, NAMES_FILE)]
        except OSError:
            return None
        return tuple((st.st_ino, st.st_size, st.st_mtime_ns) for st in found)

    def warm(self) -> None:
        """Open the index and read the vocabulary now, so that the first prefix or
        fuzzy search does not wait for it, then the postings of the words most papers
        use, the slowest to read, and the word pair filters (run it in a worker;
        searches wait at most for one word's postings)."""
        with self._lock:
            try:
                self._open()
                vocabulary = self._words()
            except IndexUnavailable:
                return
            ranker = self._ranker
            # the words papers use most, ranked by how many titles have them: the
            # words people search for ("model", "learning"), not "our" or "which"
            reader = self._searcher.reader()
            terms = {term for word, _ in vocabulary.counts.most_common(WARM_WORDS * 10)
                     for term in analysis.terms(word)}
            common = sorted(terms, key=lambda term: -reader.doc_frequency("title", term))
        common = common[:WARM_WORDS]
        for field in STEMMED_FIELDS:  # the word pair filters phrases look at first
            with self._lock:
                if self._ranker is not ranker or ranker is None:
                    return
                ranker.warm_pairs(field)
        for term in common:
            for field in STEMMED_FIELDS:
                with self._lock:
                    if self._ranker is not ranker or ranker is None or not ranker.warm(
                            field, term):
                        return  # the index changed, or the cache is full enough

    @contextmanager
    def _searching(self) -> Iterator:
        """The open searcher, under the lock. The index itself failing while it is read
        (damage shows as many exception types) marks it damaged: ``IndexUnavailable``."""
        with self._lock:
            searcher = self._open()
            try:
                yield searcher
            except IndexUnavailable:
                raise
            except Exception as error:
                self._close_searcher()
                self.damaged = True
                raise IndexUnavailable(f"{self.path}: search failed ({error!r})") from error

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = self._ranker = None

    def close(self) -> None:
        with self._lock:
            self._close_searcher()

    def relaxed(self, text: str) -> query.Query | None:
        """A query for papers with any of the words of ``text`` (when all find none)."""
        if self._parser is None:
            self._parser = make_parser(make_schema())
        return any_words(self._parser, text)

    def parse(self, text: str) -> Parsed:
        """What ``text`` asks for (no index needed)."""
        if self._parser is None:
            self._parser = make_parser(make_schema())
        return parse(self._parser, text)

    def search(
        self, text: str, limit: int | None = None, only: Collection[str] | None = None
    ) -> list[str]:
        """Ids of the papers matching ``text``, best first (flags in it are ignored)."""
        return self.run(self.parse(text).query, limit, only)

    def run(
        self,
        q: query.Query | None,
        limit: int | None = None,
        only: Collection[str] | None = None,
    ) -> list[str]:
        """Ids of the papers matching the query ``q``, best first."""
        return self.hits(q, limit, only).ids

    def hits(
        self,
        q: query.Query | None,
        limit: int | None = None,
        only: Collection[str] | None = None,
        exclude: Collection[str] = (),
    ) -> Hits:
        """The papers matching the query ``q``, best first, and the terms it looked for.

        ``only`` restricts the results to those ids (e.g. the bookmarked papers);
        ``exclude`` leaves those ids out (e.g. the papers read), looking up each one's
        document: about 0.05 ms an id at 185k papers, so keep it to a few thousand.
        Raises :class:`IndexUnavailable` when the index must be rebuilt first.
        """
        if q is None or q is query.NullQuery:
            return Hits([], frozenset())
        with self._searching() as searcher:
            ranker = self._ranker
            assert ranker is not None
            expanded = expand(q, searcher, self._words(), self._names)
            within = _without(ranker, exclude)
            if only is None:
                ids = _ids(searcher, ranker.rank(expanded, limit, within=within).docs)
            else:
                docs = ranker.rank(expanded, None, within=within).docs
                if len(only) * ID_LOOKUP_COST < len(docs):
                    # few ids among many matches: find the ids' documents
                    within = ranker.documents("id", only)
                    ids = _ids(searcher, [doc for doc in docs if within[doc]][:limit])
                else:  # read the matches' ids
                    ids = [paper_id for paper_id in _ids(searcher, docs)
                           if paper_id in only][:limit]
        return Hits(ids, wanted_terms(expanded))

    def first_page(self, q: query.Query, limit: int,
                   exclude: Collection[str] = ()) -> tuple[Hits, int, bool]:
        """The best ``limit`` matches of ``q`` (fewer when phrases must be checked),
        and how many match in all: the count and whether it is exact (an estimate
        when not every phrase was checked). ``exclude``: ids left out, as in ``hits``."""
        if q is None or q is query.NullQuery:
            return Hits([], frozenset()), 0, True
        with self._searching() as searcher:
            ranker = self._ranker
            assert ranker is not None
            expanded = expand(q, searcher, self._words(), self._names)
            ranking = ranker.rank(expanded, limit, within=_without(ranker, exclude),
                                  checked_limit=min(limit, CHECKED_PAGE))
            ids = _ids(searcher, ranking.docs)
        return Hits(ids, wanted_terms(expanded)), ranking.total, ranking.exact

    def similar(self, paper: Paper, limit: int = 100) -> Hits:
        """Papers like ``paper``: its abstract's and title's key terms as one query,
        each term weighted by how much it says about this paper (Whoosh's Bo1)."""
        text = f"{paper.title}\n{paper.abstract}"
        with self._searching() as searcher:
            keys = searcher.key_terms_from_text("abstract", text, numterms=SIMILAR_TERMS)
            if not keys:
                return Hits([], frozenset())
            top = max(weight for _, weight in keys) or 1.0
            q = query.Or([
                query.Term(field, term, boost=weight / top)
                for term, weight in keys
                for field in ("title", "abstract")
            ])
            assert self._ranker is not None
            found = _ids(searcher, self._ranker.rank(q, limit + 1).docs)
            ids = [paper_id for paper_id in found if paper_id != paper.id][:limit]
        return Hits(ids, frozenset(term for term, _ in keys))

    def suggest(self, text: str) -> str | None:
        """``text`` with words the index does not know replaced by close known words,
        or None when there is nothing to correct (for "did you mean")."""
        words = plain_words(text)
        if not words or _FIELD_SYNTAX.search(text):
            return None
        with self._searching() as searcher:
            reader = searcher.reader()
            changed = False
            corrected = text
            for word in words:
                if (word in ("AND", "OR", "NOT") or word.isdigit() or not analysis.terms(word)
                        or self._known(reader, word)):
                    continue  # operators, numbers, stop words and known words stay
                better = self._closest(normalize_word(word))
                if better and better != word.lower():
                    corrected = re.sub(rf"\b{re.escape(word)}\b", better, corrected, count=1)
                    changed = True
        return corrected if changed else None

    @staticmethod
    def _known(reader, word: str) -> bool:
        return any(
            reader.frequency(fieldname, term)
            for term in analysis.terms(word)
            for fieldname in ("title", "abstract", "author")
        )

    def _closest(self, word: str) -> str | None:
        """The word most papers use one edit away, keeping the first letter; else two
        known words run together; else (long words) two edits away, keeping the first
        three letters."""
        vocabulary = self._words()
        candidates = {w for w in vocabulary.within(word, 1) if w[:1] == word[:1]}
        candidates.discard(word)
        if not candidates:
            # words written joined that papers hyphenate: smartphonebased, testtime
            split = vocabulary.split_joined(word)
            if split:
                return " ".join(split)
        if not candidates and len(word) >= 7:
            candidates = {w for w in vocabulary.within(word, 2) if w[:3] == word[:3]}
            candidates.discard(word)
        if not candidates:
            return None
        return vocabulary.most_used(candidates, 1)[0]


_FIELD_SYNTAX = re.compile(r"\w:|[\"*~()]")


def _without(ranker: Ranker, exclude: Collection[str]):
    """A mask of the documents not of the papers ``exclude`` (None: no paper left out)."""
    return ~ranker.documents("id", exclude) if exclude else None


def _ids(searcher, docs: list[int]) -> list[str]:
    """The paper ids of Whoosh document numbers."""
    stored = searcher.stored_fields
    return [stored(doc)["id"] for doc in docs]


def _progress_step(total: int) -> int:
    return max(1, total // 100)


def _feed(write: Callable[..., None], papers: Iterable[Paper], total: int,
          progress: Progress | None, vocabulary: Vocabulary, names: Vocabulary) -> int:
    """Give every paper to the writer (and its words to the vocabulary), reporting
    progress about every 1%."""
    step = _progress_step(total)
    done = 0
    if progress:
        progress(0, total)
    for paper in papers:
        write(**_document(paper))
        vocabulary.add((paper.title, paper.abstract))
        names.add(paper.authors)
        done += 1
        if progress and done % step == 0:
            progress(done, total)
    return done


def _report_end(progress: Progress | None, done: int, total: int) -> None:
    """The final progress report, unless the last step already made it."""
    if progress and done % _progress_step(total):
        progress(done, total)


def _write_json(path: Path, data: dict) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    os.replace(temporary, path)
