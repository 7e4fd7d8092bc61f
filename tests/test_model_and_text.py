"""Stable paper ids (reader.model) and terminal-safe text (reader.text)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from reader.model import make_paper, paper_id
from reader.text import clean_block, clean_line, strip_controls

TITLE = "Large Language Models as Optimizers"
TITLE_ID = re.compile(r"title:[0-9a-f]{16}")

# -- paper ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arxiv",
    [
        "2309.03409",
        "2309.03409v1",
        "2309.03409v3",
        "arXiv:2309.03409",
        "arXiv:2309.03409v2",
        "  2309.03409  ",
        "https://arxiv.org/abs/2309.03409",
        "https://arxiv.org/abs/2309.03409v2",
        "http://arxiv.org/pdf/2309.03409v2",
        "https://arxiv.org/pdf/2309.03409v2.pdf",
        "https://arxiv.org/pdf/2309.03409",
    ],
)
def test_arxiv_id_forms_give_the_same_id(arxiv):
    assert paper_id(TITLE, arxiv) == "arxiv:2309.03409"


def test_arxiv_id_wins_over_the_title():
    # The same arXiv paper under two different titles (e.g. a revised title) is one paper.
    assert paper_id("Old title", "2309.03409v1") == paper_id("New title", "2309.03409v2")
    assert paper_id(TITLE, "2309.03409") != paper_id(TITLE, "2309.03410")


def test_four_digit_arxiv_numbers():
    assert paper_id("x", "arXiv:0704.0001v1") == "arxiv:0704.0001"


@pytest.mark.parametrize(
    "arxiv, expected",
    [
        ("hep-th/9901001", "arxiv:hep-th/9901001"),
        ("hep-th/9901001v2", "arxiv:hep-th/9901001"),
        ("arXiv:hep-th/9901001", "arxiv:hep-th/9901001"),
        ("https://arxiv.org/abs/hep-th/9901001v1", "arxiv:hep-th/9901001"),
        ("https://arxiv.org/pdf/hep-th/9901001", "arxiv:hep-th/9901001"),
        ("math.GT/0309136", "arxiv:math.GT/0309136"),
        ("cond-mat/0102536v1", "arxiv:cond-mat/0102536"),
    ],
)
def test_old_style_arxiv_ids_keep_their_archive(arxiv, expected):
    assert paper_id("Some title", arxiv) == expected


@pytest.mark.parametrize("arxiv", [None, "", "not an id", "https://example.org/paper"])
def test_without_a_usable_arxiv_id_the_title_decides(arxiv):
    assert paper_id(TITLE, arxiv) == paper_id(TITLE)
    assert TITLE_ID.fullmatch(paper_id(TITLE, arxiv))


@pytest.mark.parametrize(
    "variant",
    [
        "large language models as optimizers",
        "LARGE LANGUAGE MODELS AS OPTIMIZERS",
        "Large Language Models as Optimizers.",
        "Large language models, as optimizers!",
        "  Large\tLanguage   Models\nas Optimizers  ",
        "Large Language-Models as Optimizers",
        "\uff2carge Language Models as Optimizers",  # full-width L (NFKC)
    ],
)
def test_title_ids_ignore_case_punctuation_and_whitespace(variant):
    assert paper_id(variant) == paper_id(TITLE)


@pytest.mark.parametrize(
    "other",
    [
        "Large Language Models as Optimisers",
        "Large Language Models are Optimizers",
        "Language Models as Optimizers",
        "Large Language Models as Optimizers 2",
        "Diffusion Models as Optimizers for Efficient Planning in Offline RL",
    ],
)
def test_different_titles_get_different_ids(other):
    assert paper_id(other) != paper_id(TITLE)


def test_title_id_format():
    for title in [TITLE, "x", "", "Ünïcödé title — with dashes", "8-bit Optimizers"]:
        assert TITLE_ID.fullmatch(paper_id(title)), title


def test_make_paper_uses_the_stable_id():
    paper = make_paper(TITLE + ".", "abstract", arxiv_id=None, authors=("A. Author",))
    assert paper.id == paper_id(TITLE)
    assert paper.title == TITLE + "."  # the text itself is kept unchanged
    assert make_paper(TITLE, arxiv_id="arXiv:2309.03409v2").id == "arxiv:2309.03409"


# -- terminal-safe text ------------------------------------------------------------------


def no_controls(text: str, allowed: str = "") -> bool:
    return not any(
        unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text
    ) and "\x1b" not in text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b[1;38;5;196mbold red\x1b[m text", "bold red text"),
        ("up\x1b[2Aand\x1b[2Jclear", "upandclear"),
        # OSC 8 hyperlinks, ST- and BEL-terminated: the visible text stays, the URL goes.
        ("\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\", "click me"),
        ("\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07", "link"),
        # OSC window-title sequences vanish with their payload.
        ("\x1b]0;pwned\x07Real title", "Real title"),
        ("\x1b]2;pwned\x1b\\Real title", "Real title"),
        # 8-bit (C1) CSI and OSC introducers.
        ("x\x9b31my", "xy"),
        ("\x9d0;pwned\x9cSafe", "Safe"),
    ],
)
def test_clean_line_removes_escape_sequences(raw, expected):
    cleaned = clean_line(raw)
    assert cleaned == expected
    assert "pwned" not in cleaned and "evil" not in cleaned


def test_clean_line_removes_c0_and_c1_controls():
    raw = "bell\x07 null\x00 back\x08space del\x7f c1\x80\x90\x9f end\x1b"
    cleaned = clean_line(raw)
    assert cleaned == "bell null backspace del c1 end"
    assert no_controls(cleaned)


def test_clean_line_removes_invisible_characters():
    assert clean_line("zero\u200bwidth \ufeffbom") == "zerowidth bom"


@pytest.mark.parametrize(
    "markup",
    ["[bold]loud[/]", "[/]", "[@click=app.quit]quit[/]", "[link=https://x]y[/link]", "\\[escaped]"],
)
def test_markup_like_text_is_kept_literally(markup):
    assert clean_line(markup) == markup
    assert clean_block(markup) == markup


def test_clean_line_folds_whitespace():
    assert clean_line("  Large \t Language\n\nModels\u00a0as   Optimizers  ") == (
        "Large Language Models as Optimizers"
    )
    assert clean_line(" \t\n ") == ""


def test_clean_block_keeps_paragraphs_and_reflows_lines():
    raw = "First  paragraph\nwraps here.\n\n\n  Second\tparagraph.  \n \n\nThird."
    assert clean_block(raw) == "First paragraph wraps here.\n\nSecond paragraph.\n\nThird."


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_clean_block_handles_crlf_and_cr(newline):
    raw = newline.join(["One", "line", "", "Two"])
    assert clean_block(raw) == "One line\n\nTwo"


def test_clean_block_removes_escapes_and_controls():
    raw = "\x1b]0;pwned\x07Safe \x1b[31mred\x1b[0m\x00 text\n\n\x9b2Jnext\x07 para [bold]x[/]"
    cleaned = clean_block(raw)
    assert cleaned == "Safe red text\n\nnext para [bold]x[/]"
    assert no_controls(cleaned, allowed="\n")


def test_strip_controls_keeps_newlines_and_tabs():
    assert strip_controls("a\tb\nc\x1b[0m\x00") == "a\tb\nc"


@pytest.mark.parametrize("separator", ["\r", "\x0b", "\x0c", "\u2028", "\u2029"])
def test_line_breaking_controls_separate_words(separator):
    assert clean_line(f"Large{separator}Language") == "Large Language"
