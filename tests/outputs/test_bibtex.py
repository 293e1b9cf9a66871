"""BibTeX: arXiv's fields, biblatex's eprint fields, abstract, month and topic, and text
that BibTeX cannot misread."""

from __future__ import annotations

from datetime import date

import pytest
from bibtexparser.entrypoint import parse_string

from harvester.outputs.bibtex import bibtex, entry
from tests.conftest import HOSTILE_DOIS, TWO_DOIS, paper


def test_an_entry_carries_abstract_month_topic_and_biblatex_eprint_fields():
    """Every field a reference manager files by is there, and bibtexparser reads it back."""
    p = paper(
        "2305.18290v3",
        title="Direct Preference Optimization",
        authors=["Rafael Rafailov", "Archit Sharma"],
        summary="We show that the RLHF objective can be optimized exactly.",
        published=date(2023, 5, 29),
        categories=["cs.LG", "cs.AI"],
        doi="10.1000/xyz",
        journal_ref="NeurIPS 2023",
    )
    library = parse_string(bibtex([p], topic="llm_alignment"))
    assert library.failed_blocks == []
    (found,) = library.entries
    fields = {f.key: f.value for f in found.fields}  # outer braces stripped
    assert found.key == "arXiv:2305.18290"
    assert found.entry_type == "misc"
    assert fields == {
        "title": "{Direct Preference Optimization}",
        "author": "Rafael Rafailov and Archit Sharma",
        "year": "2023",
        "month": "may",
        "eprint": "2305.18290",
        "archivePrefix": "arXiv",
        "primaryClass": "cs.LG",
        "eprinttype": "arxiv",
        "eprintclass": "cs.LG",
        "url": "https://arxiv.org/abs/2305.18290v3",
        "doi": "10.1000/xyz",
        "note": "NeurIPS 2023",
        "keywords": "llm_alignment",
        "abstract": "We show that the RLHF objective can be optimized exactly.",
    }


@pytest.mark.parametrize(
    ("month", "macro"),
    [pytest.param(1, "jan", id="january"), pytest.param(12, "dec", id="december")],
)
def test_month_is_the_bibtex_macro_of_the_first_version(month, macro):
    """The month is BibTeX's unbraced macro, so each style prints it in its language."""
    text = entry(paper("2401.00001v1", published=date(2024, month, 3)))
    assert f"  month = {macro},\n" in text


def test_no_topic_no_doi_no_journal_leave_their_fields_out():
    """Absent values leave no empty field behind."""
    text = entry(paper("2401.00001v1"))
    assert "keywords" not in text
    assert "doi" not in text
    assert "note" not in text


@pytest.mark.parametrize(
    ("doi", "first", "note"),
    [
        pytest.param(
            TWO_DOIS,
            "10.1103/PhysRevC.76.024606",
            "Phys.Rev.C76:024606,2007; DOI: 10.1103/PhysRevC.76.039902",
            id="arxiv-0704.0471",
        ),
        pytest.param(
            HOSTILE_DOIS,
            '10.1000/a"b<c',
            r"Phys.Rev.C76:024606,2007; DOI: 10.1000/x)y\textbraceright{}z",
            id="hostile",
        ),
        pytest.param(
            "10.1/a 10.1007/978-3-319-24277-4_9#%",
            "10.1/a",
            r"Phys.Rev.C76:024606,2007; DOI: 10.1007/978-3-319-24277-4\_9\#\%",
            id="latex-specials",
        ),
    ],
)
def test_the_first_doi_is_the_doi_field_and_the_others_follow_in_the_note(
    doi: str, first: str, note: str
):
    """A paper with two DOIs has exactly one `doi` field, the first DOI, and the second
    in `note` as text LaTeX prints as it is (issue 25: both were one `doi`); a quote, `<`
    or lone brace in a DOI ends no field."""
    p = paper("0704.0471v1", doi=doi, journal_ref="Phys.Rev.C76:024606,2007")
    text = bibtex([p])
    library = parse_string(text)
    assert library.failed_blocks == []
    (found,) = library.entries
    assert [f.key for f in found.fields].count("doi") == 1
    assert (found["doi"], found["note"]) == (first, note)
    assert text.count("{") == text.count("}")


def test_other_dois_make_a_note_of_their_own_without_a_journal_reference():
    """Without a journal reference the note holds only the other DOIs, one after another."""
    fields = entry(paper("0704.0471v1", doi="10.1/a 10.1/b 10.1/c"))
    assert "  doi = {10.1/a},\n" in fields
    assert "  note = {DOI: 10.1/b; DOI: 10.1/c},\n" in fields


def test_bibtex_survives_unbalanced_braces_and_collaborations():
    """Unbalanced braces become LaTeX commands; a collaboration stays one author."""
    p = paper(
        "2401.00001v1",
        title="Closing } the {gap",
        authors=["ATLAS and CMS Collaborations", "X { Y"],
        summary="An abstract with a { lone brace",
        categories=["hep-ex"],
        primary_category=None,
    )
    text = bibtex([p])
    assert text.count("{") == text.count("}")
    assert r"title = {{Closing \textbraceright{} the \textbraceleft{}gap}}" in text
    assert r"author = {{ATLAS and CMS Collaborations} and X \textbraceleft{} Y}" in text
    assert r"abstract = {An abstract with a \textbraceleft{} lone brace}" in text
    assert "primaryClass = {hep-ex}" in text
    library = parse_string(text)
    assert library.failed_blocks == []
    assert len(library.entries) == 1


def test_a_url_or_category_with_a_brace_forges_no_field_and_no_control_character_is_written():
    """A `}` in `url` or `primary_category` ends no field (issue #24: it forged an
    `author`), and NUL and other control characters reach the `.bib` as escapes."""
    p = paper(
        "2401.00001v1",
        title="Tab\there, NUL\x00 and bell\x07",
        authors=["Ada Lovelace"],
        summary="Escape \x1b[31m red",
        url="https://arxiv.org/abs/2401.00001v1}, author = {Mallory",
        primary_category="cs.LG}, note = {forged",
    )
    text = bibtex([p])
    assert not any(c in text for c in "\x00\x07\x1b\t")
    library = parse_string(text)
    assert library.failed_blocks == []
    (found,) = library.entries
    fields = {f.key: f.value for f in found.fields}
    assert fields["author"] == "Ada Lovelace"
    assert "note" not in fields
    assert fields["url"] == "https://arxiv.org/abs/2401.00001v1%7D,%20author%20=%20%7BMallory"
    assert fields["primaryClass"] == r"cs.LG\textbraceright{}, note = \textbraceleft{}forged"
    assert fields["title"] == r"{Tab here, NUL\x00 and bell\x07}"
    assert fields["abstract"] == r"Escape \x1b[31m red"
