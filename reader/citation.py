"""A paper as something to paste elsewhere: a BibTeX entry, or its one best link."""

from __future__ import annotations

import io

from reader.links import doi_url, safe_url
from reader.model import Paper


def bibtex_entry(paper: Paper) -> str:
    """One BibTeX entry for ``paper``, as the BibTeX export writes it (same fields,
    escaping and citation key; a key kept from an import is reused), ending in a
    newline."""
    from reader.exporters import bibtex

    out = io.StringIO()
    bibtex.write([paper], out)
    return out.getvalue().strip("\n") + "\n"


def paper_link(paper: Paper) -> str:
    """The best single link to ``paper``: its arXiv abs page, else its DOI, else its
    URL, else its PDF URL, else ``""``. Only http(s) URLs."""
    if paper.arxiv_id.strip():
        return f"https://arxiv.org/abs/{paper.arxiv_id.strip()}"
    return doi_url(paper.doi) or safe_url(paper.url) or safe_url(paper.pdf_url)
