"""Whoosh's W3 index format, with each block's posting values packed into one string.

A W3 posting block (up to 128 postings) is one pickle of its ids, weights and values;
the values of a text field are each posting's encoded word positions. Whoosh pickles
them with protocol 2, in which every bytes object unpickles through a function call
(``_codecs.encode``): reading a block cost about 45 µs, most of it there, and phrase
searches read hundreds of blocks. ``ReaderCodec`` writes the same blocks with the
values as one ``PackedValues`` (their ends, then their bytes): one string to
unpickle. To Whoosh it is still a sequence of the same values, so its own matchers
read these segments as any other; segments written by plain Whoosh stay readable.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3PerDocReader,
    W3PostingsWriter,
)
from whoosh.util.numeric import byte_to_length

_END = struct.Struct("<I")


class PackedValues(Sequence):
    """A block's values: ``count`` little-endian 32-bit ends, then the values' bytes."""

    __slots__ = ("blob", "count")

    def __init__(self, blob: bytes, count: int) -> None:
        self.blob = blob
        self.count = count

    @classmethod
    def pack(cls, values: Sequence[bytes]) -> PackedValues:
        count = len(values)
        ends = []
        end = 4 * count
        for value in values:
            end += len(value)
            ends.append(end)
        return cls(struct.pack(f"<{count}I", *ends) + b"".join(values), count)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError(index)
        blob = self.blob
        start = _END.unpack_from(blob, 4 * (index - 1))[0] if index else 4 * self.count
        return blob[start:_END.unpack_from(blob, 4 * index)[0]]

    def __reduce__(self):
        return PackedValues, (self.blob, self.count)


class _PostingsWriter(W3PostingsWriter):
    def _mini_values(self):
        values = super()._mini_values()
        # a tuple of variable-length values (fixed-size ones are already one string)
        if isinstance(values, tuple) and values:
            return PackedValues.pack(values)
        return values


def length_codes(perdoc: W3PerDocReader, fieldname: str) -> bytes | None:
    """A segment's field lengths, one byte per document (Whoosh's lossy form), as
    stored: documents past the end have length 0. None when the segment has none."""
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None or column._fixedlen != 1:
        return None
    return column._dbfile.get(column._basepos, column._count)


class _PerDocReader(W3PerDocReader):
    """Field lengths read a whole column at a time. (Whoosh reads one byte from the
    file per call, and asks once per posting when it writes a segment: 10-15% of an
    index build.) The answers are Whoosh's own."""

    def __init__(self, storage, segment) -> None:
        super().__init__(storage, segment)
        self._length_codes: dict[str, bytes | None] = {}

    def _codes(self, fieldname: str) -> bytes | None:
        try:
            return self._length_codes[fieldname]
        except KeyError:
            pass
        codes = self._length_codes[fieldname] = length_codes(self, fieldname)
        return codes

    def doc_field_length(self, docnum, fieldname, default=0):
        codes = self._codes(fieldname)
        if codes is None or docnum > self._doccount:
            return super().doc_field_length(docnum, fieldname, default)
        code = codes[docnum] if docnum < len(codes) else 0
        return byte_to_length(code) if code else None


class ReaderCodec(W3Codec):
    """W3, with posting values packed (``PackedValues``) and field lengths read a
    column at a time."""

    def per_document_reader(self, storage, segment):
        return _PerDocReader(storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )
