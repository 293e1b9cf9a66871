"""Author lists parsed as arXiv parses them: every case of arXiv's own tests
(`arxiv/util/tests/test_authors.py` of arXiv/arxiv-base, 0f94fa0), the quirks the port
keeps, text of any kind, and the names arXiv's query API serves for real records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.oai.authors import full_names, parse_author_affil, split_authors
from harvester.oai.tex import to_unicode

# Each case is one assertion of test_authors.py, its line the id's number.
SPLIT = [
    pytest.param("Simeon Warner", ["Simeon Warner"], id="10-one-name"),
    pytest.param(
        "The DELPHI Collaboration, J. Abdallah, et al",
        ["The DELPHI Collaboration", ",", "J. Abdallah", ",", "et al"],
        id="12-collaboration-et-al",
    ),
    pytest.param(
        "BELLE Collaboration: A Person, Nother Person",
        ["BELLE Collaboration", ":", "A Person", ",", "Nother Person"],
        id="17-collaboration-colon",
    ),
    pytest.param(
        "Simeon Warner, Herbert Van de Sompel",
        ["Simeon Warner", ",", "Herbert Van de Sompel"],
        id="22-two-names",
    ),
    pytest.param("An Author", ["An Author"], id="27-single-author"),
    pytest.param("", [], id="33-empty-author"),
    pytest.param("An Author (affil)", ["An Author", "(affil)"], id="39-single-author-with-affil"),
    pytest.param(
        "An Author     (affil)", ["An Author", "(affil)"], id="44-single-author-with-affil-spaced"
    ),
    pytest.param(
        "An Author and Another P. H. J. Author (affil)",
        ["An Author", ",", "Another P. H. J. Author", "(affil)"],
        id="49-double-author-with-affil",
    ),
    pytest.param(
        "John Von Neumann, Herbert Van de Sompel, Fred Bloggs, Jr, et al",
        ["John Von Neumann", ",", "Herbert Van de Sompel", ",", "Fred Bloggs, Jr", ",", "et al"],
        id="54-multiple-with-prefixes-and-suffixes",
    ),
    pytest.param(
        "sum won ( whatever affil  data   unmunged  )",
        ["sum won", "( whatever affil data unmunged )"],
        id="61-one-author-affil-spaced",
    ),
    pytest.param(
        "sum won(1,2)((1)lab a,(2)lab b)",
        ["sum won", "(1,2)", "((1)lab a,(2)lab b)"],
        id="66-one-author-two-labs",
    ),
]


@pytest.mark.parametrize(("authors", "parts"), SPLIT)
def test_split_authors_gives_names_separators_and_blocks(authors: str, parts: list[str]):
    """An author list splits into names, separators and parenthesised blocks as arXiv's
    tests say."""
    assert split_authors(authors) == parts


QUAD = (
    "QUaD collaboration: S. Gupta (1), P. Ade (1), J. Bock (2,3), M. Bowden "
    "(1,4), M. L. Brown (5), G. Cahill (6), P. G. Castro (7,8), S. Church (4), T. "
    "Culverhouse (9), R. B. Friedman (9), K. Ganga (10), W. K. Gear (1), J. "
    "Hinderks (5,11), J. Kovac (3), A. E. Lange (4), E. Leitch (2,3), S. J. "
    "Melhuish (12), Y. Memari (7), J. A. Murphy (6), A. Orlando (1,3), C. "
    "O'Sullivan (6), L. Piccirillo (12), C. Pryke (9), N. Rajguru (1,13), B. "
    "Rusholme (4,14), R. Schwarz (9), A. N. Taylor (7), K. L. Thompson (4), A. H. "
    "Turner (1), E. Y. S. Wu (4), M. Zemcov (1,2,3) ((1) Cardiff University, (2) "
    "JPL, (3) Caltech, (4) Stanford University, (5) University of Cambridge, (6) "
    "National University of Ireland Maynooth, (7) University of Edinburgh, (8) "
    "Universidade Tecnica de Lisboa, (9) University of Chicago, (10) Laboratoire "
    "APC/CNRS, (11) NASA Goddard, (12) University of Manchester, (13) UCL, (14) "
    "IPAC) "
)
QUAD_PARSED = [
    ["QUaD collaboration", "", ""],
    ["Gupta", "S.", "", "Cardiff University"],
    ["Ade", "P.", "", "Cardiff University"],
    ["Bock", "J.", "", "JPL", "Caltech"],
    ["Bowden", "M.", "", "Cardiff University", "Stanford University"],
    ["Brown", "M. L.", "", "University of Cambridge"],
    ["Cahill", "G.", "", "National University of Ireland Maynooth"],
    ["Castro", "P. G.", "", "University of Edinburgh", "Universidade Tecnica de Lisboa"],
    ["Church", "S.", "", "Stanford University"],
    ["Culverhouse", "T.", "", "University of Chicago"],
    ["Friedman", "R. B.", "", "University of Chicago"],
    ["Ganga", "K.", "", "Laboratoire APC/CNRS"],
    ["Gear", "W. K.", "", "Cardiff University"],
    ["Hinderks", "J.", "", "University of Cambridge", "NASA Goddard"],
    ["Kovac", "J.", "", "Caltech"],
    ["Lange", "A. E.", "", "Stanford University"],
    ["Leitch", "E.", "", "JPL", "Caltech"],
    ["Melhuish", "S. J.", "", "University of Manchester"],
    ["Memari", "Y.", "", "University of Edinburgh"],
    ["Murphy", "J. A.", "", "National University of Ireland Maynooth"],
    ["Orlando", "A.", "", "Cardiff University", "Caltech"],
    ["O'Sullivan", "C.", "", "National University of Ireland Maynooth"],
    ["Piccirillo", "L.", "", "University of Manchester"],
    ["Pryke", "C.", "", "University of Chicago"],
    ["Rajguru", "N.", "", "Cardiff University", "UCL"],
    ["Rusholme", "B.", "", "Stanford University", "IPAC"],
    ["Schwarz", "R.", "", "University of Chicago"],
    ["Taylor", "A. N.", "", "University of Edinburgh"],
    ["Thompson", "K. L.", "", "Stanford University"],
    ["Turner", "A. H.", "", "Cardiff University"],
    ["Wu", "E. Y. S.", "", "Stanford University"],
    ["Zemcov", "M.", "", "Cardiff University", "JPL", "Caltech"],
]
# 2106.08865, TeX left as written (parse_author_affil does not convert it).
TRIGUEROS = (
    "E. Trigueros P\\'aez (1 and 2) and R. H. Barb\\'a (3) and I. Negueruela (1) "
    "and J. Ma\\'iz Apell\\'aniz (2) and S. Sim\\'on-D\\'iaz (4 and 5) and G.Holgado (2) "
    "((1) Departamento de F\\'isica Aplicada - Universidad de Alicante, (2) "
    "Centro de Astrobiolog\\'ia - CSIC-INTA, (3) Departamento de Astronom\\'ia - Universidad "
    "de La Serena, (4) Instituto de Astrof\\'isica de Canarias, (5) Departamento "
    "de Astrof\\'isica - Universidad de La Laguna)"
)
TRIGUEROS_PARSED = [
    [
        "P\\'aez",
        "E. Trigueros",
        "",
        "Departamento de F\\'isica Aplicada - Universidad de Alicante",
        "Centro de Astrobiolog\\'ia - CSIC-INTA",
    ],
    ["Barb\\'a", "R. H.", "", "Departamento de Astronom\\'ia - Universidad de La Serena"],
    ["Negueruela", "I.", "", "Departamento de F\\'isica Aplicada - Universidad de Alicante"],
    ["Apell\\'aniz", "J. Ma\\'iz", "", "Centro de Astrobiolog\\'ia - CSIC-INTA"],
    [
        "Sim\\'on-D\\'iaz",
        "S.",
        "",
        "Instituto de Astrof\\'isica de Canarias",
        "Departamento de Astrof\\'isica - Universidad de La Laguna",
    ],
    ["Holgado", "G.", "", "Centro de Astrobiolog\\'ia - CSIC-INTA"],
]

PARSED = [
    # test_parse_author_affil_basic
    pytest.param("Simeon Warner", [["Warner", "Simeon", ""]], id="73-plain"),
    pytest.param("Simeon Warner Jr", [["Warner", "Simeon", "Jr"]], id="76-jr"),
    pytest.param("Simeon Warner Jr.", [["Warner", "Simeon", "Jr."]], id="80-jr-dot"),
    pytest.param("Simeon Warner Sr", [["Warner", "Simeon", "Sr"]], id="84-sr"),
    pytest.param("Simeon Warner Sr.", [["Warner", "Simeon", "Sr."]], id="88-sr-dot"),
    pytest.param("SM Warner", [["Warner", "SM", ""]], id="92-initials"),
    pytest.param("SM. Warner", [["Warner", "SM.", ""]], id="96-initials-dot"),
    # test_parse_author_affil_basic2
    pytest.param("S.M. Warner", [["Warner", "S. M.", ""]], id="101-initials-spaced"),
    pytest.param("John Von Neumann", [["Von Neumann", "John", ""]], id="105-prefix"),
    pytest.param(
        "Herbert Van de Sompel", [["Van de Sompel", "Herbert", ""]], id="109-double-prefix"
    ),
    pytest.param("del Norte", [["Norte", "del", ""]], id="113-prefix-first"),
    pytest.param("Fred del Norte", [["del Norte", "Fred", ""]], id="117-prefix-lower"),
    pytest.param("BELLE", [["BELLE", "", ""]], id="121-one-word"),
    pytest.param(
        "BELLE Collaboration: A Person, Nother Person",
        [["BELLE Collaboration", "", ""], ["Person", "A", ""], ["Person", "Nother", ""]],
        id="125-collaboration-colon",
    ),
    pytest.param(
        "The DELPHI Collaboration, J. Abdallah, et al",
        [["The DELPHI Collaboration", "", ""], ["Abdallah", "J.", ""]],
        id="133-collaboration-et-al",
    ),
    pytest.param(
        "Ali Vaziri Astaneh, Federico Fuentes",
        [["Vaziri Astaneh", "Ali", ""], ["Fuentes", "Federico", ""]],
        id="138-vaziri-prefix",
    ),
    # test_parse_author_affil_with_affiliations
    pytest.param("sum won (lab a)", [["won", "sum", "", "lab a"]], id="144-affil"),
    pytest.param(
        "sum won (lab a; lab b)", [["won", "sum", "", "lab a; lab b"]], id="148-affil-semicolon"
    ),
    pytest.param(
        "sum won (lab a, lab b)", [["won", "sum", "", "lab a, lab b"]], id="152-affil-comma"
    ),
    pytest.param(
        "sum won (1,2) ( (1) lab a, (2) lab b)",
        [["won", "sum", "", "lab a", "lab b"]],
        id="156-numbered-spaced",
    ),
    pytest.param(
        "sum won(1,2)((1)lab a,(2)lab b)",
        [["won", "sum", "", "lab a", "lab b"]],
        id="160-numbered-tight",
    ),
    pytest.param(
        "a.b.first, c.d.second (affil)",
        [["first", "a. b.", "", "affil"], ["second", "c. d.", "", "affil"]],
        id="164-back-propagated",
    ),
    pytest.param(
        "a.b.first (affil), c.d.second (affil)",
        [["first", "a. b.", "", "affil"], ["second", "c. d.", "", "affil"]],
        id="169-each-given",
    ),
    pytest.param(
        "a.b.first, c.d.second (1), e.f.third, g.h.forth (2,3) ((1) affil1, (2) affil2, (3) affil3)",
        [
            ["first", "a. b.", "", "affil1"],
            ["second", "c. d.", "", "affil1"],
            ["third", "e. f.", "", "affil2", "affil3"],
            ["forth", "g. h.", "", "affil2", "affil3"],
        ],
        id="174-numbered-back-propagated",
    ),
    pytest.param(QUAD, QUAD_PARSED, id="185-mind-blowing"),
    pytest.param(
        "Matthew Everitt, Robert M. Heath and Viv Kendon",
        [["Everitt", "Matthew", ""], ["Heath", "Robert M.", ""], ["Kendon", "Viv", ""]],
        id="243-1110.4366",
    ),
    pytest.param("sum won ((lab a), (lab b))", [["won", "sum", ""]], id="253-bug-imposter-comma"),
    pytest.param("sum won ((lab a) (lab b))", [["won", "sum", ""]], id="258-bug-imposter"),
    pytest.param(
        "Anatoly Zlotnik and Jr-Shin Li",
        [["Zlotnik", "Anatoly", ""], ["Li", "Jr-Shin", ""]],
        id="264-jr-issue",
    ),
    # arXiv's file asserts this one twice, the same list ("with comma", "with and").
    pytest.param(TRIGUEROS, TRIGUEROS_PARSED, id="271-2106.08865-comma"),
    pytest.param(TRIGUEROS, TRIGUEROS_PARSED, id="288-2106.08865-and"),
    # The extra tests for arXiv::AuthorAffil, ARXIVDEV-728.
    pytest.param("", [], id="310-empty"),
    pytest.param("Simeon Warner Jr", [["Warner", "Simeon", "Jr"]], id="315-jr"),
    pytest.param(
        "BELLE Collaboration", [["BELLE Collaboration", "", ""]], id="320-lone-collaboration"
    ),
    pytest.param(
        "BELLE Collaboration", [["BELLE Collaboration", "", ""]], id="326-lone-collaboration"
    ),
]


@pytest.mark.parametrize(("authors", "parsed"), PARSED)
def test_parse_author_affil_gives_keyname_forenames_suffix_and_affiliations(
    authors: str, parsed: list[list[str]]
):
    """An author list parses into each author's keyname, forenames, suffix and
    affiliations as arXiv's tests say."""
    assert parse_author_affil(authors) == parsed


# What arXiv's code does that it may not have meant; kept, so that a name read here is
# the one arXiv serves. Each names the line of arxiv/authors/__init__.py it follows.
QUIRKS = [
    pytest.param(
        "G. David Forney, Jr. and Pascal O. Vontobel",
        [["Forney,", "G. David", "Jr."], ["Vontobel", "Pascal O.", ""]],
        id="347-comma-before-suffix-kept-in-keyname",
    ),
    pytest.param(
        "Fred Bloggs, Sr, Ann Other",
        [["Bloggs", "Fred", ""], ["Sr", "", ""], ["Other", "Ann", ""]],
        id="347-sr-not-put-back",
    ),
    pytest.param(
        "A. Person: B. Other",
        [["Person", "A.", ""], [":", "", ""], ["Other", "B.", ""]],
        id="92-colon-between-names-an-author",
    ),
    pytest.param("A. Person and Et Alvarez", [["Person", "A.", ""]], id="94-et-al-at-a-name-start"),
    pytest.param(
        "T2K Collaboration K. Abe, N. Abgrall",
        [["T2K Collaboration", "", ""], ["Abgrall", "N.", ""]],
        id="186-name-after-collaboration-lost",
    ),
    pytest.param(
        "ATLAS-CMS Collaboration, A. Person",
        [["CMS Collaboration", "", ""], ["Person", "A.", ""]],
        id="186-collaboration-letters-digits-spaces",
    ),
    pytest.param(
        "John Team, A. Person",
        [["John Team", "", ""], ["Person", "A.", ""]],
        id="186-first-name-ending-team",
    ),
    pytest.param("Nguyen Minh V", [["Minh", "Nguyen", "V"]], id="110-a-last-v-is-a-suffix"),
    pytest.param("Nguyen Van V", [["Van V", "Nguyen", ""]], id="104-a-prefix-before-a-suffix-wins"),
    pytest.param(
        "Bock J (1, 2) ((1) JPL, (2) Caltech)",
        [["J", "Bock", "", "JPL"]],
        id="244-number-after-comma-and-space-unknown",
    ),
]


@pytest.mark.parametrize(("authors", "parsed"), QUIRKS)
def test_arxivs_quirks_are_kept(authors: str, parsed: list[list[str]]):
    """Where arXiv's parser does what it may not have meant, it is followed."""
    assert parse_author_affil(authors) == parsed


@pytest.mark.parametrize(
    ("authors", "names"),
    [
        pytest.param("Simeon Warner Jr.", ["Simeon Warner"], id="suffix-left-out"),
        pytest.param(
            "D.V. Shetty and S.J. Yennello",
            ["D. V. Shetty", "S. J. Yennello"],
            id="initials-spaced",
        ),
        pytest.param(
            "BELLE Collaboration: A Person",
            ["BELLE Collaboration", "A Person"],
            id="keyname-alone-stripped",
        ),
        pytest.param(
            "Herbert Van de Sompel (affil)", ["Herbert Van de Sompel"], id="affiliation-left-out"
        ),
        pytest.param("A. One\n  and B.  Two", ["A. One", "B. Two"], id="whitespace-collapsed"),
        pytest.param("", [], id="empty"),
    ],
)
def test_full_names_are_forenames_then_keyname(authors: str, names: list[str]):
    """A served name is the forenames and keyname, whitespace collapsed and stripped, the
    suffix and affiliations left out (transform.py:45-49)."""
    assert full_names(authors) == names


# What author lists are made of: initials, separators, parentheses, suffixes, prefixes.
AUTHOR_PARTS = [
    *("A.", "B.C.", " ", ",", " and ", "(1)", "((1) X)", ":", "Jr", "van", "de", "Group"),
    *("et al", "\n", "(", ")"),
]
AUTHOR_LIKE = st.lists(st.sampled_from(AUTHOR_PARTS), max_size=30).map("".join)


@given(st.text())
def test_any_text_parses_without_error(text: str):
    """Any text parses: each author has a keyname, forenames and a suffix, the keyname
    never empty, and each served name is stripped, collapsed and not empty."""
    for author in parse_author_affil(text):
        assert len(author) >= 3
        assert author[0]
    for name in full_names(text):
        assert name
        assert name == " ".join(name.split())


@given(AUTHOR_LIKE)
def test_author_like_text_parses_without_error(text: str):
    """Text made of what author lists hold parses, each author with a keyname."""
    assert all(author[0] for author in parse_author_affil(text))


@given(st.one_of(st.text(), AUTHOR_LIKE))
def test_full_names_are_the_parsed_authors_forenames_and_keyname(text: str):
    """The served names are the forenames and keyname of each author `parse_author_affil`
    gives, in its order (full_names looks for no affiliation, which never changes those)."""
    parsed = parse_author_affil(text)
    assert full_names(text) == [" ".join(f"{a[1]} {a[0]}".split()) for a in parsed]


# Real records of arXiv's search index (arXiv/arxiv-search `tests/data/`, 764d7eb): the
# author list as submitted, and `authors_parsed` as (first_name, last_name) pairs
# (tests/fixtures/oai/INDEX.md).
SEARCH_RECORDS = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "oai" / "arxiv_search_authors.json").read_text()
)


@pytest.mark.parametrize(
    "record",
    [pytest.param(r, id=f"{r['paper']}-{r['file'].rsplit('/', 1)[-1]}") for r in SEARCH_RECORDS],
)
def test_a_real_author_list_gives_the_names_the_query_api_serves(record: dict[str, object]):
    """A real record's author list, TeX converted, gives the names the query API serves for
    it: each of `authors_parsed` joined as transform.py:45-49 joins it."""
    pairs = record["authors_parsed"]
    assert isinstance(pairs, list)
    served = [" ".join(f"{first} {last}".split()) for first, last in pairs if first or last]
    assert full_names(to_unicode(str(record["authors"]))) == served
