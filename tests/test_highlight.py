"""Highlighting and snippets follow the query's terms, whatever the word form."""

from __future__ import annotations

from reader.index.highlight import match_spans, snippet


def words_at(text, spans):
    return [text[a:b] for a, b in spans]


def test_matches_any_form_of_the_searched_word(library):
    result = library.query("optimizer")
    text = "Five optimisers and an Optimizer; optimization too, but not options."
    assert words_at(text, match_spans(text, result.terms)) == [
        "optimisers", "Optimizer", "optimization"
    ]


def test_prefix_and_fuzzy_queries_highlight_what_they_matched(library):
    text = "We develop block-wise dynamic quantization of quantized states."
    prefix = library.query("quantiz*")
    assert words_at(text, match_spans(text, prefix.terms)) == ["quantization", "quantized"]
    fuzzy = library.query("quantizaton~")
    assert "quantization" in words_at(text, match_spans(text, fuzzy.terms))


def test_excluded_words_are_not_highlighted(library):
    result = library.query("optimizers NOT prompt")
    text = "prompt optimizers"
    assert words_at(text, match_spans(text, result.terms)) == ["optimizers"]


def test_snippet_is_around_the_first_match():
    text = "word " * 60 + "the quantization of states " + "tail " * 40
    piece, spans = snippet(text, frozenset({"quantiz"}), 60)
    assert piece.startswith("…") and len(piece) <= 61
    assert [piece[a:b] for a, b in spans] == ["quantization"]


def test_snippet_without_a_match_is_the_start():
    assert snippet("abc def", frozenset({"zzz"}), 4) == ("abc ", [])
