"""`harvest search`: the stored papers that match some words, newest first.

By default the papers are loaded from `data/` and indexed in an in-memory SQLite
database built by `sqlite.build`, the very tables and FTS5 index of `papers.db`; with
`--db` the query runs on a `papers.db` already exported (milliseconds, however large).
Either way it matches exactly what Datasette's search box on `papers.db` matches: words
over title, abstract and authors, across inflections, every word required, `word*` a
prefix. A plain scan would have to re-invent tokenising and stemming, and would save
little: loading the JSON is most of the time either way (bench/RESULTS.md, "papers.db").
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from harvester import files
from harvester.errors import StoreError, UsageError
from harvester.models import Paper
from harvester.outputs import sqlite


@dataclass(frozen=True)
class Hit:
    """A matching paper, at its latest version across topics.

    Attributes:
        published: the date of its first version, YYYY-MM-DD.
        arxiv_id: its id with version.
        title: its title.
        authors: its authors in feed order.
        topics: the topics it is in (of those searched), in config order.
    """

    published: str
    arxiv_id: str
    title: str
    authors: list[str]
    topics: list[str]


def fts_query(text: str) -> str:
    """An FTS5 query that requires every word of `text`, read as words, not syntax.

    Each word is quoted (so `chain-of-thought` is the phrase "chain of thought" and
    `AND`, `NOT`, `:` or a lone quote mean nothing special); a trailing `*` is kept as
    a prefix search. An empty text gives an empty query.
    """
    terms = []
    for word in text.replace("\x00", " ").split():  # SQLite ends a string at a NUL
        prefix = word.endswith("*") and len(word) > 1
        core = word.rstrip("*") if prefix else word
        terms.append('"' + core.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


def search(
    topics: Mapping[str, Iterable[Paper]],
    text: str,
    *,
    author: str | None = None,
    since: date | None = None,
) -> list[Hit]:
    """The papers of `topics` matching `text` (see `query`), indexed in memory."""
    with closing(sqlite3.connect(":memory:")) as conn:
        sqlite.build(conn, topics)
        return query(conn, text, author=author, since=since)


def search_file(
    path: Path,
    text: str,
    *,
    author: str | None = None,
    since: date | None = None,
    topics: list[str] | None = None,
) -> list[Hit]:
    """The papers of the exported `papers.db` at `path` matching `text` (see `query`).

    Raises:
        UsageError: a topic is not in the file.
        StoreError: the file is missing, not a regular file, not SQLite, or not a
            `papers.db` of this version.
    """
    try:
        files.check_regular(path)  # a directory or a device is no papers.db either
    except FileNotFoundError:
        raise StoreError(path, "no such papers.db; make it with harvest export") from None
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            if version != sqlite.SCHEMA_VERSION:
                raise StoreError(path, "not a papers.db of this harvester; export it again")
            known = [name for (name,) in conn.execute("SELECT name FROM topics ORDER BY rowid")]
            unknown = [t for t in topics or [] if t not in known]
            if unknown:
                raise UsageError(
                    f"unknown topic {unknown[0]!r} in {path}; known: {', '.join(known)}"
                )
            return query(conn, text, author=author, since=since, topics=topics)
    except sqlite3.Error as exc:
        raise StoreError(path, f"cannot search: {exc}") from None


def query(
    conn: sqlite3.Connection,
    text: str,
    *,
    author: str | None = None,
    since: date | None = None,
    topics: list[str] | None = None,
) -> list[Hit]:
    """The papers of the `papers.db` tables in `conn` that hold every word of `text` (all
    papers if it has none), by `author` (a part of a name, any case), first submitted on
    or after `since`, in `topics` (all if None); newest first."""
    params = {
        "words": fts_query(text) or None,
        "author": "%" + _like_escaped(author) + "%" if author else None,
        "since": since.isoformat() if since else None,
        "topics": json.dumps(topics) if topics else None,
    }
    return [
        Hit(
            published,
            arxiv_id,
            title,
            [name for (name,) in conn.execute(_AUTHORS, (key,))],
            [topic for (topic,) in conn.execute(_TOPICS, {"key": key, **params})],
        )
        for key, published, arxiv_id, title in conn.execute(_MATCHING, params).fetchall()
    ]


# A condition whose value is NULL holds for every paper.
_MATCHING = """
SELECT p.id, p.published, p.arxiv_id, p.title FROM papers p
WHERE (:words IS NULL OR p.rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH :words))
  AND (:author IS NULL OR p.id IN (
    SELECT paper_id FROM paper_authors JOIN authors ON authors.id = author_id
    WHERE authors.name LIKE :author ESCAPE '\\'))
  AND (:since IS NULL OR p.published >= :since)
  AND (:topics IS NULL OR p.id IN (
    SELECT paper_id FROM paper_topics WHERE topic IN (SELECT value FROM json_each(:topics))))
ORDER BY p.published DESC, p.id DESC
"""
_AUTHORS = """
SELECT name FROM paper_authors JOIN authors ON authors.id = author_id
WHERE paper_id = ? ORDER BY position
"""
_TOPICS = """
SELECT topic FROM paper_topics
WHERE paper_id = :key AND (:topics IS NULL OR topic IN (SELECT value FROM json_each(:topics)))
ORDER BY rowid
"""


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
