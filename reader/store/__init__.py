"""The library store: SQLite, the source of truth for papers and the user's data."""

from reader.store.backups import StoreDamaged
from reader.store.store import Bookmark, Store, StoreBusy, StoreError

__all__ = ["Bookmark", "Store", "StoreBusy", "StoreDamaged", "StoreError"]
