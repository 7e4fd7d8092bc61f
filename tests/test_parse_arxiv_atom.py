"""The arXiv API (Atom) parser: the real response in ../shared, and hostile or broken XML."""

from __future__ import annotations

import io
import time

import pytest
from conftest import shared_path

from reader.model import Paper
from reader.parsers import BadRecord, ParseError, arxiv_atom, arxiv_listing, feed

API_FIXTURE = ("formats", "arxiv_api_atom", "arxiv_api_search_csRO_neural_2025.xml")
RSS_FIXTURE = ("formats", "arxiv_rss", "arxiv_rss_cs_ai_2026-04-27_excerpt.xml")

FEED_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom"\n'
    '      xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"\n'
    '      xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
    "  <id>http://arxiv.org/api/abc</id>\n"
    "  <opensearch:totalResults>2</opensearch:totalResults>\n"
)
ENTRY = """\
  <entry>
    <id>http://arxiv.org/abs/2401.01234v3</id>
    <updated>2024-03-02T10:00:00Z</updated>
    <published>2024-01-02T09:00:00Z</published>
    <title>A Title Hard-Wrapped
  Over   Two Lines</title>
    <summary>  First line of the abstract
wraps here; &lt;i&gt;no&lt;/i&gt; markup and $\\alpha$ stay literal.

Second paragraph.
</summary>
    <author><name>Ada Lovelace</name>
      <arxiv:affiliation>Analytical Engines Ltd</arxiv:affiliation></author>
    <author><name>Grace Hopper</name></author>
    <arxiv:doi>10.1000/ABC.1 10.2000/def</arxiv:doi>
    <arxiv:journal_ref>J. Imaginary Res. 1
  (2024) 1-10</arxiv:journal_ref>
    <link href="http://arxiv.org/abs/2401.01234v3" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/2401.01234v3" rel="related"
          type="application/pdf"/>
    <link title="doi" href="http://dx.doi.org/10.1000/ABC.1" rel="related"/>
    <arxiv:primary_category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="stat.ML" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""
UNTITLED_ENTRY = """\
  <entry>
    <id>http://arxiv.org/abs/2401.09999v1</id>
    <title>   </title>
    <summary>An entry without a title.</summary>
  </entry>
"""
ERROR_FEED = (
    FEED_OPEN
    + """\
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.1234v</id>
    <title>Error</title>
    <summary>incorrect id format for 1234.1234v</summary>
    <updated>2024-01-01T00:00:00-05:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_1234.1234v"
          rel="alternate" type="text/html"/>
    <author><name>arXiv api core</name></author>
  </entry>
</feed>
"""
)
XXE = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE feed [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom"\n'
    '      xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">\n'
    "<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>Leak &e;</title>"
    "<summary>&e;</summary></entry>\n</feed>\n"
)
PARAMETER_XXE = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE feed [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title></entry></feed>\n'
)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE feed [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{level} "{("&lol" + (str(level - 1) if level > 1 else "") + ";") * 10}">\n'
        for level in range(1, 10)
    )
    + ']>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol9;</title></entry></feed>\n'
)


def parse_text(text: str, name: str = "query.xml") -> list:
    return list(arxiv_atom.parse(io.BytesIO(text.encode("utf-8")), name))


def real_papers() -> list[Paper]:
    path = shared_path(*API_FIXTURE)
    with path.open("rb") as stream:
        return list(arxiv_atom.parse(stream, path.name))


def test_real_response_reads_both_entries_with_ids_and_versions():
    papers = real_papers()
    assert all(isinstance(paper, Paper) for paper in papers)
    assert [paper.id for paper in papers] == ["arxiv:2510.14968", "arxiv:2510.14827"]
    assert [paper.arxiv_id for paper in papers] == ["2510.14968", "2510.14827"]
    assert [paper.extra["arxiv_version"] for paper in papers] == ["v1", "v1"]
    assert papers[0].sources == ("arxiv_api_search_csRO_neural_2025.xml",)


def test_real_response_fields():
    first, second = real_papers()
    assert first.title == (
        "RDD: Retrieval-Based Demonstration Decomposer for Planner Alignment in Long-Horizon Tasks"
    )
    assert first.categories == ("cs.RO", "cs.AI", "cs.CV", "cs.LG", "cs.SY", "eess.SY")
    assert second.categories == ("cs.RO",)
    assert first.comment == (
        "39th Conference on Neural Information Processing Systems (NeurIPS 2025); "
        "Project Website: rdd-neurips.github.io"
    )
    assert second.comment == ""
    assert first.pdf_url == "http://arxiv.org/pdf/2510.14968v1"
    assert first.url == "http://arxiv.org/abs/2510.14968v1"
    assert first.authors == ("Mingxuan Yan", "Yuping Wang", "Zechun Liu", "Jiachen Li")
    assert len(second.authors) == 6 and second.authors[-1] == "Martin Magnusson"
    assert first.published == "2025-10-16T17:59:37Z"
    assert second.updated == "2025-10-16T16:04:01Z"
    assert first.abstract.startswith("To tackle long-horizon tasks, recent hierarchical")
    assert first.abstract.endswith("available at rdd-neurips.github.io.")
    assert "\n" not in first.abstract and "  " not in first.abstract


def test_inline_entry_fields_and_wrapping():
    (paper,) = parse_text(FEED_OPEN + ENTRY + "</feed>\n")
    assert paper.title == "A Title Hard-Wrapped Over Two Lines"
    assert paper.abstract == (
        "First line of the abstract wraps here; <i>no</i> markup and $\\alpha$ stay literal."
        "\n\nSecond paragraph."
    )
    assert paper.id == "arxiv:2401.01234"
    assert paper.extra["arxiv_version"] == "v3"
    assert paper.authors == ("Ada Lovelace", "Grace Hopper")
    # The primary category comes first even when the feed lists it later; no duplicates.
    assert paper.categories == ("cs.LG", "stat.ML")
    assert paper.doi == "10.1000/abc.1"
    assert paper.extra["dois"] == ["10.1000/ABC.1", "10.2000/def"]
    assert paper.journal_ref == "J. Imaginary Res. 1 (2024) 1-10"
    assert paper.published == "2024-01-02T09:00:00Z"
    assert paper.updated == "2024-03-02T10:00:00Z"
    assert paper.url == "http://arxiv.org/abs/2401.01234v3"
    assert paper.pdf_url == "http://arxiv.org/pdf/2401.01234v3"


def test_entry_without_title_is_a_bad_record_and_the_rest_is_read():
    records = parse_text(FEED_OPEN + ENTRY + UNTITLED_ENTRY + "</feed>\n")
    assert isinstance(records[0], Paper)
    assert records[1] == BadRecord("entry 2", "no title")


def test_empty_response_yields_nothing():
    empty = FEED_OPEN.replace(">2<", ">0<") + "</feed>\n"
    assert parse_text(empty) == []


def test_api_error_response_is_a_parse_error_with_its_message():
    with pytest.raises(ParseError) as caught:
        parse_text(ERROR_FEED)
    assert "incorrect id format for 1234.1234v" in str(caught.value)
    assert caught.value.source == "query.xml"


@pytest.mark.parametrize("text", [XXE, PARAMETER_XXE], ids=["general", "parameter"])
def test_external_entities_are_refused_and_never_read(text):
    with pytest.raises(ParseError) as caught:
        parse_text(text)
    message = str(caught.value)
    assert "root:" not in message and "/bin/" not in message
    assert "\n" not in message
    assert caught.value.line == 2  # where the entity is declared


def test_billion_laughs_is_refused_quickly():
    started = time.monotonic()
    with pytest.raises(ParseError) as caught:
        parse_text(LAUGHS)
    assert time.monotonic() - started < 2
    assert "lollol" not in str(caught.value)


def test_truncated_xml_names_the_line():
    text = FEED_OPEN + ENTRY + "  <entry>\n    <id>http://arxiv.org/abs/2401.0"
    with pytest.raises(ParseError) as caught:
        parse_text(text)
    assert caught.value.line == text.count("\n") + 1
    assert "not valid XML" in caught.value.problem
    assert str(caught.value).startswith(f"query.xml:{caught.value.line}: ")
    assert "\n" not in str(caught.value)


def test_text_that_is_not_xml_is_a_parse_error():
    with pytest.raises(ParseError) as caught:
        parse_text("Title: not xml at all\nAuthors: nobody\n")
    assert caught.value.problem.startswith("not valid XML: ")
    assert caught.value.line == 1


def test_rss_is_not_an_api_response():
    path = shared_path(*RSS_FIXTURE)
    with pytest.raises(ParseError) as caught:
        list(arxiv_atom.parse(io.BytesIO(path.read_bytes()), path.name))
    assert "<rss>" in caught.value.problem


def test_looks_like_on_the_real_files():
    api = shared_path(*API_FIXTURE).read_text(encoding="utf-8")
    rss = shared_path(*RSS_FIXTURE).read_text(encoding="utf-8")
    assert arxiv_atom.looks_like(api)
    assert not feed.looks_like(api)
    assert not arxiv_listing.looks_like(api)
    assert not arxiv_atom.looks_like(rss)


def test_looks_like_tells_api_responses_from_other_formats():
    assert arxiv_atom.looks_like(FEED_OPEN)
    opensearch = 'xmlns:o="http://a9.com/-/spec/opensearch/1.1/" '
    assert arxiv_atom.looks_like(LAUGHS.replace("<feed ", "<feed " + opensearch))
    assert not feed.looks_like(FEED_OPEN)
    assert not arxiv_atom.looks_like('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>')
    # arXiv's own Atom listing feed (rss.arxiv.org/atom) carries the arxiv namespace but
    # is a listing feed, not an API response.
    listing_feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        "<id>http://rss.arxiv.org/atom/cs.AI</id>"
        '<link href="http://rss.arxiv.org/atom/cs.AI" rel="self"/>'
    )
    assert not arxiv_atom.looks_like(listing_feed)
    assert not arxiv_atom.looks_like("arXiv:2401.01234\nTitle: a paper about arxiv.org/api/ use\n")
