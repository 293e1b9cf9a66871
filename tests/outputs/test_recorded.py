"""The exports over papers arXiv served: a database stored from the old server's arXivRaw
page (tests/fixtures/oai/arXivRaw_2015_ListRecords_from2014-10-01.xml) exports in every
standard format, its records' text as it was read."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from bibtexparser.entrypoint import parse_string

from harvester.config import load_config
from harvester.db import shards
from harvester.oai import records
from harvester.outputs import export

PAGE = (
    Path(__file__).parent.parent
    / "fixtures"
    / "oai"
    / "arXivRaw_2015_ListRecords_from2014-10-01.xml"
)
# 0704.0471's title, written over two lines on the page, as its record holds it.
TITLE = (
    "Density dependence of the symmetry energy and the nuclear equation of state: "
    "A Dynamical and Statistical model perspective"
)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export (json, markdown, bibtex, csl, sqlite) of a topic stored from the page."""
    root = tmp_path_factory.mktemp("recorded")
    config, data = root / "queries.toml", root / "data"
    config.write_text("[topics.recorded]\nquery = 'all:nucl'\n")
    data.mkdir()
    page = records.parse(PAGE.read_bytes())
    shards.TopicFiles(data, "recorded").commit([r.paper for r in page.records])
    exported = export.export(load_config(config), data, root / "out")
    assert exported.failed == []
    assert sorted(p.name for p in exported.files) == [
        "metadata.json",
        "papers.db",
        "papers_database.json",
        "recorded.bib",
        "recorded.csl.json",
        "recorded.md",
    ]
    return root / "out"


def test_the_json_export_holds_the_records(out: Path):
    """papers_database.json holds the six papers, the two-line title as one line."""
    papers = json.loads((out / "papers_database.json").read_bytes())["recorded"]
    by_id = {p["arxiv_id"]: p for p in papers}
    assert len(papers) == 6
    assert by_id["0704.0471v1"]["title"] == TITLE


def test_the_markdown_digest_lists_each_paper_on_its_line(out: Path):
    """The digest has a line per paper: the title, then the names as arXiv names them."""
    lines = (out / "recorded.md").read_text().splitlines()
    # `D.V. Shetty` on the page; arXiv puts a space after an initial's dot (_tidy_name,
    # arxiv/authors/__init__.py:172-176 of arXiv/arxiv-base) before it serves the name.
    line = f"- **{TITLE}**: D. V. Shetty, S. J. Yennello, G. A. Souliotis · "
    assert any(text.startswith(line) for text in lines)
    assert sum(line.startswith("- **") for line in lines) == 6


def test_the_bibtex_export_parses_with_the_title(out: Path):
    """The BibTeX parses, an entry per paper, 0704.0471's title braced as a whole."""
    library = parse_string((out / "recorded.bib").read_text())
    assert library.failed_blocks == []
    entries = {e.key: e for e in library.entries}
    assert len(entries) == 6
    assert entries["arXiv:0704.0471"].fields_dict["title"].value == f"{{{TITLE}}}"


def test_the_csl_export_holds_the_title(out: Path):
    """The CSL-JSON has an item per paper, with its title."""
    items = {i["id"]: i for i in json.loads((out / "recorded.csl.json").read_bytes())}
    assert len(items) == 6
    assert items["arXiv:0704.0471"]["title"] == TITLE


def test_the_sqlite_export_holds_the_title(out: Path):
    """papers.db has a row per paper, with its title."""
    with closing(sqlite3.connect(out / "papers.db")) as db:
        rows = dict(db.execute("SELECT id, title FROM papers").fetchall())
    assert len(rows) == 6
    assert rows["0704.0471"] == TITLE
