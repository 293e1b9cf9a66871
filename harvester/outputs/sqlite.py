"""`papers.db`: the database as SQLite, for SQL, Datasette and full-text search.

One row per paper in `papers` (the id without version is its key), whatever the
number of topics it is in; its topics, authors and categories in tables of their own
(`paper_topics`, `authors` with `paper_authors`, `categories` with `paper_categories`),
and `papers_fts`, an FTS5 index over title, abstract and authors that Datasette finds
and offers as its search box (its `content="papers"` says which table it indexes).
`metadata` is the Datasette metadata file written beside it (`METADATA`): the source
and its license, and the papers table's facets (its `topics`, `year` and
`primary_category` columns) and search, ready when Datasette opens it.

Built with the standard library's sqlite3 alone: the export is written whole each
time, so none of sqlite-utils' upserts or triggers would be used. `Builder` takes the
papers one at a time and stages them in SQLite's own scratch database on disk, so its
memory does not grow with the database; `build` fills a database from whole topics
(`harvest search`'s index in memory).
"""

from __future__ import annotations

import filecmp
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from itertools import groupby
from pathlib import Path
from typing import Any

from harvester import files
from harvester.errors import StoreError
from harvester.models import Paper

SCHEMA_VERSION = 3
"""`PRAGMA user_version` of the file; raised when a table or column changes (2: `dois`;
3: `year` and `topics`)."""

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
  doi TEXT,                        -- arXiv's field: one DOI, or several separated by a space
  dois TEXT NOT NULL,              -- its DOIs, a JSON array in arXiv's order: '[]' for none
  url TEXT NOT NULL,
  pdf_url TEXT NOT NULL,
  year INTEGER NOT NULL,           -- of `published`: a column Datasette can facet by
  topics TEXT NOT NULL             -- the paper's topics, a JSON array: Datasette's array facet
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
    conn.executemany(_INSERT_PAPER, (_paper_row(_row(p), topics_of[p.key]) for p in papers))
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
    """A paper's row of `papers`, its `_COLUMNS` values in the table's order."""
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
        # A JSON array, which Datasette shows as a list and SQLite's json_each() reads
        # (`SELECT value FROM papers, json_each(dois)`): no table of its own for a list
        # that is empty or one DOI for nearly every paper.
        json.dumps(p.dois, ensure_ascii=False),
        p.url,
        p.pdf_url,
    )


def _paper_row(row: tuple[Any, ...], topics: list[str]) -> tuple[object, ...]:
    """The whole row of `papers`: a record's `_row`, then its year and its topics."""
    return (*row, int(row[6][:4]), json.dumps(topics, ensure_ascii=False))


_COLUMNS = 15
"""The columns of a paper's record (`_row`); `papers` adds `year` and `topics`."""
_INSERT_PAPER = "INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


STAGED = """
CREATE TABLE scratch.staged (
  published TEXT NOT NULL, id TEXT NOT NULL, topic INTEGER NOT NULL,
  arxiv_id TEXT, version INTEGER, title TEXT, authors TEXT, summary TEXT, updated TEXT,
  primary_category TEXT, comment TEXT, journal_ref TEXT, doi TEXT, dois TEXT, url TEXT,
  pdf_url TEXT, author_names TEXT, category_names TEXT,
  PRIMARY KEY (published DESC, id DESC, topic)
) WITHOUT ROWID;
CREATE TABLE scratch.topics_of (paper_id TEXT, topic TEXT);
CREATE TABLE scratch.authors_of (paper_id TEXT, position INTEGER, name TEXT);
CREATE TABLE scratch.categories_of (paper_id TEXT, position INTEGER, name TEXT);
"""
"""What `Builder` stages beside the file: every topic's records, ordered as `papers` is,
then each kept paper's topics, authors and categories in the order they are inserted."""

# Keys whose records disagree on `published` (hand-edited files): the record kept names it,
# as `merged` sorts by the kept record.
_DISAGREEING = """
SELECT id FROM scratch.staged GROUP BY id HAVING count(DISTINCT published) > 1
"""
_KEPT_AUTHORS = """
INSERT INTO authors
SELECT row_number() OVER (ORDER BY first), name
FROM (SELECT name, min(rowid) AS first FROM scratch.authors_of GROUP BY name) ORDER BY first
"""
_FROM_STAGED = (
    "SELECT id, arxiv_id, version, title, authors, summary, published, updated,"
    " primary_category, comment, journal_ref, doi, dois, url, pdf_url, topic,"
    " author_names, category_names FROM scratch.staged"
)
_STAGE_OF = {
    "topics": "INSERT INTO scratch.topics_of VALUES (?, ?)",
    "authors": "INSERT INTO scratch.authors_of VALUES (?, ?, ?)",
    "categories": "INSERT INTO scratch.categories_of VALUES (?, ?, ?)",
}
_BATCH = 1000


class Builder:
    """`papers.db` built from topics handed over a paper at a time, in bounded memory.

    The records are staged in a scratch database on disk (SQLite's own temp file),
    ordered by SQLite; then the tables are filled from it in the order `fill` fills
    them from whole topics, so the file has the same bytes. `add` each topic's papers
    (each once per topic, in any order), then `finish`, then `commit` (or `discard`).

    Args:
        path: the file to write.
        topics: the topic names, in order (a paper in several keeps the first's record
            of its latest version).
        queries: each topic's query, stored beside its name.

    Raises:
        StoreError: the file cannot be written, or is not a regular file (a directory,
            a symbolic link); it is left as it was.
    """

    def __init__(
        self, path: Path, topics: list[str], queries: Mapping[str, str] | None = None
    ) -> None:
        if path.is_symlink():  # as `files.write`: the rename would replace the link by a file
            raise StoreError(path, files.LINK_REFUSED)
        with suppress(FileNotFoundError):  # nothing there yet is fine
            files.check_regular(path)
        self.path = path
        self.topics = topics
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(fd)
        except OSError as exc:
            raise StoreError(path, f"cannot write: {exc.strerror}") from None
        self._tmp: Path | None = Path(name)
        self._rows: list[tuple[object, ...]] = []
        with self._failing():
            self._conn = sqlite3.connect(self._tmp)
            # A temp file nobody reads yet: no journal needed; a crash leaves only it.
            self._conn.execute("PRAGMA journal_mode = OFF")
            self._conn.execute("PRAGMA synchronous = OFF")
            # A private database on disk, removed when closed: the staged records.
            self._conn.execute("ATTACH DATABASE '' AS scratch")
            self._conn.executescript(STAGED)
            self._conn.executescript(SCHEMA)
            self._conn.executemany(
                "INSERT INTO topics VALUES (?, ?)", [(t, (queries or {}).get(t)) for t in topics]
            )

    def add(self, topic: str, paper: Paper) -> None:
        """Stage one paper of `topic`."""
        self._rows.append(
            (
                *_row(paper),
                self.topics.index(topic),
                json.dumps(paper.authors),
                json.dumps(paper.categories),
            )
        )
        if len(self._rows) >= _BATCH:
            self._stage()

    def _stage(self) -> None:
        with self._failing():
            self._conn.executemany(
                "INSERT INTO scratch.staged (id, arxiv_id, version, title, authors, summary,"
                " published, updated, primary_category, comment, journal_ref, doi, dois, url,"
                " pdf_url, topic, author_names, category_names)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._rows,
            )
        self._rows = []

    def finish(self) -> None:
        """Fill the tables from what was staged, as `fill` does, and close the file."""
        self._stage()
        with self._failing():
            conn = self._conn
            for (key,) in conn.execute(_DISAGREEING).fetchall():
                records = conn.execute(f"{_FROM_STAGED} WHERE id = ?", (key,)).fetchall()
                kept = _kept(records)
                conn.execute("UPDATE scratch.staged SET published = ? WHERE id = ?", (kept[6], key))
            self._fill_papers()
            conn.execute(
                "INSERT INTO paper_topics SELECT paper_id, topic FROM scratch.topics_of"
                " ORDER BY rowid"
            )
            conn.execute(_KEPT_AUTHORS)
            conn.execute(
                "INSERT INTO paper_authors SELECT o.paper_id, o.position, a.id"
                " FROM scratch.authors_of o JOIN authors a ON a.name = o.name ORDER BY o.rowid"
            )
            conn.execute(
                "INSERT INTO categories"
                " SELECT DISTINCT name FROM scratch.categories_of ORDER BY name"
            )
            conn.execute(
                "INSERT INTO paper_categories SELECT paper_id, position, name"
                " FROM scratch.categories_of ORDER BY rowid"
            )
            conn.executescript(INDEXES)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.commit()
            conn.close()

    def _fill_papers(self) -> None:
        """Insert each paper once, at its kept record, newest first, from what is staged
        (ordered so that a paper's records come together); stage its topics, authors and
        categories in the same order."""
        conn = self._conn
        papers: list[tuple[object, ...]] = []
        of: dict[str, list[tuple[object, ...]]] = {
            "topics": [],
            "authors": [],
            "categories": [],
        }
        for _, group in groupby(
            conn.execute(f"{_FROM_STAGED} ORDER BY published DESC, id DESC, topic"),
            key=lambda record: record[0],
        ):
            records = list(group)
            kept = _kept(records)
            # A staged record: the paper's row, then its topic, authors and categories.
            topic, authors, categories = _COLUMNS, _COLUMNS + 1, _COLUMNS + 2
            topics = [self.topics[r[topic]] for r in records]
            papers.append(_paper_row(kept[:_COLUMNS], topics))
            of["topics"] += [(kept[0], name) for name in topics]
            of["authors"] += [(kept[0], n, a) for n, a in enumerate(json.loads(kept[authors]), 1)]
            of["categories"] += [
                (kept[0], n, c) for n, c in enumerate(json.loads(kept[categories]), 1)
            ]
            if len(papers) >= _BATCH:
                self._insert(papers, of)
        self._insert(papers, of)

    def _insert(
        self, papers: list[tuple[object, ...]], of: dict[str, list[tuple[object, ...]]]
    ) -> None:
        """Insert the kept papers (the table reads them while they are inserted, so they go
        in batches behind the staged ones) and stage their topics, authors, categories."""
        self._conn.executemany(_INSERT_PAPER, papers)
        for table, rows in of.items():
            self._conn.executemany(_STAGE_OF[table], rows)
            rows.clear()
        papers.clear()

    def commit(self) -> bool:
        """Put the file in place (`finish`ing it first if need be); returns whether it was
        written (False when the old file has the same bytes: it is left untouched)."""
        tmp = self._tmp
        if tmp is None:
            raise ValueError(f"{self.path}: already committed or discarded")
        with self._failing():
            if self.path.is_file() and filecmp.cmp(tmp, self.path, shallow=False):
                tmp.unlink()
                self._tmp = None
                return False
            tmp.chmod(0o644)
            tmp.replace(self.path)
        self._tmp = None
        return True

    def discard(self) -> None:
        """Remove the temp file, leaving `path` as it was."""
        if self._tmp is None:
            return
        with suppress(sqlite3.Error, AttributeError):
            self._conn.close()
        self._tmp.unlink(missing_ok=True)
        self._tmp = None

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()

    @contextmanager
    def _failing(self) -> Iterator[None]:
        """On any failure, discard the temp file; OSError and sqlite3.Error become a
        StoreError."""
        try:
            yield
        except BaseException as exc:
            self.discard()
            if isinstance(exc, OSError | sqlite3.Error):
                raise StoreError(self.path, f"cannot write: {exc}") from None
            raise


def _kept(records: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """Of one paper's staged records (in topic order), the one `merged` keeps: its latest
    version, the first topic's among equals."""
    kept = records[0]
    for record in records[1:]:
        if record[2] > kept[2]:
            kept = record
    return kept


def write(
    path: Path, topics: Mapping[str, Iterable[Paper]], queries: Mapping[str, str] | None = None
) -> bool:
    """Build `path` from `topics` in a temp file beside it (see `Builder`), then rename it
    over `path`.

    The old file stays in place, untouched, when the new one has the same bytes.

    Returns:
        Whether the file was written.

    Raises:
        StoreError: the file could not be written, or is not a regular file (a
            directory, a symbolic link); it is left as it was.
    """
    with Builder(path, list(topics), queries) as builder:
        for topic, papers in topics.items():
            for paper in papers:
                builder.add(topic, paper)
        builder.finish()
        return builder.commit()
