"""Exports for readers: papers_database.json, Markdown and BibTeX, byte-stable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bibtexparser.entrypoint import parse_string

from harvester.cli import main
from harvester.models import Paper
from harvester.outputs.export import bibtex
from tests.conftest import argv, tool
from tests.standin import Standin


def test_exports_are_byte_identical_and_bibtex_parses(standin: Standin, config: Path):
    """Two exports of the same data are identical; the BibTeX has one entry per paper."""
    assert main(argv(standin, config)) == 0
    first, second = config.parent / "one", config.parent / "two"
    assert tool("export", config, "--out", str(first)) == 0
    assert tool("export", config, "--out", str(second)) == 0
    files = sorted(p.name for p in first.iterdir())
    assert files == [
        "llm_alignment.bib",
        "llm_alignment.md",
        "papers_database.json",
        "rlhf_code.bib",
        "rlhf_code.md",
    ]
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    library = parse_string((first / "rlhf_code.bib").read_text())
    assert library.failed_blocks == []
    assert len(library.entries) == 111
    keys = {e.key for e in library.entries}
    assert len(keys) == 111
    assert "arXiv:astro-ph/9812133" in keys
    markdown = (first / "rlhf_code.md").read_text()
    years = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert years == sorted(years, reverse=True)
    assert markdown.count("\n- **") == 111


def test_bibtex_survives_unbalanced_braces_and_collaborations():
    """Unbalanced braces become LaTeX commands; a collaboration stays one author."""
    paper = Paper(
        title="Closing } the {gap",
        authors=["ATLAS and CMS Collaborations", "X { Y"],
        summary="s",
        arxiv_id="2401.00001v1",
        published=date(2024, 1, 1),
        categories=["hep-ex"],
        url="https://arxiv.org/abs/2401.00001v1",
        pdf_url="https://arxiv.org/pdf/2401.00001v1.pdf",
    )
    text = bibtex([paper])
    assert text.count("{") == text.count("}")
    assert r"title = {{Closing \textbraceright{} the \textbraceleft{}gap}}" in text
    assert r"author = {{ATLAS and CMS Collaborations} and X \textbraceleft{} Y}" in text
    library = parse_string(text)
    assert library.failed_blocks == []
    assert len(library.entries) == 1
