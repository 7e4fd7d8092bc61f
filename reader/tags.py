"""Tags: short labels the user puts on papers (``toread``, ``ml-theory``).

A tag is kept in one form, so that "To Read", "to read" and "#to-read" are one tag:
Unicode NFKC, lower case, surrounding space and a leading ``#`` dropped, inner spaces
made ``-``. What cannot be a tag is refused with a one-line :class:`TagError`: an empty
tag, control characters, commas and double quotes (they separate tags in the prompt
and end them in a query), a leading ``-`` (it reads as "without"), and more than
``MAX_LENGTH`` characters. Everything else, brackets included, is the user's own text
and is shown literally.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_LENGTH = 40
_SPACE = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s,]+")


class TagError(ValueError):
    """Not a usable tag (the message is one line, naming it)."""


def normalize_tag(text: str) -> str:
    """The one form of the tag ``text``; raises :class:`TagError` if it cannot be one."""
    tag = unicodedata.normalize("NFKC", text).strip().lstrip("#").strip()
    tag = _SPACE.sub("-", tag.lower())
    if not tag:
        raise TagError("a tag cannot be empty")
    shown = repr(tag)  # a repr: control characters stay visible and on one line
    if any(unicodedata.category(char).startswith("C") for char in tag):
        raise TagError(f"tag {shown}: no control characters")
    if "," in tag or '"' in tag:
        raise TagError(f"tag {shown}: no commas or double quotes")
    if tag.startswith("-"):
        raise TagError(f"tag {shown}: cannot start with '-'")
    if len(tag) > MAX_LENGTH:
        raise TagError(f"tag {shown}: longer than {MAX_LENGTH} characters")
    return tag


def split_tags(text: str) -> list[str]:
    """The tags in a line the user typed (separated by spaces or commas), normalised,
    each once, in the order typed; raises :class:`TagError` on the first bad one."""
    return unique(normalize_tag(word) for word in _SEPARATORS.split(text) if word.strip("#"))


def unique(tags: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        seen.setdefault(tag, None)
    return list(seen)


def last_word(text: str) -> str:
    """The word being typed at the end of ``text`` ("" after a separator)."""
    return _SEPARATORS.split(text)[-1]
