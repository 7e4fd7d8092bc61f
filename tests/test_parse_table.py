"""The CSV/TSV parser: header names, delimiters, quoting, bad rows."""

from __future__ import annotations

import io

import pytest

from reader.model import Paper
from reader.parsers import BadRecord, ParseError, table


def parse_text(text: str, name: str = "papers.csv", encoding: str = "utf-8"):
    return list(table.parse(io.BytesIO(text.encode(encoding)), name))


def test_comma_separated_with_quoting_and_multiline_abstracts():
    text = (
        "Title,Abstract,Authors,Year,DOI,URL,arXiv ID,Categories\n"
        '"Commas, quotes ""and"" more","First paragraph,\nwrapped.\n\nSecond.",'
        '"Ada Lovelace; Charles Babbage",2021,https://doi.org/10.1000/XYZ,,2101.00001v2,'
        '"cs.LG; cs.AI"\n'
        "Plain title,Short abstract,\"A One, B Two and C Three\",2019-05-04,,http://x.org,,"
        "cs.CL stat.ML\n"
    )
    first, second = parse_text(text)
    assert first.title == 'Commas, quotes "and" more'
    assert first.abstract == "First paragraph, wrapped.\n\nSecond."
    assert first.authors == ("Ada Lovelace", "Charles Babbage")
    assert first.published == "2021"
    assert first.doi == "10.1000/xyz"
    assert first.id == "arxiv:2101.00001"
    assert first.categories == ("cs.LG", "cs.AI")
    assert first.sources == ("papers.csv",)
    assert second.authors == ("A One", "B Two", "C Three")
    assert second.published == "2019-05-04"
    assert second.url == "http://x.org"
    assert second.categories == ("cs.CL", "stat.ML")
    assert second.id.startswith("title:")


def test_tab_separated_with_bom_and_and_separated_authors():
    text = "\ufeffTITLE\tSummary\tauthors\tdate\nA tab, with comma\tS\tAnn and Bob\t2020-01\n"
    (paper,) = parse_text(text, "papers.tsv")
    assert paper.title == "A tab, with comma"
    assert paper.abstract == "S"
    assert paper.authors == ("Ann", "Bob")
    assert paper.published == "2020-01"


def test_semicolon_separated():
    (paper,) = parse_text("title;abstract;authors\nOne, two;Three;X, Y\n")
    assert (paper.title, paper.abstract, paper.authors) == ("One, two", "Three", ("X", "Y"))


def test_zotero_style_columns():
    text = (
        '"Key","Item Type","Publication Year","Author","Title","Publication Title",'
        '"DOI","Url","Abstract Note"\n'
        '"ABCD1234","journalArticle","2018","Smith, John; Doe, Jane","Deep things",'
        '"Nature","10.1038/x","https://example.org/p","An abstract."\n'
    )
    (paper,) = parse_text(text)
    assert paper.title == "Deep things"
    assert paper.abstract == "An abstract."
    assert paper.authors == ("Smith, John", "Doe, Jane")
    assert paper.venue == "Nature"
    assert paper.published == "2018"
    assert paper.extra["source_id"] == "ABCD1234"


def test_row_without_title_is_a_bad_record_and_reading_goes_on():
    text = 'title,abstract\nFirst,a\n,"orphan\nabstract"\n\nLast,c\n'
    records = parse_text(text)
    assert [r.title for r in records if isinstance(r, Paper)] == ["First", "Last"]
    assert [r for r in records if isinstance(r, BadRecord)] == [BadRecord("line 3", "no title")]


def test_no_title_column_names_the_columns_found():
    with pytest.raises(ParseError) as error:
        parse_text("name,summary,year\nx,y,2020\n")
    assert "title" in error.value.problem
    assert "'name'" in error.value.problem and "'summary'" in error.value.problem
    with pytest.raises(ParseError, match="empty"):
        parse_text("\n\n")


def test_fields_larger_than_the_csv_default_limit():
    abstract = "word " * 60_000  # 300 KB, over the csv module's 128 KB default
    (paper,) = parse_text(f'title,abstract\nBig,"{abstract}"\n')
    assert len(paper.abstract) == len(abstract.strip())


def test_looks_like():
    assert table.looks_like("id,Title,abstract\n1,x,y\n")
    assert table.looks_like("\ufefftitle\tabstract\n")
    assert table.looks_like('"Title";"Authors"\r\n')
    assert not table.looks_like("A title line\nAn abstract line that is long\n")
    assert not table.looks_like("name,summary\n")
    assert not table.looks_like('{"title": "x"}')
