"""The RSS/Atom feed parser: the real arXiv RSS feed in ../shared, arXiv's Atom listing
feed, a journal's feed, and hostile or broken input."""

from __future__ import annotations

import io
import time

import pytest
from conftest import shared_path

from reader.model import Paper
from reader.parsers import BadRecord, ParseError, arxiv_atom, arxiv_listing, feed

RSS_FIXTURE = ("formats", "arxiv_rss", "arxiv_rss_cs_ai_2026-04-27_excerpt.xml")
API_FIXTURE = ("formats", "arxiv_api_atom", "arxiv_api_search_csRO_neural_2025.xml")

ARXIV_ATOM_FEED = """\
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"
      xmlns:dc="http://purl.org/dc/elements/1.1/">
  <id>http://rss.arxiv.org/atom/cs.LG</id>
  <title>cs.LG updates on arXiv.org</title>
  <updated>2024-04-19T04:00:00Z</updated>
  <link href="http://rss.arxiv.org/atom/cs.LG" rel="self" type="application/atom+xml"/>
  <entry>
    <id>oai:arXiv.org:2404.12345v2</id>
    <title>Learning to   Learn
      Slowly</title>
    <updated>2024-04-19T04:00:00Z</updated>
    <link href="https://arxiv.org/abs/2404.12345" rel="alternate" type="text/html"/>
    <summary type="html">arXiv:2404.12345v2 Announce Type: replace-cross
Abstract: We compare &amp;lt;b&amp;gt; tags &amp;amp; ampersands.
Hard-wrapped line.</summary>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="stat.ML" scheme="http://arxiv.org/schemas/atom"/>
    <published>2024-04-19T00:00:00-04:00</published>
    <arxiv:announce_type>replace-cross</arxiv:announce_type>
    <dc:creator>Ada Lovelace, Grace Hopper and Alan Turing</dc:creator>
  </entry>
</feed>
"""
JOURNAL_RSS = """\
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/">
  <channel>
    <title>Journal of Examples: latest articles</title>
    <link>https://journal.example.org/</link>
    <pubDate>Tue, 02 Jan 2024 12:30:00 +0100</pubDate>
    <item>
      <title>Gradient Descent,
        Revisited</title>
      <link>https://journal.example.org/articles/2312.45678</link>
      <guid>https://journal.example.org/articles/2312.45678</guid>
      <description>&lt;p&gt;First &amp;amp; foremost: a &lt;em&gt;result&lt;/em&gt;.&lt;/p&gt;
        &lt;p&gt;Second
        paragraph.&lt;/p&gt;</description>
      <author>editor@journal.example.org (Ed Itor)</author>
      <prism:doi>10.5555/Example.42</prism:doi>
      <prism:publicationName>Journal of Examples</prism:publicationName>
    </item>
    <item>
      <description>An item with no title.</description>
    </item>
    <item>
      <title>Dated Item</title>
      <pubDate>Wed, 03 Jan 2024 00:00:00 GMT</pubDate>
    </item>
  </channel>
</rss>
"""
EMPTY_RSS = (
    '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Nothing today</title>'
    "<link>https://example.org/</link><description>none</description></channel></rss>\n"
)
XXE = """\
<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title>
<item><title>Leak &e;</title><description>&e;</description></item>
</channel></rss>
"""
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{level} "{("&lol" + (str(level - 1) if level > 1 else "") + ";") * 10}">\n'
        for level in range(1, 10)
    )
    + ']>\n<rss version="2.0"><channel><item><title>&lol9;</title></item></channel></rss>\n'
)


def parse_text(text: str, name: str = "feed.xml") -> list:
    return list(feed.parse(io.BytesIO(text.encode("utf-8")), name))


def real_papers() -> list[Paper]:
    path = shared_path(*RSS_FIXTURE)
    with path.open("rb") as stream:
        return list(feed.parse(stream, path.name))


def test_real_arxiv_rss_reads_three_items():
    papers = real_papers()
    assert [paper.id for paper in papers] == [
        "arxiv:2604.21935", "arxiv:2604.21936", "arxiv:2604.21937",
    ]
    assert papers[0].title == (
        "Math Takes Two: A test for emergent mathematical reasoning in communication"
    )
    assert [paper.extra["announce_type"] for paper in papers] == ["new", "new", "new"]
    assert papers[0].extra["arxiv_version"] == "v1"
    assert papers[0].url == "https://arxiv.org/abs/2604.21935"
    assert papers[1].categories == ("cs.AI", "cs.CV", "cs.MA")
    assert papers[0].published == "2026-04-27"
    assert papers[0].sources == ("arxiv_rss_cs_ai_2026-04-27_excerpt.xml",)


def test_real_arxiv_rss_abstracts_lose_the_announce_prefix():
    papers = real_papers()
    first_words = [paper.abstract.split()[0] for paper in papers]
    assert first_words == ["Although", "Medical", "Computational"]
    for paper in papers:
        assert "Announce Type" not in paper.abstract
        assert not paper.abstract.startswith(("arXiv:", "Abstract:"))
    # LaTeX is kept as the source wrote it.
    assert r"\textbf{adaptability}" in papers[1].abstract


def test_real_arxiv_rss_authors_are_split():
    papers = real_papers()
    assert papers[0].authors == ("Michael Cooper", "Samuel Cooper")
    assert len(papers[1].authors) == 18
    assert papers[1].authors[0] == "Lianrui Zuo" and papers[1].authors[-1] == "Bennett A. Landman"
    assert len(papers[2].authors) == 17


def test_arxiv_atom_listing_feed():
    (paper,) = parse_text(ARXIV_ATOM_FEED)
    assert paper.id == "arxiv:2404.12345"
    assert paper.extra == {"announce_type": "replace-cross", "arxiv_version": "v2"}
    assert paper.title == "Learning to Learn Slowly"
    # Escaped markup in the HTML is text, not tags; entities are unescaped once.
    assert paper.abstract == "We compare <b> tags & ampersands. Hard-wrapped line."
    assert paper.authors == ("Ada Lovelace", "Grace Hopper", "Alan Turing")
    assert paper.categories == ("cs.LG", "stat.ML")
    assert paper.published == "2024-04-19T00:00:00-04:00"
    assert paper.updated == "2024-04-19T04:00:00Z"


def test_journal_feed_html_doi_and_dates():
    first, untitled, dated = parse_text(JOURNAL_RSS)
    assert first.title == "Gradient Descent, Revisited"
    assert first.abstract == "First & foremost: a result.\n\nSecond paragraph."
    # A number in another site's URL is not an arXiv id.
    assert first.arxiv_id == "" and first.id.startswith("title:")
    assert first.url == "https://journal.example.org/articles/2312.45678"
    assert first.doi == "10.5555/example.42"
    assert first.venue == "Journal of Examples"
    # No date of its own: the channel's, as ISO.
    assert first.published == "2024-01-02T12:30:00+01:00"
    assert untitled == BadRecord("entry 2", "no title")
    assert dated.published == "2024-01-03"


def test_empty_feed_yields_nothing():
    assert parse_text(EMPTY_RSS) == []


@pytest.mark.parametrize("text", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_entity_declarations_are_refused(text):
    started = time.monotonic()
    with pytest.raises(ParseError) as caught:
        parse_text(text)
    assert time.monotonic() - started < 2
    message = str(caught.value)
    assert "root:" not in message and "lollol" not in message and "\n" not in message
    assert caught.value.line is not None


def test_text_that_is_not_a_feed_is_a_parse_error():
    with pytest.raises(ParseError) as caught:
        parse_text("Just some notes.\nNothing like a feed here.\n")
    assert caught.value.problem.startswith("not a readable RSS or Atom feed")
    assert "\n" not in str(caught.value)


def test_well_formed_xml_that_is_not_a_feed_is_a_parse_error():
    with pytest.raises(ParseError, match="not an RSS or Atom feed"):
        parse_text('<?xml version="1.0"?><catalogue><book>x</book></catalogue>')


def test_truncated_feed_without_a_whole_item_is_a_parse_error_with_a_line():
    text = '<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<title>Cut'
    with pytest.raises(ParseError) as caught:
        parse_text(text)
    assert caught.value.line == 4
    # Without an <?xml?> line (like the real arXiv fixture) the line is still the file's.
    with pytest.raises(ParseError) as caught:
        parse_text(text.split("\n", 1)[1])
    assert caught.value.line == 3


def test_looks_like_on_the_real_files():
    rss = shared_path(*RSS_FIXTURE).read_text(encoding="utf-8")
    api = shared_path(*API_FIXTURE).read_text(encoding="utf-8")
    assert feed.looks_like(rss)
    assert not feed.looks_like(api)
    assert not arxiv_listing.looks_like(rss)


def test_looks_like_tells_feeds_from_other_formats():
    assert feed.looks_like(ARXIV_ATOM_FEED)
    assert feed.looks_like(JOURNAL_RSS)
    assert feed.looks_like(
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/"><channel/></rdf:RDF>'
    )
    assert not feed.looks_like(
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        "<link href=\"http://arxiv.org/api/query?search_query=all:x\" rel=\"self\"/>"
    )
    assert not feed.looks_like("<!DOCTYPE html>\n<html><body>An <rss> page</body></html>")
    assert not feed.looks_like("[1] arXiv:2401.01234 [pdf]\nTitle: Feeds <rss> and <feed>\n")
    assert not arxiv_atom.looks_like(ARXIV_ATOM_FEED)
