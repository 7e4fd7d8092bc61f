"""The word-pair filters: a phrase search reads word positions only for the papers
whose filter has the phrase's pairs, and never loses a paper that has the phrase."""

from __future__ import annotations

import random

import numpy as np
import pytest
import whoosh.index
from whoosh.fields import TEXT

from reader.index import pairs
from reader.index.analysis import text_analyzer
from reader.index.index import SearchIndex, make_schema
from reader.index.ranking import _Postings
from reader.model import make_paper
from reader.sources.sample import sample_papers


def _terms(text: str) -> list[str]:
    return text_analyzer().index_terms(text)[0]


@pytest.fixture(scope="module")
def abstracts():
    return [_terms(paper.abstract) for paper in sample_papers() if paper.abstract]


def _filters(documents, bits=pairs.ABSTRACT_BITS):
    return np.array([np.frombuffer(pairs.filter_bytes(terms, bits), dtype=np.uint8)
                     for terms in documents])


ODD_TEXTS = [
    "The optimisers of $\\alpha$-scaled large-language models, and 8-bit Adam.",
    "of the and a",  # only stop words
    "of the model of the model model",  # the first term after stop words, repeats
    "[bold]markup[/] \x1b[31mred\x1b[0m tab\there \u00e9t\u00e9 \u4e2d\u6587 x" * 30,
    "word " * 1500,  # a term more than 1,000 times (pickled in batches)
    "",
]


@pytest.mark.parametrize("field", ["title", "abstract"])
def test_indexing_gives_whoosh_the_postings_a_plain_text_field_would(field):
    paired = make_schema()[field]
    plain = TEXT(analyzer=text_analyzer(), field_boost=paired.format.field_boost,
                 phrase=True)
    texts = ODD_TEXTS + [p.abstract for p in sample_papers()] + [p.title for p in
                                                                 sample_papers()]
    for text in texts:
        assert paired.index(text) == list(plain.index(text)), text[:60]
        # and the filter of the same text, whichever way it is asked for
        assert paired.to_column_value(text) == pairs.filter_bytes(
            _terms(text), paired.pair_filter_bits)


def test_the_terms_are_the_analyzers_tokens_in_their_positions():
    for text in ODD_TEXTS:
        terms, first = text_analyzer().index_terms(text)
        # (the analyzer gives one token object, changed word by word)
        tokens = [(token.text, token.pos) for token in text_analyzer()(text, positions=True)]
        assert tokens == [(term, first + n) for n, term in enumerate(terms)]


def test_every_pair_of_words_next_to_each_other_passes_its_filter(abstracts):
    filters = _filters(abstracts)
    for row, terms in enumerate(abstracts):
        docs = np.full(len(terms) - 1, row)
        for first, second in zip(terms, terms[1:]):
            assert pairs.may_have(filters, docs[:1], [first, second])[0], (first, second)
        # a whole sentence as a phrase passes too
        assert pairs.may_have(filters, docs[:1], terms[:8])[0]


def test_the_filter_rules_out_nearly_every_pair_that_is_not_there(abstracts):
    filters = _filters(abstracts)
    vocabulary = sorted({term for terms in abstracts for term in terms})
    rng = random.Random(7)
    passed = tried = 0
    for row, terms in enumerate(abstracts):
        present = set(zip(terms, terms[1:]))
        for _ in range(40):
            pair = (rng.choice(terms), rng.choice(vocabulary))
            if pair in present:
                continue
            tried += 1
            passed += bool(pairs.may_have(filters, np.array([row]), list(pair))[0])
    assert tried > 1000
    assert passed / tried < 0.08


def test_a_field_without_pairs_has_an_empty_filter():
    assert pairs.filter_bytes([], pairs.TITLE_BITS) == bytes(pairs.TITLE_BITS // 8)
    assert pairs.filter_bytes(["alone"], pairs.TITLE_BITS) == bytes(pairs.TITLE_BITS // 8)


def _papers_with_words_apart(count: int, start: int = 0):
    """Papers that have "gradient" and "noise" far apart, and a few with the phrase."""
    papers = []
    for n in range(start, start + count):
        if n % 10 == 0:
            abstract = f"We study gradient noise in training run {n}."
        else:
            abstract = (f"The gradient of the loss is computed for run {n}; "
                        "label noise is added later.")
        papers.append(make_paper(title=f"Run {n} of a study", abstract=abstract,
                                 published="2024-01-01"))
    return papers


def _positions_read(monkeypatch):
    """The documents whose word positions the ranker reads, as they are read."""
    read: list[int] = []
    original = _Postings.values_for

    def values_for(self, docs, loaded, term):
        read.extend(np.asarray(docs).tolist())
        return original(self, docs, loaded, term)

    monkeypatch.setattr(_Postings, "values_for", values_for)
    return read


def _phrase_ids(index: SearchIndex) -> set[str]:
    return set(index.search('"gradient noise"'))


def test_a_phrase_search_reads_positions_only_of_papers_that_may_have_it(tmp_path,
                                                                         monkeypatch):
    index = SearchIndex(tmp_path / "index")
    papers = _papers_with_words_apart(200)
    index.rebuild(papers, len(papers), generation=1)
    with_phrase = {p.id for p in papers if "gradient noise" in p.abstract}
    read = _positions_read(monkeypatch)
    assert _phrase_ids(index) == with_phrase
    # positions were read for the papers with the phrase (and the filter's few
    # mistakes), not for the 180 with both words apart
    assert len(with_phrase) == 20
    assert len(set(read)) < 2 * 20 + 15
    index.close()


def test_the_filters_survive_new_segments_and_merges(tmp_path, monkeypatch):
    index = SearchIndex(tmp_path / "index")
    first = _papers_with_words_apart(100)
    index.rebuild(first, len(first), generation=1)
    second = _papers_with_words_apart(100, start=100)
    index.catch_up(second, len(second), generation=2)
    with_phrase = {p.id for p in first + second if "gradient noise" in p.abstract}
    assert _phrase_ids(index) == with_phrase
    index.close()

    # Whoosh merges segments (here all at once): the filters move with their papers
    whoosh.index.open_dir(str(tmp_path / "index")).optimize()
    index = SearchIndex(tmp_path / "index")
    read = _positions_read(monkeypatch)
    assert _phrase_ids(index) == with_phrase
    assert len(set(read)) < 2 * 20 + 15
    index.close()
