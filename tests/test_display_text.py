"""Reading comfort (reader.text): LaTeX made readable, HTML and mojibake repaired, and
the display forms of titles and abstracts."""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
import time
import unicodedata
from itertools import islice

import pytest
from conftest import shared_path

import reader.text
from reader.sources.sample import sample_papers
from reader.text import (
    clean_block,
    clean_line,
    display_abstract,
    display_title,
    html_to_text,
    readable_math,
)

MU_LO = "$μ$LO: Compute-Efficient Meta-Generalization of Learned Optimizers"

# -- readable_math: what the issue asks for ----------------------------------------------


@pytest.mark.parametrize(
    "latex, expected",
    [
        (r"$\alpha$", "α"),
        (r"$\mu$LO", "μLO"),
        (MU_LO, "μLO: Compute-Efficient Meta-Generalization of Learned Optimizers"),
        (r"\"o", "ö"),
        (r"{\"o}", "ö"),
        (r"Schr\"odinger bridges", "Schrödinger bridges"),
        (r"B\'ezier curves", "Bézier curves"),
        (r"a 95\% gain", "a 95% gain"),
        (r"$\mathcal{O}(n^2)$ time", "𝒪(n²) time"),
        (r"\textbf{x}", "x"),
        (r"we propose \textbf{FooNet}, a \emph{new} model", "we propose FooNet, a new model"),
        (r"$x_i$", "xᵢ"),
        (r"$x^2$", "x²"),
        (r"$x_q$", "x_q"),  # no subscript q in Unicode: kept the TeX way
        (r"$x_{i,j}$", "x_{i,j}"),
        (r"$x_{t+1}$", "xₜ₊₁"),
        (r"$10^{-3}$", "10⁻³"),
        (r"$\frac{a}{b}$", "a/b"),
        (r"$\frac{a+b}{c}$", "(a+b)/c"),
        (r"$\sqrt{x}$", "√x"),
        (r"$\sqrt{x+1}$", "√(x+1)"),
        (r"$\leq$", "≤"),
        (r"$\mathbb{R}$", "ℝ"),
        (r"$x \in \mathbb{R}^d$", "x ∈ ℝᵈ"),
        (r"$O(n \log n)$", "O(n log n)"),
        (r"$\tilde{O}(\sqrt{T})$ regret", "Õ(√T) regret"),
        (r"$\sum_{i=1}^{n} x_i$", "∑ᵢ₌₁ⁿ xᵢ"),
        (r"$90^\circ$", "90°"),
        (r"360{\deg} rotation", "360° rotation"),
        (r"a 2.1$\times$ speed-up", "a 2.1× speed-up"),
        (r"$\ge$768x512 resolution", "≥768x512 resolution"),
        (r"$1.81 \pm 0.14$ mm", "1.81 ± 0.14 mm"),
        (r"$$E = mc^2$$", "E = mc²"),
        (r"\(a^2\)", "a²"),
        (r"$k$-means and $\epsilon$-greedy", "k-means and ϵ-greedy"),
        (r"cost $ d $ and $ 4.8$%", "cost d and 4.8%"),
        ("It costs $5.\n\nThen $x$ grows", "It costs $5.\n\nThen x grows"),
        (r"{\em emphasis} and {\bf bold}", "emphasis and bold"),
        (r"Stra\ss e", "Straße"),
        (r"hallucinations$\unicode{x2013}$plausible", "hallucinations–plausible"),
        (r"code at \url{https://github.com/a\_b}", "code at https://github.com/a_b"),
        (r"see \href{https://x.org}{our site}", "see our site (https://x.org)"),
        (r"at \href{https://x.org}{https://x.org}.", "at https://x.org."),
        (r"$\mathcal{O}(\sqrtT)$", "𝒪(√T)"),  # upstream lost the braces of \sqrt{T}
    ],
)
def test_readable_math(latex, expected):
    assert readable_math(latex) == expected


@pytest.mark.parametrize(
    "latex, visible",
    [
        (r"\foo{x}", r"\foo{x}"),
        (r"we propose \method, a model", r"we propose \method, a model"),
        (r"$\foo{y} + 1$", r"\foo{y} + 1"),
        (r"$\bW_q$", r"\bW_q"),
        (r"see \cite{smith2020}", r"see \cite{smith2020}"),
    ],
)
def test_unknown_commands_stay_visible(latex, visible):
    assert readable_math(latex) == visible


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Plain text with no LaTeX at all.",
        "It costs $5 and $10 per month.",
        "Prices: $5-$10, or $20.",
        "US$5 and US$6",
        "set $HOME and $PATH first",
        "a_b, c^2, 50% of {x, y} & ~3 times",
        "%For stochastic second-order methods",
        "Unicode stays: α ≤ β, naïve café, 日本語, 🎉",
    ],
)
def test_text_without_latex_is_unchanged(text):
    assert readable_math(text) == text


@pytest.mark.parametrize(
    "latex",
    [
        r"$\frac{a$",
        r"\textbf{",
        r"$x^$",
        r"$\sqrt{$ and $",
        r"}{\\",
        "\\",
        "$",
        "$$",
        r"$\begin{array}$",
        r"\href{",
        r"$^{^{^{^{^{^{^{^{^{^{x}}}}}}}}}}$",
    ],
)
def test_malformed_latex_is_kept(latex):
    result = readable_math(latex)
    assert isinstance(result, str)
    for word in re.findall(r"[A-Za-z]{2,}", re.sub(r"\\[A-Za-z]+", " ", latex)):
        assert word in result


def test_random_latex_never_raises():
    rng = random.Random(7)
    pieces = ["$", "\\", "{", "}", "^", "_", "\\frac", "\\alpha", "\\textbf", "x", " ",
              "word", "\\\"", "%", "&", "~", "\\url", "(", ")", "2", "\\(", "\\)"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))
        assert isinstance(readable_math(text), str)
        assert isinstance(display_abstract(text), str)


def test_truncated_commands_keep_their_text():
    assert readable_math(r"we will \textbf{open-source all models") == "we will open-source all models"
    assert readable_math(r"code at \href{https://x.org/a}.") == "code at https://x.org/a."


def test_pathological_input_is_quick_and_never_raises():
    texts = [
        "\\textbf{" * 3000 + "x" + "}" * 3000,
        "{\\em " * 3000 + "x" + "}" * 3000,
        "{\\foo " * 40 + "}" * 40,
        "\\foo{" * 2000,
        "$x^{" * 500 + "}$" * 500,
        "$" + "{" * 5000 + "x" + "}" * 5000 + "$",
        "\\(" * 3000,
        "<sub>" * 5000,
        "<script>" * 5000,
        "<!--" * 5000,
        "<b a=b" * 5000,
    ]
    started = time.perf_counter()
    for text in texts:
        assert isinstance(readable_math(text), str)
        assert isinstance(display_abstract(text), str)
        assert isinstance(display_title(text), str)
    assert time.perf_counter() - started < 10  # about 0.5 s; a quadratic scan takes seconds


def test_private_use_characters_are_left_alone():
    # readable_math uses supplementary private-use characters as placeholders.
    text = "$\\alpha$ \U000f0001"
    assert readable_math(text) == text


# -- the corpus: never raises, never loses a word ---------------------------------------

_MATH_SPANS = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]")
_MARKUP = re.compile(r"\\(?:text)?color\s*(?:\[[^\]]*\])?\{[^{}]*\}|\\[A-Za-z]+")


def _words_outside_math(text: str) -> list[str]:
    """The words of length >= 4 a reader must still find: LaTeX command names and
    colour names are markup, not words."""
    return re.findall(r"[A-Za-z]{4,}", _MARKUP.sub(" ", _MATH_SPANS.sub(" ", text)))


def _without_accents(text: str) -> str:
    # B\'ezier: "ezier" is in "Bézier" once its accent is set apart.
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def test_corpus_keeps_every_word():
    path = shared_path("corpus", "arxiv_daily_01.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in islice(lines, 2000)]
    changed = 0
    for record in records:
        for text in (record["title"], record["abstract"]):
            result = readable_math(text)
            changed += result != text
            flat = _without_accents(result)
            missing = [w for w in _words_outside_math(text) if w not in flat]
            assert not missing, (missing, text)
            shown = display_abstract(text)
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", shown)
        assert "\n" not in display_title(record["title"])
    assert changed > 100  # the corpus has plenty of LaTeX: the conversion did happen


# -- display_abstract --------------------------------------------------------------------


@pytest.mark.parametrize(
    "html, expected",
    [
        ("CO<sub>2</sub> emissions", "CO₂ emissions"),
        ("T<sub>eff</sub> and x<sup>-1</sup>", "T_eff and x⁻¹"),
        ("an <i>italic</i> and <b>bold</b> word", "an italic and bold word"),
        ("<em class=\"x\">em</em> <a href=\"https://x.org\">link</a>", "em link"),
        ("one<br>two<br/>three", "one\ntwo\nthree"),
        ("<p>First paragraph.</p><p>Second one.</p>", "First paragraph.\n\nSecond one."),
        ("R&amp;D &lt;b&gt; &#177; &eacute;", "R&D <b> ± é"),
        ("a<b and c>d, x < y > z", "a<b and c>d, x < y > z"),
        ("kept<script>alert(1)</script> text", "kept text"),
        ("AT&T and R&D", "AT&T and R&D"),
    ],
)
def test_html_in_abstracts(html, expected):
    assert display_abstract(html) == expected


@pytest.mark.parametrize(
    "broken, fixed",
    [
        ("CafÃ© Ã¼ber", "Café über"),
        ("the â€“ dash and â€œquotesâ€\x9d here", "the – dash and “quotes” here"),
        ("Ã©tÃ©", "été"),
    ],
)
def test_mojibake_is_repaired(broken, fixed):
    assert display_abstract(broken) == fixed
    assert display_title(broken) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Schrödinger, naïve café, Ærøskøbing, São Paulo, Ñandú",
        "日本語のテキストと中文文本",
        "Emoji stay: 🎉🚀 and ✓",
        "Math symbols: α ≤ β → ∞, ∑ᵢ xᵢ², 𝒪(n), ℝⁿ, ±3 °C, µm",
        "Curly “quotes” and ‘single’ ones — and ellipsis…",
        "Full-width ＡＢＣ and ligature ﬁ stay as they are",
        "The Âge of Reason; Ñandú; SÃO PAULO; ÃO",
    ],
)
def test_correct_text_is_unchanged(text):
    assert display_abstract(text) == text
    assert display_title(text) == text


def test_correct_accented_text_does_not_load_the_mojibake_repair(monkeypatch):
    monkeypatch.setitem(sys.modules, "ftfy", None)  # importing it now fails
    text = "Poincaré, Erdős and Pólya: naïve Schrödinger bridges — “façade” ≤ 2 µm"
    assert display_abstract(text) == text
    assert display_title(text + " (title)") == text + " (title)"


def test_display_abstract_is_safe_and_reflowed():
    text = "First line\nsecond line\x1b[31m red\x1b[0m\n\n\x07Second\r\nparagraph"
    assert display_abstract(text) == "First line second line red\n\nSecond paragraph"
    assert display_abstract("&#27;]8;;evil&#7;") == "]8;;evil"


def test_display_abstract_math_flag():
    text = r"We bound $\mathcal{O}(n^2)$ and Schr\"odinger <i>terms</i>."
    assert display_abstract(text) == "We bound 𝒪(n²) and Schrödinger terms."
    raw = r'We bound $\mathcal{O}(n^2)$ and Schr\"odinger terms.'
    assert display_abstract(text, math=False) == raw


def test_display_abstract_of_nothing():
    assert display_abstract("") == ""
    assert display_abstract("  \n\n ") == ""


def test_sample_abstracts_display_like_clean_block_when_plain():
    for paper in sample_papers():
        shown = display_abstract(paper.abstract)
        if not re.search(r"[$\\<&]", paper.abstract):
            assert shown == clean_block(paper.abstract)


# -- display_title -----------------------------------------------------------------------


def test_sample_title_with_math():
    titles = [paper.title for paper in sample_papers()]
    assert MU_LO in titles
    assert display_title(MU_LO) == readable_math(MU_LO) == MU_LO.replace("$μ$", "μ")
    assert display_title(MU_LO).startswith("μLO: Compute-Efficient")
    assert display_title(MU_LO, math=False) == MU_LO


@pytest.mark.parametrize(
    "title, expected",
    [
        ("  Large Language\nModels as   Optimizers ", "Large Language Models as Optimizers"),
        ("Deep <i>Learning</i> &amp; Friends", "Deep Learning & Friends"),
        ("Two<br>lines", "Two lines"),
        ("\x1b]8;;https://evil\x07Click\x1b]8;;\x07 me", "Click me"),
        (r"$\alpha$-Divergence for $k$-NN", "α-Divergence for k-NN"),
    ],
)
def test_display_title(title, expected):
    assert display_title(title) == expected


def test_plain_titles_take_the_fast_path(monkeypatch):
    def slow(*args):
        raise AssertionError("plain titles must not take the slow path")

    monkeypatch.setattr(reader.text, "_display_title", slow)
    for title in ["Attention Is All You Need", "8-bit Optimizers via Block-wise Quantization",
                  "A_b^c: 50% {braces} (parens) [brackets] ~tilde", "  spaced\tout  "]:
        assert display_title(title) == clean_line(title)


# -- the helper feed.py uses -------------------------------------------------------------


def test_html_to_text_lives_in_reader_text():
    from reader.parsers import feed

    assert feed.html_to_text is html_to_text
    assert html_to_text("<p>a &amp; b</p><script>x</script>c").split() == ["a", "&", "b", "c"]
