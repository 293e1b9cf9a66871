"""The OAI-PMH parsers: arXivRaw records as the stand-in renders them after arXiv/oaipmh's
templates, TeX converted as arXiv converts it, the `arXiv` format they are held to, pages
arXiv served (tests/fixtures/oai/INDEX.md), OAI error documents, and bodies that are not
OAI-PMH at all."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest

from harvester.errors import FeedError, OaiRejected, RefusedBody
from harvester.oai import records
from tests.oai_standin import OaiPaper, OaiStandin, Version, error_document

V1 = datetime(2023, 1, 31, 18, 59, 59, tzinfo=UTC)
V2 = datetime(2023, 6, 2, 17, 1, 5, tzinfo=UTC)
PAPER = OaiPaper(
    "2301.13816",
    (Version(V1), Version(V2, "I")),
    V2,
    title="Execution-based  Code\n Generation",
    authors="Parshin Shojaee, Aneesh Jain and Chandan K. Reddy",
    categories="cs.LG cs.AI",
    doi="10.1000/xyz",
)


def body(*papers: OaiPaper, prefix: str = "arXivRaw") -> bytes:
    """The ListRecords body the stand-in serves for these papers."""
    standin = OaiStandin(today=date(2026, 4, 3))
    standin.add(*papers)
    return standin.list_records({"verb": "ListRecords", "metadataPrefix": prefix})


def test_a_record_says_every_version_the_license_and_a_withdrawal():
    """An arXivRaw record becomes our record at its newest version, with `versions`,
    `withdrawn` and `license`, and its datestamp and sets."""
    page = records.parse(body(PAPER))
    [record] = page.records
    paper = record.paper
    assert paper.arxiv_id == "2301.13816v2"
    assert paper.published == date(2023, 1, 31)
    assert paper.updated == V2
    assert paper.versions == [V1, V2]
    assert paper.withdrawn is True
    assert paper.license == "http://creativecommons.org/licenses/by/4.0/"
    assert paper.title == "Execution-based Code Generation"
    assert paper.authors == ["Parshin Shojaee", "Aneesh Jain", "Chandan K. Reddy"]
    assert (paper.primary_category, paper.doi, paper.comment) == ("cs.LG", "10.1000/xyz", None)
    assert record.datestamp == date(2023, 6, 2)
    assert record.sets == ("cs:cs:LG", "cs:cs:AI")
    assert page.token is None


def test_no_records_is_an_empty_complete_list():
    """`noRecordsMatch` is an empty list with no token, not an error."""
    page = records.parse(error_document("noRecordsMatch", ""))
    assert (page.records, page.token, page.entries) == ([], None, 0)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(
            error_document("badArgument", "Set does not exist"), OaiRejected, id="oai-error"
        ),
        pytest.param(b"", FeedError, id="blank"),
        pytest.param(body(PAPER)[:300], FeedError, id="truncated"),
        pytest.param(b"<html><body>503</body></html>", FeedError, id="html"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            RefusedBody,
            id="entities",
        ),
    ],
)
def test_a_body_that_is_not_a_list_is_an_error(content: bytes, error: type[Exception]):
    """An OAI error document, a blank or cut body, HTML or declared entities raise."""
    with pytest.raises(error):
        records.parse(content)


def test_a_record_without_versions_is_skipped_and_counted():
    """A record the parser cannot read is skipped but still counts as an entry."""
    broken = body(PAPER).replace(b"<id>2301.13816</id>", b"<id>not-an-id</id>")
    page = records.parse(broken)
    assert (page.records, page.entries) == ([], 1)


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("v\u00b2", id="superscript-two"),
        pytest.param("v\u0662", id="arabic-indic-two"),
        pytest.param("v" + "9" * 5000, id="5000-digits"),
        pytest.param("v", id="no-number"),
    ],
)
def test_a_version_that_is_not_a_short_ascii_number_skips_the_record(number: str):
    """A `<version version=...>` that `isdigit` takes but `int` refuses (or that is too
    long to be a version) skips the record with a warning, never a ValueError (issue 24)."""
    broken = body(PAPER).replace(b'version="v2"', f'version="{number}"'.encode())
    assert f'version="{number}"'.encode() in broken
    page = records.parse(broken)
    assert (page.records, page.entries) == ([], 1)


FIXTURES = Path(__file__).parent.parent / "fixtures" / "oai"


def fixture(name: str) -> bytes:
    """A page of tests/fixtures/oai/ (INDEX.md says where each came from)."""
    return (FIXTURES / name).read_bytes()


def test_a_page_arxivs_templates_rendered_reads_as_the_rows_say():
    """The arXivRaw page rendered from browse.db rows gives each row's versions, withdrawal,
    license, sets and token."""
    page = records.parse(fixture("arXivRaw_page_with_token.xml"))
    by_key = {r.paper.key: r for r in page.records}
    assert page.entries == 5
    assert list(by_key) == [
        "cond-mat/0703772",
        "0908.3762",
        "0806.4129",
        "1001.3172",
        "1101.2483",
    ]  # by (datestamp, id): 2011-02-03, 2012-10-12, 2014-12-15, 2015-03-13, 2015-03-17
    mp = by_key["0806.4129"]
    assert mp.paper.arxiv_id == "0806.4129v6"
    assert mp.datestamp == date(2014, 12, 15)
    assert mp.sets == ("physics:math-ph", "math:math:MP")
    assert mp.paper.published == date(2008, 6, 25)
    assert mp.paper.updated == datetime(2014, 12, 12, 13, 15, 28, tzinfo=UTC)
    assert len(mp.paper.versions or []) == 6
    # `Jr` is a suffix (arxiv/authors/__init__.py:109-110), which the query API's name
    # leaves out (transform.py:47-49): the `arXiv`-format page's <keyname>, <forenames>.
    assert mp.paper.authors == ["Roldao da Rocha", "Waldyr A. Rodrigues"]
    assert (mp.paper.doi, mp.paper.journal_ref) == (
        "10.1063/1.3536454",
        "AIP Conf.Proc.1316:466-477,2010",
    )
    assert mp.paper.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert mp.paper.withdrawn is False
    assert by_key["1101.2483"].paper.withdrawn is True  # current v4 has source_type I
    assert by_key["0908.3762"].paper.withdrawn is False  # v2, v4 withdrawn; v5 is not
    assert by_key["cond-mat/0703772"].paper.arxiv_id == "cond-mat/0703772v2"
    assert by_key["cond-mat/0703772"].paper.authors == ["Zhaoxin Xu", "Heping Ying", "Xin Wan"]
    assert by_key["1001.3172"].sets == ("physics:hep-ph", "physics:hep-th")
    # resume.py:26-30: the query, `skip` added, URL-encoded and then quoted once more.
    assert unquote(page.token or "") == (
        "verb=ListRecords&metadataPrefix=arXivRaw&from=2011-01-01&set=physics%3Ahep-th&skip=2500"
    )


def test_the_last_page_of_a_resumed_list_ends_it():
    """The empty `<resumptionToken/>` of a resumed list's last page means no next page."""
    page = records.parse(fixture("arXivRaw_last_page.xml"))
    [record] = page.records
    assert (record.paper.arxiv_id, record.paper.withdrawn, page.token) == (
        "0901.3666v3",
        True,
        None,
    )


def test_error_pages_arxivs_templates_rendered():
    """`noRecordsMatch` as errors.xml writes it is an empty list; `badArgument` is refused
    with its reason."""
    assert records.parse(fixture("error_noRecordsMatch.xml")).records == []
    with pytest.raises(OaiRejected, match="from date format must be YYYY-MM-DD"):
        records.parse(fixture("error_badArgument.xml"))


# Raw author lists of arXiv/oaipmh's tests/data/browse.db (27ad99e), and the names
# arxiv-base's `arxiv.authors.parse_author_affil` reads in them, joined as the query API
# joins them (transform.py:45-49).
@pytest.mark.parametrize(
    ("raw", "names"),
    [
        pytest.param(
            "Roberto Lineros (University of Torino and INFN/Torino)",
            ["Roberto Lineros"],
            id="affiliation-with-and",
        ),
        pytest.param(
            "Mark Vogelsberger (1,2), Simon D. M. White (1) ((1) MPA, (2) Harvard/CfA)",
            ["Mark Vogelsberger", "Simon D. M. White"],
            id="numbered-affiliations",
        ),
        pytest.param(
            "Zhaoxin Xu, Heping Ying, and Xin Wan",
            ["Zhaoxin Xu", "Heping Ying", "Xin Wan"],
            id="serial-comma",
        ),
        # arXiv puts the split-off `Jr.` back after its comma (:344-356), then reads it as
        # the suffix, the comma left on the keyname `Forney,` (:109-110, :132-133); the
        # query API's name is forenames and keyname (transform.py:47-49).
        pytest.param(
            "G. David Forney, Jr. and Pascal O. Vontobel",
            ["G. David Forney,", "Pascal O. Vontobel"],
            id="suffix",
        ),
        pytest.param("A. One), B. Two", ["A. One)", "B. Two"], id="stray-closing-parenthesis"),
    ],
)
def test_raw_authors_are_names_without_affiliations(raw: str, names: list[str]):
    """arXivRaw's author list gives the names alone, as arXiv names them: no affiliation,
    no suffix."""
    [record] = records.parse(body(PAPER.changed(V2, authors=raw))).records
    assert record.paper.authors == names


def test_versions_listed_out_of_order_are_read_in_order():
    """A record whose versions come newest first is still at its newest version, published at its first."""
    raw = body(PAPER).decode()
    v1 = re.search(r'<version version="v1">.*?</version>', raw)
    v2 = re.search(r'<version version="v2">.*?</version>', raw)
    assert v1 is not None
    assert v2 is not None
    swapped = raw[: v1.start()] + v2.group() + v1.group() + raw[v2.end() :]
    [record] = records.parse(swapped.encode()).records
    assert record.paper.arxiv_id == "2301.13816v2"
    assert record.paper.published == date(2023, 1, 31)
    assert record.paper.versions == [V1, V2]


@pytest.mark.parametrize(
    ("source_type", "withdrawn"),
    [
        pytest.param("I", True, id="withdrawn"),
        pytest.param("SI", True, id="withdrawn-after-a-flag"),
        pytest.param("S", False, id="a-flag-alone"),
    ],
)
def test_a_withdrawal_is_an_i_after_any_flags(source_type: str, withdrawn: bool):
    """A current version whose source type holds `I`, after flags or alone, is a withdrawal."""
    paper = PAPER.changed(V2, versions=(Version(V1), Version(V2, source_type)))
    [record] = records.parse(body(paper)).records
    assert record.paper.withdrawn is withdrawn


def test_set_specs_and_blank_fields_are_read_without_their_whitespace():
    """A header's sets are read stripped, and a comment of only whitespace is none."""
    raw = body(PAPER.changed(V2, comments="  \n ")).replace(
        b"<setSpec>cs:cs:LG</setSpec>", b"<setSpec>\n  cs:cs:LG\n</setSpec>"
    )
    [record] = records.parse(raw).records
    assert record.sets == ("cs:cs:LG", "cs:cs:AI")
    assert record.paper.comment is None


def test_tex_in_the_text_fields_is_converted_as_arxiv_converts_it():
    """Title, authors, abstract, comments and journal-ref come as arXiv's `arXiv` format
    and query API give them (tex2utf, Greek included)."""
    tex = PAPER.changed(
        V2,
        title='Schr\\"odinger bridges and \\alpha-divergences',
        authors="\\'Edgar Rold\\'an and J. M. Parrondo",
        abstract='A M\\o ller--Plesset study of $\\beta$-decay in {\\AA}ngstr\\"om units.',
        comments="v2: G\\\"odel's theorem added",
        journal_ref="Ann. Inst. H. Poincar\\'e 12 (2011) 1-40",
    )
    [record] = records.parse(body(tex)).records
    paper = record.paper
    assert paper.title == "Schrödinger bridges and \u03b1-divergences"
    assert paper.authors == ["Édgar Roldán", "J. M. Parrondo"]
    assert paper.summary == "A Møller--Plesset study of $β$-decay in Ångström units."
    assert paper.comment == "v2: Gödel's theorem added"
    assert paper.journal_ref == "Ann. Inst. H. Poincaré 12 (2011) 1-40"


@pytest.mark.parametrize(
    ("title", "converted"),
    [
        pytest.param("Nanowires of Nyg\\aa rd type", "Nanowires of Nygård type", id="space-eaten"),
        pytest.param(
            "Nanowires of Nyg\\aa\n  rd type", "Nanowires of Nygå rd type", id="line-break-kept"
        ),
    ],
)
def test_tex_is_converted_before_the_whitespace_is_collapsed(title: str, converted: str):
    """A command eats the space after it but not a line break, as arXiv converts the text
    as stored (its long lines wrapped): the record has what arXiv's other interfaces have."""
    [record] = records.parse(body(PAPER.changed(V2, title=title))).records
    assert record.paper.title == converted


RENDERED = ["cond-mat/0703772", "0908.3762", "0806.4129", "1001.3172", "1101.2483"]
# (our field, the arXiv format's): what both formats give of the current version.
SHARED = [
    ("title", "title"),
    ("authors", "authors"),
    ("summary", "abstract"),
    ("comment", "comments"),
    ("journal_ref", "journal_ref"),
]


@pytest.mark.parametrize(
    ("key", "ours", "theirs"),
    [
        pytest.param(key, ours, theirs, id=f"{key}-{theirs}")
        for key in RENDERED
        for ours, theirs in SHARED
    ],
)
def test_the_arxivraw_reading_gives_what_the_arxiv_format_gives(key: str, ours: str, theirs: str):
    """For each of the five papers both rendered pages hold, our arXivRaw reading gives the
    title, author names (forenames and keyname), abstract, comments and journal-ref of
    arXiv's `arXiv` format, the one arXiv converts with tex2utf."""
    raw = {
        r.paper.key: r.paper for r in records.parse(fixture("arXivRaw_page_with_token.xml")).records
    }
    arxiv = {r.key: r for r in records.parse_arxiv(fixture("arXiv_page_with_token.xml")).records}
    mine, given = getattr(raw[key], ours), getattr(arxiv[key], theirs)
    assert (tuple(mine) if ours == "authors" else mine) == given


def test_the_arxiv_format_page_reads_as_the_rows_say():
    """The `arXiv`-format page gives each paper's current version: its days, full names
    without the suffix, categories, DOI and license, and the page's token."""
    page = records.parse_arxiv(fixture("arXiv_page_with_token.xml"))
    assert (page.entries, [r.key for r in page.records]) == (5, RENDERED)
    mp = page.records[2]
    assert mp == records.ArxivRecord(
        key="0806.4129",
        datestamp=date(2014, 12, 15),
        sets=("physics:math-ph", "math:math:MP"),
        created=date(2014, 12, 12),  # the current version's day (record_formats.xml:59)
        updated=date(2014, 12, 15),
        authors=("Roldao da Rocha", "Waldyr A. Rodrigues"),
        title="Gauge Fixing in the Maxwell Like Gravitational Theory in Minkowski Spacetime "
        "and in the Equivalent Lorentzian Spacetime",
        categories=("math-ph", "math.MP"),
        comments="15 pages. This version corrects some misprints of the published version",
        journal_ref="AIP Conf.Proc.1316:466-477,2010",
        doi="10.1063/1.3536454",
        license="http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        abstract=mp.abstract,
    )
    assert mp.abstract.startswith("In a previous paper we investigate a Lagrangian field theory")
    assert page.records[0].abstract.count("$S(k,\\\u03c9)$") == 2  # tex2utf's, by the server
    assert unquote(page.token or "").endswith(
        "metadataPrefix=arXiv&from=2011-01-01&set=physics%3Ahep-th&skip=3"
    )


def test_a_record_of_the_other_format_is_skipped_and_counted():
    """Each parser skips (and counts) a record in the other format, rather than misread it."""
    raw, arxiv = body(PAPER), body(PAPER, prefix="arXiv")
    assert (records.parse(arxiv).records, records.parse(arxiv).entries) == ([], 1)
    assert (records.parse_arxiv(raw).records, records.parse_arxiv(raw).entries) == ([], 1)
    [record] = records.parse_arxiv(arxiv).records
    assert (record.key, record.authors, record.created) == (
        "2301.13816",
        ("Parshin Shojaee", "Aneesh Jain", "Chandan K. Reddy"),
        date(2023, 6, 2),
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(b"<id>2301.13816</id>", b"<id>not-an-id</id>", id="not-an-id"),
        pytest.param(b"<created>2023-06-02</created>", b"<created>June</created>", id="created"),
        pytest.param(
            b"<updated>2023-06-02</updated>", b"<updated>2023-13-01</updated>", id="updated"
        ),
        pytest.param(b"<datestamp>2023-06-02</datestamp>", b"<datestamp/>", id="datestamp"),
    ],
)
def test_an_arxiv_format_record_that_cannot_be_read_is_skipped_and_counted(old: bytes, new: bytes):
    """An `arXiv`-format record without a valid id, day or datestamp is skipped with a
    warning and still counted."""
    content = body(PAPER.changed(V2, updated=V2), prefix="arXiv")
    assert old in content
    page = records.parse_arxiv(content.replace(old, new))
    assert (page.records, page.entries) == ([], 1)


def _at(text: str) -> datetime:
    """A version's `<date>` as the old server wrote it, in UTC."""
    return datetime.strptime(text, "%d %b %Y %H:%M:%S").replace(tzinfo=UTC)


# The six records of the page the old server (export.arxiv.org/oai2) served on 2015-01-06,
# as arXivRaw gives them: (id, datestamp, sets, title, authors, categories, versions,
# comment, journal-ref, doi, license, the abstract's first words).
SERVED_2015 = [
    (
        "0704.0471v1",
        date(2014, 11, 18),
        ("physics:nucl-ex", "physics:nucl-th"),
        "Density dependence of the symmetry energy and the nuclear equation of state: A "
        "Dynamical and Statistical model perspective",
        # A space after each initial's dot, as arXiv tidies a name (_tidy_name,
        # arxiv/authors/__init__.py:172-176) before it serves it.
        ["D. V. Shetty", "S. J. Yennello", "G. A. Souliotis"],
        ["nucl-ex", "nucl-th"],
        ["3 Apr 2007 22:04:11"],
        "16 pages, 14 figures",
        "Phys.Rev.C76:024606,2007; Erratum-ibid.C76:039902,2007",
        "10.1103/PhysRevC.76.024606 10.1103/PhysRevC.76.039902",
        None,
        "The density dependence of the symmetry energy",
    ),
    (
        "0704.0716v4",
        date(2014, 12, 22),
        ("math", "physics:math-ph"),
        "Limit distributions and scaling functions",
        ["Christoph Richard"],
        ["math-ph", "math.MP"],
        [
            "5 Apr 2007 12:45:03",
            "28 Sep 2007 15:13:43",
            "29 Feb 2008 16:05:39",
            "14 Nov 2008 09:07:25",
        ],
        "54 pages, 2 figures; v2 updated and slightly expanded; v3 changes in some proofs; v4 "
        "slightly expanded",
        "Polygons, polyominoes and polycubes, 247-299, Lecture Notes in Phys., 775, Springer, "
        "Dordrecht, 2009",
        None,
        "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        "We discuss the asymptotic behaviour of models of lattice polygons",
    ),
    (
        "0704.0874v3",
        date(2014, 11, 21),
        ("math",),
        "Higher ramification and varieties of secant divisors on the generic curve",
        ["Gavril Farkas"],
        ["math.AG"],
        ["6 Apr 2007 11:07:01", "30 Apr 2008 17:03:55", "20 Nov 2014 15:03:16"],
        "25 pages. Numerous changes suggested by the referee, several proofs explained in more "
        "detail. To appear in the Journal of the London Mathematical Society",
        "J. London Math. Soc. 78(2008) 418-440",
        None,
        "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        "For a smooth projective curve, the cycles of e-secant k-planes",
    ),
    (
        "0704.1109v2",
        date(2014, 11, 18),
        ("physics:gr-qc",),
        "Spinning Strings, Black Holes and Stable Closed Timelike Geodesics",
        ["Valeria M. Rosa", "Patricio S. letelier"],
        ["gr-qc"],
        ["9 Apr 2007 14:45:43", "29 Jan 2008 20:15:01"],
        "5 pages, RevTex4, some corrections and new material added",
        "Int.J.Theor.Phys.49:316-323,2010",
        "10.1007/s10773-009-0204-x",
        None,
        "The existence and stability under linear perturbation of closed timelike",
    ),
    (
        "0704.1114v1",
        date(2014, 11, 18),
        ("physics:astro-ph",),
        "Identification of Absorption Features in an Extrasolar Planet Atmosphere",
        ["T. S. Barman"],
        ["astro-ph"],
        ["9 Apr 2007 20:13:36"],
        "Accepted for publication in ApJL., in emulate ApJ format",
        "Astrophys.J.661:L191-L194,2007",
        "10.1086/518736",
        None,
        "Water absorption is identified in the atmosphere of HD209458b",
    ),
    (
        "0704.1586v1",
        date(2014, 11, 18),
        ("physics:nucl-th",),
        "Core excitation in the elastic scattering and breakup of $^{11}$Be on protons",
        ["N. C. Summers", "F. M. Nunes"],  # spaced as 0704.0471's
        ["nucl-th"],
        ["12 Apr 2007 14:18:58"],
        "5 pages, 4 figures, submitted to Phys. Rev. C",
        "Phys.Rev.C76:014611,2007; Erratum-ibid..C77:049901,2008",
        "10.1103/PhysRevC.76.014611 10.1103/PhysRev.C77.049901",
        None,
        "The elastic scattering and breakup of $^{11}$Be from a proton target",
    ),
]


@pytest.mark.parametrize(
    (
        "arxiv_id",
        "datestamp",
        "sets",
        "title",
        "authors",
        "categories",
        "versions",
        "comment",
        "journal_ref",
        "doi",
        "license",
        "opening",
    ),
    [pytest.param(*row, id=row[0]) for row in SERVED_2015],
)
def test_a_page_arxiv_served_in_2015_reads_record_by_record(
    arxiv_id,
    datestamp,
    sets,
    title,
    authors,
    categories,
    versions,
    comment,
    journal_ref,
    doi,
    license,
    opening,
):
    """Each record of the old server's arXivRaw page reads as it is written there: the id at
    its newest version, the title collapsed, authors named as arXiv names them (the "A, B,
    and C" list too), every version's date, the DOIs as one string, no license where it has
    none."""
    page = records.parse(fixture("arXivRaw_2015_ListRecords_from2014-10-01.xml"))
    [record] = [r for r in page.records if r.paper.arxiv_id == arxiv_id]
    paper = record.paper
    dates = [_at(v) for v in versions]
    assert (record.datestamp, record.sets) == (datestamp, sets)
    assert (paper.title, paper.authors, paper.categories) == (title, authors, categories)
    assert (paper.primary_category, paper.versions, paper.published, paper.updated) == (
        categories[0],
        dates,
        dates[0].date(),
        dates[-1],
    )
    assert (paper.comment, paper.journal_ref, paper.doi, paper.license) == (
        comment,
        journal_ref,
        doi,
        license,
    )
    assert paper.withdrawn is False  # no <source_type> at all on this page
    assert paper.summary.startswith(opening)
    assert paper.summary == " ".join(paper.summary.split())
    assert (paper.url, paper.pdf_url) == (
        f"https://arxiv.org/abs/{arxiv_id}",
        f"https://arxiv.org/pdf/{arxiv_id}.pdf",
    )


def test_the_2015_page_is_six_records_and_its_token_verbatim():
    """The page holds its six records in the order served, and the old server's token
    (`726959|1001`, with its `|`) is read as it is, its attributes aside."""
    page = records.parse(fixture("arXivRaw_2015_ListRecords_from2014-10-01.xml"))
    assert [r.paper.arxiv_id for r in page.records] == [row[0] for row in SERVED_2015]
    assert (page.entries, page.token) == (6, "726959|1001")
    [shetty] = [r.paper for r in page.records if r.paper.key == "0704.0471"]
    assert 'rules out an extremely " stiff " and " soft " form' in shetty.summary


def test_a_getrecord_answer_is_not_a_list():
    """A GetRecord body (the client never asks one) is refused as no ListRecords, naming
    what it holds; its record, in a list, reads as any: `D` (pdfTeX) is no withdrawal."""
    content = fixture("arXivRaw_2015_GetRecord_1302.2146.xml")
    with pytest.raises(FeedError) as caught:
        records.parse(content)
    assert str(caught.value) == "OAI-PMH response without ListRecords (it holds GetRecord)"
    listed = content.replace(b"GetRecord>", b"ListRecords>")
    [record] = records.parse(listed).records
    paper = record.paper
    assert (paper.arxiv_id, paper.withdrawn, paper.versions) == (
        "1302.2146v2",
        False,
        [_at("8 Feb 2013 21:00:01"), _at("2 Apr 2013 01:50:08")],
    )
    assert paper.authors == ["Joshua Berger", "Maxim Perelstein", "Michael Saelim", "Philip Tanedo"]
    assert (record.sets, paper.categories) == (
        ("physics:hep-ex", "physics:hep-ph"),
        ["hep-ph", "hep-ex"],
    )
    assert paper.summary.endswith("can be probed at the 14 TeV LHC with a 100 fb^-1 data set.")


# The `arXiv`-format pages arXiv served: the old server's (2017, set physics:hep-ex) and the
# current one's (2026, set physics:physics:plasm-ph, no <resumptionToken> at all).
ARXIV_SERVED = [
    pytest.param(
        "arXiv_2017_ListRecords_hep-ex.xml",
        records.ArxivRecord(
            key="1707.00874",
            datestamp=date(2017, 12, 14),
            sets=("physics:hep-ex",),
            created=date(2017, 7, 4),  # the first version's day on this server
            updated=date(2017, 12, 13),
            authors=("Priyotosh Bandyopadhyay", "Eung Jin Chun", "Rusa Mandal"),
            title="Implications of right-handed neutrinos in $B-L$ extended standard model with "
            "scalar dark matter",
            categories=("hep-ph", "astro-ph.CO", "hep-ex"),
            comments="Typos corrected, references added, version accepted for publication in PRD",
            journal_ref=None,
            doi=None,
            license="http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
            abstract="",
        ),
        ["1706.05371", "1706.09418", "1707.00874"],
        id="2017-old-server",
    ),
    pytest.param(
        "arXiv_2026_ListRecords_newserver_plasm-ph.xml",
        records.ArxivRecord(
            key="2504.11237",
            datestamp=date(2026, 1, 5),
            sets=(
                "physics:physics:atom-ph",
                "physics:physics:optics",
                "physics:physics:plasm-ph",
                "physics:quant-ph",
            ),
            created=date(2025, 4, 15),
            updated=date(2026, 1, 5),
            authors=("Chunhai Lyu", "Christoph H. Keitel", "Zoltán Harman"),
            title="Periodic table for highly charged ions",
            categories=("physics.atom-ph", "physics.optics", "physics.plasm-ph", "quant-ph"),
            comments="5 pages",
            journal_ref="Phys. Rev. Research 7, L042071 (2025)",
            doi="10.1103/bppp-53g1",
            license="http://creativecommons.org/publicdomain/zero/1.0/",
            abstract="",
        ),
        ["2504.11237", "2508.21012", "2510.07502"],
        id="2026-current-server",
    ),
]


@pytest.mark.parametrize(("name", "expected", "keys"), ARXIV_SERVED)
def test_an_arxiv_format_page_arxiv_served_reads_by_value(
    name: str, expected: records.ArxivRecord, keys: list[str]
):
    """An `arXiv`-format page arXiv served gives its records by value (one checked whole,
    the abstract aside) and is a complete list: neither page has a token."""
    page = records.parse_arxiv(fixture(name))
    assert ([r.key for r in page.records], page.entries, page.token) == (keys, 3, None)
    [record] = [r for r in page.records if r.key == expected.key]
    assert replace(record, abstract="") == expected
    assert record.abstract == " ".join(record.abstract.split())


def test_the_arxiv_format_pages_other_records_by_value():
    """The other records of both pages: names in full (an apostrophe, a single initial
    without its dot), days, DOIs, licenses and the abstracts' entities read."""
    old = {
        r.key: r for r in records.parse_arxiv(fixture("arXiv_2017_ListRecords_hep-ex.xml")).records
    }
    new = {
        r.key: r
        for r in records.parse_arxiv(
            fixture("arXiv_2026_ListRecords_newserver_plasm-ph.xml")
        ).records
    }
    sipm, rpv = old["1706.05371"], old["1706.09418"]
    assert (len(sipm.authors), sipm.authors[0], sipm.authors[-1]) == (
        13,
        "Tyler Anderson",
        "Mani Tripathi",
    )
    assert (sipm.created, sipm.updated, sipm.doi, sipm.journal_ref) == (
        date(2017, 6, 16),
        date(2017, 12, 12),
        None,
        None,
    )
    assert (
        sipm.title
        == "Evaluation of Silicon Photomultipliers for use as Photosensors in Liquid Xenon Detectors"
    )
    assert (rpv.doi, rpv.journal_ref, rpv.categories) == (
        "10.1140/epjc/s10052-017-5414-4",
        "Eur. Phys. J. C (2017) 77:856",
        ("hep-ph", "hep-ex"),
    )
    assert rpv.authors == (
        "Daniel Dercks",
        "Herbi Dreiner",
        "Manuel E. Krauss",
        "Toby Opferkuch",
        "Annika Reinert",
    )
    turing, reconnection = new["2508.21012"], new["2510.07502"]
    assert (turing.authors, turing.created, turing.doi) == (
        ("Magnus F Ivarsen",),
        date(2025, 12, 16),
        None,
    )
    assert turing.license == "http://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert "the system's transition from chaos" in turing.abstract
    assert reconnection.authors[8] == "D. O'Donnell"
    assert (len(reconnection.authors), reconnection.doi) == (12, "10.1103/yjh7-hy2s")
    assert new["2504.11237"].abstract.startswith("Mendeleev's periodic table")


@pytest.mark.parametrize(
    ("name", "code", "text"),
    [
        pytest.param(
            "error_2015_BadArgument.xml",
            "badArgument",
            "Verb 'ListRecords', illegal argument 'identifier'.",
            id="badArgument",
        ),
        pytest.param(
            "error_2015_BadResumptionToken.xml",
            "badResumptionToken",
            "The resumptionToken supplied is illegal for this repository",
            id="badResumptionToken",
        ),
        pytest.param(
            "error_2015_BadVerb.xml",
            "badVerb",
            "Bad verb. Verb 'wah' not implemented.",
            id="badVerb",
        ),
        pytest.param(
            "error_2015_IdDoesNotExist.xml",
            "idDoesNotExist",
            "Identifier 'oai:arXiv.org:0813.2274' has correct form but does not correspond to an item in this repository",
            id="idDoesNotExist",
        ),
    ],
)
def test_the_old_servers_errors_are_refused_with_their_code_and_text(
    name: str, code: str, text: str
):
    """Each error body the old server sent raises OaiRejected with its code and its text."""
    with pytest.raises(OaiRejected) as caught:
        records.parse(fixture(name))
    assert (caught.value.code, str(caught.value)) == (code, f"OAI-PMH error {code}: {text}")


def test_the_old_servers_no_records_match_is_an_empty_complete_list():
    """The old server's answer to an unknown set (noRecordsMatch, not badArgument) is an
    empty list with no token, in either format."""
    content = fixture("error_2015_NoRecordsMatch.xml")
    assert records.parse(content) == records.ListPage()
    assert records.parse_arxiv(content) == records.ArxivListPage()


# Raw author lists of papers in arXiv's search index, and the names its query API serves
# for them: `authors_parsed` joined as transform.py:45-58 joins it (arXiv/arxiv-search
# `tests/data/examples/*.json` at 764d7eb).
@pytest.mark.parametrize(
    ("raw", "served"),
    [
        pytest.param(
            '{\\O}yvind Borck and Elsebeth Schr\\"oder',
            ["Øyvind Borck", "Elsebeth Schröder"],
            id="1607.05107",
        ),
        pytest.param(
            "H. Garcilazo, A. Valcarce, and J. Vijande",
            ["H. Garcilazo", "A. Valcarce", "J. Vijande"],
            id="1703.09067",
        ),
        pytest.param(
            "Marina M. Romanova, Akshay K. Kulkarni and Richard V.E. Lovelace",
            ["Marina M. Romanova", "Akshay K. Kulkarni", "Richard V. E. Lovelace"],
            id="0711.0418",
        ),
        pytest.param(
            "Wissink B.W and Jacobs G.B. and Ryan J.K. and Don W-S and van der Weide E.T.A",
            ["Wissink B. W", "Jacobs G. B.", "Ryan J. K.", "Don W-S", "van der Weide E. T. A"],
            id="1708.07156",
        ),
    ],
)
def test_a_raw_author_list_gives_the_names_the_query_api_serves(raw: str, served: list[str]):
    """The names our arXivRaw reading gives for a raw author list are those the query API
    serves for the paper (a space after each initial's dot too)."""
    [record] = records.parse(body(PAPER.changed(V2, authors=raw))).records
    assert record.paper.authors == served
