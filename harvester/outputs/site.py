"""`harvest site`: a static site of the database for GitHub Pages, made from `data/` alone.

The index shows every topic (papers, the newest, new this week, papers per month, a
mark on a topic gone silent, the last run's changes when its report is given) under a
headline counting each paper once, however many topics hold it; each topic has pages
of `PAGE_SIZE` papers, newest first, that read without a script, and a filter that
searches the whole topic by loading it in chunks of `CHUNK` papers; each topic and the
whole database have an Atom feed (`harvester.outputs.feeds`). Nothing is
loaded from another site: the style and the script are files of the site, and each page's
Content-Security-Policy forbids anything else.

The same data gives the same bytes: the site's date is the last time a harvest found
something (the newest watermark in `data/.harvest/`, or the newest paper without one),
never the time of the build, and every list has a fixed order.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

from harvester import files
from harvester.config import Config, Topic
from harvester.db import state, verified
from harvester.db.counts import Counts, plural
from harvester.db.reading import TopicReader
from harvester.errors import StoreError
from harvester.harvest import stale
from harvester.harvest.stale import Silence
from harvester.models import Paper
from harvester.outputs import export, feeds, plot
from harvester.outputs.distinct import DistinctIds

PAGE_SIZE = 100
"""Papers per topic page: the first screen is one page, never the whole topic."""
CHUNK = 10_000
"""Papers per filter file: the filter searches the loaded chunks while the rest arrive."""
NEW_DAYS = 7
"""`new this week`: papers first published in this many days up to the site's date."""
LISTED = 25
"""Changed papers named per topic under the last run; the rest are counted."""
STATIC = ("style.css", "filter.js")
ARXIV_START = datetime(1991, 8, 14, tzinfo=UTC)
"""arXiv's first day: the date of a database, or a topic's feed, without a single paper."""


@dataclass(frozen=True)
class TopicPage:
    """What the index shows of a topic."""

    name: str
    papers: int
    newest: Paper | None
    published: Counter[date]
    """Its papers per `published` day, for the counts the index makes once the site's date
    is known."""
    feed: tuple[Paper, ...]
    """Its newest papers (for the feed of all topics)."""
    topic: Topic


@dataclass(frozen=True)
class IndexRow:
    """A topic's line on the index."""

    name: str
    papers: int
    newest: Paper | None
    new_this_week: int
    plot: str
    silence: Silence
    changes: Counts | None
    verified: str
    """When the topic was last compared with arXiv and what was found (`found_text`)."""


def found_text(found: verified.Found | None) -> str:
    """A topic's last verification in words: `2026-12-08: complete, 98 of 98 papers arXiv
    lists`, what was missing, or that it never was."""
    if found is None:
        return "never (harvest verify)"
    day = f"{found.at:%Y-%m-%d}"
    if not found.missing:
        return f"{day}: complete, {found.listed:,} of {plural(found.listed, 'paper')} arXiv lists"
    named = ", ".join(found.missing_ids[:5]) + (" and more" if found.missing > 5 else "")
    repaired = f"; {found.repaired:,} repaired" if found.repaired else ""
    return f"{day}: {found.missing:,} missing of {found.listed:,} arXiv lists ({named}){repaired}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("harvester.outputs", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
    )
    env.filters["plural"] = plural  # `{{ n | plural("paper") }}`: 1 paper, 12,000 papers
    env.filters["abs_url"] = feeds.abs_url  # `{{ p | abs_url }}`: never a script's URL
    env.filters["pdf_url"] = feeds.pdf_url
    env.filters["doi_url"] = feeds.doi_url  # `{{ doi | doi_url }}`: one DOI, percent-encoded
    return env


def page_name(number: int) -> str:
    """A topic page's file: `index.html` for the first, `page-N.html` after it."""
    return "index.html" if number == 1 else f"page-{number}.html"


def filter_record(paper: Paper, page: int) -> list[object]:
    """What the filter searches and shows of a paper, and the page holding its abstract.

    Each DOI comes with its link (`[doi, url]`, none when the paper has no DOI), so
    that the script links exactly what the pages link, escaped once, here.
    """
    return [
        feeds.text(paper.arxiv_id),
        feeds.text(paper.title),
        [feeds.text(a) for a in paper.authors],
        paper.published.isoformat(),
        [feeds.text(c) for c in paper.categories],
        [[feeds.text(d), feeds.doi_url(d)] for d in paper.dois],
        None if paper.journal_ref is None else feeds.text(paper.journal_ref),
        page_name(page),
    ]


def _finalize(value: object) -> object:
    """Every value a template prints, as text a page can hold (`feeds.text`); markup as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return feeds.text(value)
    return value


def site_date(config: Config, data_dir: Path, newest: list[date]) -> datetime:
    """The site's date: the newest watermark of the topics' states, else the newest paper."""
    marks = []
    for name in config.topics:
        saved = state.load(state.path_for(data_dir, name))
        if saved is not None and saved.watermark is not None:
            marks.append(saved.watermark)
    if marks:
        return max(marks)
    if newest:
        return datetime.combine(max(newest), time(), tzinfo=UTC)
    return ARXIV_START


def _topic(
    env: jinja2.Environment,
    topic: Topic,
    reader: TopicReader,
    out_dir: Path,
    checked: str,
    *,
    distinct: DistinctIds | None,
) -> tuple[TopicPage, list[Path]]:
    """Write a topic's pages, filter chunks and feed as its papers come, newest first;
    returns what the index needs of it. Only a page and a filter chunk are held, and the
    count each page shows comes from the files' stamps (`TopicReader.total`); each paper's
    id is added to `distinct`, when given."""
    where = out_dir / topic.name
    pages = _Pages(env, topic.name, reader.total, where, checked)
    newest: list[Paper] = []
    for paper in reader.papers():
        if len(newest) < feeds.NEWEST:
            newest.append(paper)
        pages.add(paper)
        if distinct is not None:
            distinct.add(paper.key)
    written = pages.end()
    feed = feeds.atom(
        newest,
        name=topic.name,
        title=f"arXiv: {topic.name}",
        page="index.html",
        empty_updated=ARXIV_START,
    )
    written.append(_write(where / "feed.xml", feed))
    summary = TopicPage(
        name=topic.name,
        papers=reader.total,
        newest=newest[0] if newest else None,
        published=reader.published,
        feed=tuple(newest),
        topic=topic,
    )
    return summary, written


class _Pages:
    """A topic's pages and filter files, each written once its papers have come."""

    def __init__(
        self, env: jinja2.Environment, topic: str, total: int, where: Path, checked: str
    ) -> None:
        self.topic, self.total, self.where, self.checked = topic, total, where, checked
        self.pages = max(1, -(-total // PAGE_SIZE))
        self.chunks = -(-total // CHUNK)  # ceil
        self.template = env.get_template("topic.html")
        self.written: list[Path] = []
        self.chunk_files: list[Path] = []
        self.held: list[Paper] = []
        self.records: list[list[object]] = []
        self.seen = 0

    def add(self, paper: Paper) -> None:
        """Take the next paper (newest first); write its page or chunk when it is full."""
        self.held.append(paper)
        self.records.append(filter_record(paper, self.seen // PAGE_SIZE + 1))
        self.seen += 1
        if len(self.held) == PAGE_SIZE:
            self._page()
        if len(self.records) == CHUNK:
            self.chunk_files.append(_chunk(self.records, self.where, len(self.chunk_files)))
            self.records = []

    def end(self) -> list[Path]:
        """Write what is left (a topic without papers still has its first page); the files."""
        if self.held or not self.written:
            self._page()
        if self.records:
            self.chunk_files.append(_chunk(self.records, self.where, len(self.chunk_files)))
        return self.written + self.chunk_files

    def _page(self) -> None:
        number = len(self.written) + 1
        html = self.template.render(
            topic=self.topic,
            total=self.total,
            papers=self.held,
            page=number,
            pages=self.pages,
            page_name=page_name,
            chunks=self.chunks,
            checked=self.checked,
            root="../",
        )
        self.written.append(_write(self.where / page_name(number), html.encode("utf-8")))
        self.held = []


def _chunk(records: list[list[object]], where: Path, index: int) -> Path:
    """Write one of the filter's files: `CHUNK` papers' records (newest first)."""
    text = json.dumps(records, ensure_ascii=False, separators=(",", ":")) + "\n"
    return _write(where / f"filter-{index}.json", text.encode("utf-8"))


def _row(
    page: TopicPage,
    now: datetime,
    changes: Mapping[str, Counts] | None,
    found: verified.Found | None,
) -> IndexRow:
    week_start = now.date() - timedelta(days=NEW_DAYS)
    counts = plot.per_month(page.published.elements(), until=now.date())
    return IndexRow(
        name=page.name,
        papers=page.papers,
        newest=page.newest,
        new_this_week=sum(n for d, n in page.published.items() if d > week_start),
        plot=plot.svg(counts, label=page.name),
        silence=stale.assess_days(
            page.published, now=now, stale_after_days=page.topic.stale_after_days
        ),
        changes=None if changes is None else changes.get(page.name, Counts()),
        verified=found_text(found),
    )


@dataclass(frozen=True)
class Built:
    """What a build wrote, and the topics it could not read.

    Attributes:
        files: the files written.
        failed: one error per topic whose data file is invalid; it is left out of the
            index and the feed of all topics, and its own pages are not touched.
    """

    files: list[Path]
    failed: list[StoreError]


def build(
    config: Config, data_dir: Path, out_dir: Path, *, changes: Mapping[str, Counts] | None = None
) -> Built:
    """Write the site of the configured topics whose data file is valid to `out_dir`.

    Args:
        changes: what the last run changed per topic (from its report), when known.

    Raises:
        StoreError: a state file is invalid, or a file cannot be written.
    """
    env = _environment()
    readers, failed = export.read_topics(config, data_dir)  # as export: the healthy ones
    found = verified.load(data_dir).topics
    check_replaceable(out_dir, _planned(out_dir, readers))
    written = [_write(out_dir / ".nojekyll", b"")]  # serve the files as they are
    static = resources.files("harvester.outputs") / "static"
    written += [_write(out_dir / name, (static / name).read_bytes()) for name in STATIC]
    topics = []
    # One topic's papers are distinct already; several may share papers (`distinct`).
    distinct = DistinctIds() if len(readers) > 1 else None
    for name, reader in readers.items():
        checked = found_text(found.get(name))
        summary, paths = _topic(
            env, config.topics[name], reader, out_dir, checked, distinct=distinct
        )
        topics.append(summary)
        written += paths
    now = site_date(config, data_dir, [t.newest.published for t in topics if t.newest])
    rows = [_row(t, now, changes, found.get(t.name)) for t in topics]
    every = [p for t in topics for p in t.feed]
    feed = feeds.atom(
        every, name="all", title="arXiv: all topics", page="index.html", empty_updated=now
    )
    written.append(_write(out_dir / "feed.xml", feed))
    total = sum(t.papers for t in topics)
    html = env.get_template("index.html").render(
        rows=rows,
        now=now,
        changes=changes,
        listed=LISTED,
        root="",
        total=total,
        distinct=total if distinct is None else len(distinct),
    )
    written.append(_write(out_dir / "index.html", html.encode("utf-8")))
    return Built(files=written, failed=failed)


def _planned(out_dir: Path, readers: Mapping[str, TopicReader]) -> list[Path]:
    """Every file a build of these topics writes."""
    planned = [out_dir / name for name in (".nojekyll", *STATIC, "feed.xml", "index.html")]
    for name, reader in readers.items():
        where = out_dir / name
        pages = max(1, -(-reader.total // PAGE_SIZE))
        planned += [where / "feed.xml", *(where / page_name(n) for n in range(1, pages + 1))]
        planned += [where / f"filter-{n}.json" for n in range(-(-reader.total // CHUNK))]
    return planned


_OURS = {
    ".html": b'<meta name="generator" content="arxiv-harvester">',
    ".xml": b">arxiv-harvester</generator>",
    ".css": b"/* arxiv-harvester site",
    ".js": b"// The topic page's filter",
    ".json": b"[[",
}
"""What each kind of file of a site shows in its first `_HEAD` bytes (`.nojekyll` is empty)."""
_HEAD = 8192


def check_replaceable(out_dir: Path, planned: list[Path]) -> None:
    """Refuse to build where a file to be written is not one a build wrote (a user's own
    `index.html`, say, in a repository's root), or where a directory on the way to one is a
    symbolic link (the pages would be written wherever it points), before writing any.

    Raises:
        StoreError: the first such file, named in `out_dir`.
    """
    for path in planned:
        name = path.relative_to(out_dir)
        for parent in reversed(name.parents[:-1]):
            if (out_dir / parent).is_symlink():
                why = "a symbolic link; refused (the site would be written through it)"
                raise StoreError(out_dir, f"holds {parent.as_posix()}, {why}")
        if not path.exists() and not path.is_symlink():
            continue
        if not _ours(path):
            why = "which no site build wrote; refused (move it, or choose another --out)"
            raise StoreError(out_dir, f"holds {name.as_posix()}, {why}")


def _ours(path: Path) -> bool:
    """Whether the file at `path` is one a build wrote (by what it begins with)."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
    except OSError:
        return False
    if path.name == ".nojekyll":
        return head == b""
    signature = _OURS.get(path.suffix)
    if signature is None:
        return False
    # A page or feed says it in its head; a style, script or chunk begins with it.
    return signature in head if path.suffix in (".html", ".xml") else head.startswith(signature)


def _write(path: Path, data: bytes) -> Path:
    files.write(path, data)
    return path
