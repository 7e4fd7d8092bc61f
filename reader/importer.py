"""Import files of papers into the library.

The format is detected from the content (the first 64 KB), not only from the name;
``.gz`` files are read transparently. Each file is imported in one store transaction:
a file that fails, or an import that is interrupted (Ctrl-C, a kill), leaves the
library exactly as it was. After the import the index catches up with just the new and
changed papers.
"""

from __future__ import annotations

import codecs
import gzip
import importlib
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from reader.model import Paper
from reader.parsers import FORMATS, BadRecord, ParseError, decode

HEAD_BYTES = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"

# Detection tries the FORMATS in their order; a text that matches none is read as a
# copied listing page.
FALLBACK = "listing"

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What importing one file did."""

    path: Path
    format: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[BadRecord] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.path}: added {self.added}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {len(self.skipped)}"
        )


def _parser(format_name: str):
    return importlib.import_module(FORMATS[format_name])


class _Utf8Checked(io.RawIOBase):
    """Passes bytes through, raising ParseError at the first byte that is not UTF-8.

    Every format is read through this, so a file in another encoding is refused with
    the line it goes wrong on, whatever the parser does with bad bytes.
    """

    def __init__(self, inner: BinaryIO, path: Path) -> None:
        self._inner = inner
        self._path = path
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._lines = 1

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._inner.read(len(buffer))
        try:
            self._decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            line = self._lines + chunk.count(b"\n", 0, error.start)
            raise ParseError(
                self._path,
                f"not UTF-8 text (byte 0x{chunk[error.start]:02x}); "
                "save it as UTF-8 and import it again",
                line,
            ) from None
        self._lines += chunk.count(b"\n")
        buffer[: len(chunk)] = chunk
        return len(chunk)


class _Source:
    """A file opened for parsing: decompressed when gzip, checked to be UTF-8,
    reporting how far it got."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size
        self._raw = path.open("rb")
        self.compressed = self._raw.read(2) == GZIP_MAGIC
        self._raw.seek(0)
        inner = gzip.GzipFile(fileobj=self._raw) if self.compressed else self._raw
        self.stream: BinaryIO = io.BufferedReader(_Utf8Checked(inner, path), 1 << 16)

    def position(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self.stream.close()
        self._raw.close()


def _read_head(path: Path) -> bytes:
    with path.open("rb") as raw:
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        try:
            if compressed:
                with gzip.GzipFile(fileobj=raw) as unpacked:
                    return unpacked.read(HEAD_BYTES)
            return raw.read(HEAD_BYTES)
        except (OSError, EOFError, zlib.error) as error:
            raise ParseError(path, f"damaged gzip data ({error})") from error


def detect_format(path: Path) -> str:
    """The format of the file at ``path``, from its content.

    Raises ParseError for an empty or a binary file.
    """
    head = _read_head(path)
    if not head.strip():
        raise ParseError(path, "empty file, no papers in it")
    if b"\x00" in head:
        raise ParseError(path, "binary file, not a list of papers")
    text = decode(head)
    for name in FORMATS:
        if name == FALLBACK:
            continue
        if _parser(name).looks_like(text):
            return name
    return FALLBACK


def read_papers(
    path: Path,
    *,
    source_name: str,
    format_name: str | None = None,
    skip_bad: bool = False,
    skipped: list[BadRecord] | None = None,
    progress: Progress | None = None,
) -> Iterator[Paper]:
    """The papers in the file at ``path``, as its parser yields them.

    A bad record raises ParseError naming the file, where and what, unless
    ``skip_bad``: then it is appended to ``skipped`` and reading goes on.
    """
    format_name = format_name or detect_format(path)
    parser = _parser(format_name)
    source = _Source(path)
    try:
        for count, record in enumerate(parser.parse(source.stream, source_name), start=1):
            if isinstance(record, BadRecord):
                if not skip_bad:
                    raise ParseError(path, f"{record.where}: {record.problem}")
                if skipped is not None:
                    skipped.append(record)
                continue
            if progress and count % 200 == 0:
                progress(source.position(), source.size)
            yield record
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise ParseError(path, f"damaged gzip data ({error})") from error
    except UnicodeError as error:
        raise ParseError(path, f"cannot decode the text ({error})") from error
    except RecursionError as error:
        raise ParseError(path, "nested too deeply to read") from error
    finally:
        source.close()
    if progress:
        progress(source.size, source.size)
