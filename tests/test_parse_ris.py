"""The RIS parser: the real exports in ../shared (Embase, Lens, Rayyan, Web of Science),
and inline records for the quirks of other exporters."""

from __future__ import annotations

import io
import re

import pytest
from conftest import shared_path

from reader.model import Paper
from reader.parsers import BadRecord, ParseError, ris

EMBASE = ("formats", "ris", "embase.ris")
LENS = ("formats", "ris", "lens_export_baseline.ris")
RAYYAN = ("formats", "ris", "rayyan_export_issue992.ris.txt")
WOS = ("formats", "ris", "web_of_science_fieldtagged_rispy.txt")


def parse_text(text: str, name: str = "test.ris") -> list:
    return list(ris.parse(io.BytesIO(text.encode("utf-8")), name))


def parse_file(parts: tuple[str, ...]) -> tuple[list[Paper], bytes]:
    path = shared_path(*parts)
    with path.open("rb") as stream:
        records = list(ris.parse(stream, path.name))
    assert all(isinstance(r, Paper) for r in records), [
        r for r in records if not isinstance(r, Paper)
    ]
    assert all(r.sources == (path.name,) for r in records)
    return records, path.read_bytes()


def count(data: bytes, pattern: str) -> int:
    """How many lines of the file match: what the file holds, counted on its text."""
    text = data.decode("utf-8-sig")
    return len(re.findall(pattern, text, re.MULTILINE))


# -- the real files ----------------------------------------------------------------------


def test_embase_export():
    papers, data = parse_file(EMBASE)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM is there, and read past
    assert count(data, r"^ER  -") == len(papers) == 6
    assert count(data, r"^N2  - ") == 6  # Embase writes the abstract as N2
    assert all(p.abstract for p in papers)
    first = papers[0]
    assert first.title == (
        "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    )  # from T1
    assert first.abstract.startswith("Gastrointestinal tract duplication cysts are rare")
    assert first.authors == ("Liu R.", "Adler D.G.")  # A1, no comma: kept as written
    assert first.published == "2014"  # Y1
    assert first.venue == "Endoscopic Ultrasound"
    assert first.doi == "10.4103/2303-9027.138783"
    assert first.url.startswith("http://www.embase.com/search/results?")
    assert first.extra["ris_type"] == "JOUR"
    assert first.extra["keywords"][:2] == ["article", "bronchogenic duplication cyst"]
    assert len(first.extra["keywords"]) == 22
    # One record has an L1 link to its PDF.
    assert [p.pdf_url for p in papers if p.pdf_url] == [
        "http://www.wjgnet.com/1007-9327/17/130.pdf"
    ]


def test_lens_export_bom_and_crlf():
    papers, data = parse_file(LENS)
    assert b"\r\n" in data
    assert count(data, r"^ER  -") == len(papers) == 100
    assert count(data, r"^AB  - ") == 98
    assert sum(1 for p in papers if p.abstract) == 98
    assert not any("\r" in p.title or "\r" in p.abstract for p in papers)
    first = papers[0]
    assert first.title.startswith("The Value of Radiologic Interventions and 18 F-DOPA PET")
    assert first.authors == (
        "Björn A. Blomberg", "Mateen Moghbel", "Babak Saboury", "Charles A. Stanley",
        "Abass Alavi",
    )
    assert first.published == "2012-07-03"  # PY 2012, DA 2012/07/03
    assert first.doi == "10.1007/s11307-012-0572-0"
    assert first.venue == "Molecular imaging and biology"  # JF
    assert first.url == "https://lens.org/000-463-679-101-319"
    assert first.pdf_url == (
        "https://link.springer.com/content/pdf/10.1007%2Fs11307-012-0572-0.pdf"
    )
    assert all(p.doi and p.venue and p.url for p in papers)


def test_rayyan_export_untagged_keyword_lines():
    papers, data = parse_file(RAYYAN)
    assert count(data, r"^ER  -") == len(papers) == 19
    assert count(data, r"^AB  - ") == 8
    assert sum(1 for p in papers if p.abstract) == 8
    first = papers[0]
    assert first.title == "Overcoming Medication Reconciliation Challenges"
    assert first.abstract == "" and first.authors == ()
    assert first.venue == "Joint Commission Perspectives on Patient Safety"  # T2
    assert first.published == "2011"
    # One KW line followed by untagged lines: each line is a keyword.
    assert first.extra["keywords"] == [
        "Health Facility Administration", "Joint Commission", "Standards",
        "Medication Errors", "Prevention and Control", "Medication Reconciliation",
        "Organizational Compliance", "Quality Improvement", "Electronic Health Records",
        "Consumer Participation", "Literacy", "Medication History", "Patient Education",
    ]
    # DA without a year ("Jan", "Apr 15") dates the PY year.
    assert {"2012-01", "2014-04-15"} <= {p.published for p in papers}
    # A record with no AU takes its other authors (A2, A4).
    case = next(p for p in papers if p.extra["ris_type"] == "CASE")
    assert case.authors == ("Julius A. Karash", "Laurie Larson")
    # "<Go to ISI>://WOS:..." is no URL.
    assert all(p.url.startswith("https://") for p in papers if p.url)


def test_web_of_science_field_tagged_export():
    papers, data = parse_file(WOS)
    assert count(data, r"^ER$") == len(papers) == 2
    first, second = papers
    assert first.title == (
        "Interactions stabilizing the structure of the core light-harvesting complex (LHl) "
        "of photosynthetic bacteria and its subunit (B820)"
    )  # a TI wrapped over two lines
    assert first.abstract.startswith("Reconstitution experiments with a chemically")
    assert first.authors == ("PS Parkes-Loach", "AP Majeed", "CJ Law", "PA Loach")
    assert first.published == "2004-06-08"  # PY 2004, PD JUN 8
    assert first.doi == "10.1021/bi049798f"
    assert first.venue == "BIOCHEMISTRY"
    assert first.extra["wos_id"] == "WOS:000221807500019"
    assert first.extra["document_type"] == "Article"
    # Keywords Plus wrap mid-keyword onto the next line: joined back before splitting.
    assert "CARBON-MONOXIDE BINDING" in second.extra["keywords"]
    assert len(second.authors) == 9 and second.abstract


# -- inline records ------------------------------------------------------------------------

ZOTERO = """\
TY  - JOUR
TI  - Attention Is All You Need
T1  - Not this one
AU  - Vaswani, Ashish
AU  - Shazeer, Noam
A1  - Vaswani, Ashish
PY  - 2017/06/12/
DO  - 10.48550/arXiv.1706.03762
UR  - http://arxiv.org/abs/1706.03762
L1  - https://arxiv.org/pdf/1706.03762v5.pdf
T2  - arXiv
KW  - Computer Science - Computation and Language; Computer Science - Machine Learning
AB  - The dominant sequence transduction models are based on complex recurrent
networks.

We propose a new simple network architecture.
ER  - 
"""


def test_zotero_style_record():
    [paper] = parse_text(ZOTERO)
    assert paper.id == "arxiv:1706.03762"
    assert paper.title == "Attention Is All You Need"  # TI before T1
    assert paper.authors == ("Ashish Vaswani", "Noam Shazeer")  # AU + A1, once each
    assert paper.published == "2017-06-12"
    assert paper.doi == "10.48550/arxiv.1706.03762"
    assert paper.url == "http://arxiv.org/abs/1706.03762"
    assert paper.pdf_url == "https://arxiv.org/pdf/1706.03762v5.pdf"
    assert paper.venue == "arXiv"
    assert paper.abstract == (
        "The dominant sequence transduction models are based on complex recurrent networks."
        "\n\nWe propose a new simple network architecture."
    )
    assert paper.extra == {
        "ris_type": "JOUR",
        "keywords": ["Computer Science - Computation and Language",
                     "Computer Science - Machine Learning"],
    }


def test_crlf_and_bom_bytes():
    data = ("\ufeff" + ZOTERO).replace("\n", "\r\n").encode("utf-8")
    [paper] = list(ris.parse(io.BytesIO(data), "crlf.ris"))
    assert paper.title == "Attention Is All You Need"
    assert "\r" not in paper.abstract


@pytest.mark.parametrize(
    ("tags", "published"),
    [
        ("PY  - 2021", "2021"),
        ("PY  - 2021/05/03/", "2021-05-03"),
        ("PY  - 2021///", "2021"),
        ("Y1  - 2021/05//", "2021-05"),
        ("PY  - 2021\nDA  - 2021/05/03", "2021-05-03"),
        ("PY  - 2021\nDA  - 2019/05/03", "2021"),  # DA of another year: not this date
        ("PY  - 2014\nDA  - Apr 15", "2014-04-15"),
        ("DA  - 2020 Mar 9", "2020-03-09"),
        ("DA  - May 2020", "2020-05"),
        ("AU  - Someone", ""),
    ],
)
def test_dates(tags, published):
    [paper] = parse_text(f"TY  - JOUR\nTI  - T\n{tags}\nER  - \n")
    assert paper.published == published


def test_record_without_title_is_a_bad_record_and_others_go_on():
    records = parse_text(
        "TY  - JOUR\nTI  - First\nER  - \n\n"
        "TY  - JOUR\nAB  - An abstract but no title\nER  - \n\n"
        "TY  - BOOK\nST  - Short title only\nER  - \n"
    )
    assert records[0].title == "First"
    assert records[1] == BadRecord("record 2 (line 5)", "no title")
    assert records[2].title == "Short title only"


def test_records_missing_their_end_tag():
    records = parse_text(
        "TY  - JOUR\nTI  - One\n\nTY  - JOUR\nTI  - Two\nER  - \nTY  - JOUR\nTI  - Three\n"
    )
    assert [r.title for r in records] == ["One", "Two", "Three"]


def test_blank_line_right_after_the_type_tag():
    records = parse_text("TY  - JOUR\nTI  - A\nUR  - http://a.org\nER  - \n"
                         "TY  - JOUR\n\nTI  - B\nER  - \n")
    assert [(r.title, r.url) for r in records] == [("A", "http://a.org"), ("B", "")]


def test_authors():
    [paper] = parse_text(
        "TY  - JOUR\nTI  - T\nAU  - Lovelace, Ada\nAU  - Grace Hopper\n"
        "AU  - King, Martin Luther, Jr.\nAU  - O'Brien, Jr.\nER  - \n"
    )
    assert paper.authors == ("Ada Lovelace", "Grace Hopper", "Martin Luther King Jr.",
                             "O'Brien, Jr.")


def test_arxiv_id_from_an_abs_link():
    [paper] = parse_text("TY  - GEN\nTI  - T\nUR  - https://arxiv.org/abs/2101.00001v3\nER  -\n")
    assert paper.id == "arxiv:2101.00001"
    assert paper.pdf_url == ""


def test_not_ris_raises_parse_error():
    with pytest.raises(ParseError, match="not RIS"):
        parse_text("Just a text file.\nWith lines.\n", "notes.txt")
    with pytest.raises(ParseError, match="not RIS"):
        parse_text("@article{k, title = {BibTeX}}\n", "refs.ris")
    with pytest.raises(ParseError, match="not RIS"):  # starts with "TY", but no tag
        parse_text("Typical notes\nTYPO\n", "notes.ris")


def test_wos_without_header_or_final_er():
    [paper] = parse_text("PT J\nAU Doe, J\nTI A title\n   wrapped\nPY 2020\nPD MAY\n")
    assert (paper.title, paper.authors, paper.published) == (
        "A title wrapped", ("J Doe",), "2020-05"
    )


# -- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("TY  - JOUR\nTI  - T\nER  - \n", True),
        ("Provider: Someone\r\n\r\nTY  - JOUR\r\n", True),
        ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Doe, J\nTI T\nER\n", True),
        ("PT J\nAU Doe, J\nTI T\n", True),
        ("PT Barnum was a showman.\nHe said things.\n", False),
        ("@article{k, title={T}}\n", False),
        ("  TY  - JOUR (indented: not a record start)\n", False),
        ("Title line\nAbstract line\n", False),
    ],
)
def test_looks_like(head, expected):
    assert ris.looks_like(head) is expected


def test_looks_like_real_files():
    for parts in (EMBASE, LENS, RAYYAN, WOS):
        head = shared_path(*parts).read_bytes()[: 64 * 1024].decode("utf-8-sig", "replace")
        assert ris.looks_like(head)
