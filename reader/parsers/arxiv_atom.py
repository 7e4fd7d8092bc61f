"""arXiv API responses: the Atom feed export.arxiv.org/api/query returns, saved to a file.

Each ``atom:entry`` is a paper::

    <entry>
      <id>http://arxiv.org/abs/2510.14968v1</id>          -> arxiv_id, extra["arxiv_version"]
      <updated>, <published>                              -> kept as given
      <title>, <summary>                                  -> hard wraps undone
      <author><name>...</name></author>                   -> authors (affiliations ignored)
      <arxiv:comment>, <arxiv:journal_ref>, <arxiv:doi>
      <link rel="alternate" .../>, <link title="pdf" .../>
      <arxiv:primary_category term=.../>, <category term=.../>
    </entry>

An error response (an entry whose id is ``http://arxiv.org/api/errors#...``) is a
:class:`ParseError` carrying the API's message. The XML is read with defusedxml: a
document that declares entities (billion laughs) or refers to external ones (XXE) is
refused, never expanded.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import ParseError as XMLSyntaxError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from reader.model import make_paper
from reader.parsers import BadRecord, ParseError, tidy_abstract, tidy_title

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
NS = {"atom": ATOM, "arxiv": ARXIV, "opensearch": OPENSEARCH}

_VERSION = re.compile(r"v(\d+)$")
_POSITION = re.compile(r":\s*line \d+, column \d+$")
_NAME = re.compile(r"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)")
# What only an API response carries: the OpenSearch counts and the api/query links.
_API_MARKERS = re.compile(r"a9\.com/-/spec/opensearch|arxiv\.org/api/", re.IGNORECASE)


def xml_root_name(head: str) -> str:
    """The local name of the first element in ``head`` (``"feed"``, ``"rss"``), or ``""``:
    what follows the XML declaration, processing instructions, comments and DOCTYPE."""
    position = 1 if head.startswith("\ufeff") else 0
    while True:
        while position < len(head) and head[position].isspace():
            position += 1
        if head.startswith("<?", position):
            end, closing = head.find("?>", position), 2
        elif head.startswith("<!--", position):
            end, closing = head.find("-->", position), 3
        elif head.startswith("<!DOCTYPE", position):
            bracket, end, closing = head.find("[", position), head.find(">", position), 1
            if 0 <= bracket < end:  # an internal subset: its own '>' do not end it
                subset_end = head.find("]", bracket)
                end = head.find(">", subset_end) if subset_end >= 0 else -1
        else:
            match = _NAME.match(head, position)
            return match.group(1).rpartition(":")[2] if match else ""
        if end < 0:
            return ""
        position = end + closing


def looks_like(head: str) -> bool:
    """Whether ``head`` (the start of a decoded file) is an arXiv API Atom response."""
    return xml_root_name(head) == "feed" and bool(_API_MARKERS.search(head))


def _entity_line(data: bytes) -> int | None:
    position = data.find(b"<!ENTITY")
    return data.count(b"\n", 0, position) + 1 if position >= 0 else None


def read_xml(data: bytes, name: str):
    """The root element of ``data``, parsed without expanding entities or fetching
    anything; :class:`ParseError` (one line, with the line number) when it is not XML."""
    try:
        return SafeET.fromstring(data)
    except XMLSyntaxError as error:
        reason = _POSITION.sub("", str(error))
        line = error.position[0] if getattr(error, "position", None) else None
        raise ParseError(name, f"not valid XML: {reason}", line) from None
    except DefusedXmlException as error:
        entity = getattr(error, "name", None)
        what = f"an XML entity ({entity!r})" if entity else "XML entities or external references"
        raise ParseError(
            name, f"refused: the document declares {what}, which is not allowed for safety",
            _entity_line(data),
        ) from None


def _text(element, path: str) -> str:
    found = element.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _is_error_entry(entry) -> bool:
    return "arxiv.org/api/errors" in _text(entry, "atom:id")


def _categories(entry) -> list[str]:
    terms = []
    primary = entry.find("arxiv:primary_category", NS)
    if primary is not None:
        terms.append(primary.get("term", "").strip())
    terms += [category.get("term", "").strip() for category in entry.findall("atom:category", NS)]
    return list(dict.fromkeys(term for term in terms if term))


def _links(entry) -> tuple[str, str]:
    url = pdf_url = ""
    for link in entry.findall("atom:link", NS):
        href = (link.get("href") or "").strip()
        if not href:
            continue
        if link.get("title") == "pdf" or link.get("type") == "application/pdf":
            pdf_url = pdf_url or href
        elif link.get("rel", "alternate") == "alternate":
            url = url or href
    return url, pdf_url


def _paper(entry, number: int, name: str):
    title = tidy_title(_text(entry, "atom:title"))
    if not title:
        return BadRecord(f"entry {number}", "no title")
    entry_id = _text(entry, "atom:id")
    extra: dict[str, object] = {}
    version = _VERSION.search(entry_id)
    if version:
        extra["arxiv_version"] = f"v{version.group(1)}"
    dois = _text(entry, "arxiv:doi").split()
    if len(dois) > 1:
        extra["dois"] = dois
    url, pdf_url = _links(entry)
    authors = [
        tidy_title(_text(author, "atom:name")) for author in entry.findall("atom:author", NS)
    ]
    return make_paper(
        title,
        tidy_abstract(_text(entry, "atom:summary")),
        arxiv_id=entry_id or None,
        authors=[author for author in authors if author],
        sources=(name,),
        published=_text(entry, "atom:published"),
        updated=_text(entry, "atom:updated"),
        url=url,
        pdf_url=pdf_url,
        categories=_categories(entry),
        doi=dois[0] if dois else "",
        journal_ref=tidy_title(_text(entry, "arxiv:journal_ref")),
        comment=tidy_title(_text(entry, "arxiv:comment")),
        extra=extra,
    )


def parse(stream, name: str):
    """The importer's entry point: an arXiv API response as a binary stream."""
    root = read_xml(stream.read(), name)
    if root.tag != f"{{{ATOM}}}feed":
        local = root.tag.rpartition("}")[2]
        raise ParseError(
            name, f"not an arXiv API response: the document is <{local}>, not an Atom <feed>"
        )
    entries = root.findall("atom:entry", NS)
    for entry in entries:
        if _is_error_entry(entry):
            message = tidy_title(_text(entry, "atom:summary")) or "no message"
            raise ParseError(name, f"arXiv API error: {message}")
    for number, entry in enumerate(entries, start=1):
        yield _paper(entry, number, name)
