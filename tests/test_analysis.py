"""Search finds what the reader means: spelling variants, TeX and Unicode, hyphens."""

from __future__ import annotations

import pytest

from reader.index.analysis import americanize, fold_text, terms
from reader.sources.sample import sample_papers


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("optimiser", "optimizer"), ("optimisers", "optimizers"),
        ("optimisation", "optimization"), ("regularisation", "regularization"),
        ("generalise", "generalize"), ("colour", "color"), ("behaviours", "behaviors"),
        ("modelling", "modeling"), ("labelled", "labeled"), ("analyse", "analyze"),
        ("centre", "center"), ("catalogue", "catalog"), ("defence", "defense"),
    ],
)
def test_british_and_american_spellings_give_the_same_terms(british, american):
    assert terms(british) == terms(american)
    assert americanize(british) == american


@pytest.mark.parametrize("word", ["calling", "small", "spelling", "wise", "four", "hour"])
def test_words_that_only_look_british_keep_their_meaning(word):
    assert terms(word) == terms(word)  # stable
    assert americanize(word) == word


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Schrödinger", "Schrodinger"), ('Schr\\"odinger', "Schrodinger"),
        ("\\alpha", "alpha"), ("α", "alpha"), ("$\\mu$LO", "μLO"), ("μLO", "mulo"),
        ("8-bit", "8 bit"), ("8bit", "8 bit"), ("ﬁne-tuning", "fine tuning"),
        ("ＧＰＴ", "GPT"),
    ],
)
def test_tex_unicode_accents_and_hyphens_fold(one, other):
    assert terms(one) == terms(other)


def test_digits_and_single_letters_are_kept():
    assert terms("8-bit") != terms("4-bit")
    assert "o" in terms("$\\mathcal{O}(n)$")


def test_unknown_tex_macros_keep_their_arguments():
    assert fold_text("\\textbf{robust} \\frac{a}{b}").split() == ["robust", "a", "b"]


def test_the_sample_paper_that_says_optimisers_is_found_by_optimizer(library):
    british = [p for p in sample_papers() if "optimisers" in p.abstract]
    assert british
    found = set(library.search("optimizer"))
    assert {p.id for p in british} <= found
    assert {p.id for p in british} <= set(library.search("optimiser"))


def test_mulo_finds_the_mu_lo_paper(library):
    [mulo] = [p for p in sample_papers() if p.title.startswith("$μ$LO")]
    for query in ("mulo", "μlo", "$\\mu$LO", "MuLO"):
        assert library.search(query)[0] == mulo.id, query
