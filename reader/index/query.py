"""Turn what the user typed into a Whoosh query.

Accepted: bare words (all must match), ``"phrases"``, ``prefix*``, ``AND``/``OR``/``NOT``,
``-word`` (not), parentheses, and ``field:term`` for ``title``, ``abstract``, ``author``,
``cat`` and ``source`` (``authors:``, ``category:`` are aliases). Anything the parser
cannot make sense of falls back to its plain words, so a query never raises.
"""

from __future__ import annotations

import re

from whoosh import qparser, query
from whoosh.fields import Schema

DEFAULT_FIELDS = ("title", "abstract", "author")
ALIASES = {"author": ["authors", "by"], "cat": ["category", "categories"]}
_MINUS = re.compile(r"(^|[\s(])-(?=[\w\"(])")
_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def make_parser(schema: Schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FieldAliasPlugin(ALIASES))
    return parser


def plain_words(text: str) -> list[str]:
    """The words of ``text``, all syntax dropped."""
    return _WORDS.findall(text)


def parse(parser: qparser.QueryParser, text: str) -> query.Query:
    """The query for ``text``; malformed syntax degrades to its plain words."""
    text = _MINUS.sub(r"\1NOT ", text)
    try:
        parsed = parser.parse(text)
    except Exception:  # whoosh raises many types on odd input; none may reach the user
        parsed = None
    if parsed is None or parsed is query.NullQuery or isinstance(parsed, query.Every):
        return plain_query(parser, text)
    return parsed


def plain_query(parser: qparser.QueryParser, text: str) -> query.Query:
    words = [word for word in plain_words(text) if word not in ("AND", "OR", "NOT")]
    if not words:
        return query.NullQuery
    try:
        return parser.parse(" ".join(words))
    except Exception:
        return query.NullQuery
