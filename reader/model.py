"""The paper record and its stable id.

Ids are stable across imports, so bookmarks and notes keep pointing at the same paper:

* ``arxiv:<id>`` when the arXiv id is known, without its version
  (``arxiv:2110.02861`` for ``2110.02861v2`` or ``https://arxiv.org/abs/2110.02861v2``);
  old-style ids keep their archive (``arxiv:hep-th/9901001``).
* otherwise ``title:<16 hex digits>``: the start of the SHA-256 of the normalised title
  (Unicode NFKC, case-folded, only letters and digits kept, single spaces between words),
  so "Large Language Models as Optimizers" and "large language models as optimizers." get
  the same id.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

_NEW_ARXIV = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?")
_OLD_ARXIV = re.compile(r"([a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as the library keeps it. Text fields hold the source's text unchanged."""

    id: str
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    source: str = ""
    published: str = ""
    url: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)


def normalize_title(title: str) -> str:
    """Case-folded letters and digits of a title, words separated by one space."""
    text = unicodedata.normalize("NFKC", title).casefold()
    words = re.findall(r"[^\W_]+", text)
    return " ".join(words)


def normalize_arxiv_id(value: str) -> str | None:
    """The version-less arXiv id in ``value`` (an id, ``arXiv:...`` or an abs/pdf URL)."""
    value = value.strip()
    match = _NEW_ARXIV.search(value) or _OLD_ARXIV.search(value)
    return match.group(1) if match else None


def paper_id(title: str, arxiv_id: str | None = None) -> str:
    """The stable id of a paper: see the module documentation."""
    if arxiv_id:
        normalized = normalize_arxiv_id(arxiv_id)
        if normalized:
            return f"arxiv:{normalized}"
    digest = hashlib.sha256(normalize_title(title).encode("utf-8")).hexdigest()
    return f"title:{digest[:16]}"


def make_paper(title: str, abstract: str = "", *, arxiv_id: str | None = None, **fields) -> Paper:
    """A :class:`Paper` with its stable id computed from ``title`` and ``arxiv_id``."""
    return Paper(id=paper_id(title, arxiv_id), title=title, abstract=abstract, **fields)
