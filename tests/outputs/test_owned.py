"""An export replaces only its own files in `--out`: those its record lists, or, from an
export made before the record, those recognisably its own; never a user's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from harvester.cli import main
from harvester.outputs import owned
from tests.conftest import argv, tool, tree
from tests.standin import Standin


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("papers_database.json", b'{"mine": []}\n', id="the-original-database"),
        pytest.param("rlhf_code.md", b"# My reading notes\n\nDo not lose these.\n", id="notes"),
        pytest.param("rlhf_code.bib", b"@book{knuth1984,\n  title = {TeX}\n}\n", id="bibtex"),
        pytest.param(
            "metadata.json", b'{\n  "title": "My own Datasette"\n}\n', id="datasette-metadata"
        ),
    ],
)
def test_an_export_replaces_no_file_of_the_users(
    standin: Standin, config: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes
):
    """A user's own file where an export would write is refused in one line naming it,
    exit 1, before anything is written: every file in `--out` stays as it was."""
    assert main(argv(standin, config)) == 0
    out = config.parent / "mine"
    out.mkdir()
    (out / name).write_bytes(content)
    before = tree(out)
    capsys.readouterr()
    assert tool("export", config, "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"ERROR {out / name}: {owned._REFUSED}"]
    assert tree(out) == before


def test_a_users_database_is_not_an_exports(standin: Standin, config: Path):
    """A `papers.db` without the export's tables is the user's: refused, left as it was."""
    assert main(argv(standin, config)) == 0
    out = config.parent / "mine"
    out.mkdir()
    with sqlite3.connect(out / "papers.db") as db:
        db.execute("CREATE TABLE books (title TEXT)")
    db.close()
    before = (out / "papers.db").read_bytes()
    assert tool("export", config, "--out", str(out)) == 1
    assert (out / "papers.db").read_bytes() == before


def test_an_export_replaces_its_own_files_listed_or_recognised(standin: Standin, config: Path):
    """A second export over the first replaces its files (the record lists them); over an
    export without the record, the files it recognises as its own, but not a
    `papers_database.json`, whose format is the user's original's."""
    assert main(argv(standin, config)) == 0
    out = config.parent / "export"
    assert tool("export", config, "--out", str(out)) == 0
    assert "papers_database.json" in (out / owned.RECORD).read_text().splitlines()
    assert tool("export", config, "--out", str(out)) == 0
    (out / owned.RECORD).unlink()
    assert tool("export", config, "--out", str(out), "--format", "markdown") == 0
    assert tool("export", config, "--out", str(out), "--format", "sqlite") == 0
    assert tool("export", config, "--out", str(out), "--format", "bibtex") == 0
    assert tool("export", config, "--out", str(out), "--format", "csl") == 0
    (out / owned.RECORD).unlink()
    assert tool("export", config, "--out", str(out), "--format", "json") == 1
