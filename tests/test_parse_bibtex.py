"""The BibTeX parser: the real exports in ../shared, and inline entries for LaTeX,
macros, crossref, arXiv ids and broken files."""

from __future__ import annotations

import io
import re
import time

import pytest
from conftest import shared_path

from reader.model import Paper, paper_id
from reader.parsers import BadRecord, ParseError, bibtex

MENDELEY = ("formats", "bibtex", "mendeley_export_real_library.bib")
BIBDESK = ("formats", "bibtex", "bibdesk_string_macros.bib")
PERCENT = ("formats", "bibtex", "percent_sign_and_preamble.bib")


def parse_text(text: str, name: str = "test.bib") -> list:
    return list(bibtex.parse(io.BytesIO(text.encode("utf-8")), name))


def parse_file(parts: tuple[str, ...]) -> tuple[list[Paper], list[BadRecord], str]:
    path = shared_path(*parts)
    with path.open("rb") as stream:
        records = list(bibtex.parse(stream, path.name))
    papers = [r for r in records if isinstance(r, Paper)]
    bad = [r for r in records if isinstance(r, BadRecord)]
    assert len(papers) + len(bad) == len(records)
    return papers, bad, path.read_text(encoding="utf-8")


def only_paper(text: str) -> Paper:
    records = parse_text(text)
    assert len(records) == 1 and isinstance(records[0], Paper), records
    return records[0]


# -- the real files ----------------------------------------------------------------------


def test_mendeley_export_every_entry_is_a_paper():
    papers, bad, text = parse_file(MENDELEY)
    # What the file holds, counted on its text: 512 entries, 313 abstract fields.
    entries = re.findall(r"^@\w+\{", text, re.MULTILINE)
    abstracts = re.findall(r"^\s*abstract\s*=", text, re.MULTILINE | re.IGNORECASE)
    assert (len(entries), len(abstracts)) == (512, 313)
    # 61 entries repeat a key (most are Mendeley's empty `@article{,`); bibtexparser
    # reports them as failed blocks, but they are complete entries, so papers too.
    assert bad == []
    assert len(papers) == 512
    assert sum(1 for paper in papers if paper.abstract) == 313
    assert all(paper.title and paper.sources == ("mendeley_export_real_library.bib",)
               for paper in papers)


def test_mendeley_export_fields():
    papers, _, _ = parse_file(MENDELEY)
    types = {paper.extra["bibtex_type"] for paper in papers}
    assert {"article", "book", "web_page", "generic", "book_section", "film"} <= types
    black = next(p for p in papers if p.extra.get("bibtex_key") == "Black2020")
    assert black.title.startswith("Fiction and morality: Investigating")
    assert black.authors == ("Jessica E Black", "Jennifer L Barnes")
    assert black.doi == "10.1037/ppm0000281"
    assert black.venue == "Psychology of Popular Media"
    assert black.published == "2020"
    assert black.abstract.startswith("The purpose of this research")
    # Three entries share the key Milazzo2017: all are kept.
    assert sum(1 for p in papers if p.extra.get("bibtex_key") == "Milazzo2017") == 3
    # Entries without a key carry no bibtex_key.
    assert any("bibtex_key" not in p.extra for p in papers)
    # Mendeley writes month = {31}: not a month, so only the year is kept.
    assert all(re.fullmatch(r"\d{4}(-\d{2})?", p.published) for p in papers if p.published)
    # "\ud" junk in one abstract is dropped, not left as a backslash.
    assert not any("\\" in p.abstract for p in papers)


def test_bibdesk_file_capitalised_fields_and_hyphenated_macro():
    papers, bad, _ = parse_file(BIBDESK)
    assert bad == []
    [paper] = papers
    assert paper.title == (
        "Why not a political Coase theorem? Social conflict, commitment, and politics"
    )
    assert paper.abstract.startswith("Do societies choose inefficient policies")
    assert paper.abstract.endswith("(2003) 620-652.")
    assert paper.authors == ("Daron Acemoglu",)
    assert paper.doi == "10.1016/j.jce.2003.09.003"
    assert paper.venue == "Journal of Comparative Economics"
    assert paper.published == "2003"
    assert paper.url == "http://www.sciencedirect.com/science/article/pii/S014759670300101X"
    assert paper.extra == {
        "bibtex_type": "article",
        "bibtex_key": "Acemoglu2003Whynotpolitical",
        "keywords": ["Political economy"],
    }


def test_bibdesk_macros_expand_where_used():
    """The file defines `macro` and the hyphenated `no-mendeley` but never uses them:
    an entry added after its text uses both, in a # concatenation."""
    text = shared_path(*BIBDESK).read_text(encoding="utf-8")
    text += "\n@misc{uses, title = MACRO # { and } # no-mendeley, note = no-mendeley}\n"
    papers = [r for r in parse_text(text) if isinstance(r, Paper)]
    assert papers[-1].title == "definition and mendeley is empty"
    assert papers[-1].comment == "mendeley is empty"


def test_percent_sign_is_kept_and_preamble_ignored():
    papers, bad, _ = parse_file(PERCENT)
    assert bad == []
    [paper] = papers
    assert paper.title.startswith("Synthesis and electrochromic study of sol-gel")
    assert "reduction of about 50% in a narrow wavelength range" in paper.abstract
    assert "from 2.2% and 0.8" in paper.abstract
    assert "\n" not in paper.abstract  # hard wraps undone
    assert paper.authors == ("O. Akhavan", "H. Tohidi", "A. Z. Moshfegh")
    assert paper.published == "2009"
    assert paper.venue == "Thin Solid Films"
    assert paper.extra["keywords"][-1] == "Electrochromic properties"


# -- LaTeX ---------------------------------------------------------------------------------


def test_latex_accents_and_commands_become_unicode():
    paper = only_paper(
        r"""@article{k,
          title = {Schr{\"o}dinger caf\'{e} Stra{\ss}e Gar\c{c}on {\"{a}} Erd\H{o}s},
          author = {G{\"o}del, Kurt and Ng, Andrew~Y.},
          journal = {Revue d'{\'E}conomie},
          abstract = {Reaches 95\% accuracy \& more, \emph{really}; {BERT} wins.},
        }"""
    )
    assert paper.title == "Schrödinger café Straße Garçon ä Erdős"
    assert paper.authors == ("Kurt Gödel", "Andrew Y. Ng")
    assert paper.venue == "Revue d'Économie"
    assert paper.abstract == "Reaches 95% accuracy & more, really; BERT wins."


def test_math_stays_latex():
    paper = only_paper(r"@misc{k, title = {$\alpha$-stable laws in $O(n^2)$ time}}")
    assert paper.title == r"$\alpha$-stable laws in $O(n^2)$ time"
    assert paper.id == paper_id(r"$\alpha$-stable laws in $O(n^2)$ time")


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        (r"unbalanced {brace \textbf{x", "unbalanced brace x"),
        (r"stray } brace", "stray  brace"),
        (r"a lone $ sign", "a lone $ sign"),
        ("ends in a backslash \\", "ends in a backslash "),
        (r"\unknowncommand{kept} text", "kept text"),
        (r"\textbf", ""),
        (r"\'{", None),
        (r"{\"o} \c", None),
        ("\\", None),
    ],
)
def test_malformed_latex_never_crashes(latex, expected):
    text = bibtex.latex_to_unicode(latex)
    if expected is None:  # no exception, no LaTeX left: the exact text does not matter
        assert "\\" not in text and "{" not in text
    else:
        assert text == expected


def test_malformed_latex_in_an_entry():
    paper = only_paper(r"@misc{k, title = {Costs $5 \badcmd{and} \textbf}, abstract = {\{}}")
    assert paper.title == "Costs $5 and"
    assert paper.abstract == "{"


def test_percent_inside_value_is_text_not_a_comment():
    paper = only_paper("@misc{k, title = {100% sure}, abstract = {50% of {all} 10%}}")
    assert paper.title == "100% sure"
    assert paper.abstract == "50% of all 10%"


# -- fields ----------------------------------------------------------------------------


def test_authors_last_first_and_others_dropped():
    paper = only_paper(
        "@misc{k, title = {T}, author = {Lovelace, Ada and Hopper, Grace and others}}"
    )
    assert paper.authors == ("Ada Lovelace", "Grace Hopper")
    paper = only_paper(
        "@misc{k, title = {T}, author = {{Barnes and Noble} AND de la Fontaine, Jr, Jean}}"
    )
    assert paper.authors == ("Barnes and Noble", "Jean de la Fontaine Jr")


def test_field_names_are_case_insensitive_and_first_repeat_wins():
    paper = only_paper("@ARTICLE{k, TITLE = {First}, Title = {Second}, ABSTRACT = {Abs}}")
    assert (paper.title, paper.abstract) == ("First", "Abs")


@pytest.mark.parametrize(
    ("fields", "published"),
    [
        ("year = 2021", "2021"),
        ("year = 2021, month = jan", "2021-01"),
        ("year = {2021}, month = {May}", "2021-05"),
        ("year = {2021}, month = 11, day = {3}", "2021-11-03"),
        ("year = {2021}, month = {31}", "2021"),
        ("date = {2021-05-03}", "2021-05-03"),
        ("year = {n.d.}", ""),
    ],
)
def test_dates(fields, published):
    assert only_paper(f"@misc{{k, title = {{T}}, {fields}}}").published == published


def test_crossref_fills_missing_fields_from_the_referenced_entry():
    records = parse_text(
        """@inproceedings{child, title = {A Paper}, crossref = {proc}, pages = {1--9}}
        @inproceedings{own, title = {Own Venue}, crossref = {proc}, booktitle = {Mine},
                       author = {Me, Myself}}
        @proceedings{proc, title = {Proceedings of {ICML}}, year = 2020, month = jul,
                     author = {Editor, Ed}}
        """
    )
    child, own, proc = records
    assert child.venue == "Proceedings of ICML"
    assert child.published == "2020-07"
    assert child.authors == ("Ed Editor",)
    assert (own.venue, own.authors, own.published) == ("Mine", ("Myself Me",), "2020-07")
    assert proc.title == "Proceedings of ICML"  # the referenced entry is a paper too


def test_crossref_to_a_missing_entry_is_ignored():
    paper = only_paper("@misc{k, title = {T}, crossref = {elsewhere}}")
    assert paper.venue == "" and paper.published == ""


def test_arxiv_eprint_gives_the_arxiv_id():
    paper = only_paper(
        """@misc{vaswani2017, title = {Attention Is All You Need},
           eprint = {1706.03762v5}, archivePrefix = {arXiv}, primaryClass = {cs.CL},
           doi = {10.48550/arXiv.1706.03762}, url = {https://arxiv.org/abs/1706.03762}}"""
    )
    assert paper.id == "arxiv:1706.03762"
    assert paper.arxiv_id == "1706.03762"
    assert paper.categories == ("cs.CL",)
    assert paper.doi == "10.48550/arxiv.1706.03762"
    assert paper.extra["bibtex_key"] == "vaswani2017"


@pytest.mark.parametrize(
    "fields",
    [
        "eprint = {hep-th/9901001}, eprinttype = {arxiv}",
        "eprint = {hep-th/9901001}",
        "arxivId = {hep-th/9901001}",
        "url = {https://arxiv.org/pdf/hep-th/9901001v2.pdf}",
        "journal = {arXiv preprint arXiv:hep-th/9901001}",
    ],
)
def test_arxiv_id_from_other_fields(fields):
    journal = "journal = {arXiv preprint arXiv:hep-th/9901001}"
    if fields == journal:  # the journal pattern only knows new-style ids
        fields = "journal = {arXiv preprint arXiv:2101.00001}"
        expected = "arxiv:2101.00001"
    else:
        expected = "arxiv:hep-th/9901001"
    assert only_paper(f"@misc{{k, title = {{T}}, {fields}}}").id == expected


def test_eprint_of_another_archive_is_no_arxiv_id():
    paper = only_paper("@misc{k, title = {T}, eprint = {2101.00001}, eprinttype = {hdl}}")
    assert paper.arxiv_id == "" and paper.id.startswith("title:")


def test_other_fields_and_extra():
    paper = only_paper(
        r"""@online{web1, title = {On the Web}, url = {https://x.org/paper.pdf},
            doi = {https://doi.org/10.1000/ABC\_1}, note = {Accepted at {NeurIPS}},
            keywords = {deep learning; graphs}, journaltitle = {J. Things}}"""
    )
    assert paper.url == paper.pdf_url == "https://x.org/paper.pdf"
    assert paper.doi == "10.1000/abc_1"
    assert paper.comment == "Accepted at NeurIPS"
    assert paper.venue == "J. Things"
    assert paper.extra == {
        "bibtex_type": "online",
        "bibtex_key": "web1",
        "keywords": ["deep learning", "graphs"],
    }


# -- broken files --------------------------------------------------------------------------


def test_malformed_entry_between_two_good_ones():
    records = parse_text(
        """@article{good1, title = {First}}
@article{broken, title = {Never closed, author = {X}
@article{good2, title = {Second}}
"""
    )
    assert [type(r).__name__ for r in records] == ["Paper", "BadRecord", "Paper"]
    assert (records[0].title, records[2].title) == ("First", "Second")
    assert records[1].where == "entry broken (line 2)"
    assert records[1].problem.startswith("malformed BibTeX:")


def test_missing_comma_between_fields_is_a_bad_record():
    records = parse_text(
        "@article{good1, title = {First}}\n"
        "@article{bad, title = {Broken} year = 2020}\n"
        "@article{good2, title = {Second}}\n"
    )
    assert [getattr(r, "title", None) for r in records] == ["First", None, "Second"]
    assert records[1].where == "entry bad (line 2)"
    assert "title" in records[1].problem


def test_entry_without_title_is_a_bad_record():
    records = parse_text("@misc{notitle, author = {X}}\n@misc{ok, title = {T}}\n@misc{,}")
    assert records[0] == BadRecord("entry notitle", "no title")
    assert records[1].title == "T"
    assert records[2] == BadRecord("entry at line 3", "no title")


def test_comments_preamble_and_commented_out_entries_are_skipped():
    records = parse_text(
        """% A comment line with an @ sign: me@example.org
% @article{gone, title = {Commented out}}
@comment{ @article{hidden, title = {In a comment}} }
@preamble{"\\newcommand{\\noop}[1]{}"}
@article{kept, title = {Kept}}
"""
    )
    assert [r.title for r in records] == ["Kept"]


def test_not_bibtex_raises_parse_error():
    with pytest.raises(ParseError, match="not BibTeX"):
        parse_text("Just some notes.\nNo entries here.\n", "notes.bib")
    # A file with only @string / @comment blocks is BibTeX without papers.
    assert parse_text("@string{x = {y}}\n@comment{nothing}\n") == []


def test_invalid_utf8_is_replaced_not_raised():
    data = b"@misc{k, title = {Caf\xe9 \xff au lait}, abstract = {ok}}"
    [paper] = list(bibtex.parse(io.BytesIO(data), "latin1.bib"))
    assert paper.title == "Caf\ufffd \ufffd au lait"


def test_three_thousand_entries_parse_quickly():
    entries = [
        f"""@article{{key{i},
  title = {{Schr{{\\"o}}dinger bridges {i} with $O(n^{{{i % 7}}})$ {{BERT}} cost}},
  author = {{M{{\\"u}}ller, Hans and Garc{{\\'\\i}}a, Jos{{\\'e}} and Smith, Jane}},
  journal = {{J. Mach. Learn. Res.}}, year = {{{2000 + i % 25}}}, month = {"jan feb mar".split()[i % 3]},
  eprint = {{{2101 + i % 9}.{i:05d}}}, archivePrefix = {{arXiv}},
  abstract = {{We study problem {i} at $\\epsilon = {i}$ and reach 95\\% accuracy. {"Plain sentence. " * 40}}}
}}"""
        for i in range(3000)
    ]
    text = "\n\n".join(entries)
    start = time.perf_counter()
    records = parse_text(text)
    elapsed = time.perf_counter() - start
    assert len(records) == 3000 and all(isinstance(r, Paper) for r in records)
    assert records[7].title == "Schrödinger bridges 7 with $O(n^{0})$ BERT cost"
    assert records[7].authors == ("Hans Müller", "José García", "Jane Smith")
    assert len({r.id for r in records}) == 3000
    assert elapsed < 5, f"{elapsed:.1f} s"


# -- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("@article{k, title={T}}", True),
        ("%% BibDesk header\n%% more\n\n@string{x = {y}}\n", True),
        ("  @Misc( k, title = {T} )", True),
        ("@web_page{,\n title = {T}}", True),
        ("% @article{k, title={T}}\n", False),
        ("Mail me at someone@example.org{not bibtex}\n", False),
        ("TY  - JOUR\nTI  - Title\nER  - \n", False),
        ('{"title": "@article{x"}', False),
    ],
)
def test_looks_like(head, expected):
    assert bibtex.looks_like(head) is expected


def test_looks_like_real_files():
    for parts in (MENDELEY, BIBDESK, PERCENT):
        head = shared_path(*parts).read_bytes()[: 64 * 1024].decode("utf-8", "replace")
        assert bibtex.looks_like(head)
