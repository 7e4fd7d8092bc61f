"""Turn what the user typed into a Whoosh query.

The language: bare words (all must match, ranked), ``"phrases"``, ``prefix*``,
``fuzzy~``, ``AND``/``OR``/``NOT``, ``-word``, parentheses, fields ``title:``
``abstract:`` ``author:`` ``cat:`` ``source:`` (``authors:``, ``category:`` are
aliases), dates ``year:2023``, ``year:2020..2024``, ``date:>2025-01``, ``date:<2024``,
``date:2024-05``, and flags ``is:bookmarked`` (the library decides what flags mean).

Anything the parser cannot make sense of falls back to its plain words with a quiet
hint, so a query never raises.

Prefix and fuzzy words in titles and abstracts are expanded against the library's
words as written (``vocabulary.py``), at most ``MAX_EXPANSIONS`` words, most used
first, and then stemmed: ``optimiz*`` finds "optimizers" and "optimization" though the index holds
the stem ``optim``, and a one-letter prefix cannot make a query walk the whole term
dictionary.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from itertools import islice

from whoosh import qparser, query
from whoosh.analysis import STOP_WORDS
from whoosh.fields import Schema
from whoosh.support.charset import accent_map

from reader.index.analysis import fold_text, terms
from reader.index.types import Parsed
from reader.index.vocabulary import Vocabulary

DEFAULT_FIELDS = ("title", "abstract", "author")
ALIASES = {"author": ["authors", "by"], "cat": ["category", "categories"]}
MAX_EXPANSIONS = 16
# the fields whose terms are stems: their words come from the vocabulary
STEMMED_FIELDS = ("title", "abstract")
_SCAN_LIMIT = 400
_MINUS = re.compile(r"(^|[\s(])-(?=[\w\"(])")
_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_FUZZY = re.compile(r"(?<![\w])([^\W\d_][^\W_]*)~(?!\d)")
_FLAG = re.compile(r"(?<![\w:])is:([A-Za-z]+)\b")
_DATE = re.compile(r"(?<![\w:])(year|date):(\S+)")
_DATE_VALUE = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_RANGE = re.compile(rf"^({_DATE_VALUE})?\.\.({_DATE_VALUE})?$")
_COMPARE = re.compile(rf"^(>=|<=|>|<)({_DATE_VALUE})$")
_EXACT = re.compile(rf"^{_DATE_VALUE}$")
_HIGH = "\uffff"


def make_parser(schema: Schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FieldAliasPlugin(ALIASES))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    return parser


def plain_words(text: str) -> list[str]:
    """The words of ``text``, all syntax dropped."""
    return _WORDS.findall(text)


def _date_range(kind: str, value: str) -> query.Query | None:
    """``year:2023``, ``year:2020..2024``, ``date:>2025-01``... as a range on ``date``."""
    if kind == "year" and not re.fullmatch(r"\d{4}(?:\.\.\d{4})?|\.\.\d{4}|\d{4}\.\.", value):
        compare = _COMPARE.match(value)
        if not compare or len(compare.group(2)) != 4:
            return None
    if _EXACT.match(value):
        return query.TermRange("date", value, value + _HIGH)
    span = _RANGE.match(value)
    if span:
        start, end = span.groups()
        return query.TermRange("date", start, end + _HIGH if end else None)
    compare = _COMPARE.match(value)
    if compare:
        operator, bound = compare.groups()
        if operator == ">":
            return query.TermRange("date", bound + _HIGH, None)
        if operator == ">=":
            return query.TermRange("date", bound, None)
        if operator == "<":
            return query.TermRange("date", None, bound, endexcl=True)
        return query.TermRange("date", None, bound + _HIGH)
    return None


def parse(parser: qparser.QueryParser, text: str) -> Parsed:
    """The query for ``text``; see the module documentation."""
    hints: list[str] = []
    flags = {flag.lower() for flag in _FLAG.findall(text)}
    text = _FLAG.sub(" ", text)
    ranges: list[query.Query] = []

    def take_date(match: re.Match) -> str:
        found = _date_range(match.group(1).lower(), match.group(2))
        if found is None:
            hints.append(f"{match.group(0)} is not a date: try year:2023 or date:>2025-01")
        else:
            ranges.append(found)
        return " "

    text = _DATE.sub(take_date, text)
    text = drop_stop_words(text)
    text = _MINUS.sub(r"\1NOT ", text)
    # The parser stems a fuzzy word before we see it: keep the word as typed.
    typed = {stem: word for word in _FUZZY.findall(text) for stem in terms(word)}
    parsed: query.Query | None = None
    if text.strip():
        try:
            parsed = parser.parse(text)
        except Exception:  # whoosh raises many types on odd input; none may reach the user
            parsed = None
        if parsed is None or parsed is query.NullQuery or isinstance(parsed, query.Every) \
                or _has_errors(parsed):
            parsed = plain_query(parser, text)
            if plain_words(text):
                hints.append("could not read that query: searched its words")
    if parsed is not None and typed:
        _mark_fuzzy(parsed, typed)
    if ranges:
        parsed = query.And([*([parsed] if parsed is not None else []), *ranges])
    return Parsed(parsed, flags, "; ".join(hints))


_QUOTED = re.compile(r'("[^"]*"?)')
_STOP_WORD = re.compile(
    r"(?<![\w:\-])(?:" + "|".join(sorted(STOP_WORDS)) + r")(?![\w:*~\-])", re.IGNORECASE
)


def drop_stop_words(text: str) -> str:
    """``text`` without bare stop words ("models as optimizers" → "models optimizers").

    The text fields drop them anyway, but the author field keeps every word, so a
    bare "as" would otherwise become a required author word. Words in quotes, after a
    field name, and the operators AND, OR, NOT stay."""
    parts = _QUOTED.split(text)
    for index in range(0, len(parts), 2):  # the parts outside quotes
        parts[index] = _STOP_WORD.sub(
            lambda m: m.group(0) if m.group(0) in ("AND", "OR", "NOT") else " ", parts[index]
        )
    return "".join(parts)


def any_words(parser: qparser.QueryParser, text: str) -> query.Query | None:
    """Papers with any of the words of ``text`` (ranked by how many and how well)."""
    words = [w for w in plain_words(drop_stop_words(text)) if w not in ("AND", "OR", "NOT")]
    if len(words) < 2:
        return None
    try:
        return qparser.MultifieldParser(list(DEFAULT_FIELDS), parser.schema,
                                        group=qparser.OrGroup).parse(" ".join(words))
    except Exception:
        return None


def _mark_fuzzy(q: query.Query, typed: dict[str, str]) -> None:
    """Give each fuzzy term the word as the user typed it (``typed_word``)."""
    if isinstance(q, query.FuzzyTerm):
        q.typed_word = typed.get(q.text, q.text)
    for child in q.children():
        _mark_fuzzy(child, typed)


def _has_errors(q: query.Query) -> bool:
    """Whether the parser marked part of ``q`` as unreadable (it sets ``error``)."""
    if getattr(q, "error", None):
        return True
    return any(_has_errors(child) for child in q.children())


def plain_query(parser: qparser.QueryParser, text: str) -> query.Query:
    words = [word for word in plain_words(text) if word not in ("AND", "OR", "NOT")]
    if not words:
        return query.NullQuery
    try:
        return parser.parse(" ".join(words))
    except Exception:
        return query.NullQuery


# -- expansion --------------------------------------------------------------------------


def normalize_word(word: str) -> str:
    """A typed word as the vocabulary holds words (folded, lower case, no accents)."""
    return fold_text(word).lower().translate(accent_map)




def _prefix_forms(prefix: str) -> list[str]:
    """The prefix as typed and in American spelling (optimis* → optimiz*)."""
    forms = [prefix]
    for british, american in (("is", "iz"), ("ys", "yz"), ("our", "or")):
        position = prefix.rfind(british)
        if position >= 3 and position + len(british) >= len(prefix) - 3:
            forms.append(prefix[:position] + american + prefix[position + len(british):])
    return forms


def _decode(values) -> list[str]:
    return [v.decode("utf-8") if isinstance(v, bytes) else v for v in values]


def _field_words(node: query.Query, reader) -> list[str]:
    """Expansions from the field's own terms (author, source, cat: not stemmed)."""
    fieldname = node.fieldname
    if isinstance(node, query.FuzzyTerm):
        word = normalize_word(getattr(node, "typed_word", node.text))
        # The first letter is taken as typed: scanning the whole field costs seconds.
        found = set(_decode(reader.terms_within(fieldname, word, min(node.maxdist, 1),
                                                prefix=1)))
        if reader.frequency(fieldname, word):
            found.add(word)
        words = list(found)
    else:
        pattern = None if isinstance(node, query.Prefix) else normalize_word(node.text)
        prefix = (normalize_word(node.text) if pattern is None
                  else re.split(r"[*?]", pattern, maxsplit=1)[0])
        words = []
        if prefix:
            found = _decode(islice(reader.expand_prefix(fieldname, prefix), _SCAN_LIMIT))
            words = [w for w in found if pattern is None or fnmatchcase(w, pattern)]
    if len(words) <= MAX_EXPANSIONS:
        return words
    ranked = sorted(words, key=lambda w: reader.doc_frequency(fieldname, w), reverse=True)
    return ranked[:MAX_EXPANSIONS]


def _vocabulary_words(node: query.Query, vocabulary: Vocabulary) -> list[str]:
    """Expansions from the library's words as written (titles and abstracts)."""
    if isinstance(node, query.FuzzyTerm):
        words = vocabulary.within(normalize_word(getattr(node, "typed_word", node.text)),
                                  min(node.maxdist, 1))
    elif isinstance(node, query.Prefix):
        words = {word for prefix in _prefix_forms(normalize_word(node.text)) if prefix
                 for word in vocabulary.starting_with(prefix, _SCAN_LIMIT * 5)}
    else:  # Wildcard: the part before the first wildcard, then the whole pattern
        pattern = normalize_word(node.text)
        head = re.split(r"[*?]", pattern, maxsplit=1)[0]
        words = {w for w in vocabulary.starting_with(head, _SCAN_LIMIT * 5) if head
                 and fnmatchcase(w, pattern)}
    return vocabulary.most_used(words, MAX_EXPANSIONS)


def expand(q: query.Query, searcher, vocabulary: Vocabulary | None = None,
           names: Vocabulary | None = None) -> query.Query:
    """``q`` with every prefix, wildcard and fuzzy term replaced by the terms it means.

    Title and abstract words come from ``vocabulary`` (then analysed into the index's
    stemmed terms), author words from ``names`` (as they are: names are not stemmed);
    other fields expand over their own terms (walking Whoosh's term list for an
    author's fuzzy word took 0.1-0.2 s at 185k papers)."""
    reader = searcher.reader()
    schema = searcher.schema

    def walk(node: query.Query) -> query.Query:
        if isinstance(node, (query.Prefix, query.Wildcard, query.FuzzyTerm)):
            return _expanded(node)
        return node.apply(walk) if not node.is_leaf() else node

    def _expanded(node: query.Query) -> query.Query:
        fieldname = node.fieldname
        if fieldname not in schema:
            return query.NullQuery
        if fieldname in STEMMED_FIELDS:
            words = _vocabulary_words(node, vocabulary) if vocabulary is not None else []
            found = sorted({term for word in words for term in terms(word)})
        elif fieldname == "author" and names is not None:
            found = sorted(set(_vocabulary_words(node, names)))
        else:
            found = sorted(set(_field_words(node, reader)))
        if not found:
            return query.NullQuery
        return query.Or([query.Term(fieldname, term) for term in found], boost=node.boost)

    return walk(q)


TEXT_FIELDS = ("title", "abstract", "author")


def wanted_terms(q: query.Query) -> frozenset[str]:
    """The title/abstract/author terms ``q`` (expanded) looks for, leaving out the ones
    it excludes (``NOT x``): what the display highlights."""
    found: set[str] = set()

    def walk(node: query.Query) -> None:
        if isinstance(node, query.Not):
            return
        if isinstance(node, query.Term) and node.fieldname in TEXT_FIELDS:
            found.add(node.text)
        elif isinstance(node, query.Phrase) and node.fieldname in TEXT_FIELDS:
            found.update(node.words)
        for child in node.children():
            walk(child)

    walk(q)
    return frozenset(found)
