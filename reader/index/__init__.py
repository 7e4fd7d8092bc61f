"""The Whoosh search index: derived from the store, rebuilt whenever it is missing,
stale or unreadable. It holds no user data."""

from reader.index.index import IndexUnavailable, SearchIndex

__all__ = ["IndexUnavailable", "SearchIndex"]
