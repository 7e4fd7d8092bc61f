"""Fetching fresh papers: the arXiv API, Hugging Face daily papers, arXiv RSS listings,
and the subscriptions in the config file that ``reader update`` (and the app) fetch.

Each response is saved to a temporary file in the data directory and imported through
the importer of its format (``arxiv-atom``, ``json``, ``feed``) with
``Library.import_file``: one transaction per response, so a failure half-way keeps every
page imported before it and never leaves half a page. The index is not touched: call
``library.ensure_index()`` afterwards.

The UI calls :func:`run_update` (or a :class:`Fetcher` method) in a thread worker; there
are no Textual imports here. ``progress(done, total, message)`` reports what is going on,
``cancelled()`` is asked between requests, and nothing raises for a failed fetch: the
:class:`FetchResult` carries the error as one line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

from reader.config import Config, load_config
from reader.importer import ImportReport, read_papers
from reader.parsers import ParseError
from reader.parsers.arxiv_atom import NS as ATOM_NS
from reader.parsers.arxiv_atom import read_xml
from reader.sources.http import FetchError, HttpClient, HttpSettings, Sleep, where

KINDS = ("arxiv", "hf", "rss")
DEFAULT_URLS = {
    "arxiv": "https://export.arxiv.org/api/query",
    "hf": "https://huggingface.co/api/daily_papers",
    "rss": "https://rss.arxiv.org/rss",
}
ENV_URLS = {"arxiv": "READER_ARXIV_URL", "hf": "READER_HF_URL", "rss": "READER_RSS_URL"}
# arXiv asks API clients to wait about 3 s between calls.
DEFAULT_PAUSE = 3.0
DEFAULT_MAX = 50
PAGE_SIZE = 100
# arXiv answers at most 2000 results per call, and 30000 for a query in all.
MAX_PAGE_SIZE = 2000
MAX_RESULTS = 30000

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]

_CATEGORY = re.compile(r"^[A-Za-z][A-Za-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?$")
_FIELD_PREFIX = re.compile(r"\b(?:ti|au|abs|co|jr|cat|rn|id|all|submittedDate|lastUpdatedDate):")
_QUERY_SYNTAX = re.compile(r'["()]|\b(?:AND|OR|ANDNOT)\b')
_ITEM = re.compile(rb"<(?:[\w.\-]+:)?(?:item|entry)[\s>/]")


class ConfigError(ValueError):
    """A setting in the config file that cannot be used; the message is one line."""


# -- settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchSettings:
    """The ``[fetch]`` table of the config file, with the environment's URLs on top."""

    arxiv_url: str = DEFAULT_URLS["arxiv"]
    hf_url: str = DEFAULT_URLS["hf"]
    rss_url: str = DEFAULT_URLS["rss"]
    pause: float = DEFAULT_PAUSE  # seconds between arXiv API calls
    page_size: int = PAGE_SIZE  # arXiv results per call
    http: HttpSettings = field(default_factory=HttpSettings)

    @classmethod
    def from_config(
        cls, config: Config | None = None, environ: Mapping[str, str] | None = None
    ) -> FetchSettings:
        """Settings from ``config`` (default: the user's file) and the environment
        (``READER_ARXIV_URL``, ``READER_HF_URL``, ``READER_RSS_URL`` win over the file).
        Raises :class:`ConfigError` for a setting that is there but unusable."""
        config = config if config is not None else load_config()
        environ = os.environ if environ is None else environ
        section = config.section("fetch")
        table = f"{config.path}: [fetch]"
        known = {"arxiv_url", "hf_url", "rss_url", "pause", "timeout", "tries", "backoff",
                 "page_size"}
        unknown = sorted(set(section) - known)
        if unknown:
            raise ConfigError(
                f"{table} unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
            )
        urls = {}
        for kind in KINDS:
            key = f"{kind}_url"
            urls[key] = DEFAULT_URLS[kind]
            if key in section:
                urls[key] = _url(section[key], f"{table} {key}")
            from_env = environ.get(ENV_URLS[kind], "").strip()
            if from_env:
                urls[key] = _url(from_env, f"${ENV_URLS[kind]}")
        defaults = HttpSettings()
        http = HttpSettings(
            timeout=_number(section, "timeout", defaults.timeout, table, minimum=0.001),
            tries=_integer(section, "tries", defaults.tries, table, 1, 20),
            backoff=_number(section, "backoff", defaults.backoff, table),
        )
        return cls(
            **urls,
            pause=_number(section, "pause", DEFAULT_PAUSE, table),
            page_size=_integer(section, "page_size", PAGE_SIZE, table, 1, MAX_PAGE_SIZE),
            http=http,
        )


def _url(value: Any, what: str) -> str:
    if not isinstance(value, str) or not re.match(r"^https?://[^/\s]+", value.strip()):
        raise ConfigError(f"{what} must be an http:// or https:// URL, not {value!r}")
    return value.strip()


def _number(section: Mapping[str, Any], key: str, default: float, table: str,
            minimum: float = 0.0) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ConfigError(f"{table} {key} must be a number of seconds, at least {minimum:g}")
    return float(value)


def _integer(section: Mapping[str, Any], key: str, default: int, table: str,
             minimum: int, maximum: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ConfigError(f"{table} {key} must be a whole number from {minimum} to {maximum}")
    return value


# -- what to fetch -----------------------------------------------------------------------


def check_category(category: str, *, allow_several: bool = False) -> str:
    """An arXiv category (``cs.LG``, ``hep-th``); RSS also takes ``cs.AI+cs.LG``.
    Raises ValueError for anything else."""
    category = category.strip()
    parts = category.split("+") if allow_several else [category]
    if not category or not all(_CATEGORY.match(part) for part in parts):
        raise ValueError(f"not an arXiv category: {category!r} (like cs.LG or hep-th)")
    return category


def parse_day(value: Any) -> dt.date:
    """A date from a TOML date or an ISO ``YYYY-MM-DD`` string; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"not a date: {value!r} (like 2024-05-27)")


def arxiv_search_query(query: str, category: str | None = None) -> str:
    """The API's ``search_query``: the query as given when it uses arXiv's syntax
    (``ti:``, ``AND``, quotes, parentheses), else every word required in any field
    (``all:a AND all:b``); ``cat:X AND (...)`` with a category."""
    query = " ".join(query.split())
    words = query.split()
    if len(words) > 1 and not _FIELD_PREFIX.search(query) and not _QUERY_SYNTAX.search(query):
        query = " AND ".join(f"all:{word}" for word in words)
    if category:
        category = check_category(category)
        return f"cat:{category} AND ({query})" if query else f"cat:{category}"
    if not query:
        raise ValueError("an arXiv fetch needs a query or a category")
    return query


def arxiv_collection(query: str, category: str | None = None) -> str:
    query = " ".join(query.split())
    if query and category:
        return f"arxiv: {query} in {category}"
    return f"arxiv: {query or category}"


@dataclass(frozen=True)
class Subscription:
    """One ``[[subscriptions]]`` table of the config file."""

    kind: str
    query: str = ""
    category: str = ""
    max: int = DEFAULT_MAX
    since: dt.date | None = None

    @property
    def name(self) -> str:
        """The collection its papers go into (``hf`` is named by the day it gets)."""
        if self.kind == "arxiv":
            return arxiv_collection(self.query, self.category or None)
        if self.kind == "rss":
            return f"rss: {self.category}"
        return "hf: daily papers"


@dataclass(frozen=True)
class BadSubscription:
    """A ``[[subscriptions]]`` table that cannot be used, and why (one line)."""

    number: int
    problem: str

    @property
    def name(self) -> str:
        return f"subscription {self.number}"


_ALLOWED_KEYS = {
    "arxiv": {"kind", "query", "category", "max", "since"},
    "hf": {"kind"},
    "rss": {"kind", "category"},
}


def _subscription(entry: Mapping[str, Any]) -> Subscription:
    kind = entry.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind = {kind!r}: expected one of {', '.join(map(repr, KINDS))}")
    unknown = sorted(set(entry) - _ALLOWED_KEYS[kind])
    if unknown:
        allowed = ", ".join(sorted(_ALLOWED_KEYS[kind] - {"kind"})) or "nothing else"
        raise ValueError(f"kind {kind!r} takes no {unknown[0]!r} (it takes: {allowed})")
    for key in ("query", "category"):
        if key in entry and not isinstance(entry[key], str):
            raise ValueError(f"{key} must be a string")
    category = entry.get("category", "").strip()
    if kind == "rss":
        if not category:
            raise ValueError("kind 'rss' needs a category (like \"cs.AI\")")
        return Subscription("rss", category=check_category(category, allow_several=True))
    if kind == "hf":
        return Subscription("hf")
    query = " ".join(entry.get("query", "").split())
    if category:
        check_category(category)
    arxiv_search_query(query, category or None)  # raises when both are missing
    count = entry.get("max", DEFAULT_MAX)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_RESULTS:
        raise ValueError(f"max must be a whole number from 1 to {MAX_RESULTS}")
    since = parse_day(entry["since"]) if "since" in entry else None
    return Subscription("arxiv", query=query, category=category, max=count, since=since)


def read_subscriptions(config: Config) -> list[Subscription | BadSubscription]:
    """The ``[[subscriptions]]`` of ``config``, in order; unusable ones as
    :class:`BadSubscription` saying why."""
    raw = config.data.get("subscriptions", [])
    if isinstance(raw, dict):
        return [BadSubscription(1, "write [[subscriptions]] (a list of tables), "
                                   "not [subscriptions]")]
    if not isinstance(raw, list):
        return [BadSubscription(1, "subscriptions must be [[subscriptions]] tables")]
    found: list[Subscription | BadSubscription] = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            found.append(BadSubscription(number, "not a table"))
            continue
        try:
            found.append(_subscription(entry))
        except ValueError as problem:
            found.append(BadSubscription(number, str(problem)))
    return found


# -- results -----------------------------------------------------------------------------


@dataclass
class FetchResult:
    """What fetching one thing did. ``error`` (one line) is set when it failed, possibly
    after some pages were imported (``pages``); the counts cover what was imported."""

    name: str
    kind: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    pages: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def add(self, report: ImportReport) -> None:
        self.added += report.added
        self.updated += report.updated
        self.unchanged += report.unchanged
        self.skipped += len(report.skipped)
        self.pages += 1

    def summary(self) -> str:
        text = (f"{self.name}: added {self.added}, updated {self.updated}, "
                f"unchanged {self.unchanged}")
        if self.skipped:
            text += f", skipped {self.skipped} bad records"
        if self.kind == "arxiv":
            text += f" ({self.pages} page{'' if self.pages == 1 else 's'})"
        return text


UpdateResult = FetchResult


# -- fetching ----------------------------------------------------------------------------


class Fetcher:
    """Fetches into ``library`` with one HTTP client, keeping arXiv's pause between
    every two arXiv calls it makes (also across subscriptions). Close it when done
    (or use ``with``)."""

    def __init__(
        self,
        library,
        settings: FetchSettings | None = None,
        *,
        sleep: Sleep = time.sleep,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        transport=None,
    ) -> None:
        self.library = library
        self.settings = settings or FetchSettings.from_config()
        self._sleep = sleep
        self._progress = progress
        self._cancelled = cancelled or (lambda: False)
        self._client = HttpClient(self.settings.http, sleep=sleep, transport=transport)
        self._arxiv_calls = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _report(self, done: int, total: int, message: str) -> None:
        if self._progress:
            self._progress(done, total, message)

    # -- arXiv API ------------------------------------------------------------------------

    def arxiv(
        self,
        query: str,
        *,
        category: str | None = None,
        max_results: int = DEFAULT_MAX,
        since: dt.date | None = None,
    ) -> FetchResult:
        """Up to ``max_results`` papers for ``query``, newest submissions first, a page
        of ``settings.page_size`` per call; with ``since``, only papers submitted on or
        after that day (paging stops at the first older one). Raises ValueError for a
        bad query or category (before any request)."""
        search = arxiv_search_query(query, category)
        if not 1 <= max_results <= MAX_RESULTS:
            raise ValueError(f"--max must be from 1 to {MAX_RESULTS}")
        name = arxiv_collection(query, category)
        result = FetchResult(name, "arxiv")
        page_size = min(self.settings.page_size, max_results)
        start = 0
        page = 0
        while start < max_results:
            if self._cancelled():
                result.error = _kept(result, "cancelled", page + 1)
                break
            page += 1
            self._report(start, max_results, f"{name}: page {page}")
            if self._arxiv_calls:
                self._sleep(self.settings.pause)
            self._arxiv_calls += 1
            params = {
                "search_query": search,
                "start": start,
                "max_results": min(page_size, max_results - start),
                "sortBy": "submittedDate",
                "sortOrder": "descending",
            }
            try:
                body = self._client.get(self.settings.arxiv_url, params,
                                        min_wait=self.settings.pause)
                found = _arxiv_page(body, name, since)
                if found.kept:
                    result.add(self._import(found.body, name, "arxiv-atom", ".xml"))
            except FetchError as error:
                result.error = _kept(result, str(error), page)
                break
            except ParseError as error:
                problem = _parse_problem(error, self.settings.arxiv_url)
                result.error = _kept(result, problem, page)
                break
            start += found.entries
            if not found.entries or found.older or (
                found.total is not None and start >= found.total
            ):
                break
        self._report(max_results, max_results, f"{name}: done")
        return result

    # -- Hugging Face daily papers --------------------------------------------------------

    def hf(self, day: dt.date | None = None) -> FetchResult:
        """The Hugging Face daily papers of ``day`` (default: the API's today)."""
        label = f"hf: {day.isoformat()}" if day else "hf: daily papers"
        result = FetchResult(label, "hf")
        if self._cancelled():
            result.error = "cancelled"
            return result
        self._report(0, 1, f"{label}: fetching")
        params = {"date": day.isoformat()} if day else None
        try:
            body = self._client.get(self.settings.hf_url, params)
            result.name = f"hf: {(day or _hf_day(body)).isoformat()}"
            if _json_is_empty_list(body):
                result.pages = 1
            else:
                result.add(self._import(body, result.name, "json", ".json"))
        except FetchError as error:
            result.error = str(error)
        except ParseError as error:
            result.error = _parse_problem(error, self.settings.hf_url)
        self._report(1, 1, f"{result.name}: done")
        return result

    # -- arXiv RSS -------------------------------------------------------------------------

    def rss(self, category: str) -> FetchResult:
        """Today's arXiv RSS listing of ``category`` (``cs.AI``, or ``cs.AI+cs.LG``)."""
        category = check_category(category, allow_several=True)
        name = f"rss: {category}"
        result = FetchResult(name, "rss")
        if self._cancelled():
            result.error = "cancelled"
            return result
        self._report(0, 1, f"{name}: fetching")
        url = f"{self.settings.rss_url.rstrip('/')}/{quote(category, safe='+.-')}"
        try:
            body = self._client.get(url)
            if _ITEM.search(body) or self._has_papers(body, name, "feed", ".xml"):
                result.add(self._import(body, name, "feed", ".xml"))
            else:
                result.pages = 1  # an empty listing (weekends, holidays)
        except FetchError as error:
            result.error = str(error)
        except ParseError as error:
            result.error = _parse_problem(error, url)
        self._report(1, 1, f"{name}: done")
        return result

    # -- subscriptions ---------------------------------------------------------------------

    def subscription(self, subscription: Subscription) -> FetchResult:
        if subscription.kind == "arxiv":
            return self.arxiv(
                subscription.query,
                category=subscription.category or None,
                max_results=subscription.max,
                since=subscription.since,
            )
        if subscription.kind == "rss":
            return self.rss(subscription.category)
        return self.hf()

    # -- importing one response -------------------------------------------------------------

    def _temporary(self, body: bytes, suffix: str) -> Path:
        self.library.root.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".fetch-", suffix=suffix, dir=self.library.root)
        path = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(body)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def _import(self, body: bytes, name: str, format_name: str, suffix: str) -> ImportReport:
        """Import one response in one transaction (all or nothing)."""
        path = self._temporary(body, suffix)
        try:
            return self.library.import_file(
                path, collection=name, format_name=format_name, skip_bad=True
            )
        finally:
            path.unlink(missing_ok=True)

    def _has_papers(self, body: bytes, name: str, format_name: str, suffix: str) -> bool:
        """Whether a response holds any paper (ParseError when it cannot be read)."""
        path = self._temporary(body, suffix)
        papers = read_papers(path, source_name=name, format_name=format_name, skip_bad=True)
        try:
            return next(papers, None) is not None
        finally:
            papers.close()
            path.unlink(missing_ok=True)


@dataclass
class _ArxivPage:
    body: bytes  # what to import (without the entries older than ``since``)
    entries: int  # entries in the page as it came
    kept: int  # entries to import
    total: int | None  # opensearch:totalResults
    older: bool  # whether an entry was older than ``since``


def _arxiv_page(body: bytes, name: str, since: dt.date | None) -> _ArxivPage:
    root = read_xml(body, name)
    entries = root.findall("atom:entry", ATOM_NS)
    total_text = (root.findtext("opensearch:totalResults", "", ATOM_NS) or "").strip()
    total = int(total_text) if total_text.isdigit() else None
    older = [entry for entry in entries if since and _is_older(entry, since)]
    if older:
        for entry in older:
            root.remove(entry)
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return _ArxivPage(body, len(entries), len(entries) - len(older), total, bool(older))


def _is_older(entry, since: dt.date) -> bool:
    published = (entry.findtext("atom:published", "", ATOM_NS) or "").strip()
    try:
        return dt.date.fromisoformat(published[:10]) < since
    except ValueError:
        return False  # no date: keep it


def _hf_day(body: bytes) -> dt.date:
    """The day a daily papers answer is for: the most common ``submittedOnDailyAt``
    (newer answers carry it), else today (UTC)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    days: Counter[str] = Counter()
    if isinstance(data, list):
        for item in data:
            paper = item.get("paper") if isinstance(item, dict) else None
            value = paper.get("submittedOnDailyAt") if isinstance(paper, dict) else None
            if isinstance(value, str) and len(value) >= 10:
                days[value[:10]] += 1
    for day, _count in days.most_common(1):
        try:
            return dt.date.fromisoformat(day)
        except ValueError:
            break
    return dt.datetime.now(dt.UTC).date()


def _json_is_empty_list(body: bytes) -> bool:
    return body.strip() == b"[]"


def _parse_problem(error: ParseError, url: str) -> str:
    """A parse error about a response, named by where it came from (not by the
    temporary file it was read from)."""
    line = f" (line {error.line})" if error.line is not None else ""
    return f"{where(url)}: the answer cannot be read: {error.problem}{line}"


def _kept(result: FetchResult, problem: str, page: int) -> str:
    """The one line for a page that failed, saying what the pages before it kept."""
    if page == 1:
        return problem
    kept = result.added + result.updated + result.unchanged
    return (f"page {page}: {problem}; kept the {kept} papers of pages 1-{page - 1}"
            if result.pages else f"page {page}: {problem}")


# -- the update --------------------------------------------------------------------------


def run_update(
    library,
    config: Config | None = None,
    progress: Progress | None = None,
    sleep: Sleep = time.sleep,
    cancelled: Cancelled | None = None,
    *,
    transport=None,
) -> list[FetchResult]:
    """Fetch every subscription in ``config`` (default: the user's file), one after the
    other, and return a result for each, in order: a bad subscription gets a result
    with its problem as ``error`` and is skipped; one that fails does not stop the
    others. ``progress(done, total, message)`` counts subscriptions. Raises
    :class:`ConfigError` when the file cannot be read or its ``[fetch]`` table is
    unusable. The index is not updated: call ``library.ensure_index()`` after."""
    config = config if config is not None else load_config()
    if config.problem:
        raise ConfigError(config.problem.removesuffix("; using the defaults"))
    settings = FetchSettings.from_config(config)
    subscriptions = read_subscriptions(config)
    total = len(subscriptions)
    results: list[FetchResult] = []

    def inner(number: int) -> Progress | None:
        if progress is None:
            return None
        return lambda _done, _total, message: progress(number, total, message)

    with Fetcher(library, settings, sleep=sleep, cancelled=cancelled,
                 transport=transport) as fetcher:
        for number, subscription in enumerate(subscriptions):
            if isinstance(subscription, BadSubscription):
                results.append(FetchResult(subscription.name, "bad", error=subscription.problem))
                continue
            if cancelled and cancelled():
                results.append(FetchResult(subscription.name, subscription.kind,
                                           error="cancelled"))
                continue
            fetcher._progress = inner(number)
            try:
                results.append(fetcher.subscription(subscription))
            except ValueError as problem:  # checked when read; kept for safety
                results.append(FetchResult(subscription.name, subscription.kind,
                                           error=str(problem)))
    if progress:
        progress(total, total, "done")
    return results
