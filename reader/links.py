"""The links of a paper, for the UI to open or copy.

:func:`paper_links` lists, in order: the abstract page (the paper's URL, else its arXiv
abs page), the PDF (the paper's PDF URL, else arXiv's), the DOI (``https://doi.org/...``)
and then the URLs its abstract mentions (code, data, project pages), each once. Only
``http`` and ``https`` URLs ever come out: a ``javascript:`` or ``file:`` URL, in a field
or in the abstract, is dropped, as is one holding whitespace or control characters.

URLs in abstracts are found as written (``https://github.com/a/b``), behind LaTeX
(``\\url{...}``, ``\\href{...}{...}``, ``\\_`` escapes) and without a scheme on the
well-known code and data hosts (``github.com/a/b``). Trailing punctuation is not part
of a URL ("see https://x.org/a." ends at ``a``), except a closing parenthesis or bracket
that balances one inside it (``https://en.wikipedia.org/wiki/Go_(game)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from reader.model import Paper
from reader.text import strip_controls

CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org")
# Hosts recognised in an abstract even without "https://".
_BARE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co")

# Characters a URL in running text may hold: not whitespace, quotes, angle brackets,
# braces (LaTeX groups), backslashes or controls.
_URL_CHAR = r"[^\s<>\"'{}\\|^`\x00-\x1f\x7f-\x9f]"
_URL = re.compile(
    rf"\bhttps?://{_URL_CHAR}+"
    rf"|(?<![\w@./-])(?:www\.)?(?:{'|'.join(re.escape(h) for h in _BARE_HOSTS)})/{_URL_CHAR}+",
    re.IGNORECASE,
)
# LaTeX escapes seen inside URLs in abstracts (https://github.com/a\_b).
_LATEX_ESCAPE = re.compile(r"\\([_%#&~$])")
_TRAILING = ".,;:!?*'\"…。，、；：！？”’»"
_PAIRS = {")": "(", "]": "["}


@dataclass(frozen=True, slots=True)
class Link:
    """One link: ``label`` is "abstract", "PDF", "DOI", "code" or "link"."""

    label: str
    url: str


def safe_url(url: str) -> str:
    """``url`` when it is an absolute http(s) URL with a host and nothing unprintable
    in it, else ``""``."""
    url = url.strip()
    if not url or re.search(r"[\s\x00-\x1f\x7f-\x9f]", url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return url


def abstract_urls(text: str) -> list[str]:
    """The http(s) URLs in an abstract, in order, each once, trailing punctuation off."""
    text = _LATEX_ESCAPE.sub(r"\1", strip_controls(text)).replace("&amp;", "&")
    urls: list[str] = []
    for match in _URL.finditer(text):
        url = _trim(match.group())
        if not re.match(r"https?://", url, re.IGNORECASE):
            url = "https://" + url
        url = safe_url(url)
        if url and url not in urls:
            urls.append(url)
    return urls


def _trim(url: str) -> str:
    """``url`` without the punctuation of the sentence around it."""
    opened = {close: url.count(open_) for close, open_ in _PAIRS.items()}
    closed = {close: url.count(close) for close in _PAIRS}
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _PAIRS and closed[last] > opened[last]:
            closed[last] -= 1
        elif last not in _TRAILING:
            break
        end -= 1
    return url[:end]


def _label(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    if any(host == code or host.endswith("." + code) for code in CODE_HOSTS):
        return "code"
    return "link"


def _key(url: str) -> str:
    """What two spellings of one URL share: no scheme, "www." or trailing slash; the
    host lower-cased."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port:
        host += f":{parts.port}"
    rest = parts.path.rstrip("/")
    if parts.query:
        rest += "?" + parts.query
    return host + rest


def doi_url(doi: str) -> str:
    """``https://doi.org/<doi>``, the DOI percent-encoded where a URL needs it."""
    doi = doi.strip()
    return f"https://doi.org/{quote(doi, safe='/:;()[]._-~+')}" if doi else ""


def paper_links(paper: Paper) -> list[Link]:
    """The paper's links, in order: abstract page, PDF, DOI, then the abstract's URLs
    ("code" for GitHub, GitLab and Bitbucket, "link" for the rest), each URL once."""
    arxiv = quote(paper.arxiv_id.strip(), safe="/.-")
    candidates = [
        ("abstract", safe_url(paper.url) or (f"https://arxiv.org/abs/{arxiv}" if arxiv else "")),
        ("PDF", safe_url(paper.pdf_url) or (f"https://arxiv.org/pdf/{arxiv}" if arxiv else "")),
        ("DOI", doi_url(paper.doi)),
    ]
    candidates.extend((_label(url), url) for url in abstract_urls(paper.abstract))
    links: list[Link] = []
    seen: set[str] = set()
    for label, url in candidates:
        url = safe_url(url)
        if not url:
            continue
        key = _key(url)
        if key in seen:
            continue
        seen.add(key)
        links.append(Link(label, url))
    return links
