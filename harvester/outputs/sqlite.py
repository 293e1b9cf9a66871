"""`papers.db`: the database as SQLite, for SQL, Datasette and full-text search.

One row per paper in `papers` (the id without version is its key), whatever the
number of topics it is in; its topics, authors and categories in tables of their own
(`paper_topics`, `authors` with `paper_authors`, `categories` with `paper_categories`),
and `papers_fts`, an FTS5 index over title, abstract and authors that Datasette finds
and offers as its search box (its `content="papers"` says which table it indexes).

Built with the standard library's sqlite3 alone: the export is written whole each
time, so none of sqlite-utils' upserts or triggers would be used.
"""

from __future__ import annotations

import filecmp
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from contextlib import closing, suppress
from pathlib import Path

from harvester import files
from harvester.errors import StoreError
from harvester.models import Paper

SCHEMA_VERSION = 1
"""`PRAGMA user_version` of the file; raised when a table or column changes."""

TOKENIZER = "porter unicode61 remove_diacritics 2"
"""Words match across inflections ("learning" finds "learned") and accents."""

SCHEMA = f"""
CREATE TABLE papers (
  id TEXT PRIMARY KEY,             -- the arXiv id without version: 2301.13816
  arxiv_id TEXT NOT NULL,          -- with version: 2301.13816v4
  version INTEGER NOT NULL,
  title TEXT NOT NULL,
  authors TEXT NOT NULL,           -- the names joined by ", ", for reading and search
  summary TEXT NOT NULL,
  published TEXT NOT NULL,         -- date of v1, YYYY-MM-DD (UTC)
  updated TEXT,                    -- this version, YYYY-MM-DDTHH:MM:SSZ
  primary_category TEXT,
  comment TEXT,
  journal_ref TEXT,
  doi TEXT,
  url TEXT NOT NULL,
  pdf_url TEXT NOT NULL
);
CREATE TABLE topics (name TEXT PRIMARY KEY, query TEXT);
CREATE TABLE paper_topics (
  paper_id TEXT NOT NULL REFERENCES papers(id),
  topic TEXT NOT NULL REFERENCES topics(name),
  PRIMARY KEY (paper_id, topic)
);
CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE paper_authors (
  paper_id TEXT NOT NULL REFERENCES papers(id),
  position INTEGER NOT NULL,       -- 1 for the first author
  author_id INTEGER NOT NULL REFERENCES authors(id),
  PRIMARY KEY (paper_id, position)
);
CREATE TABLE categories (name TEXT PRIMARY KEY);
CREATE TABLE paper_categories (
  paper_id TEXT NOT NULL REFERENCES papers(id),
  position INTEGER NOT NULL,
  category TEXT NOT NULL REFERENCES categories(name),
  PRIMARY KEY (paper_id, position)
);
CREATE VIRTUAL TABLE papers_fts USING fts5(
  title, summary, authors, content="papers", tokenize="{TOKENIZER}"
);
"""

INDEXES = """
CREATE INDEX papers_published ON papers(published);
CREATE INDEX paper_topics_topic ON paper_topics(topic);
CREATE INDEX paper_authors_author ON paper_authors(author_id);
CREATE INDEX paper_categories_category ON paper_categories(category);
INSERT INTO papers_fts(papers_fts) VALUES ('rebuild');
"""


def merged(topics: Mapping[str, Iterable[Paper]]) -> tuple[list[Paper], dict[str, list[str]]]:
    """Each paper once, newest first, at its latest version in any topic, and its topics.

    Returns:
        The papers, and each paper's topics (by key) in the order given.
    """
    latest: dict[str, Paper] = {}
    topics_of: dict[str, list[str]] = {}
    for topic, papers in topics.items():
        for p in papers:
            held = latest.get(p.key)
            if held is None or p.version > held.version:
                latest[p.key] = p
            topics_of.setdefault(p.key, []).append(topic)
    return sorted(latest.values(), key=Paper.sort_key, reverse=True), topics_of


def build(
    conn: sqlite3.Connection,
    topics: Mapping[str, Iterable[Paper]],
    queries: Mapping[str, str] | None = None,
) -> None:
    """Create the tables in the empty database `conn` and fill them from `topics`.

    Args:
        conn: an empty database.
        topics: each topic's papers.
        queries: each topic's query, stored beside its name.
    """
    papers, topics_of = merged(topics)
    fill(conn, papers, topics_of, list(topics), queries)


def fill(
    conn: sqlite3.Connection,
    papers: list[Paper],
    topics_of: Mapping[str, list[str]],
    topics: list[str],
    queries: Mapping[str, str] | None = None,
) -> None:
    """Create the tables in the empty database `conn` and fill them with `papers`
    (each once, as `merged` gives them), `topics_of` each and the topic names `topics`."""
    queries = queries or {}
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO topics VALUES (?, ?)", [(t, queries.get(t)) for t in topics])
    conn.executemany(
        "INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", map(_row, papers)
    )
    conn.executemany(
        "INSERT INTO paper_topics VALUES (?, ?)",
        ((p.key, t) for p in papers for t in topics_of[p.key]),
    )
    author_ids: dict[str, int] = {}
    for p in papers:
        for a in p.authors:
            author_ids.setdefault(a, len(author_ids) + 1)
    conn.executemany("INSERT INTO authors VALUES (?, ?)", ((i, a) for a, i in author_ids.items()))
    conn.executemany(
        "INSERT INTO paper_authors VALUES (?, ?, ?)",
        ((p.key, n, author_ids[a]) for p in papers for n, a in enumerate(p.authors, 1)),
    )
    categories = sorted({c for p in papers for c in p.categories})
    conn.executemany("INSERT INTO categories VALUES (?)", ((c,) for c in categories))
    conn.executemany(
        "INSERT INTO paper_categories VALUES (?, ?, ?)",
        ((p.key, n, c) for p in papers for n, c in enumerate(p.categories, 1)),
    )
    conn.executescript(INDEXES)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _row(p: Paper) -> tuple[object, ...]:
    updated = p.updated.strftime("%Y-%m-%dT%H:%M:%SZ") if p.updated else None
    return (
        p.key,
        p.arxiv_id,
        p.version,
        p.title,
        ", ".join(p.authors),
        p.summary,
        p.published.isoformat(),
        updated,
        p.primary_category,
        p.comment,
        p.journal_ref,
        p.doi,
        p.url,
        p.pdf_url,
    )


def write(
    path: Path, topics: Mapping[str, Iterable[Paper]], queries: Mapping[str, str] | None = None
) -> bool:
    """Build `path` from `topics` in a temp file beside it, then rename it over `path`.

    The old file stays in place, untouched, when the new one has the same bytes.

    Returns:
        Whether the file was written.

    Raises:
        StoreError: the file could not be written, or is not a regular file (a
            directory, a symbolic link); it is left as it was.
    """
    if path.is_symlink():  # as `files.write`: the rename would replace the link by a file
        raise StoreError(path, files.LINK_REFUSED)
    with suppress(FileNotFoundError):  # nothing there yet is fine
        files.check_regular(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise StoreError(path, f"cannot write: {exc.strerror}") from None
    tmp = Path(name)
    try:
        with closing(sqlite3.connect(tmp)) as conn:
            # A temp file nobody reads yet: no journal needed; a crash leaves only it.
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            build(conn, topics, queries)
            conn.commit()
        if path.is_file() and filecmp.cmp(tmp, path, shallow=False):
            tmp.unlink()
            return False
        tmp.chmod(0o644)
        tmp.replace(path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError | sqlite3.Error):
            raise StoreError(path, f"cannot write: {exc}") from None
        raise
    return True
