"""Exports for readers: the original `papers_database.json`, a Markdown digest, BibTeX
and CSL-JSON per topic, `papers.db` (SQLite) and a Parquet dataset, each format chosen
with `--format`. Every output depends only on the stored records, so two exports of
the same data are byte-identical (the formats: `bibtex.py`, `csl.py`, `sqlite.py`,
`parquet.py`; the original database and the digest here).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from urllib.parse import quote

from harvester import files
from harvester.config import Config
from harvester.db import shards
from harvester.errors import StoreError
from harvester.models import Paper, flat_line
from harvester.outputs import bibtex, csl, feeds, parquet, sqlite

ORIGINAL_KEYS = (
    "title",
    "authors",
    "summary",
    "arxiv_id",
    "published",
    "categories",
    "url",
    "pdf_url",
)
_MARKDOWN_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>#|"})


def _ordered(papers: Iterable[Paper]) -> list[Paper]:
    return sorted(papers, key=Paper.sort_key, reverse=True)


def papers_database(topics: dict[str, list[Paper]]) -> bytes:
    """The original database: topic -> records with the original eight keys.

    Formatted as the original was (2-space indent, ASCII escapes), topics in the
    given order, records newest first.
    """
    database = {
        name: [
            {key: value for key, value in p.model_dump(mode="json").items() if key in ORIGINAL_KEYS}
            for p in _ordered(papers)
        ]
        for name, papers in topics.items()
    }
    return (json.dumps(database, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def _link(url: str) -> str:
    """A URL as a Markdown link's target: what would end the link (`)`, a space) or break
    its line percent-encoded, so a record's URL is one link and no more."""
    return quote(url, safe=":/?#[]@!$&'*+,;=%~")


def markdown(topic: str, papers: Iterable[Paper]) -> str:
    """A digest of one topic: papers grouped by year of first version, newest first.

    One line per paper whatever its text holds: a title or name with a line break or a
    control character is made one line (`flat_line`), then Markdown's marks escaped.
    """
    ordered = _ordered(papers)
    lines = [f"# {topic}", "", f"{len(ordered)} papers, newest first.", ""]
    for year, group in groupby(ordered, key=lambda p: p.published.year):
        lines += [f"## {year}", ""]
        for p in group:
            authors = ", ".join(p.authors[:3]) + (" et al." if len(p.authors) > 3 else "")
            title = flat_line(p.title).translate(_MARKDOWN_SPECIAL)
            category = p.primary_category or (p.categories[0] if p.categories else "")
            lines.append(
                f"- **{title}**: {flat_line(authors).translate(_MARKDOWN_SPECIAL)} · "
                f"[{p.arxiv_id}]({_link(feeds.abs_url(p))}) · {p.published.isoformat()} · "
                f"{flat_line(category).translate(_MARKDOWN_SPECIAL)}"
            )
        lines.append("")
    return "\n".join(lines)


FORMATS = {
    "json": "papers_database.json, the original database's format",
    "markdown": "<topic>.md, a digest by year",
    "bibtex": "<topic>.bib, for BibTeX and biblatex",
    "csl": "<topic>.csl.json, CSL-JSON for Zotero and citeproc",
    "sqlite": "papers.db, SQLite with full-text search (Datasette opens it)",
    "parquet": f"parquet/topic=NAME/year=YYYY/, needs {parquet.INSTALL}",
}
"""Every format, with what it writes."""
DEFAULT_FORMATS = ("json", "markdown", "bibtex", "csl", "sqlite")
"""What `harvest export` writes unless told: every format the standard install can."""


def load_topics(
    config: Config, data_dir: Path, names: list[str] | None = None
) -> tuple[dict[str, list[Paper]], list[StoreError]]:
    """The stored papers of the topics `names` (all, in file order, when None) whose data
    file is valid, and one error for each that is not (as `stats` does: the healthy
    topics are still served).

    Raises:
        UsageError: a name is not a topic of the config.
    """
    loaded: dict[str, list[Paper]] = {}
    failed: list[StoreError] = []
    for topic in config.select(names):
        try:
            loaded[topic.name] = list(shards.TopicFiles(data_dir, topic.name).load().values())
        except StoreError as exc:
            failed.append(exc)
    return loaded, failed


@dataclass(frozen=True)
class Exported:
    """What an export wrote, and the topics it could not read.

    Attributes:
        files: the files written, `papers_database.json` first.
        failed: one error per topic whose data file is invalid; those topics are left
            out of `papers_database.json`, and their own files are not touched.
    """

    files: list[Path]
    failed: list[StoreError]


def export(
    config: Config,
    data_dir: Path,
    out_dir: Path,
    *,
    formats: Iterable[str] = DEFAULT_FORMATS,
    topics: list[str] | None = None,
) -> Exported:
    """Write the chosen formats for the chosen topics (all when None) whose data file is
    valid; what was written, and the topics that could not be read.

    Raises:
        UsageError: a topic is not in the config.
        MissingExtra: a format needs an optional package that is not installed.
        StoreError: an export cannot be written.
    """
    chosen = set(formats)
    loaded, failed = load_topics(config, data_dir, topics)
    if failed and not loaded:  # nothing to export: leave an earlier export as it is
        return Exported(files=[], failed=failed)
    outputs: dict[Path, bytes] = {}
    if "json" in chosen:
        outputs[out_dir / "papers_database.json"] = papers_database(loaded)
    for name, papers in loaded.items():
        if "markdown" in chosen:
            outputs[out_dir / f"{name}.md"] = markdown(name, papers).encode("utf-8")
        if "bibtex" in chosen:
            outputs[out_dir / f"{name}.bib"] = bibtex.bibtex(papers, topic=name).encode("utf-8")
        if "csl" in chosen:
            outputs[out_dir / f"{name}.csl.json"] = csl.csl_json(papers, topic=name)
    for path, data in outputs.items():
        files.write(path, data)
    written = list(outputs)
    if "sqlite" in chosen:
        queries = {name: config.topics[name].query for name in loaded}
        sqlite.write(out_dir / "papers.db", loaded, queries)
        written.append(out_dir / "papers.db")
    if "parquet" in chosen:
        written += parquet.write(out_dir / "parquet", loaded)
    return Exported(files=written, failed=failed)
