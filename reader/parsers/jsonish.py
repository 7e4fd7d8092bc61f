"""JSON and JSON Lines files of papers.

Two layouts:

* **One JSON document**: a list of paper records (``[{...}, {...}]``), or an object
  holding such a list under a key like ``papers``, ``results`` or ``data``, or a single
  paper record. These files are small (a day of Hugging Face daily papers, an API
  response): the document is loaded whole, up to :data:`MAX_DOCUMENT` bytes.
* **JSON Lines**: one record per line, read line by line from the binary stream, so a
  file of millions of lines (the arXiv metadata snapshot has about 2.7 million) is never
  held in memory. A line that is not JSON, not an object or longer than
  :data:`MAX_LINE` bytes becomes a :class:`BadRecord` and reading goes on.

A file starting with ``[`` is a document. A file starting with ``{`` is JSON Lines when
its first line is a JSON value of its own; otherwise (a pretty-printed object) it is
read as one document when it parses as one, and as JSON Lines when it does not.

Every record goes through :func:`record_to_paper`, which recognises Hugging Face daily
papers, arXiv metadata snapshot records, reader's own JSONL export (rebuilt exactly)
and generic records with a title and an abstract.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields
from typing import Any, BinaryIO

from reader.model import Paper, make_paper, normalize_arxiv_id, normalize_doi, paper_id
from reader.parsers import BadRecord, ParseError, decode, tidy_abstract, tidy_title
from reader.parsers.fields import (
    find_arxiv_id,
    iso_date,
    split_authors,
    split_categories,
    to_int,
)

# A JSONL line longer than this is skipped (as a bad record) without being kept whole.
MAX_LINE = 16 * 1024 * 1024
# A whole-document JSON file larger than this is refused.
MAX_DOCUMENT = 128 * 1024 * 1024
# Keys under which a document keeps its list of papers, most likely first.
CONTAINER_KEYS = ("papers", "results", "data", "items", "entries", "records", "hits")

_JSON_SPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_SKIP_CHUNK = 1024 * 1024
_TOO_LONG = object()

_PAPER_FIELDS = {f.name for f in fields(Paper)}
_TUPLE_FIELDS = {"authors", "sources", "categories"}
_OWN_ID = re.compile(r"^(?:arxiv|title):\S+$")
# "ICRA 2021", "NeurIPS 2023 Datasets and Benchmarks": a venue and year, not a category.
_VENUE_AND_YEAR = re.compile(r"^\S.*\s(?:19|20)\d\d$")


class RecordProblem(ValueError):
    """A record that cannot become a paper; the message is the short reason."""


# -- the entry points --------------------------------------------------------------------


def looks_like(head: str) -> bool:
    """Whether a file starting with ``head`` is JSON: its first character is ``{`` or ``[``."""
    return head.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


def parse(stream: BinaryIO, name: str) -> Iterator[Paper | BadRecord]:
    """The papers in a JSON or JSONL binary stream (see the module documentation)."""
    first, blank_lines = _skip_space(stream)
    if not first:
        raise ParseError(name, "empty file, no papers in it")
    if first == b"[":
        data = _load_document(first + _read_capped(stream, name), name, blank_lines)
        yield from _document_records(data, name)
        return
    first_line = _read_line(stream, first)
    if first != b"{" or first_line is _TOO_LONG or _parses(first_line):
        yield from _jsonl_records([first_line], stream, name, blank_lines)
        return
    # A first line that is not JSON on its own: a pretty-printed document, or JSONL
    # whose first line is broken. Keep reading, up to MAX_DOCUMENT, to tell which.
    buffered = [first_line]
    size = len(first_line)
    while size <= MAX_DOCUMENT:
        line = _read_line(stream)
        if line is _TOO_LONG:
            buffered.append(line)
            break
        if not line:
            try:
                data = json.loads(decode(b"".join(buffered)))
            except json.JSONDecodeError as error:
                if not any(_parses(line) for line in buffered[1:] if line.strip()):
                    # Not one line is JSON of its own: a broken document, not JSONL.
                    raise ParseError(
                        name, f"not valid JSON: {error.msg}", error.lineno + blank_lines
                    ) from None
                break
            except RecursionError:
                break
            if isinstance(data, dict):
                yield from _document_records(data, name)
                return
            break
        buffered.append(line)
        size += len(line)
    yield from _jsonl_records(buffered, stream, name, blank_lines)


# -- reading the stream ------------------------------------------------------------------


def _skip_space(stream: BinaryIO) -> tuple[bytes, int]:
    """The first byte after a BOM and whitespace (b"" at the end), and the lines skipped."""
    newlines = 0
    byte = stream.read(1)
    if byte == _BOM[:1]:
        rest = stream.read(2)
        if rest != _BOM[1:]:
            return byte + rest, 0
        byte = stream.read(1)
    while byte and byte in _JSON_SPACE:
        newlines += byte == b"\n"
        byte = stream.read(1)
    return byte, newlines


def _read_line(stream: BinaryIO, prefix: bytes = b"") -> bytes | object:
    """The next line (b"" at the end), or ``_TOO_LONG`` for a line over MAX_LINE bytes,
    which is then read past in chunks so that no more than MAX_LINE bytes are held."""
    line = prefix + stream.readline(MAX_LINE + 1 - len(prefix))
    if len(line) > MAX_LINE and not line.endswith(b"\n"):
        while True:
            chunk = stream.readline(_SKIP_CHUNK)
            if not chunk or chunk.endswith(b"\n"):
                return _TOO_LONG
    return line


def _read_capped(stream: BinaryIO, name: str) -> bytes:
    data = stream.read(MAX_DOCUMENT + 1)
    if len(data) > MAX_DOCUMENT:
        raise ParseError(
            name, f"a JSON document over {MAX_DOCUMENT // 2**20} MB; use JSON Lines instead"
        )
    return data


def _parses(line: bytes) -> bool:
    try:
        json.loads(decode(line))
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def _load_document(data: bytes, name: str, blank_lines: int) -> Any:
    try:
        return json.loads(decode(data))
    except json.JSONDecodeError as error:
        raise ParseError(name, f"not valid JSON: {error.msg}", error.lineno + blank_lines)
    except RecursionError:
        raise ParseError(name, "JSON nested too deeply to read") from None


def _jsonl_records(
    buffered: Iterable[Any], stream: BinaryIO, name: str, blank_lines: int
) -> Iterator[Paper | BadRecord]:
    def lines() -> Iterator[Any]:
        yield from buffered
        while (line := _read_line(stream)) != b"":
            yield line

    for number, line in enumerate(lines(), start=blank_lines + 1):
        where = f"line {number}"
        if line is _TOO_LONG:
            yield BadRecord(where, f"line longer than {MAX_LINE // 2**20} MB")
            continue
        text = decode(line).strip()
        if not text:
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            yield BadRecord(where, f"not valid JSON ({error.msg}, column {error.colno})")
            continue
        except RecursionError:
            yield BadRecord(where, "JSON nested too deeply")
            continue
        items = _container_list(value) if isinstance(value, dict) else None
        if items is not None:
            for position, item in enumerate(items, start=1):
                yield _record(item, name, f"{where} item {position}")
        else:
            yield _record(value, name, where)


def _document_records(data: Any, name: str) -> Iterator[Paper | BadRecord]:
    if isinstance(data, dict):
        items = _container_list(data)
        if items is None:
            if _lower_keys(data).get("title"):
                yield _record(data, name, "item 1")
                return
            keys = ", ".join(list(map(str, data))[:10]) or "none"
            raise ParseError(name, f"no list of papers in this JSON object (keys: {keys})")
    elif isinstance(data, list):
        items = data
    else:
        raise ParseError(name, f"expected a list of papers, found {_kind(data)}")
    for position, item in enumerate(items, start=1):
        yield _record(item, name, f"item {position}")


def _container_list(obj: dict) -> list | None:
    """The list of papers an object holds (under ``papers``, ``results``, ...), or None
    when the object is itself a record."""
    lowered = _lower_keys(obj)
    if lowered.get("title") or isinstance(obj.get("paper"), dict):
        return None
    for key in CONTAINER_KEYS:
        if isinstance(lowered.get(key), list):
            return lowered[key]
    lists = [value for value in obj.values() if isinstance(value, list)]
    if len(lists) == 1 and lists[0] and all(isinstance(item, dict) for item in lists[0]):
        return lists[0]
    return None


def _record(value: Any, name: str, where: str) -> Paper | BadRecord:
    if not isinstance(value, dict):
        return BadRecord(where, f"not a JSON object (found {_kind(value)})")
    try:
        return record_to_paper(value, name)
    except RecordProblem as problem:
        return BadRecord(where, str(problem))


def _kind(value: Any) -> str:
    return {
        list: "a list", str: "a string", int: "a number", float: "a number",
        bool: "true/false", type(None): "null", dict: "an object",
    }.get(type(value), type(value).__name__)


# -- one record --------------------------------------------------------------------------


def record_to_paper(obj: Mapping[str, Any], name: str) -> Paper:
    """The paper a JSON record describes, whichever of the known shapes it has.

    Raises :class:`RecordProblem` (a ValueError) with a short reason when the record
    has no title or is otherwise unusable.
    """
    if _is_own_export(obj):
        return _own_paper(obj)
    if isinstance(obj.get("paper"), dict) or ("summary" in obj and "upvotes" in obj):
        return _hf_paper(obj, name)
    if any(key in obj for key in ("authors_parsed", "versions", "journal-ref", "update_date")):
        return _arxiv_snapshot_paper(obj, name)
    return _generic_paper(obj, name)


def _is_own_export(obj: Mapping[str, Any]) -> bool:
    return {"id", "title", "sources", "extra"} <= obj.keys() and obj.keys() <= _PAPER_FIELDS


def _own_paper(obj: Mapping[str, Any]) -> Paper:
    """reader's own export, rebuilt field for field."""
    values: dict[str, Any] = {}
    for key in _PAPER_FIELDS:
        value = obj.get(key)
        if key in _TUPLE_FIELDS:
            if value is None:
                value = []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise RecordProblem(f"{key} is not a list of strings")
            values[key] = tuple(value)
        elif key == "extra":
            if value is None:
                value = {}
            if not isinstance(value, dict):
                raise RecordProblem("extra is not an object")
            values[key] = value
        else:
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise RecordProblem(f"{key} is not a string")
            values[key] = value
    if not values["title"].strip():
        raise RecordProblem("no title")
    if not _OWN_ID.match(values["id"]):
        values["id"] = paper_id(values["title"], values["arxiv_id"] or None)
    return Paper(**values)


def _hf_paper(obj: Mapping[str, Any], name: str) -> Paper:
    """A Hugging Face daily papers item (a ``paper`` inside), or a bare HF paper."""
    inner = obj["paper"] if isinstance(obj.get("paper"), dict) else obj
    title = tidy_title(_text(inner.get("title")) or _text(obj.get("title")))
    if not title:
        raise RecordProblem("no title")
    hf_id = _text(inner.get("id")) or _text(obj.get("id"))
    arxiv = normalize_arxiv_id(hf_id) if hf_id else None
    extra: dict[str, Any] = {}
    for key, source in (
        ("upvotes", inner.get("upvotes", obj.get("upvotes"))),
        ("comments", obj.get("numComments", inner.get("numComments"))),
    ):
        number = to_int(source)
        if number is not None:
            extra[key] = number
    for key, source_key in (
        ("github", "githubRepo"), ("ai_summary", "ai_summary"), ("project_page", "projectPage"),
    ):
        value = _text(inner.get(source_key)) or _text(obj.get(source_key))
        if value:
            extra[key] = value
    return make_paper(
        title,
        tidy_abstract(_text(inner.get("summary")) or _text(obj.get("summary"))),
        arxiv_id=arxiv,
        authors=_authors(inner.get("authors") or obj.get("authors")),
        sources=(name,),
        published=iso_date(inner.get("publishedAt") or obj.get("publishedAt")),
        url=f"https://huggingface.co/papers/{hf_id}" if hf_id else "",
        pdf_url=f"https://arxiv.org/pdf/{arxiv}" if arxiv else "",
        extra=extra,
    )


def _arxiv_snapshot_paper(obj: Mapping[str, Any], name: str) -> Paper:
    """A record of the arXiv metadata snapshot (Kaggle's arxiv-metadata-oai-snapshot)."""
    title = tidy_title(_text(obj.get("title")))
    if not title:
        raise RecordProblem("no title")
    arxiv = normalize_arxiv_id(_text(obj.get("id"))) if _text(obj.get("id")) else None
    authors = _parsed_authors(obj.get("authors_parsed")) or _authors(obj.get("authors"))
    doi = _text(obj.get("doi")).split()
    extra: dict[str, Any] = {}
    for key, source_key in (
        ("submitter", "submitter"), ("license", "license"), ("report_no", "report-no"),
    ):
        value = tidy_title(_text(obj.get(source_key)))
        if value:
            extra[key] = value
    return make_paper(
        title,
        tidy_abstract(_text(obj.get("abstract"))),
        arxiv_id=arxiv,
        authors=authors,
        sources=(name,),
        published=_first_version_date(obj.get("versions")),
        updated=iso_date(obj.get("update_date")),
        url=f"https://arxiv.org/abs/{arxiv}" if arxiv else "",
        pdf_url=f"https://arxiv.org/pdf/{arxiv}" if arxiv else "",
        categories=_categories(obj.get("categories")),
        doi=doi[0] if doi else "",
        journal_ref=tidy_title(_text(obj.get("journal-ref"))),
        comment=tidy_title(_text(obj.get("comments"))),
        extra=extra,
    )


def _generic_paper(obj: Mapping[str, Any], name: str) -> Paper:
    """Any record with a title and, usually, an abstract/summary/description."""
    low = _lower_keys(obj)
    title = tidy_title(_text(_first(low, "title")))
    if not title:
        raise RecordProblem("no title")
    raw_id = _text(low.get("id"))
    doi = normalize_doi(_text(_first(low, "doi")))
    url = _text(_first(low, "url", "link", "href", "html_url", "abs_url"))
    arxiv = find_arxiv_id(
        [_text(_first(low, "arxiv_id", "arxivid", "arxiv", "eprint")), raw_id, url, doi]
    )
    categories = _categories(_first(low, "categories", "category", "keywords", "tags"))
    venue = _venue(_first(low, "venue", "journal", "booktitle", "conference",
                          "container-title", "publication", "journal_name"))
    extra: dict[str, Any] = {}
    if raw_id and not (arxiv and find_arxiv_id([raw_id])):
        extra["source_id"] = raw_id
        if not venue and categories and _VENUE_AND_YEAR.match(categories[0]):
            venue = categories[0]
    upvotes = to_int(low.get("upvotes"))
    if upvotes is not None:
        extra["upvotes"] = upvotes
    return make_paper(
        title,
        tidy_abstract(_text(_first(low, "abstract", "summary", "description", "abstractnote"))),
        arxiv_id=arxiv,
        authors=_authors(_first(low, "authors", "author", "creators")),
        sources=(name,),
        published=iso_date(_first(low, "published", "publishedat", "date", "published_date",
                                   "publication_date", "issued", "year", "created")),
        updated=iso_date(_first(low, "updated", "updatedat", "update_date", "modified")),
        url=url or (f"https://arxiv.org/abs/{arxiv}" if arxiv else ""),
        pdf_url=_text(_first(low, "pdf_url", "pdfurl", "pdf"))
        or (f"https://arxiv.org/pdf/{arxiv}" if arxiv else ""),
        categories=categories,
        doi=doi,
        venue=venue,
        journal_ref=tidy_title(_text(_first(low, "journal_ref", "journal-ref"))),
        comment=tidy_title(_text(_first(low, "comment", "comments"))),
        extra=extra,
    )


# -- field helpers (also used by the table parser) ---------------------------------------


def _authors(value: Any) -> list[str]:
    if isinstance(value, str):
        return split_authors(value)
    if not isinstance(value, list):
        return []
    names = []
    for item in value:
        if isinstance(item, str):
            name = tidy_title(item)
        elif isinstance(item, dict):
            name = _author_name(item)
        else:
            continue
        if name:
            names.append(name)
    return names


def _author_name(item: Mapping[str, Any]) -> str:
    low = _lower_keys(item)
    for key in ("name", "fullname", "full_name", "display_name", "literal"):
        if _text(low.get(key)).strip():
            return tidy_title(_text(low[key]))
    for first_key, last_key in (("given", "family"), ("firstname", "lastname"),
                                ("first", "last"), ("first_name", "last_name")):
        parts = [_text(low.get(first_key)), _text(low.get(last_key))]
        if any(part.strip() for part in parts):
            return tidy_title(" ".join(parts))
    user = item.get("user")
    return _author_name(user) if isinstance(user, dict) else ""


def _parsed_authors(value: Any) -> list[str]:
    """arXiv ``authors_parsed``: ``[[last, first, suffix], ...]`` as "First Last Suffix"."""
    if not isinstance(value, list):
        return []
    names = []
    for item in value:
        if not isinstance(item, list) or not item:
            continue
        parts = [_text(part) for part in item]
        last, first, suffix = (parts + ["", ""])[:3]
        name = tidy_title(" ".join(part for part in (first, last, suffix) if part.strip()))
        if name:
            names.append(name)
    return names


def _first_version_date(versions: Any) -> str:
    """The ISO date of v1 from arXiv ``versions`` (``created`` is an RFC 2822 date)."""
    if not isinstance(versions, list) or not versions:
        return ""
    chosen = next(
        (v for v in versions if isinstance(v, dict) and v.get("version") == "v1"), versions[0]
    )
    # the day of the first version: its time of day is noise for a paper list
    return iso_date(chosen.get("created"))[:10] if isinstance(chosen, dict) else ""


def _categories(value: Any) -> list[str]:
    if isinstance(value, str):
        return split_categories(value)
    if isinstance(value, list):
        found = []
        for item in value:
            if isinstance(item, dict):
                item = item.get("term") or item.get("name") or ""
            if isinstance(item, str) and item.strip():
                found.append(tidy_title(item))
        return found
    return []


def _venue(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("title") or ""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    return tidy_title(_text(value))


def _lower_keys(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {key.lower(): value for key, value in obj.items() if isinstance(key, str)}


def _first(low: Mapping[str, Any], *keys: str) -> Any:
    """The first of ``keys`` with a non-empty value."""
    for key in keys:
        value = low.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return next((item for item in value if isinstance(item, str)), "")
    return ""
