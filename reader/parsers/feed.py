"""RSS and Atom feeds of papers: arXiv's listing feeds (rss.arxiv.org/rss/cs.AI,
rss.arxiv.org/atom/cs.AI) and other journals' or sites' feeds, read with feedparser.

An arXiv RSS item::

    <item>
      <title>Math Takes Two: ...</title>
      <link>https://arxiv.org/abs/2604.21935</link>
      <description>arXiv:2604.21935v1 Announce Type: new
    Abstract: Although language models ...</description>
      <guid isPermaLink="false">oai:arXiv.org:2604.21935v1</guid>
      <category>cs.AI</category> ...
      <pubDate>Mon, 27 Apr 2026 00:00:00 -0400</pubDate>
      <arxiv:announce_type>new</arxiv:announce_type>
      <dc:creator>Michael Cooper, Samuel Cooper</dc:creator>
    </item>

Descriptions are HTML: tags are stripped to text and entities unescaped, and arXiv's
``arXiv:<id> Announce Type: <type> Abstract:`` prefix is dropped. A single author string
(``dc:creator``) is split into names. The arXiv id comes from an arXiv link, guid or the
prefix, never from another site's URL. feedparser is lenient: a damaged feed that still
yields entries is read; one that yields none is a :class:`ParseError`. A document that
declares XML entities (billion laughs, XXE) is refused before feedparser sees it.
"""

from __future__ import annotations

import io
import re
import time

import feedparser

from reader.model import make_paper, normalize_arxiv_id, normalize_doi
from reader.parsers import BadRecord, ParseError, tidy_abstract, tidy_title
from reader.parsers.arxiv_atom import looks_like as looks_like_arxiv_api
from reader.parsers.arxiv_atom import xml_root_name
from reader.parsers.fields import rfc822_date, split_authors
from reader.text import html_to_text

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_ANNOUNCE_PREFIX = re.compile(
    r"\A\s*arXiv:\s*(?P<id>\S+)\s+Announce\s+Type:\s*(?P<type>\S+)\s*(?:Abstract:\s*)?",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?(?:[T ]\S*)?$")
_VERSION = re.compile(r"\d(v(\d+))$")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[\s?]")


def looks_like(head: str) -> bool:
    """Whether ``head`` (the start of a decoded file) is an RSS or Atom feed other than
    an arXiv API response (that is :mod:`reader.parsers.arxiv_atom`'s)."""
    root = xml_root_name(head)
    if root in ("rss", "RDF"):
        return root == "rss" or "purl.org/rss/1.0" in head
    return root == "feed" and not looks_like_arxiv_api(head)


def _detail_text(entry, key: str) -> str:
    """``entry[key]`` as plain text: HTML (as the feed declares it) converted."""
    value = entry.get(key) or ""
    detail = entry.get(f"{key}_detail") or {}
    if detail.get("type") in _HTML_TYPES:
        return html_to_text(value)
    return value


def _feed_date(value: str | None, parsed) -> str:
    """A feed date as ISO: ISO text kept as given, RFC 822 text converted, else the
    date feedparser parsed (UTC)."""
    value = (value or "").strip()
    if value and _ISO_DATE.match(value):
        return value
    if value:
        converted = rfc822_date(value)
        if converted:
            return converted
    if parsed:
        if parsed.tm_hour == parsed.tm_min == parsed.tm_sec == 0:
            return time.strftime("%Y-%m-%d", parsed)
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)
    return ""


def _channel_date(channel) -> str:
    for key in ("published", "updated"):
        date = _feed_date(dict.get(channel, key), dict.get(channel, f"{key}_parsed"))
        if date:
            return date
    return ""


def _authors(entry) -> list[str]:
    names = [tidy_title(author.get("name") or "") for author in entry.get("authors") or []]
    names = [name for name in names if name]  # an RSS <author> may be an e-mail alone
    if len(names) == 1:
        # dc:creator in arXiv feeds: every author in one "A, B and C" string.
        names = split_authors(names[0])
    return list(dict.fromkeys(names))


def _arxiv_id(entry, prefix_id: str) -> tuple[str, str]:
    """The arXiv id (as found, possibly with version) and its version (``"v2"`` or ``""``)."""
    found = ""
    version = ""
    from_prefix = f"arXiv:{prefix_id}" if prefix_id else ""
    for candidate in (entry.get("id"), entry.get("link"), from_prefix):
        candidate = (candidate or "").strip()
        if "arxiv" not in candidate.lower() or not normalize_arxiv_id(candidate):
            continue
        found = found or candidate
        match = _VERSION.search(candidate)
        if match and not version:
            version = match.group(1)
    return found, version


def _links(entry) -> tuple[str, str]:
    url = (entry.get("link") or "").strip()
    pdf_url = ""
    for link in entry.get("links") or []:
        href = (link.get("href") or "").strip()
        if href and (link.get("type") == "application/pdf" or link.get("title") == "pdf"):
            pdf_url = href
            break
    if url == pdf_url:
        url = ""
    return url, pdf_url


def _doi(entry) -> str:
    for key in ("prism_doi", "dc_identifier"):
        doi = normalize_doi(entry.get(key) or "")
        if doi:
            return doi
    return ""


def _paper(entry, number: int, name: str, channel_date: str):
    title = tidy_title(_detail_text(entry, "title"))
    if not title:
        return BadRecord(f"entry {number}", "no title")
    abstract = _detail_text(entry, "summary")
    prefix = _ANNOUNCE_PREFIX.match(abstract)
    prefix_id = ""
    extra: dict[str, object] = {}
    if prefix:
        abstract = abstract[prefix.end():]
        prefix_id = prefix.group("id")
        extra["announce_type"] = prefix.group("type")
    if entry.get("arxiv_announce_type"):
        extra["announce_type"] = entry["arxiv_announce_type"].strip()
    arxiv_id, version = _arxiv_id(entry, prefix_id)
    if version:
        extra["arxiv_version"] = version
    url, pdf_url = _links(entry)
    published = _feed_date(dict.get(entry, "published"), dict.get(entry, "published_parsed"))
    updated = _feed_date(dict.get(entry, "updated"), dict.get(entry, "updated_parsed"))
    tags = [(tag.get("term") or "").strip() for tag in entry.get("tags") or []]
    return make_paper(
        title,
        tidy_abstract(abstract),
        arxiv_id=arxiv_id or None,
        authors=_authors(entry),
        sources=(name,),
        published=published or channel_date,
        updated=updated,
        url=url,
        pdf_url=pdf_url,
        categories=list(dict.fromkeys(tag for tag in tags if tag)),
        doi=_doi(entry),
        venue=tidy_title(entry.get("prism_publicationname") or ""),
        extra=extra,
    )


def _problem(exception) -> tuple[str, int | None]:
    """A one-line description of feedparser's bozo exception, and its line if known."""
    line = None
    if hasattr(exception, "getLineNumber"):
        try:
            line = exception.getLineNumber()
        except Exception:  # noqa: BLE001 - a SAX locator may be gone
            line = None
    message = exception.getMessage() if hasattr(exception, "getMessage") else str(exception)
    return tidy_title(str(message)) or type(exception).__name__, line


def parse(stream, name: str):
    """The importer's entry point: an RSS or Atom feed as a binary stream."""
    data = stream.read()
    if _DOCTYPE.search(data) and b"<!ENTITY" in data:
        position = data.find(b"<!ENTITY")
        raise ParseError(
            name, "refused a feed that declares XML entities",
            data.count(b"\n", 0, position) + 1,
        )
    # A stream, never bytes: given bytes or a string, feedparser would try them as a
    # file name or URL first.
    result = feedparser.parse(io.BytesIO(data))
    entries = result.get("entries") or []
    if not entries:
        if result.get("bozo"):
            problem, line = _problem(result.get("bozo_exception"))
            if line is not None and line > 1 and not _XML_DECLARATION.match(data):
                line -= 1  # feedparser put an XML declaration line in front
            raise ParseError(name, f"not a readable RSS or Atom feed: {problem}", line)
        if not result.get("version"):
            raise ParseError(name, "not an RSS or Atom feed (no channel or feed element)")
    channel_date = _channel_date(result.get("feed") or {})
    for number, entry in enumerate(entries, start=1):
        yield _paper(entry, number, name, channel_date)
