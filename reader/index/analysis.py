"""How text becomes search terms: the same pipeline for indexing and for queries.

1. ``fold_text``: Unicode NFKC; TeX macros to words (``\\alpha`` → alpha, ``\\"o`` → o),
   math ``$`` and braces dropped (``$\\mu$LO`` → muLO); Greek letters to their names
   (``α`` → alpha, ``μLO`` → muLO).
2. Words are runs of letters or of digits, so ``8-bit``, ``8 bit`` and ``8bit`` all give
   ``8`` ``bit`` (and a query word that splits becomes a phrase).
3. Lower case, accents folded (Schrödinger = Schrodinger).
4. British spellings folded to American (optimiser → optimizer, -isation → -ization,
   colour → color, modelling → modeling, analyse → analyze, centre → center, ...).
5. English stop words dropped, then Porter stemming (optimizers → optim).

The spelling field keeps the folded words before stemming, for "did you mean".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh import analysis
from whoosh.support.charset import accent_map

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "µ": "mu", "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi",
    "ϖ": "pi", "ρ": "rho", "ϱ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau",
    "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}
GREEK.update({upper: name for lower, name in list(GREEK.items())
              if (upper := lower.upper()) != lower and upper not in GREEK})
_GREEK_NAMES = {name for name in GREEK.values()} | {"varepsilon", "vartheta", "varphi",
                                                    "varpi", "varrho", "varsigma"}
_TEX_WORDS = {"ell": "ell", "infty": "infinity", "nabla": "nabla", "partial": "partial"}

_TEX_ACCENT = re.compile(r"\\[\"'`^~=.uvHcdbkr]\s*\{?\s*\\?([A-Za-z])\}?")
_TEX_MACRO = re.compile(r"\\([A-Za-z]+)")
_TEX_PUNCT = re.compile(r"[${}]")
_NON_ASCII_GREEK = re.compile("[" + "".join(GREEK) + "]")

# Words are runs of letters or runs of digits.
WORD_PATTERN = r"[^\W\d_]+|\d+"

# British → American, applied to whole (lower-case, accent-folded) words.
_BRITISH_WORDS = {
    "centre": "center", "centres": "centers", "centred": "centered", "fibre": "fiber",
    "fibres": "fibers", "metre": "meter", "metres": "meters", "litre": "liter",
    "theatre": "theater", "programme": "program", "programmes": "programs",
    "catalogue": "catalog", "catalogues": "catalogs", "dialogue": "dialog",
    "dialogues": "dialogs", "analogue": "analog", "analogues": "analogs",
    "defence": "defense", "offence": "offense", "licence": "license", "grey": "gray",
    "ageing": "aging", "judgement": "judgment", "acknowledgement": "acknowledgment",
    "aluminium": "aluminum", "sulphur": "sulfur", "manoeuvre": "maneuver",
    "paediatric": "pediatric", "haemoglobin": "hemoglobin", "oestrogen": "estrogen",
    "foetal": "fetal", "anaemia": "anemia", "leukaemia": "leukemia",
}
_DOUBLED_L = re.compile(
    r"^(model|label|travel|cancel|signal|fuel|tunnel|channel|level|total|counsel|"
    r"marshal|funnel|panel|jewel|dial|rival|shovel|quarrel|equal|pixel|kernel|voxel)"
    r"l(ing|ed|er|ers)$"
)
# -ise/-isation/-yse and -our: optimise, optimiser, optimisation(s), analyse, colour(s).
_ISE = re.compile(r"^(\w{3,})is(e|es|ed|ing|er|ers|ation|ations|ational|able)$")
_YSE = re.compile(r"^(\w{2,})ys(e|es|ed|ing|er|ers)$")
_OUR = re.compile(r"^(\w{3,})our(s|ed|ing|ful|less|able|ite|ites|ism)?$")


def fold_text(text: str) -> str:
    """Text with TeX and Greek spelled as words (see the module documentation)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if _NON_ASCII_GREEK.search(text):
            text = _NON_ASCII_GREEK.sub(lambda m: GREEK[m.group(0)], text)
    if "\\" in text:
        text = _TEX_ACCENT.sub(r"\1", text)
        text = _TEX_MACRO.sub(_tex_macro, text)
    if "$" in text or "{" in text:
        # adjacent groups are separate arguments (\frac{a}{b}); other braces only
        # protect case ({B}ERT)
        text = _TEX_PUNCT.sub("", text.replace("}{", " "))
    return text


def _tex_macro(match: re.Match) -> str:
    name = match.group(1)
    bare = name.lower().removeprefix("var")
    if name.lower() in _GREEK_NAMES or bare in _GREEK_NAMES:
        return bare
    if name in _TEX_WORDS:
        return _TEX_WORDS[name]
    return " "  # \mathcal, \textbf, \frac: the macro goes, its arguments stay


@lru_cache(maxsize=200_000)  # words repeat: most of a build's calls are cache hits
def americanize(word: str) -> str:
    """The American spelling of a lower-case word (the word itself if none)."""
    if len(word) < 5:
        return word
    if word in _BRITISH_WORDS:
        return _BRITISH_WORDS[word]
    match = _DOUBLED_L.match(word)
    if match:
        return match.group(1) + match.group(2)
    match = _ISE.match(word)
    if match:
        return f"{match.group(1)}iz{match.group(2)}"
    match = _YSE.match(word)
    if match:
        return f"{match.group(1)}yz{match.group(2)}"
    match = _OUR.match(word)
    if match and len(word) >= 6:
        return f"{match.group(1)}or{match.group(2) or ''}"
    return word


class FoldingTokenizer(analysis.Tokenizer):
    """Words of the folded text (runs of letters or digits), with positions."""

    def __init__(self) -> None:
        self._inner = analysis.RegexTokenizer(WORD_PATTERN)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldingTokenizer)

    def __call__(self, value, **kwargs):
        # Character offsets, when asked for, are into the folded text: highlighting
        # does not use them (it compares the displayed words' terms).
        return self._inner(fold_text(value), **kwargs)


class AmericanFilter(analysis.Filter):
    """British spellings to American (see ``americanize``)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AmericanFilter)

    def __call__(self, tokens):
        for token in tokens:
            token.text = americanize(token.text)
            yield token


def folded_words() -> analysis.Analyzer:
    """Words as typed, folded (no stemming, no stop words): for spelling suggestions."""
    return (
        FoldingTokenizer()
        | analysis.LowercaseFilter()
        | analysis.CharsetFilter(accent_map)
        | AmericanFilter()
    )


def text_analyzer() -> analysis.Analyzer:
    """Titles and abstracts: folded, stop words out, stemmed."""
    return (
        folded_words()
        | analysis.StopFilter(minsize=1)
        | analysis.StemFilter(cachesize=50000)
    )


def name_analyzer() -> analysis.Analyzer:
    """Author names and sources: folded words, no stemming."""
    return FoldingTokenizer() | analysis.LowercaseFilter() | analysis.CharsetFilter(accent_map)


_TERMS = text_analyzer()


def terms(text: str) -> list[str]:
    """The search terms ``text`` gives (what highlighting compares words with)."""
    return [token.text for token in _TERMS(text)]
