"""Exports for readers: the original `papers_database.json`, a Markdown digest and
BibTeX per topic. Every output depends only on the stored records, so two exports
of the same data are byte-identical.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path

from harvester import files
from harvester.config import Config
from harvester.db import shards
from harvester.models import Paper

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


def markdown(topic: str, papers: Iterable[Paper]) -> str:
    """A digest of one topic: papers grouped by year of first version, newest first."""
    ordered = _ordered(papers)
    lines = [f"# {topic}", "", f"{len(ordered)} papers, newest first.", ""]
    for year, group in groupby(ordered, key=lambda p: p.published.year):
        lines += [f"## {year}", ""]
        for p in group:
            authors = ", ".join(p.authors[:3]) + (" et al." if len(p.authors) > 3 else "")
            title = p.title.translate(_MARKDOWN_SPECIAL)
            category = p.primary_category or (p.categories[0] if p.categories else "")
            lines.append(
                f"- **{title}**: {authors.translate(_MARKDOWN_SPECIAL)} · "
                f"[{p.arxiv_id}]({p.url}) · {p.published.isoformat()} · {category}"
            )
        lines.append("")
    return "\n".join(lines)


def bibtex_key(paper: Paper) -> str:
    """A citation key that stays the same across versions and runs: `arXiv:<id>`."""
    return f"arXiv:{paper.key}"


def bibtex(papers: Iterable[Paper]) -> str:
    """One `@misc` entry per paper, in arXiv's own style of BibTeX."""
    entries = []
    for p in _ordered(papers):
        fields = [
            # Double braces keep the title's capitals as written.
            ("title", f"{{{_bibtex_text(p.title)}}}"),
            ("author", " and ".join(_author(a) for a in p.authors)),
            ("year", str(p.published.year)),
            ("eprint", p.key),
            ("archivePrefix", "arXiv"),
            ("primaryClass", p.primary_category or (p.categories[0] if p.categories else "")),
            ("url", p.url),
            ("doi", _bibtex_text(p.doi or "")),
            ("note", _bibtex_text(p.journal_ref or "")),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        entries.append(f"@misc{{{bibtex_key(p)},\n{body}\n}}\n")
    return "\n".join(entries)


def _author(name: str) -> str:
    text = _bibtex_text(name)
    # A name with " and " in it (a collaboration) must not split into two authors.
    return f"{{{text}}}" if " and " in f" {name} " else text


def _bibtex_text(text: str) -> str:
    """Text safe inside BibTeX braces.

    arXiv's LaTeX is kept as written when its braces balance. When they do not,
    every brace becomes a LaTeX command: BibTeX counts braces even after a
    backslash, so `\\{` would not help.
    """
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth == 0:
        return text
    return (
        text.replace("{", "\x00")
        .replace("}", r"\textbraceright{}")
        .replace("\x00", r"\textbraceleft{}")
    )


def export(config: Config, data_dir: Path, out_dir: Path) -> list[Path]:
    """Write every export for the configured topics; returns the files written.

    Raises:
        StoreError: a topic file is invalid, or an export cannot be written.
    """
    topics = {
        name: list(shards.TopicFiles(data_dir, name).load().values()) for name in config.topics
    }
    outputs = {out_dir / "papers_database.json": papers_database(topics)}
    for name, papers in topics.items():
        outputs[out_dir / f"{name}.md"] = markdown(name, papers).encode("utf-8")
        outputs[out_dir / f"{name}.bib"] = bibtex(papers).encode("utf-8")
    for path, data in outputs.items():
        files.write(path, data)
    return list(outputs)
