"""The index format: Whoosh's W3 with packed posting values reads back exactly what
plain W3 does (Whoosh's own matchers), and the faster field lengths are Whoosh's."""

from __future__ import annotations

import pickle

import pytest
import whoosh.index
from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader

from reader.index.codec import PackedValues, ReaderCodec, _PerDocReader
from reader.index.index import _document, make_schema
from reader.model import make_paper
from reader.sources.sample import sample_papers


def test_packed_values_are_the_values():
    values = (b"\x00\x00\x00\x01abc", b"", b"x" * 300, "é".encode())
    packed = PackedValues.pack(values)
    assert len(packed) == 4
    assert list(packed) == list(values)
    assert packed[-1] == values[-1] and packed[1:3] == list(values[1:3])
    with pytest.raises(IndexError):
        packed[4]
    # Whoosh pickles blocks with protocol 2: the values come back the same
    again = pickle.loads(pickle.dumps((1, packed), 2))[1]
    assert isinstance(again, PackedValues) and list(again) == list(values)


def _papers():
    papers = sample_papers()
    # a term in more than one block (128 postings), repeated words, an empty abstract
    papers += [make_paper(title=f"Gradient study {n}", abstract="gradient noise " * (n % 5)
                          + f"run {n}", published="2024") for n in range(300)]
    return papers


def _build(path, codec):
    ix = whoosh.index.create_in(str(path), make_schema())
    writer = ix.writer(codec=codec)
    for paper in _papers():
        writer.add_document(**_document(paper))
    writer.commit()
    return ix


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    plain = _build(tmp_path_factory.mktemp("plain"), W3Codec())
    packed = _build(tmp_path_factory.mktemp("packed"), ReaderCodec())
    yield plain, packed
    plain.close()
    packed.close()


def _postings(reader, field):
    return {text: list(_walk(reader.postings(field, text))) for text in reader.lexicon(field)}


def _walk(matcher):
    while matcher.is_active():
        yield matcher.id(), matcher.weight(), matcher.value()
        matcher.next()


@pytest.mark.parametrize("field", ["title", "abstract", "author", "cat", "date", "id"])
def test_every_posting_reads_back_as_plain_whoosh_writes_it(both, field):
    plain, packed = both
    with plain.reader() as a, packed.reader() as b:
        expected = _postings(a, field)
        got = _postings(b, field)
    assert got == expected
    assert any(len(postings) > 128 for postings in got.values()) or field != "abstract"


def test_the_packed_index_has_packed_blocks(both):
    _, packed = both
    with packed.reader() as reader:
        matcher = reader.postings("abstract", "gradient")
        matcher._read_data()  # the block as stored
        assert isinstance(matcher._data[2], PackedValues)


def test_whoosh_phrase_search_reads_the_packed_positions(both):
    from whoosh.qparser import QueryParser

    plain, packed = both
    q = QueryParser("abstract", make_schema()).parse('"gradient noise"')
    with plain.searcher() as a, packed.searcher() as b:
        expected = [hit.docnum for hit in a.search(q, limit=None)]
        assert expected
        assert [hit.docnum for hit in b.search(q, limit=None)] == expected


def test_field_lengths_are_whoosh_s(both):
    _, packed = both
    with packed.reader() as reader:
        segment = reader.segment()
        ours = _PerDocReader(reader.storage(), segment)
        theirs = W3PerDocReader(reader.storage(), segment)
        for field in ("title", "abstract", "author", "cat"):
            for docnum in range(segment.doc_count_all()):
                assert ours.doc_field_length(docnum, field) == theirs.doc_field_length(
                    docnum, field)
