"""papers.db: one row per paper, its topics, authors and categories in their own tables,
full-text search, and Datasette serving it as it is, and with the metadata beside it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.cli import cli as datasette_cli

from harvester.cli import main
from harvester.errors import StoreError
from harvester.models import Paper
from harvester.outputs import datasette, sqlite
from tests.conftest import HOSTILE_DOIS, TWO_DOIS, argv, paper, tool
from tests.standin import Standin


def rows(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """The rows of one query on `db`."""
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def exported(standin: Standin, config: Path) -> Path:
    """papers.db of the stand-in's papers harvested into two topics (`config`)."""
    assert main(argv(standin, config)) == 0
    # A topic of its own papers, so that the topics differ: the first 40 of rlhf_code.
    data = config.parent / "data"
    records = json.loads((data / "rlhf_code.json").read_text())
    (data / "few.json").write_text(json.dumps(records[:40], indent=2) + "\n")
    config.write_text(config.read_text() + "\n[topics.few]\nquery = 'all:few'\n")
    assert tool("export", config, "--out", str(config.parent / "out"), "--format", "sqlite") == 0
    return config.parent / "out" / "papers.db"


def test_counts_per_topic_equal_the_json_files(exported: Path):
    """Each topic has as many papers in papers.db as in its JSON file; a paper is one row."""
    data = exported.parent.parent / "data"
    expected = {
        t: len(json.loads((data / f"{t}.json").read_text()))
        for t in ("rlhf_code", "llm_alignment", "few")
    }
    counted = dict(rows(exported, "SELECT topic, count(*) FROM paper_topics GROUP BY topic"))
    assert counted == expected == {"rlhf_code": 111, "llm_alignment": 111, "few": 40}
    assert rows(exported, "SELECT count(*) FROM papers") == [(111,)]
    assert rows(
        exported, "SELECT count(*) FROM paper_topics WHERE paper_id = ?", "astro-ph/9812133"
    ) == [(2,)]


def test_a_word_of_an_abstract_finds_its_paper(exported: Path):
    """A full-text query for a word found in one abstract only returns that paper."""
    summaries = dict(rows(exported, "SELECT id, summary FROM papers"))
    words: dict[str, set[str]] = {}
    for key, text in summaries.items():
        for word in text.lower().split():
            if word.isalpha() and len(word) > 8:
                words.setdefault(word, set()).add(key)
    word, (key,) = next((w, keys) for w, keys in sorted(words.items()) if len(keys) == 1)
    found = rows(
        exported,
        "SELECT papers.id FROM papers_fts JOIN papers ON papers.rowid = papers_fts.rowid"
        " WHERE papers_fts MATCH ?",
        f'"{word}"',
    )
    assert (key,) in found


def test_authors_and_categories_have_tables_of_their_own(exported: Path):
    """Each paper's authors and categories are rows in feed order, names stored once."""
    (authors,) = rows(exported, "SELECT authors FROM papers WHERE id = 'astro-ph/9812133'")[0]
    listed = rows(
        exported,
        "SELECT name FROM paper_authors JOIN authors ON authors.id = author_id"
        " WHERE paper_id = 'astro-ph/9812133' ORDER BY position",
    )
    assert ", ".join(n for (n,) in listed) == authors
    assert rows(exported, "SELECT count(*) FROM authors") == rows(
        exported, "SELECT count(DISTINCT name) FROM authors"
    )
    categories = rows(exported, "SELECT count(*) FROM paper_categories")
    assert categories[0][0] >= 111


def test_datasette_serves_it_with_search(exported: Path):
    """Datasette opens papers.db as it is: tables listed, papers_fts its search box."""

    async def ask() -> tuple[Any, Any, Any]:
        datasette = Datasette([str(exported)], immutables=[])
        await datasette.invoke_startup()
        tables = await datasette.client.get("/papers.json")
        word = "reinforcement"
        searched = await datasette.client.get(
            f"/papers/papers.json?_search={word}&_shape=array&_size=max"
        )
        topics = await datasette.client.get("/papers/paper_topics.json?_shape=array&topic=few")
        return tables, searched, topics

    tables, searched, topics = asyncio.run(ask())
    assert tables.status_code == 200
    names = {t["name"] for t in tables.json()["tables"]}
    assert {
        "papers",
        "topics",
        "paper_topics",
        "authors",
        "paper_authors",
        "categories",
        "paper_categories",
        "papers_fts",
    } <= names
    assert searched.status_code == 200
    hits = searched.json()
    assert hits
    assert all("reinforc" in (h["title"] + h["summary"]).lower() for h in hits)
    fts = "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'reinforcement'"
    assert rows(exported, fts) == [(len(hits),)]
    assert topics.status_code == 200
    assert len(topics.json()) == 40


def _metadata(exported: Path) -> dict[str, Any]:
    """The Datasette metadata the export wrote beside papers.db."""
    loaded: dict[str, Any] = json.loads((exported.parent / datasette.METADATA).read_bytes())
    return loaded


def test_datasette_with_the_metadata_opens_with_facets_and_search(exported: Path):
    """With the metadata written beside it, Datasette's papers table comes faceted by topic,
    year and primary category, a word of a title finds its paper, and the source and
    license are shown (issue 26)."""
    (key, title) = rows(exported, "SELECT id, title FROM papers ORDER BY id LIMIT 1")[0]
    word = max(title.split(), key=len)

    async def ask() -> tuple[Any, Any, Any]:
        datasette = Datasette([str(exported)], metadata=_metadata(exported))
        await datasette.invoke_startup()
        table = await datasette.client.get("/papers/papers.json?_size=0")
        searched = await datasette.client.get(
            f"/papers/papers.json?_search={word}&_shape=objects&_size=max"
        )
        return table, searched, await datasette.client.get("/")

    table, searched, home = asyncio.run(ask())
    facets = {
        name: {r["value"]: r["count"] for r in facet["results"]}
        for name, facet in table.json()["facet_results"].items()
    }
    assert facets["topics"] == {"rlhf_code": 111, "llm_alignment": 111, "few": 40}
    assert facets["year"] == dict(rows(exported, "SELECT year, count(*) FROM papers GROUP BY 1"))
    assert sum(facets["primary_category"].values()) == 111
    assert key in [r["id"] for r in searched.json()["rows"]]
    assert (table.json()["source_url"], table.json()["license_url"]) == (
        "https://arxiv.org/",
        datasette.ARXIV_TERMS,
    )
    assert "CC0 1.0" in home.text


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(["papers.db", "-m", "metadata.json"], id="the-file-named"),
        pytest.param(["."], id="the-directory"),
    ],
)
def test_the_readmes_datasette_commands_read_the_metadata(exported: Path, where: list[str]):
    """`datasette export/papers.db -m export/metadata.json` and `datasette export/`, as the
    README gives them, serve the facets."""
    args = [str(exported.parent / arg) if arg != "-m" else arg for arg in where]
    got = CliRunner().invoke(datasette_cli, [*args, "--get", "/papers/papers.json?_size=0"])
    assert got.exit_code == 0, got.output
    assert set(json.loads(got.output)["facet_results"]) == {"topics", "year", "primary_category"}


def test_year_and_topics_are_columns_of_papers(tmp_path: Path):
    """Each paper's row holds its year and its topics (a JSON array, in the topics' order),
    the columns Datasette facets by."""
    path = tmp_path / "papers.db"
    topics = {
        "a": [paper("2401.00001v1"), paper("2301.00002v1", published=date(2023, 1, 2))],
        "b": [paper("2401.00001v2")],
    }
    assert sqlite.write(path, topics) is True
    held = {k: (y, json.loads(t)) for k, y, t in rows(path, "SELECT id, year, topics FROM papers")}
    assert held == {"2401.00001": (2024, ["a", "b"]), "2301.00002": (2023, ["a"])}


def test_a_paper_in_two_topics_is_one_row_at_its_latest_version():
    """The newest version held by any topic is the row; both topics link to it."""
    older = paper("2401.00001v1", title="Old")
    newer = paper("2401.00001v2", title="New")
    other = paper("2402.00002v1", published=date(2024, 2, 1))
    conn = sqlite3.connect(":memory:")
    sqlite.build(conn, {"a": [older, other], "b": [newer]}, {"a": "all:a"})
    assert conn.execute("SELECT id, arxiv_id, version, title FROM papers").fetchall() == [
        ("2402.00002", "2402.00002v1", 1, "T"),
        ("2401.00001", "2401.00001v2", 2, "New"),
    ]
    assert conn.execute("SELECT * FROM paper_topics ORDER BY 1, 2").fetchall() == [
        ("2401.00001", "a"),
        ("2401.00001", "b"),
        ("2402.00002", "a"),
    ]
    assert conn.execute("SELECT * FROM topics").fetchall() == [("a", "all:a"), ("b", None)]
    conn.close()


@pytest.mark.parametrize(
    "doi",
    [
        pytest.param(None, id="none"),
        pytest.param("10.1086/307221", id="one"),
        pytest.param(TWO_DOIS, id="arxiv-0704.0471"),
        pytest.param(HOSTILE_DOIS, id="hostile"),
    ],
)
def test_dois_are_a_json_array_beside_arxivs_doi_field(tmp_path: Path, doi: str | None):
    """papers.db keeps `doi` as arXiv gives it and adds `dois`, a JSON array of its DOIs
    that SQLite's json_each() reads in order (issue 25); the full-text index still finds
    the paper by its title."""
    path = tmp_path / "papers.db"
    shown = paper("0704.0471v1", title="Density dependence of the symmetry energy", doi=doi)
    assert sqlite.write(path, {"a": [shown, paper("2401.00001v1")]}) is True
    key = "0704.0471"
    (stored,) = rows(path, "SELECT doi, dois FROM papers WHERE id = ?", key)
    assert stored[0] == doi
    assert json.loads(stored[1]) == shown.dois
    each = "SELECT value FROM papers, json_each(papers.dois) WHERE papers.id = ? ORDER BY key"
    assert rows(path, each, key) == [(d,) for d in shown.dois]
    fts = "SELECT papers.id FROM papers_fts JOIN papers ON papers.rowid = papers_fts.rowid"
    assert rows(path, f"{fts} WHERE papers_fts MATCH 'symmetry'") == [(key,)]
    assert rows(path, "PRAGMA user_version") == [(sqlite.SCHEMA_VERSION,)] == [(3,)]


def test_same_data_leaves_the_file_untouched(tmp_path: Path):
    """A second export of the same papers does not rewrite papers.db."""
    path = tmp_path / "papers.db"
    assert sqlite.write(path, {"a": [paper("2401.00001v1")]}) is True
    before = path.stat().st_mtime_ns
    assert sqlite.write(path, {"a": [paper("2401.00001v1")]}) is False
    assert path.stat().st_mtime_ns == before
    assert sqlite.write(path, {"a": [paper("2401.00001v2")]}) is True
    assert [p.name for p in tmp_path.iterdir()] == ["papers.db"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(Path.mkdir, "not a regular file; refused", id="a-directory"),
        pytest.param(
            lambda path: path.symlink_to(path.with_name("elsewhere.db")),
            "a symbolic link; refused",
            id="a-symlink",
        ),
    ],
)
def test_a_file_that_cannot_be_replaced_is_a_store_error(tmp_path: Path, make, message: str):
    """A directory or a symbolic link where papers.db should go is refused in words, as
    every file the harvester writes is (the rename would replace the link by a file;
    a directory gave `[Errno 21] Is a directory: '.../.papers.db.x.tmp' -> ...`), leaving
    no temp file."""
    path = tmp_path / "papers.db"
    make(path)
    with pytest.raises(StoreError) as caught:
        sqlite.write(path, {"a": [paper("2401.00001v1")]})
    assert str(caught.value).startswith(f"{path}: {message}")
    assert [p.name for p in tmp_path.iterdir()] == ["papers.db"]
    assert path.is_symlink() or path.is_dir()


@pytest.mark.parametrize(
    "topics",
    [
        pytest.param(
            {"a": [paper("2401.00001v1"), paper("2401.00002v2")], "b": [paper("2401.00001v2")]},
            id="a-paper-in-two-topics",
        ),
        pytest.param(
            {
                "a": [paper("2401.00001v1", published=date(2023, 5, 1)), paper("2401.00002v1")],
                "b": [paper("2401.00001v2", published=date(2024, 6, 1))],
            },
            id="its-records-disagreeing-on-published",
        ),
    ],
)
def test_the_builder_makes_the_bytes_build_makes(tmp_path: Path, topics: dict[str, list[Paper]]):
    """Papers handed to `Builder` one at a time give the file `build` fills from whole
    topics, byte for byte: each paper once, at its kept record and that record's place."""
    reference = tmp_path / "whole.db"
    with closing(sqlite3.connect(reference)) as conn:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        sqlite.build(conn, topics, {"a": "all:a"})
        conn.commit()
    assert sqlite.write(tmp_path / "papers.db", topics, {"a": "all:a"}) is True
    assert (tmp_path / "papers.db").read_bytes() == reference.read_bytes()
