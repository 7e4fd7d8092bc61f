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

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

_NEW_ARXIV = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?")
_OLD_ARXIV = re.compile(r"([a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as the library keeps it. Text fields hold the source's text unchanged.

    Dates are ISO strings as precise as the source gives them (``2024``, ``2024-05``,
    ``2024-05-27``, or a full timestamp). ``sources`` names where the record came from
    (a file's name or a collection); the store keeps every source a paper came from.
    ``extra`` holds what a format carries beyond these fields (e.g. ``upvotes``,
    ``bibtex_key``), as JSON-compatible values.
    """

    id: str
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    published: str = ""
    updated: str = ""
    url: str = ""
    pdf_url: str = ""
    categories: tuple[str, ...] = ()
    arxiv_id: str = ""
    doi: str = ""
    venue: str = ""
    journal_ref: str = ""
    comment: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=True)

    def with_changes(self, **changes: Any) -> Paper:
        return replace(self, **changes)


# The text fields a later import may fill in when the library's copy has them empty.
MERGEABLE_FIELDS = (
    "abstract", "authors", "published", "updated", "url", "pdf_url", "categories",
    "arxiv_id", "doi", "venue", "journal_ref", "comment",
)


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
    import hashlib  # (only where ids are made: importing, not showing papers)

    digest = hashlib.sha256(normalize_title(title).encode("utf-8")).hexdigest()
    return f"title:{digest[:16]}"


def normalize_doi(value: str) -> str:
    """A DOI without its resolver prefix, lower-cased (DOIs are case-insensitive)."""
    value = value.strip()
    value = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", value, flags=re.IGNORECASE)
    return value.lower() if value.startswith("10.") else ""


def make_paper(title: str, abstract: str = "", *, arxiv_id: str | None = None, **fields) -> Paper:
    """A :class:`Paper` with its stable id computed from ``title`` and ``arxiv_id``.

    ``arxiv_id`` may carry a version, an ``arXiv:`` prefix or be an abs/pdf URL; the
    paper keeps the bare id. ``doi`` is normalised the same way.
    """
    bare = normalize_arxiv_id(arxiv_id) if arxiv_id else None
    if "doi" in fields:
        fields["doi"] = normalize_doi(fields["doi"] or "")
    for name in ("authors", "categories", "sources"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return Paper(
        id=paper_id(title, bare), title=title, abstract=abstract, arxiv_id=bare or "", **fields
    )
