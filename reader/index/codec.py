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

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter

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

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedValues):
            return self.blob == other.blob
        return isinstance(other, Sequence) and list(self) == list(other)

    def __reduce__(self):
        return PackedValues, (self.blob, self.count)


class _PostingsWriter(W3PostingsWriter):
    def _mini_values(self):
        values = super()._mini_values()
        # a tuple of variable-length values (fixed-size ones are already one string)
        if isinstance(values, tuple) and values:
            return PackedValues.pack(values)
        return values


class ReaderCodec(W3Codec):
    """W3, with posting values packed (``PackedValues``)."""

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )
