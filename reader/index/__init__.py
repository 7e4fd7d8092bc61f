"""The Whoosh search index: derived from the store, rebuilt whenever it is missing,
stale or unreadable. It holds no user data.

``SearchIndex`` is imported on first use: Whoosh is not needed to draw the first screen.
"""

from reader.index.types import Hits, IndexUnavailable

__all__ = ["Hits", "IndexUnavailable", "SearchIndex"]


def __getattr__(name: str):
    if name == "SearchIndex":
        from reader.index.index import SearchIndex

        return SearchIndex
    raise AttributeError(name)
