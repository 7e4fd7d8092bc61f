"""reader: a keyboard-driven terminal reader for research-paper abstracts.

The package is laid out in the direction data flows:

    sources/  -> parsers/ -> store/ (SQLite, the source of truth)
              -> index/ (Whoosh, derived and rebuildable) -> ui/ (Textual)

``library.Library`` ties the store and the index together; the CLI and the UI
call it. Nothing outside ``ui/`` imports Textual.
"""

__version__ = "0.1.0"
