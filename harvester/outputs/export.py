"""Exports for readers: the original `papers_database.json`, a Markdown digest, BibTeX
and CSL-JSON per topic, `papers.db` (SQLite) and a Parquet dataset, each format chosen
with `--format`. Every output depends only on the stored records, so two exports of
the same data are byte-identical (the formats: `bibtex.py`, `csl.py`, `sqlite.py`,
`parquet.py`; the original database and the digest here).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from harvester import files
from harvester.config import Config, Topic
from harvester.db import shards, state
from harvester.db.reading import TopicReader
from harvester.db.state import FileStamp
from harvester.errors import StoreError
from harvester.harvest import sets
from harvester.models import Paper, flat_line
from harvester.outputs import bibtex, csl, datasette, feeds, owned, parquet, sqlite

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


def original_record(paper: Paper) -> dict[str, object]:
    """A record as the original database held it: its eight keys."""
    return {k: v for k, v in paper.model_dump(mode="json").items() if k in ORIGINAL_KEYS}


def papers_database(topics: dict[str, list[Paper]]) -> bytes:
    """The original database: topic -> records with the original eight keys.

    Formatted as the original was (2-space indent, ASCII escapes), topics in the
    given order, records newest first.
    """
    database = OriginalDatabase()
    pieces = []
    for name, papers in topics.items():
        pieces.append(database.topic(name))
        pieces += [database.add(p) for p in _ordered(papers)]
    return b"".join([*pieces, database.end()])


class OriginalDatabase:
    """The pieces of `papers_database.json`, made a topic and a paper at a time: the bytes
    of `json.dumps(database, indent=2, ensure_ascii=True)` and a newline."""

    def __init__(self) -> None:
        self._topics = 0
        self._papers = 0

    def topic(self, name: str) -> bytes:
        """What begins a topic (and ends the one before it)."""
        head = b"{" if not self._topics else self._close_topic() + b","
        self._topics, self._papers = self._topics + 1, 0
        return head + b"\n  " + json.dumps(name).encode("ascii") + b": ["

    def add(self, paper: Paper) -> bytes:
        """One record of the topic begun last."""
        record = json.dumps(original_record(paper), indent=2).replace("\n", "\n    ")
        self._papers += 1
        return (b"\n    " if self._papers == 1 else b",\n    ") + record.encode("ascii")

    def end(self) -> bytes:
        """What ends the database."""
        return b"{}\n" if not self._topics else self._close_topic() + b"\n}\n"

    def _close_topic(self) -> bytes:
        return b"\n  ]" if self._papers else b"]"


def _link(url: str) -> str:
    """A URL as a Markdown link's target: what would end the link (`)`, a space) or break
    its line percent-encoded, so a record's URL is one link and no more."""
    return quote(url, safe=":/?#[]@!$&'*+,;=%~")


def markdown(topic: str, papers: Iterable[Paper]) -> str:
    """A digest of one topic: papers grouped by year of first version, newest first
    (see `Digest`)."""
    ordered = _ordered(papers)
    digest = Digest(topic, len(ordered))
    return "".join([digest.head(), *map(digest.add, ordered), digest.end()])


class Digest:
    """The Markdown digest of one topic, made a paper at a time (newest first): its
    count in its head, then its papers grouped by year of first version.

    One line per paper whatever its text holds: a title or name with a line break or a
    control character is made one line (`flat_line`), then Markdown's marks escaped. Each
    of a paper's DOIs is a link to doi.org, as on the site (`feeds.doi_url`).
    """

    def __init__(self, topic: str, total: int) -> None:
        self.topic = topic
        self.total = total
        self._year: int | None = None

    def head(self) -> str:
        """The title and the count."""
        return f"# {self.topic}\n\n{self.total} papers, newest first.\n"

    def add(self, p: Paper) -> str:
        """A paper's line, after its year's heading when it is the year's first."""
        heading = ""
        if p.published.year != self._year:
            heading = ("\n" if self._year is not None else "") + f"\n## {p.published.year}\n\n"
            self._year = p.published.year
        else:
            heading = "\n"
        authors = ", ".join(p.authors[:3]) + (" et al." if len(p.authors) > 3 else "")
        title = flat_line(p.title).translate(_MARKDOWN_SPECIAL)
        category = p.primary_category or (p.categories[0] if p.categories else "")
        dois = ", ".join(
            f"[{flat_line(doi).translate(_MARKDOWN_SPECIAL)}]({_link(feeds.doi_url(doi))})"
            for doi in p.dois
        )
        return heading + (
            f"- **{title}**: {flat_line(authors).translate(_MARKDOWN_SPECIAL)} · "
            f"[{p.arxiv_id}]({_link(feeds.abs_url(p))}) · {p.published.isoformat()} · "
            f"{flat_line(category).translate(_MARKDOWN_SPECIAL)}"
            + (f" · DOI {dois}" if dois else "")
        )

    def end(self) -> str:
        """What follows the last paper."""
        return "\n" if self._year is not None else ""


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
    topics are still served). Each topic is held whole: `read_topics` reads a file at a
    time.

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


def read_topics(
    config: Config, data_dir: Path, names: list[str] | None = None
) -> tuple[dict[str, TopicReader], list[StoreError]]:
    """A reader (newest first, a file at a time) of each of the topics `names` (all, in
    file order, when None) whose files are valid, and one error for each that is not.

    Files that match the stamps of the topic's harvest state are trusted unread (they
    were validated when written); any other is read and validated now, before anything
    is written, so that a broken topic is left out as `load_topics` leaves it.

    Raises:
        UsageError: a name is not a topic of the config.
    """
    readers: dict[str, TopicReader] = {}
    failed: list[StoreError] = []
    for topic in config.select(names):
        try:
            readers[topic.name] = TopicReader(data_dir, topic.name, known_stamps(data_dir, topic))
        except StoreError as exc:
            failed.append(exc)
    return readers, failed


def known_stamps(data_dir: Path, topic: Topic) -> dict[str, FileStamp]:
    """The stamps of a topic's files its harvest state keeps; none without a valid state
    (every file is then read)."""
    try:
        if topic.set_spec is not None:
            saved: state.TopicState | sets.SetState | None = sets.load_state(
                sets.state_path(data_dir, topic.name)
            )
        else:
            saved = state.load(state.path_for(data_dir, topic.name))
    except StoreError:
        return {}  # the files are read instead; the state's own tools report it
    return dict(saved.files) if saved is not None else {}


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

    The topics are read once, a file at a time, and every format made as the papers
    come (`papers.db` staged on disk, the Parquet dataset a row group at a time), so an
    export holds about one file of the topic, whatever its size. Every output is made
    in a temp file beside it and put in place only once all are made: an export that
    fails part-way leaves the old outputs as they were.

    Raises:
        UsageError: a topic is not in the config.
        MissingExtra: a format needs an optional package that is not installed.
        StoreError: an export cannot be written, or a file changed while it was read.
    """
    chosen = set(formats)
    readers, failed = read_topics(config, data_dir, topics)
    if failed and not readers:  # nothing to export: leave an earlier export as it is
        return Exported(files=[], failed=failed)
    targets = [out_dir / ORIGINAL] if "json" in chosen else []
    targets += [out_dir / f"{n}{s}" for n in readers for k, s in _PER_TOPIC.items() if k in chosen]
    targets += [out_dir / "papers.db", out_dir / datasette.METADATA] if "sqlite" in chosen else []
    owned.check(out_dir, targets)  # before anything is made: a user's own file is not ours
    with ExitStack() as stack:
        outputs: list[_Output] = []
        if "json" in chosen:
            outputs.append(_Original(stack.enter_context(files.Writer(out_dir / ORIGINAL))))
        outputs += [_PerTopic(out_dir, stack, kind) for kind in _PER_TOPIC if kind in chosen]
        if "sqlite" in chosen:
            queries = {name: config.topics[name].query for name in readers}
            builder = sqlite.Builder(out_dir / "papers.db", list(readers), queries)
            outputs.append(_Staged(stack.enter_context(builder)))
        if "parquet" in chosen:
            outputs.append(_Staged(stack.enter_context(parquet.Dataset(out_dir / "parquet"))))
        for name, reader in readers.items():
            for output in outputs:
                output.topic(name, reader.total)
            for paper in reader.papers():
                for output in outputs:
                    output.add(name, paper)
            for output in outputs:
                output.end_topic()
        for output in outputs:  # every file made before any is put in place
            output.finish()
        written = [path for output in outputs for path in output.commit()]
    owned.record(out_dir, written)
    return Exported(files=written, failed=failed)


ORIGINAL = "papers_database.json"


class _Output(Protocol):
    """One format of an export, made as the papers come: each topic begun, fed its
    papers newest first, ended; then every output finished, then put in place."""

    def topic(self, name: str, total: int) -> None: ...

    def add(self, name: str, paper: Paper) -> None: ...

    def end_topic(self) -> None: ...

    def finish(self) -> None: ...

    def commit(self) -> list[Path]: ...


class _Original:
    """`papers_database.json`, one object of every topic, written as it is made."""

    def __init__(self, writer: files.Writer) -> None:
        self._writer = writer
        self._shape = OriginalDatabase()

    def topic(self, name: str, total: int) -> None:
        self._writer.write(self._shape.topic(name))

    def add(self, name: str, paper: Paper) -> None:
        self._writer.write(self._shape.add(paper))

    def end_topic(self) -> None:
        pass

    def finish(self) -> None:
        self._writer.write(self._shape.end())
        self._writer.finish()

    def commit(self) -> list[Path]:
        self._writer.commit()
        return [self._writer.path]


_PER_TOPIC = {"markdown": ".md", "bibtex": ".bib", "csl": ".csl.json"}
"""The formats of a file per topic, and the file's suffix."""


class _PerTopic:
    """`NAME.md`, `NAME.bib` or `NAME.csl.json`: a file per topic, each written as it is
    made, all put in place at the end."""

    def __init__(self, out_dir: Path, stack: ExitStack, kind: str) -> None:
        self._out_dir, self._stack, self._kind = out_dir, stack, kind
        self._writers: list[files.Writer] = []
        self._digest: Digest | None = None
        self._count = 0

    def topic(self, name: str, total: int) -> None:
        path = self._out_dir / f"{name}{_PER_TOPIC[self._kind]}"
        self._writers.append(self._stack.enter_context(files.Writer(path)))
        self._count = 0
        if self._kind == "markdown":
            self._digest = Digest(name, total)
            self._writers[-1].write(self._digest.head().encode("utf-8"))

    def add(self, name: str, paper: Paper) -> None:
        first = not self._count
        self._count += 1
        if self._digest is not None:
            piece = self._digest.add(paper).encode("utf-8")
        elif self._kind == "bibtex":
            piece = bibtex.piece(paper, first=first, topic=name).encode("utf-8")
        else:
            piece = csl.piece(paper, first=first, topic=name)
        self._writers[-1].write(piece)

    def end_topic(self) -> None:
        if self._digest is not None:
            self._writers[-1].write(self._digest.end().encode("utf-8"))
        elif self._kind == "csl":
            self._writers[-1].write(csl.end(self._count))

    def finish(self) -> None:
        for writer in self._writers:
            writer.finish()

    def commit(self) -> list[Path]:
        for writer in self._writers:
            writer.commit()
        return [writer.path for writer in self._writers]


class _Staged:
    """`papers.db` or the Parquet dataset, which stage what they are given themselves."""

    def __init__(self, made: sqlite.Builder | parquet.Dataset) -> None:
        self._made = made

    def topic(self, name: str, total: int) -> None:
        pass

    def add(self, name: str, paper: Paper) -> None:
        self._made.add(name, paper)

    def end_topic(self) -> None:
        pass

    def finish(self) -> None:
        self._made.finish()

    def commit(self) -> list[Path]:
        if isinstance(self._made, sqlite.Builder):
            self._made.commit()
            beside = self._made.path.with_name(datasette.METADATA)  # Datasette's, for papers.db
            files.write(beside, datasette.metadata(self._made.topics))
            return [self._made.path, beside]
        return self._made.commit()
