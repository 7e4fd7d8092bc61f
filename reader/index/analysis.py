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

Indexing runs this for every word of every abstract, so the analyzers the schema uses
(``TextAnalyzer``, ``NameAnalyzer``) do not pass each word through a chain of Whoosh
filters: they work out each distinct word's term once (steps 3-5, which look at one word
at a time) and keep it in a dictionary. The chain of Whoosh components stays the
definition (``text_chain``, ``name_chain``); calls other than the plain ones go to it,
and the tests check that both give the same tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from whoosh import analysis
from whoosh.lang.porter import stem
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
_WORDS = re.compile(WORD_PATTERN)
# Whoosh's English stop words (its StopFilter's list)
STOP_WORDS = analysis.STOP_WORDS

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


def american_spelling(word: str) -> str:
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


# words repeat: most of the calls are cache hits
americanize = lru_cache(maxsize=200_000)(american_spelling)


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


def text_chain() -> analysis.Analyzer:
    """Titles and abstracts: folded, stop words out, stemmed (the definition of
    ``TextAnalyzer``, one Whoosh filter after another)."""
    return (
        folded_words()
        | analysis.StopFilter(stoplist=STOP_WORDS, minsize=1)
        | analysis.StemFilter(cachesize=50000)
    )


def name_chain() -> analysis.Analyzer:
    """Author names and sources: folded words, no stemming (the definition of
    ``NameAnalyzer``)."""
    return FoldingTokenizer() | analysis.LowercaseFilter() | analysis.CharsetFilter(accent_map)


def text_term(word: str) -> str | None:
    """What ``text_chain``'s filters make of one word: its term, or None for a stop
    word."""
    folded = american_spelling(word.lower().translate(accent_map))
    if not folded or folded in STOP_WORDS:  # StopFilter(minsize=1)
        return None
    return stem(folded)


# The analyzers' keyword arguments and the values of a plain call (indexing a document,
# parsing a query); any other value goes to the chain.
_PLAIN_CALL = {"chars": False, "keeporiginal": False, "removestops": True, "start_pos": 0,
               "start_char": 0, "tokenize": True, "no_morph": False}


class _FastAnalyzer(analysis.Analyzer):
    """An analyzer defined by a chain of Whoosh components (``_make_chain``), with a
    faster way (``_tokens``) to give the same tokens for plain calls.

    The schema, and so this object, is pickled into the index: only the class is kept.
    """

    def __init__(self) -> None:
        self._chain = self._make_chain()

    @staticmethod
    def _make_chain() -> analysis.Analyzer:
        raise NotImplementedError

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def has_morph(self) -> bool:
        return self._chain.has_morph()

    def clean(self) -> None:
        self._chain.clean()

    def __call__(self, value: str, positions: bool = False, mode: str = "", **kwargs
                 ) -> Iterator[analysis.Token]:
        if any(kwargs.get(name, plain) != plain for name, plain in _PLAIN_CALL.items()):
            return self._chain(value, positions=positions, mode=mode, **kwargs)
        for name in _PLAIN_CALL:
            kwargs.pop(name, None)
        # the one token every word reuses, with the attributes the chain's tokenizer
        # gives it (Whoosh passes ``boosts`` and the like through to it)
        token = analysis.Token(positions, False, removestops=True, mode=mode, **kwargs)
        return self._tokens(fold_text(value), token, positions)

    def _tokens(self, text: str, token: analysis.Token, positions: bool
                ) -> Iterator[analysis.Token]:
        raise NotImplementedError


class TextAnalyzer(_FastAnalyzer):
    """Titles and abstracts (``text_chain``), each distinct word's term worked out once.

    The dictionary of terms is emptied when it reaches ``CACHED_WORDS`` words, which
    bounds its memory (a 185k-paper corpus has about 230k distinct words; most of its
    words are among the commonest 30k).
    """

    CACHED_WORDS = 200_000

    def __init__(self) -> None:
        super().__init__()
        self._terms: dict[str, str | None] = {}

    @staticmethod
    def _make_chain() -> analysis.Analyzer:
        return text_chain()

    def index_terms(self, text: str) -> tuple[list[str], int]:
        """The terms of ``text`` in order, as a plain call gives them, and the position
        of the first one: each later one has the next position.

        (Positions as StopFilter renumbers them: the first word kept keeps its place,
        each later one comes next to the one before; stop words take none.)"""
        return self._folded_terms(fold_text(text))

    def _folded_terms(self, text: str) -> tuple[list[str], int]:
        terms = self._terms
        if len(terms) >= self.CACHED_WORDS:
            terms.clear()
        found: list[str] = []
        append = found.append
        first = 0
        for index, word in enumerate(_WORDS.findall(text)):
            try:
                term = terms[word]
            except KeyError:
                term = terms[word] = text_term(word)
            if term is not None:
                if not found:
                    first = index
                append(term)
        return found, first

    def _tokens(self, text: str, token: analysis.Token, positions: bool
                ) -> Iterator[analysis.Token]:
        found, first = self._folded_terms(text)
        for pos, term in enumerate(found, first):
            if positions:
                token.pos = pos
            token.text = term
            yield token


class NameAnalyzer(_FastAnalyzer):
    """Author names and sources (``name_chain``): every word kept, in its place."""

    @staticmethod
    def _make_chain() -> analysis.Analyzer:
        return name_chain()

    def _tokens(self, text: str, token: analysis.Token, positions: bool
                ) -> Iterator[analysis.Token]:
        # names hardly repeat within a build: no dictionary of terms
        for index, word in enumerate(_WORDS.findall(text)):
            if positions:
                token.pos = index
            token.text = word.lower().translate(accent_map)
            yield token


def text_analyzer() -> TextAnalyzer:
    """Titles and abstracts: folded, stop words out, stemmed."""
    return TextAnalyzer()


def name_analyzer() -> analysis.Analyzer:
    """Author names and sources: folded words, no stemming."""
    return NameAnalyzer()


_TERMS = text_analyzer()


def terms(text: str) -> list[str]:
    """The search terms ``text`` gives (what highlighting compares words with)."""
    return [token.text for token in _TERMS(text)]
