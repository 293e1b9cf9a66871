"""`harvest search`: words over title, abstract and authors, filters, newest first."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.cli import main
from harvester.errors import StoreError, UsageError
from harvester.outputs import sqlite
from harvester.outputs.search import fts_query, search, search_file
from tests.conftest import argv, paper, tool
from tests.standin import Standin

TOPICS = {
    "rl": [
        paper(
            "2401.00001v1",
            title="Learning to rank",
            summary="Preference optimization.",
            authors=["Grace Hopper"],
            published=date(2024, 1, 1),
        ),
        paper(
            "2403.00003v2",
            title="Chain-of-thought prompting",
            authors=["Jason Wei", "Denny Zhou"],
            published=date(2024, 3, 1),
        ),
    ],
    "code": [
        paper(
            "2402.00002v1",
            title="Program synthesis",
            summary="We learned programs.",
            authors=["Ada Lovelace"],
            published=date(2024, 2, 1),
        ),
        paper(
            "2403.00003v1",
            title="Chain-of-thought prompting",
            authors=["Jason Wei"],
            published=date(2024, 3, 1),
        ),
    ],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("learning", '"learning"', id="word"),
        pytest.param("chain-of-thought AND", '"chain-of-thought" "AND"', id="syntax-is-words"),
        pytest.param('say "hi', '"say" """hi"', id="lone-quote"),
        pytest.param("optim*", '"optim"*', id="prefix"),
        pytest.param("   ", "", id="empty"),
    ],
)
def test_fts_query_reads_text_as_words(text, expected):
    """Every word is quoted, so FTS5 syntax in the text means nothing; `word*` is a prefix."""
    assert fts_query(text) == expected


@given(st.text(max_size=30))
def test_no_text_is_a_query_error(text):
    """Whatever is typed (quotes, stars, parentheses, NUL, any script), search answers."""
    hits = search(TOPICS, text)
    assert all(isinstance(hit.arxiv_id, str) for hit in hits)


@pytest.mark.parametrize(
    ("text", "author", "since", "expected"),
    [
        pytest.param(
            "learn", None, None, ["2402.00002v1", "2401.00001v1"], id="stemmed-title-and-abstract"
        ),
        pytest.param("chain of thought", None, None, ["2403.00003v2"], id="one-row-latest-version"),
        pytest.param("zhou", None, None, ["2403.00003v2"], id="authors-searched"),
        pytest.param("", "lovelace", None, ["2402.00002v1"], id="author-only"),
        pytest.param("", "LOVEL", None, ["2402.00002v1"], id="author-part-any-case"),
        pytest.param("", None, date(2024, 2, 1), ["2403.00003v2", "2402.00002v1"], id="since"),
        pytest.param('"', None, None, [], id="nothing-to-match"),
        pytest.param("", "100%", None, [], id="like-wildcards-escaped"),
    ],
)
def test_search_filters_and_orders_newest_first(text, author, since, expected):
    """Matching papers, each once at its latest version, newest first."""
    got = [hit.arxiv_id for hit in search(TOPICS, text, author=author, since=since)]
    assert got == expected


def test_a_hit_lists_every_topic_of_its_paper():
    """A paper in two topics is one hit naming both."""
    (hit,) = search(TOPICS, "prompting")
    assert hit.topics == ["rl", "code"]


def test_harvest_search_prints_one_line_per_paper(standin: Standin, config: Path, capsys):
    """`harvest search` prints date, id, title, authors and topics, then a count on stderr."""
    assert main(argv(standin, config)) == 0
    capsys.readouterr()
    assert (
        tool("search", config, "reinforcement", "--topic", "rlhf_code", "--since", "2022-01-01")
        == 0
    )
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines
    assert all(line.endswith("; rlhf_code)") for line in lines)
    dates = [line.split()[0] for line in lines]
    assert dates == sorted(dates, reverse=True)
    assert dates[-1] >= "2022-01-01"
    assert err == f"{len(lines)} papers found\n"
    capsys.readouterr()
    db = config.parent / "export" / "papers.db"
    assert tool("export", config, "--out", str(db.parent), "--format", "sqlite") == 0
    capsys.readouterr()
    assert (
        tool(
            "search",
            config,
            "reinforcement",
            "--topic",
            "rlhf_code",
            "--since",
            "2022-01-01",
            "--db",
            str(db),
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines() == lines


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(["x", "--topic", "nope"], "unknown topic 'nope'", id="unknown-topic"),
        pytest.param(["x", "--since", "May"], "--since: invalid", id="bad-date"),
        pytest.param([], "the following arguments are required: TEXT", id="no-text"),
    ],
)
def test_search_usage_errors_exit_2(config: Path, capsys, extra, message):
    """A bad flag is a usage error: exit 2 and one line that says what is wrong."""
    (config.parent / "data").mkdir()  # none at all is refused first
    assert tool("search", config, *extra) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("text", ["learn", "chain of thought", "", "zhou"])
def test_a_search_of_papers_db_finds_what_the_data_does(tmp_path: Path, text):
    """Searching the exported papers.db gives the hits of searching the records."""
    db = tmp_path / "papers.db"
    sqlite.write(db, TOPICS)
    assert search_file(db, text) == search(TOPICS, text)
    assert [h.arxiv_id for h in search_file(db, "", topics=["code"])] == [
        "2403.00003v2",
        "2402.00002v1",
    ]
    assert {tuple(h.topics) for h in search_file(db, "", topics=["code"])} == {("code",)}


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        pytest.param(
            None, StoreError, "no such papers.db; make it with harvest export", id="missing"
        ),
        pytest.param(
            b"not a database, just bytes" * 100,
            StoreError,
            "cannot search: file is not a database",
            id="not-sqlite",
        ),
        pytest.param(
            "empty-sqlite", StoreError, "not a papers.db of this harvester", id="other-sqlite"
        ),
        pytest.param("schema-1", StoreError, "not a papers.db of this harvester", id="before-dois"),
        pytest.param("papers.db", UsageError, "unknown topic 'nope'", id="unknown-topic"),
        pytest.param("directory", StoreError, "not a regular file; refused", id="a-directory"),
    ],
)
def test_a_file_that_is_not_a_papers_db_is_one_error(tmp_path: Path, content, error, message):
    """A missing, foreign or non-SQLite file, or a topic it lacks, fails with what is wrong."""
    db = tmp_path / "papers.db"
    if isinstance(content, bytes):
        db.write_bytes(content)
    elif content == "empty-sqlite":
        with closing(sqlite3.connect(db)) as conn:
            conn.execute("CREATE TABLE t (x)")
    elif content == "papers.db":
        sqlite.write(db, TOPICS)
    elif content == "schema-1":  # an export made before `dois` (issue 25) was a column
        sqlite.write(db, TOPICS)
        with closing(sqlite3.connect(db)) as conn:
            conn.execute("PRAGMA user_version = 1")
    elif content == "directory":
        db.mkdir()
    with pytest.raises(error, match=re.escape(message)):
        search_file(db, "x", topics=["nope"])
