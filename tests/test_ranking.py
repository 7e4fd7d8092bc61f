"""Ranking with arrays gives exactly Whoosh's own ranking: same papers, same order,
same scores, on an index of several segments with replaced (deleted) papers."""

from __future__ import annotations

import pytest
from whoosh import query

from reader.index.index import SearchIndex
from reader.index.query import expand
from reader.index.ranking import Ranker
from reader.model import make_paper
from reader.sources.sample import sample_papers

QUERIES = [
    "optimizer",
    "learning",
    "memory efficient",
    "language model",
    "quantization OR pruning",
    "optimizer -adam",
    "optimizer NOT memory",
    '"language models"',
    '"large language" optimization',
    '"learning rate" OR "weight decay"',
    "title:optimizer",
    "author:chen",
    "optim*",
    "l*",
    "optimzer~",
    "year:2023..2024 optimizer",
    "cat:cs.lg",
    "(adam OR sgd) AND convergence -quantum",
    "nothingmatchesthisword",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """The sample in one segment, then a second batch that adds papers and replaces
    some sample papers (their old versions become deleted documents)."""
    index = SearchIndex(tmp_path_factory.mktemp("ranking") / "index")
    papers = sample_papers()
    index.rebuild(papers, len(papers), generation=1)
    extra = [
        make_paper(title=f"Language models {n} as optimizers",
                   abstract="large language models " * (n % 4 + 1) + "learning rate"
                            f" schedules and weight decay for paper {n}",
                   authors=[f"Ana Chen {n}"], categories=["cs.LG"],
                   published="2024-03-01")
        for n in range(40)
    ]
    changed = [
        make_paper(title=p.title, abstract=p.abstract + " learning rate warmup",
                   authors=list(p.authors), published=p.published)
        for p in papers[:5]
    ]
    index.catch_up(extra + changed, len(extra) + len(changed), generation=2)
    yield index
    index.close()


def _whoosh_and_ranker(index, text):
    with index._searching() as searcher:
        q = expand(index.parse(text).query, searcher, index._words(), index._names)
        results = searcher.search(q, limit=None)
        expected = [(hit.docnum, hit.score) for hit in results]
        ranking = Ranker(searcher).rank(q, None)
        scores = Ranker(searcher)._evaluate(q).scores
        got = [(doc, float(scores[doc])) for doc in ranking.docs]
    return expected, got, ranking


def test_the_index_has_several_segments_and_deleted_papers(index):
    with index._searching() as searcher:
        leaves = list(searcher.reader().leaf_readers())
        assert len(leaves) >= 2
        assert any(reader.has_deletions() for reader, _ in leaves)


@pytest.mark.parametrize("text", QUERIES)
def test_ranking_matches_whoosh(index, text):
    expected, got, ranking = _whoosh_and_ranker(index, text)
    assert [doc for doc, _ in got] == [doc for doc, _ in expected]
    for (_, mine), (_, theirs) in zip(got, expected):
        assert mine == pytest.approx(theirs, rel=1e-9)
    assert ranking.exact and ranking.total == len(expected)


def test_the_queries_find_something(index):
    found = {text: len(_whoosh_and_ranker(index, text)[0]) for text in QUERIES}
    assert found.pop("nothingmatchesthisword") == 0
    assert all(found.values()), found


@pytest.mark.parametrize("text", ["learning", '"language models"', "optim*"])
def test_a_first_page_is_the_start_of_the_whole_ranking(index, text):
    with index._searching() as searcher:
        q = expand(index.parse(text).query, searcher, index._words(), index._names)
        ranker = Ranker(searcher)
        everything = ranker.rank(q, None)
        first = ranker.rank(q, 7)
    assert len(everything.docs) > 7
    assert first.docs == everything.docs[:7]


def test_boosted_terms_rank_as_whoosh_does(index):
    q = query.Or([query.Term("abstract", "optim", boost=0.4),
                  query.Term("title", "languag", boost=1.0),
                  query.Term("abstract", "memori", boost=0.7)])
    with index._searching() as searcher:
        expected = [hit.docnum for hit in searcher.search(q, limit=None)]
        assert Ranker(searcher).rank(q, None).docs == expected


def test_search_results_come_from_the_ranker(index):
    ids = index.search('"large language models" learning')
    assert ids and all(isinstance(paper_id, str) for paper_id in ids)
    assert index.search('"large language models" learning', limit=3) == ids[:3]


def test_documents_of_paper_ids_are_found_in_every_segment(index):
    """Searches within some papers (bookmarks, a tag, is:unread) find the papers'
    documents by id: in each segment, replaced (deleted) versions included."""
    with index._searching() as searcher:
        reader = searcher.reader()
        stored = [reader.stored_fields(doc)["id"] for doc in range(searcher.doc_count_all())]
        replaced = sorted({i for i in stored if stored.count(i) > 1})
        assert replaced  # replaced papers: two documents (one deleted), one id
        wanted = sorted(set(stored))[::3] + replaced + ["no-such-paper"]
        mask = Ranker(searcher).documents("id", wanted)
        assert mask.tolist() == [paper_id in wanted for paper_id in stored]
