"""The vocabulary: the library's words as written, for prefix*, fuzzy~ and "did you
mean"."""

from __future__ import annotations

import re

from test_analyzers import ODD, seed_texts
from whoosh.support.charset import accent_map

from reader.index.analysis import fold_text
from reader.index.vocabulary import FILE, Vocabulary, words_of
from reader.library import Library


def test_words_are_folded_not_stemmed():
    assert words_of("Optimisers for $\\mu$P and Schrödinger's 8-bit GPT-4o") == {
        "optimisers", "for", "mup", "and", "schrodinger", "s", "bit", "gpt", "o"}


def test_words_of_ascii_text_are_the_letter_runs_of_the_folded_text():
    # (ASCII text takes a faster way than the regular expression that defines words;
    # the texts are those the analyzers are tested on)
    def by_the_definition(text: str) -> set[str]:
        return set(re.findall(r"[^\W\d_]+", fold_text(text).lower().translate(accent_map)))

    every_ascii = "".join(map(chr, range(128)))
    texts = [every_ascii, every_ascii[::-1], " ".join(every_ascii), *ODD, *seed_texts()]
    for text in texts:
        assert words_of(text) == by_the_definition(text), text
    vocabulary = Vocabulary()
    vocabulary.add(texts)
    assert set(vocabulary.counts) == set().union(*map(by_the_definition, texts))


def test_counts_papers_not_occurrences():
    vocabulary = Vocabulary()
    vocabulary.add(["Adam Adam", "adam optimizer"])
    vocabulary.add(["Adaptive", "adam"])
    assert vocabulary.papers_with("adam") == 2
    assert vocabulary.papers_with("optimizer") == 1
    assert vocabulary.starting_with("ada") == ["adam", "adaptive"]
    assert vocabulary.most_used(["adaptive", "adam", "optimizer"], 2) == ["adam", "adaptive"]


def test_words_one_and_two_edits_away():
    vocabulary = Vocabulary()
    for word in ["optimizer", "optimize", "quantization", "transformer", "transformers"]:
        vocabulary.add([word])
    assert vocabulary.within("optimzer") == {"optimizer"}  # a letter left out
    assert vocabulary.within("otpimizer") == {"optimizer"}  # two letters swapped
    assert vocabulary.within("transformer") == {"transformer", "transformers"}
    assert vocabulary.within("quantizatoin") == {"quantization"}
    assert vocabulary.within("quantisaton") == set()
    assert vocabulary.within("quantisaton", 2) == {"quantization"}


def test_saved_and_loaded(tmp_path):
    vocabulary = Vocabulary()
    vocabulary.add(["zeta beta alpha", "alpha"])
    vocabulary.save(tmp_path)
    loaded = Vocabulary.load(tmp_path)
    assert loaded.counts == vocabulary.counts
    assert loaded.starting_with("al") == ["alpha"]
    assert (tmp_path / FILE).read_text().splitlines()[0] == "alpha\t1"


def test_an_index_without_its_words_is_rebuilt(library: Library):
    (library.index.path / FILE).unlink()
    library.index.close()
    assert not library.index.check()
    assert library.ensure_index()  # rebuilt
    assert library.search("quantiz*")
    assert library.suggest("quantizaton") == "quantization"


def test_papers_added_later_bring_their_words(library: Library, tmp_path):
    source = tmp_path / "more.jsonl"
    source.write_text('{"title": "Zygomorphic flowers", "abstract": "Petals."}\n')
    library.import_file(source)
    library.ensure_index()
    assert library.search("zygomorph*")
    assert library.suggest("zygomorphc flowers") == "zygomorphic flowers"


def test_joined_words_are_split_into_known_ones():
    vocabulary = Vocabulary()
    for _ in range(3):
        vocabulary.add(["smartphone based test time"])
    assert vocabulary.split_joined("smartphonebased") == ("smartphone", "based")
    assert vocabulary.split_joined("testtime") == ("test", "time")
    assert vocabulary.split_joined("zzzqqq") is None


def test_did_you_mean_splits_joined_words(library: Library):
    # the sample has "Block-wise" and "8-bit": typed joined, they get split
    assert library.suggest("blockwise quantization") == "block wise quantization"


def test_author_names_have_their_own_word_list(library: Library, tmp_path):
    source = tmp_path / "authors.jsonl"
    source.write_text('{"title": "Zebra finches sing", "abstract": "Songs.",'
                      ' "authors": ["Yūki Takagi", "Ann Lee"]}\n', encoding="utf-8")
    library.import_file(source)
    library.ensure_index()
    [found] = library.search("author:takagy~")  # one letter off
    assert library.paper(found).title == "Zebra finches sing"
    assert library.search("author:taka*") == [found]
    assert library.search("author:yuki") == [found]  # the accent folded
