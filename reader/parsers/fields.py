"""Field values every parser reads the same way: dates, author lists, categories, ids.

Sources spell these in many ways; one function each keeps the formats consistent (the
same authors string gives the same names whether it came from a digest or a CSV).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from reader.model import normalize_arxiv_id
from reader.parsers import tidy_title

_BARE_ARXIV_ID = re.compile(
    r"^(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$"
)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2}(?:[T ]\d{2}:\d{2}.*)?)?)?$")
_YEAR = re.compile(r"\b(1[5-9]\d\d|2\d\d\d)\b")
_ARXIV_CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z\-]+)?$")
_AUTHOR_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+|&\s+)?|\s+and\s+|\s+&\s+", re.IGNORECASE)
_DATE_FORMATS = (
    "%Y/%m/%d", "%Y/%m", "%Y.%m.%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y",
    "%B %Y", "%b %Y", "%d.%m.%Y",
)


def rfc822_date(value: str) -> str:
    """An RFC 822 date (``Mon, 1 Jan 2024 10:00:00 GMT``) as ISO 8601: the day alone when
    the time is midnight (a feed's announcement day), else the full timestamp
    (``2024-01-01T10:00:00Z``) in the source's own time zone. ``""`` when unreadable."""
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return ""
    if moment.time() == datetime.min.time():
        return moment.date().isoformat()
    if moment.utcoffset() in (None, timedelta(0)):
        return moment.replace(tzinfo=None).isoformat() + ("Z" if moment.tzinfo else "")
    return moment.isoformat()


def iso_date(value: Any) -> str:
    """An ISO date as precise as ``value`` gives it, or "" when it is not a date.

    ISO dates and timestamps are kept as given; years (numbers too), CSL ``date-parts``,
    RFC 2822 dates and common written forms ("May 27, 2024", "2024/05/27") are converted.
    """
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        year = int(value)
        return str(year) if 1000 <= year <= 9999 else ""
    if isinstance(value, dict):
        return iso_date(value.get("date-parts") or value.get("raw") or value.get("literal"))
    if isinstance(value, list):
        parts = value[0] if value and isinstance(value[0], list) else value
        numbers = [to_int(part) for part in parts[:3]]
        if not numbers or None in numbers:
            return ""
        return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])
    text = str(value).strip()
    if _ISO_DATE.match(text):
        return text
    converted = rfc822_date(text)
    if converted:
        return converted
    for form in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text.rstrip("/"), form)
        except ValueError:
            continue
        return parsed.date().isoformat() if "%d" in form else parsed.strftime("%Y-%m")
    year = _YEAR.search(text)
    return year.group(1) if year else ""


def split_authors(text: str) -> list[str]:
    """Names from one string: "A; B", "A, B and C", "A and B", "A & B" (Oxford comma too).

    Parenthesised affiliations ("A (MIT)", "B (1) ((1) Univ)") are dropped, and a comma
    or "and" inside them does not split a name.
    """
    text = tidy_title(text)
    if ";" in text:
        return [name for name in (tidy_title(p) for p in text.split(";")) if name]
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    position = 0
    while position < len(text):
        char = text[position]
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            separator = _AUTHOR_SEPARATOR.match(text, position)
            if separator and separator.end() > position:
                parts.append("".join(current))
                current = []
                position = separator.end()
                continue
            current.append(char)
        position += 1
    parts.append("".join(current))
    names = (re.sub(r"^(?:and|&)\s+", "", tidy_title(p), flags=re.IGNORECASE) for p in parts)
    return [name for name in names if name]


def split_categories(text: str) -> list[str]:
    """Categories from one string: ";" or "," separated, or space separated arXiv ones."""
    text = text.strip()
    if not text:
        return []
    for separator in (";", ","):
        if separator in text:
            return [part.strip() for part in text.split(separator) if part.strip()]
    words = text.split()
    if all(_ARXIV_CATEGORY.match(word) for word in words):
        return words
    return [tidy_title(text)]


def find_arxiv_id(candidates: Iterable[str]) -> str | None:
    """The arXiv id in the first candidate that clearly is one: ``arxiv:...``, a bare id,
    an arxiv.org URL, or an arXiv DOI (10.48550/arXiv.<id>)."""
    for value in candidates:
        value = value.strip()
        if not value:
            continue
        doi = _ARXIV_DOI.match(value)
        if doi:
            value = doi.group(1)
        elif value.lower().startswith("arxiv:"):
            value = value[len("arxiv:"):].strip()
        elif "arxiv.org/" in value.lower():
            found = normalize_arxiv_id(value)
            if found:
                return found
            continue
        if _BARE_ARXIV_ID.match(value):
            return normalize_arxiv_id(value)
    return None


def to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None
