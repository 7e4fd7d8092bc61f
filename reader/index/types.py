"""What the index gives and raises, without importing Whoosh (its import costs a
tenth of a second that the first screen does not need)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Hits:
    """Matching ids, best first, and the (stemmed) terms the query looked for."""

    ids: list[str]
    terms: frozenset[str]


class IndexUnavailable(RuntimeError):
    """The index is missing, stale or damaged: it must be rebuilt before searching."""


@dataclass
class Parsed:
    """A typed query taken apart: the Whoosh query, flags, and what went wrong."""

    query: Any  # a whoosh.query.Query, or None for "everything in the view"
    flags: set[str] = field(default_factory=set)
    hint: str = ""
