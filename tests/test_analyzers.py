"""The schema's analyzers give exactly the tokens of the straightforward Whoosh chains
that define them (so a faster build indexes the same terms, at the same positions)."""

from __future__ import annotations

import gzip
import itertools
import json
import pickle
import re

import pytest
from conftest import shared_path

from reader.index.analysis import (
    WORD_PATTERN,
    NameAnalyzer,
    TextAnalyzer,
    fold_text,
    name_chain,
    text_chain,
    text_term,
)

ODD = [
    "",
    "   ",
    "-- ; , .",
    # stop words first, last, only, and only after folding (thé, ÀN)
    "The model of the world", "a", "A of the AND to", "thé ÀN model", "model, and the",
    "I am a model; it is what it is",
    # TeX and Greek
    "$\\mu$LO: \\alpha-\\beta $\\mathcal{O}(n^2)$ \\textbf{robust} \\frac{a}{b} {B}ERT",
    'Schr\\"odinger \\\'{e}cole \\varepsilon \\infty \\ell_2 $\\nabla f$ \\unknown{x}',
    "αβγ μLO Σ-Δ ΑΣ ϵ-greedy",
    # British spellings, in any case
    "Optimisers, OPTIMISATION and colour-modelling; analysed centres; Labelled catalogues",
    "Ageing judgement of a programme's behaviours in the defence theatre",
    # hyphens, digits, accents, odd Unicode
    "8-bit 8 bit 8bit GPT-4o 3.5 v2.0 1e-3 x86_64 2024-05-27",
    "Schrödinger Ångström naïve café Straße Øresund İstanbul ÉCOLE",
    "ﬁne-tuning ＧＰＴ ① ² ½ ™ Ⅻ",
    "co-operation re-use state-of-the-art non-IID e.g. i.e. et al.",
    "words_with_underscores and snake_case x_1",
    "中文 日本語 한국어 العربية русский",
    "it's don't we'll O'Brien",
]


def seed_texts() -> list[str]:
    """The lines of the seed file of Hugging Face papers (titles and abstracts)."""
    lines = shared_path("seed", "hf-papers-optimizers.txt").read_text(encoding="utf-8")
    return [line for line in lines.splitlines() if line.strip()]


def _corpus_texts(records: int = 300) -> list[str]:
    texts: list[str] = []
    path = shared_path("corpus", "conference_papers_01.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in itertools.islice(lines, records):
            record = json.loads(line)
            texts += [record["title"], record["abstract"], " ; ".join(record["authors"])]
    return texts


def _tokens(analyzer, text: str, **kwargs) -> list[dict]:
    """Every attribute of every token (the token object is reused: copy each)."""
    return [dict(vars(token)) for token in analyzer(text, **kwargs)]


INDEXING = {"positions": True, "boosts": True, "mode": "index"}  # what Whoosh passes
CALLS = [INDEXING, {}, {"mode": "query"}, {"positions": True}]
# calls that go to the chain itself
OTHER_CALLS = [{"chars": True, "removestops": False}, {"tokenize": False, "mode": "query"},
               {"no_morph": True}, {"positions": True, "start_pos": 5}]


@pytest.mark.parametrize("kwargs", CALLS + OTHER_CALLS)
def test_the_fast_analyzers_give_the_chains_tokens(kwargs):
    texts = ODD + seed_texts()
    text, chain, names, name_chain_ = TextAnalyzer(), text_chain(), NameAnalyzer(), name_chain()
    for value in texts:
        assert _tokens(text, value, **kwargs) == _tokens(chain, value, **kwargs), value
        assert _tokens(names, value, **kwargs) == _tokens(name_chain_, value, **kwargs), value


def test_the_fast_analyzers_give_the_chains_tokens_on_real_records():
    text, chain, names, name_chain_ = TextAnalyzer(), text_chain(), NameAnalyzer(), name_chain()
    for value in _corpus_texts():
        assert _tokens(text, value, **INDEXING) == _tokens(chain, value, **INDEXING), value
        assert _tokens(names, value, **INDEXING) == _tokens(name_chain_, value, **INDEXING)


def test_stop_words_take_no_position_but_the_first_word_kept_keeps_its_own():
    tokens = [(t.text, t.pos) for t in TextAnalyzer()("The model of the world",
                                                      positions=True)]
    assert tokens == [("model", 1), ("world", 2)]
    assert text_term("the") is None and text_term("Optimisers") == "optim"


def test_a_full_dictionary_of_terms_starts_again_with_the_same_results():
    analyzer = TextAnalyzer()
    analyzer.CACHED_WORDS = 5
    chain = text_chain()
    for value in ODD * 2:
        assert _tokens(analyzer, value, **INDEXING) == _tokens(chain, value, **INDEXING)
        # emptied before a text once full: at most the limit and that text's words
        assert len(analyzer._terms) < 5 + len(set(re.findall(WORD_PATTERN, fold_text(value))))


def test_the_analyzers_pickle_without_their_terms():
    analyzer = TextAnalyzer()
    _tokens(analyzer, ODD[-5])
    assert analyzer._terms
    copy = pickle.loads(pickle.dumps(analyzer))
    assert copy == analyzer and not copy._terms
    assert copy != NameAnalyzer()
    assert _tokens(copy, ODD[-5], **INDEXING) == _tokens(analyzer, ODD[-5], **INDEXING)
    assert len(pickle.dumps(analyzer)) < 200
    assert analyzer.has_morph() and not NameAnalyzer().has_morph()
