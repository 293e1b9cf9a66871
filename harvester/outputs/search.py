"""`harvest search`: the stored papers that match some words, newest first.

The papers are loaded from `data/` and indexed in an in-memory SQLite database built
by `sqlite.build`, the very tables and FTS5 index of `papers.db`. So a search needs no
export made first (nor one kept fresh), and it matches exactly what Datasette's search
box on `papers.db` matches: whole words over title, abstract and authors, across
inflections, every word required, `word*` as a prefix. A plain scan would have to
re-invent tokenising and stemming; building the index costs about as much as reading
the JSON (bench/RESULTS.md, "papers.db").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date

from harvester.models import Paper
from harvester.outputs import sqlite


@dataclass(frozen=True)
class Hit:
    """A matching paper.

    Attributes:
        paper: its record (at its latest version across topics).
        topics: the topics it is in.
    """

    paper: Paper
    topics: list[str]


def fts_query(text: str) -> str:
    """An FTS5 query that requires every word of `text`, read as words, not syntax.

    Each word is quoted (so `chain-of-thought` is the phrase "chain of thought" and
    `AND`, `NOT`, `:` or a lone quote mean nothing special); a trailing `*` is kept as
    a prefix search. An empty text gives an empty query.
    """
    terms = []
    for word in text.split():
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
    """The papers of `topics` matching `text`, by `author` (a part of a name, any case)
    and first submitted on or after `since`, newest first.
    """
    papers, topics_of = sqlite.merged(topics)
    by_key = {p.key: p for p in papers}
    where, params = [], []
    query = fts_query(text)
    if query:
        where.append("p.rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
        params.append(query)
    if author:
        where.append(
            "p.id IN (SELECT paper_id FROM paper_authors JOIN authors ON authors.id = author_id"
            " WHERE authors.name LIKE ? ESCAPE '\\')"
        )
        params.append("%" + _like_escaped(author) + "%")
    if since:
        where.append("p.published >= ?")
        params.append(since.isoformat())
    # Only the fixed clauses above are joined in; every value is a bound parameter.
    sql = "SELECT p.id FROM papers p" + (" WHERE " + " AND ".join(where) if where else "")  # noqa: S608
    with closing(sqlite3.connect(":memory:")) as conn:
        sqlite.fill(conn, papers, topics_of, list(topics))
        rows = conn.execute(sql + " ORDER BY p.published DESC, p.id DESC", params).fetchall()
    return [Hit(by_key[key], topics_of[key]) for (key,) in rows]


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
