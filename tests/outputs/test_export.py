"""Exports for readers: every format, byte-stable, chosen with --format and --topic."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from bibtexparser.entrypoint import parse_string

from harvester.cli import main
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
        "llm_alignment.csl.json",
        "llm_alignment.md",
        "papers.db",
        "papers_database.json",
        "rlhf_code.bib",
        "rlhf_code.csl.json",
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


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param(
            ["--format", "csl"], ["llm_alignment.csl.json", "rlhf_code.csl.json"], id="csl"
        ),
        pytest.param(
            ["--format", "sqlite", "--format", "json"],
            ["papers.db", "papers_database.json"],
            id="two-formats",
        ),
        pytest.param(
            ["--topic", "rlhf_code", "--format", "bibtex"], ["rlhf_code.bib"], id="one-topic"
        ),
        pytest.param(
            ["--topic", "llm_alignment", "--format", "parquet"],
            ["parquet/topic=llm_alignment"],
            id="parquet-one-topic",
        ),
    ],
)
def test_format_and_topic_choose_what_is_written(
    standin: Standin, config: Path, capsys, extra, expected
):
    """--format picks the formats and --topic the topics; nothing else is written."""
    assert main(argv(standin, config)) == 0
    out = config.parent / "out"
    capsys.readouterr()
    assert tool("export", config, "--out", str(out), *extra) == 0
    top = sorted(p.name for p in out.iterdir() if p.name != "parquet")
    partitions = sorted(f"parquet/{p.name}" for p in out.glob("parquet/*"))
    assert top + partitions == expected
    assert capsys.readouterr().out.startswith(
        "Exported 1 topic" if "--topic" in extra else "Exported 2 topics"
    )


def test_topic_limits_papers_db_and_the_original_database(standin: Standin, config: Path):
    """--topic rlhf_code leaves llm_alignment out of papers.db and papers_database.json."""
    assert main(argv(standin, config)) == 0
    out = config.parent / "out"
    assert (
        tool(
            "export",
            config,
            "--out",
            str(out),
            "--topic",
            "rlhf_code",
            "--format",
            "sqlite",
            "--format",
            "json",
        )
        == 0
    )
    assert list(json.loads((out / "papers_database.json").read_text())) == ["rlhf_code"]
    with sqlite3.connect(out / "papers.db") as db:
        assert db.execute("SELECT name FROM topics").fetchall() == [("rlhf_code",)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(["--topic", "rlhf"], "unknown topic 'rlhf'", id="unknown-topic"),
        pytest.param(["--format", "pdf"], "invalid choice: 'pdf'", id="unknown-format"),
    ],
)
def test_export_usage_errors_exit_2(config: Path, capsys, extra, message):
    """An unknown topic or format is a usage error: exit 2, nothing written."""
    out = config.parent / "out"
    assert tool("export", config, "--out", str(out), *extra) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
