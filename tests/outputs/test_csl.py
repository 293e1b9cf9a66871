"""CSL-JSON: valid against the CSL schema (tests/fixtures/csl/), rendered by citeproc-py."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from harvester.cli import main
from harvester.outputs.csl import csl_json, name
from tests.conftest import FIXTURES, HOSTILE_DOIS, TWO_DOIS, argv, paper, tool
from tests.standin import Standin

SCHEMA = json.loads((FIXTURES / "csl" / "csl-data.json").read_text(encoding="utf-8"))


def render(items: list[dict[str, Any]]) -> list[str]:
    """Each item's entry in a Harvard-style bibliography (the style citeproc-py ships)."""
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def test_export_of_every_recorded_paper_is_valid_csl_and_renders(standin: Standin, config: Path):
    """The CSL-JSON of 111 real papers passes the CSL schema and each renders a reference."""
    assert main(argv(standin, config)) == 0
    out = config.parent / "out"
    assert tool("export", config, "--out", str(out), "--format", "csl") == 0
    items = json.loads((out / "rlhf_code.csl.json").read_text(encoding="utf-8"))
    assert len(items) == 111
    jsonschema.Draft7Validator(SCHEMA).validate(items)
    assert {i["keyword"] for i in items} == {"rlhf_code"}
    rendered = render(items)
    assert len(rendered) == 111
    assert all("arXiv" in line for line in rendered)


def test_an_item_holds_what_zotero_files_a_preprint_by():
    """Type, authors split, date of v1, abstract, arXiv number, DOI and journal reference."""
    p = paper(
        "2305.18290v3",
        title="Direct Preference Optimization",
        authors=["Rafael Rafailov", "Ludwig van Beethoven"],
        summary="We show that the RLHF objective can be optimized exactly.",
        published=date(2023, 5, 29),
        doi="10.1000/xyz",
        journal_ref="NeurIPS 2023",
    )
    (item,) = json.loads(csl_json([p], topic="llm_alignment"))
    jsonschema.Draft7Validator(SCHEMA).validate([item])
    assert item == {
        "id": "arXiv:2305.18290",
        "type": "article",
        "title": "Direct Preference Optimization",
        "author": [
            {"family": "Rafailov", "given": "Rafael"},
            {"family": "van Beethoven", "given": "Ludwig"},
        ],
        "issued": {"date-parts": [[2023, 5, 29]]},
        "abstract": "We show that the RLHF objective can be optimized exactly.",
        "publisher": "arXiv",
        "number": "arXiv:2305.18290",
        "version": "3",
        "URL": "https://arxiv.org/abs/2305.18290",
        "source": "arXiv.org",
        "DOI": "10.1000/xyz",
        "note": "NeurIPS 2023",
        "keyword": "llm_alignment",
    }
    (line,) = render([item])
    assert line == (
        "Rafailov, R. and van Beethoven, L. (2023) “Direct Preference Optimization”. "
        "arXiv. Available at: https://doi.org/10.1000/xyz."
    )


@pytest.mark.parametrize(
    ("doi", "first", "note"),
    [
        pytest.param(
            TWO_DOIS,
            "10.1103/PhysRevC.76.024606",
            "Phys.Rev.C76:024606,2007\nDOI: 10.1103/PhysRevC.76.039902",
            id="arxiv-0704.0471",
        ),
        pytest.param(
            HOSTILE_DOIS,
            '10.1000/a"b<c',
            "Phys.Rev.C76:024606,2007\nDOI: 10.1000/x)y}z",
            id="hostile",
        ),
    ],
)
def test_the_first_doi_is_the_items_doi_and_the_others_lines_of_its_note(
    doi: str, first: str, note: str
):
    """A paper with two DOIs is an item with one `DOI`, the first, still valid CSL and
    rendered with it; the second is a `DOI:` line of `note` (issue 25: both were one DOI)."""
    p = paper("0704.0471v1", doi=doi, journal_ref="Phys.Rev.C76:024606,2007")
    items = json.loads(csl_json([p]))
    jsonschema.Draft7Validator(SCHEMA).validate(items)
    (item,) = items
    assert (item["DOI"], item["note"]) == (first, note)
    (line,) = render([item])
    assert line.endswith(f"Available at: https://doi.org/{first}.")


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        pytest.param("Ada Lovelace", {"family": "Lovelace", "given": "Ada"}, id="two-words"),
        pytest.param(
            "Jean de la Fontaine", {"family": "de la Fontaine", "given": "Jean"}, id="particles"
        ),
        pytest.param("Plato", {"literal": "Plato"}, id="one-word"),
        pytest.param(
            "The ATLAS Collaboration", {"literal": "The ATLAS Collaboration"}, id="collaboration"
        ),
    ],
)
def test_names_split_into_given_and_family(author, expected):
    """The last word and the particles before it are the family name; a team stays whole."""
    assert name(author) == expected


def test_an_item_off_the_schema_is_refused():
    """The schema is strict: a key it does not know fails validation (the check can fail)."""
    (item,) = json.loads(csl_json([paper("2401.00001v1")]))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate([item | {"arxiv": "x"}])
