"""Searching the library: the Whoosh index, its query language and its upkeep."""

from __future__ import annotations

import re
import shutil

import pytest

from reader import paths
from reader.library import BOOKMARKS, Library
from reader.model import make_paper
from reader.sources.sample import sample_papers

EIGHT_BIT = "8-bit Optimizers via Block-wise Quantization"
QUANTUM = "Automated distribution of quantum circuits via hypergraph partitioning"
MEMORY = "Memory Efficient Optimizers with 4-bit States"


@pytest.fixture(scope="module")
def sample():
    return sample_papers()


@pytest.fixture(scope="module")
def by_title(sample):
    return {p.title: p for p in sample}


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def full_text(paper) -> str:
    return " ".join(words(paper.title + " " + paper.abstract))


def titles(library, ids):
    found = library.papers(ids)
    return [found[i].title for i in ids]


def ids_where(sample, predicate) -> set[str]:
    return {p.id for p in sample if predicate(p)}


# -- ranking -----------------------------------------------------------------------------


def test_quantization_ranks_the_8bit_paper_first(library):
    results = titles(library, library.search("quantization"))
    assert results[0] == EIGHT_BIT
    assert MEMORY in results  # its abstract talks about quantization too


def test_title_match_outranks_abstract_only_matches(library, sample, by_title):
    # "solving" is in one title; three other papers use it (or "solve") only in their
    # abstracts, one of them twice in a shorter abstract.
    title_paper = by_title[
        "StrategyLLM: Large Language Models as Strategy Generators, Executors, "
        "Optimizers, and Evaluators for Problem Solving"
    ]
    assert "solv" not in title_paper.abstract.lower()
    results = library.search("solving")
    assert results[0] == title_paper.id
    others = [p for p in sample if p.id in results[1:]]
    assert len(others) >= 2
    for paper in others:
        assert "solv" not in paper.title.lower()
        assert "solv" in paper.abstract.lower()


def test_stemming_matches_other_forms_of_a_word(library, sample):
    def only_optimizer_forms(paper) -> bool:
        forms = {w for w in words(paper.title + " " + paper.abstract) if w.startswith("optimiz")}
        return bool(forms) and "optimization" not in forms

    # Papers that say "optimizer(s)" but never "optimization" are found by "optimization".
    optimization = set(library.search("optimization"))
    only_optimizers = ids_where(sample, only_optimizer_forms)
    assert only_optimizers, "the sample should have such papers"
    assert only_optimizers <= optimization
    # Every z-spelled form of the word is found, whichever form is asked for.
    any_form = ids_where(sample, lambda p: any(w.startswith("optimiz") for w in words(full_text(p))))
    for query in ("optimizer", "optimizers", "optimization"):
        assert set(library.search(query)) >= any_form, query

    # Nobody writes "quantize": the papers that say "quantized"/"quantization" are found.
    assert not any("quantize" in words(full_text(p)) for p in sample)
    assert titles(library, library.search("quantize"))[0] == EIGHT_BIT


def test_phrase_matches_only_papers_with_the_phrase(library, sample):
    with_phrase = ids_where(sample, lambda p: "learned optimizers" in full_text(p))
    both_words = set(library.search("learned optimizers"))
    phrase = library.search('"learned optimizers"')
    assert set(phrase) == with_phrase
    assert len(with_phrase) >= 2
    # Papers with both words apart are found without the quotes only.
    assert both_words > with_phrase


def test_prefix(library, sample):
    expected = ids_where(sample, lambda p: any(w.startswith("quantiz") for w in words(full_text(p))))
    assert set(library.search("quantiz*")) == expected
    assert len(expected) >= 2
    quantum = ids_where(sample, lambda p: "quantum" in words(full_text(p)))
    assert not (quantum & expected)


def test_or_and_implicit_and(library):
    diffusion = set(library.search("diffusion"))
    quantum = set(library.search("quantum"))
    assert diffusion and quantum and not diffusion <= quantum
    assert set(library.search("diffusion OR quantum")) == diffusion | quantum
    optimizers = set(library.search("optimizers"))
    assert set(library.search("quantum optimizers")) == quantum & optimizers
    assert set(library.search("quantum AND optimizers")) == quantum & optimizers


@pytest.mark.parametrize("query", ["optimizers NOT prompt", "optimizers -prompt"])
def test_not_and_minus_exclude(library, query):
    optimizers = set(library.search("optimizers"))
    prompt = set(library.search("prompt"))
    assert optimizers & prompt  # so excluding them makes a difference
    results = set(library.search(query))
    assert results == optimizers - prompt
    assert results


def test_hyphenated_words_are_not_negations(library, by_title):
    assert by_title[EIGHT_BIT].id in library.search("block-wise")


def test_title_field_restricts_to_titles(library, sample):
    in_titles = ids_where(sample, lambda p: any(w.startswith("prompt") for w in words(p.title)))
    anywhere = set(library.search("prompt"))
    assert set(library.search("title:prompt")) == in_titles
    assert in_titles < anywhere


def test_author_field(library):
    by_lovelace = make_paper(
        "Analytical engines as optimizers",
        "We revisit the analytical engine and treat it as a black-box optimizer for tables.",
        authors=("Ada Lovelace", "Charles Babbage"),
    )
    about_lovelace = make_paper(
        "A history of early programs",
        "The programs Lovelace wrote for the analytical engine, read as optimizer code.",
        authors=("Grace Hopper",),
    )
    assert library.store.add_papers([by_lovelace, about_lovelace]) == 2
    library.rebuild_index()
    assert library.search("author:lovelace") == [by_lovelace.id]
    assert library.search("author:babbage") == [by_lovelace.id]
    assert library.search("author:hopper") == [about_lovelace.id]
    assert library.search("by:lovelace") == [by_lovelace.id]
    assert library.search("author:nobody") == []
    # A bare name searches authors too.
    assert set(library.search("lovelace")) == {by_lovelace.id, about_lovelace.id}


MALFORMED = [
    '"unbalanced (',
    "(",
    ")",
    "AND",
    "OR",
    "NOT",
    "title:",
    "author:",
    "[/]",
    "***",
    "*",
    "a:b:c",
    '"',
    '""',
    "((((",
    "-",
    "--",
    "NOT NOT",
    "quant* AND",
    "title:\"unclosed",
    "nosuchfield:word",
    "\x00\x1b[31m",
    "?",
    "~2",
    "^",
    "{a TO",
]


def test_malformed_queries_never_raise(library, sample):
    known = {p.id for p in sample}
    library.store.add_bookmark(sample[0], added_at=1.0)
    for query in MALFORMED:
        for scope in ("all", BOOKMARKS):
            results = library.search(query, scope)
            assert isinstance(results, list), (query, scope)
            assert set(results) <= known, (query, scope)
            assert len(results) == len(set(results)), (query, scope)
    # The index is still usable afterwards.
    assert titles(library, library.search("quantization"))[0] == EIGHT_BIT


def test_empty_query_lists_everything_in_arrival_order(library, sample):
    expected = [p.id for p in sample]
    assert library.search("") == expected
    assert library.search("   ") == expected
    assert library.search("", limit=5) == expected[:5]


def test_limit(library):
    everything = library.search("optimizers")
    assert len(everything) > 3
    assert library.search("optimizers", limit=3) == everything[:3]


def test_bookmarks_scope(library, by_title):
    eight_bit, quantum, memory = (by_title[t] for t in (EIGHT_BIT, QUANTUM, MEMORY))
    library.store.add_bookmark(eight_bit, added_at=100.0)
    library.store.add_bookmark(quantum, added_at=300.0)
    library.store.add_bookmark(memory, added_at=200.0)

    assert library.search("", BOOKMARKS) == [quantum.id, memory.id, eight_bit.id]
    assert library.search("", BOOKMARKS, limit=2) == [quantum.id, memory.id]
    # Both quantization papers are bookmarked; no other paper shows up.
    assert set(library.search("quantization", BOOKMARKS)) == {eight_bit.id, memory.id}
    assert library.search("quantization", BOOKMARKS, limit=1) == [eight_bit.id]
    optimizers = library.search("optimizers", BOOKMARKS)
    # the quantum paper says "optimisers": British spellings match too
    assert set(optimizers) == {eight_bit.id, memory.id, quantum.id}
    assert library.search("diffusion", BOOKMARKS) == []


def test_bookmark_scope_is_empty_without_bookmarks(library):
    assert library.search("", BOOKMARKS) == []
    assert library.search("optimizers", BOOKMARKS) == []


# -- keeping the index current ------------------------------------------------------------


def test_index_is_current_only_after_building(data_dir):
    library = Library.open(data_dir)
    try:
        assert not library.index_is_current()
        assert library.ensure_index() is True
        assert library.index_is_current()
        assert library.ensure_index() is False  # nothing to do

        library.store.add_papers([make_paper("A brand new paper on zygomorphic optimizers")])
        assert not library.index_is_current()
        assert library.ensure_index() is True
        assert library.index_is_current()
        assert len(library.search("zygomorphic")) == 1
    finally:
        library.close()


def test_index_stays_current_for_a_new_process(library, data_dir):
    library.close()
    again = Library.open(data_dir)
    try:
        assert again.index_is_current()
        assert again.ensure_index() is False
        assert titles(again, again.search("quantization"))[0] == EIGHT_BIT
    finally:
        again.close()


def bookmark_some(library, by_title):
    library.store.add_bookmark(by_title[EIGHT_BIT], added_at=100.0)
    library.store.add_bookmark(by_title[QUANTUM], added_at=200.0)
    return [(b.paper, b.added_at) for b in library.bookmarks()]


def test_deleted_index_is_rebuilt(library, data_dir, by_title):
    before = bookmark_some(library, by_title)
    library.search("quantization")  # the index is open
    shutil.rmtree(paths.index_path(data_dir))

    assert not library.index_is_current()
    assert library.ensure_index() is True
    assert titles(library, library.search("quantization"))[0] == EIGHT_BIT
    assert [(b.paper, b.added_at) for b in library.bookmarks()] == before
    assert len(library.search("")) == 36


def test_corrupted_index_is_rebuilt(library, data_dir, by_title):
    before = bookmark_some(library, by_title)
    library.close()  # no open (memory-mapped) index files while we overwrite them
    index = paths.index_path(data_dir)
    files = [p for p in index.iterdir() if p.is_file()]
    assert len(files) > 2
    for file in files:
        file.write_bytes(b"\x00junk\xff" * 64)

    assert library.ensure_index() is True
    assert titles(library, library.search("quantization"))[0] == EIGHT_BIT
    assert library.search("", BOOKMARKS) == [by_title[QUANTUM].id, by_title[EIGHT_BIT].id]
    assert [(b.paper, b.added_at) for b in library.bookmarks()] == before


def test_corrupted_index_files_with_intact_metadata_are_rebuilt(library, data_dir):
    # The record of what the index was built from survives; the Whoosh files do not.
    library.close()
    index = paths.index_path(data_dir)
    for file in index.iterdir():
        if file.is_file() and not file.name.endswith(".json"):
            file.write_bytes(b"")
    assert library.ensure_index() is True
    assert titles(library, library.search("quantization"))[0] == EIGHT_BIT


def test_damaged_postings_are_rebuilt(library, data_dir):
    library.close()
    index = paths.index_path(data_dir)
    [postings] = [p for p in index.iterdir() if p.suffix == ".pst"]
    size = postings.stat().st_size
    postings.write_bytes((b"\xffjunk\x00" * size)[:size])
    library.ensure_index()
    assert titles(library, library.search("quantization"))[0] == EIGHT_BIT


def test_rebuild_reports_progress(library):
    calls = []
    library.rebuild_index(lambda done, total: calls.append((done, total)))
    assert calls
    assert calls[-1] == (36, 36)
    assert all(total == 36 for _, total in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert 0 <= done[0] <= 36


def test_ensure_index_reports_progress_when_it_builds(data_dir):
    library = Library.open(data_dir)
    try:
        calls = []
        assert library.ensure_index(lambda done, total: calls.append((done, total)))
        assert calls and calls[-1] == (36, 36)
        calls.clear()
        assert not library.ensure_index(lambda done, total: calls.append((done, total)))
        assert calls == []
    finally:
        library.close()


def test_fuzzy_finds_a_misspelt_word_whose_stem_differs(library):
    # "optimpzation" stems to something the index never holds: the fuzzy match must be
    # made on the word as typed, against the index's unstemmed words.
    found = library.search("optimpzation~")
    assert len(found) > 20
    [paper_id] = library.search("title:quantizaton~")
    assert library.paper(paper_id).title == "8-bit Optimizers via Block-wise Quantization"


def test_new_words_are_found_in_this_copy_and_in_another(tmp_path):
    """Indexing a paper keeps the word list in memory up to date (no reread), and a
    second copy of reader sees the words the first one added."""
    from reader.index.index import SearchIndex

    papers = sample_papers()
    first = SearchIndex(tmp_path / "index")
    first.rebuild(papers, len(papers), generation=1)
    second = SearchIndex(tmp_path / "index")
    assert first.search("zyxqwords*") == second.search("zyxqwords*") == []

    new = make_paper(title="Zyxqwordsmith optimizers", abstract="A zyxqwordsmith study.")
    first.catch_up([new], 1, generation=2)
    assert first.search("zyxqwords*") == [new.id]
    assert first.search("zyxqwordsmth~") == [new.id]  # a typo of the new word
    # the library closes its searcher when another copy changed the index
    second.close()
    assert second.search("zyxqwords*") == [new.id]

    newer = make_paper(title="Zyxqwordplay", abstract="Words again.")
    second.catch_up([newer], 1, generation=3)
    first.close()
    assert set(first.search("zyxqword*")) == {new.id, newer.id}
    first.close()
    second.close()
