"""`harvest plan`: what harvesting each topic will cost, asked of arXiv in one request.

Per topic, one request for the query a first harvest sends (the topic's query within
its `submittedDate` range), sorted by `submittedDate`, newest first, with
`max_results=NEWEST` (never 0: arXiv's backend divides by it and answers HTTP 500).
Its `totalResults` is all the costs below rest on; its entries are the topic's newest
papers, shown so that one can judge whether the query finds what one means. Asking for
three rows instead of one costs the same single request and a few kilobytes.

The facts they use, from arXiv's new backend (DESIGN.md, "arXiv API facts"):

- it pages only `client.MAX_RESULTS` rows deep, so a range matching more is split into
  `submittedDate` windows, each filled to at most `windows.FILL` of that (papers are not
  spread evenly in time); the split costs one extra request (the first page of the
  whole range, which tells the count);
- a daily (incremental) run walks a topic newest update first and stops at its
  cutoff: one request per topic.

A set topic is sized by the same request (its set's search, `taxonomy.query_for`) but
harvested through OAI-PMH: a first harvest is one request per 2,500 records, no windows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harvester.arxiv import windows
from harvester.arxiv.client import ArxivClient
from harvester.arxiv.paging import reach
from harvester.config import Topic
from harvester.db import shards, store
from harvester.errors import FeedError, HarvestError, StoreError
from harvester.harvest import verify
from harvester.net import retry
from harvester.oai.client import RECORDS_PER_PAGE

NEWEST = 3
"""How many of a topic's newest papers a plan shows."""
DAILY_REQUESTS = 1
"""Requests of a daily run per topic: its updates fit one page."""
ARCHIVE_RECORDS = 2_900_000
"""About how many records all of arXiv lists (2026): no interface counts them before a
list, so a plan of the whole archive costs this many, not asked."""
ARCHIVE_DAILY_RECORDS = 15_000
"""About how many records a daily list of all of arXiv brings: it runs from the cursor
less a day, so two to three days of changes (new papers, new versions, metadata edits)."""


@dataclass(frozen=True)
class Cost:
    """What one harvest of a topic costs.

    Attributes:
        requests: HTTP requests, at the configured page size.
        windows: `submittedDate` windows the range is fetched in (1: no split).
        seconds: the least time it takes at the configured delay between requests.
    """

    requests: int
    windows: int
    seconds: float


def windows_needed(results: int, page_size: int = 1000) -> int:
    """How many `submittedDate` windows a first harvest of `results` results takes: the
    harvest's own count (`windows.count`), which `Window.cut` makes."""
    return windows.count(results, reach(page_size), page_size)


def first_harvest_cost(results: int, *, page_size: int, delay_seconds: float) -> Cost:
    """The cost of fetching `results` results in full (at most `client.MAX_RESULTS` a window).

    Windows are counted as evenly filled; one extra request (the first page of
    the whole range) finds out that it must be split.
    """
    count = windows_needed(results, page_size)
    per_window = math.ceil(results / count)
    requests = count * max(1, math.ceil(per_window / page_size)) + (1 if count > 1 else 0)
    return Cost(requests=requests, windows=count, seconds=(requests - 1) * delay_seconds)


def first_harvest_query(topic: Topic, *, now: datetime) -> str:
    """The query a first harvest of `topic` sends for its whole range (see `harvest.py`)."""
    lower = windows.FIRST_DAY
    if topic.since is not None:
        lower = datetime(topic.since.year, topic.since.month, topic.since.day, tzinfo=UTC)
    upper = windows.floor_minute(now) + timedelta(days=1)  # as a first harvest: generous
    return f"({topic.query}) AND {windows.Window(lower, upper).clause()}"


@dataclass(frozen=True)
class Newest:
    """One of a topic's newest papers, as a plan shows it."""

    published: str
    arxiv_id: str
    title: str


@dataclass(frozen=True)
class TopicPlan:
    """One topic's plan, or why it could not be made.

    Attributes:
        topic: the topic's name.
        query: the query asked.
        results: what arXiv says its range matches (None on error).
        kept: how many of them a first harvest keeps (the topic's `max_results`).
        first_harvest: the cost of a first harvest (None on error).
        daily_run: the cost of a daily run (None on error).
        data_file: the topic's data file.
        data_file_exists: whether it exists.
        newest: the newest papers the query matches (first version newest first), as
            `published`, `arxiv_id` and `title`; empty on error.
        error: arXiv's reason for rejecting the query, or another failure; None if planned.
        tried: False when a fault of the whole run stopped the plan before this topic
            (its error says `not tried: ` and the cause).
    """

    topic: str
    query: str
    results: int | None
    kept: int | None
    first_harvest: Cost | None
    daily_run: Cost | None
    data_file: str
    data_file_exists: bool
    newest: list[Newest] = field(default_factory=list)
    error: str | None = None
    tried: bool = True
    source: str = "query"
    """What a first harvest asks: `query` (the query API) or `oai` (a set, OAI-PMH)."""
    estimated: bool = False
    """Whether `results` is an estimate rather than arXiv's count (all of arXiv, which no
    interface counts before listing it)."""
    verify: Cost | None = None
    """The cost of `harvest verify` of the topic as stored now, when nothing differs (a
    month that differs costs its listing more); None on error."""


def plan_topic(
    topic: Topic, client: ArxivClient, data_dir: Path, *, delay_seconds: float, now: datetime
) -> TopicPlan:
    """Ask arXiv how many results `topic` has (one request) and cost its harvests.

    A rejected query or a failed request is the plan's `error`, not an exception,
    so that the other topics are still planned.

    Raises:
        StoreError: the data directory cannot be searched for the topic's file.
    """
    plan, _ = _ask(_unplanned(topic, data_dir, now=now), topic, client, delay_seconds)
    return _with_verify(plan, topic, data_dir, delay_seconds=delay_seconds, now=now)


def plan_topics(
    topics: list[Topic],
    client: ArxivClient,
    data_dir: Path,
    *,
    delay_seconds: float,
    now: datetime,
    within: Callable[[str], AbstractContextManager[object]] = lambda _: nullcontext(),
) -> list[TopicPlan]:
    """Plan each topic in turn, as `plan_topic`; a failure of the whole run (arXiv cannot
    be reached, or keeps throttling: `retry.run_wide`) stops it, as it stops a harvest,
    and the topics after it are `not tried`, naming the cause. Each topic is asked
    `within(its name)` (the CLI's: its log lines name it).

    Raises:
        StoreError: the data directory cannot be searched (before any request).
    """
    plans: list[TopicPlan] = []
    stopped: str | None = None
    unplanned = [_unplanned(topic, data_dir, now=now) for topic in topics]
    for topic, blank in zip(topics, unplanned, strict=True):
        if stopped is not None:
            plans.append(replace(blank, error=f"not tried: {stopped}", tried=False))
            continue
        with within(topic.name):
            plan, failure = _ask(blank, topic, client, delay_seconds)
        plans.append(_with_verify(plan, topic, data_dir, delay_seconds=delay_seconds, now=now))
        if failure is not None and retry.run_wide(failure):
            stopped = f"{topic.name} met a fault of the whole run: {failure}"
    return plans


def _ask(
    plan: TopicPlan, topic: Topic, client: ArxivClient, delay_seconds: float
) -> tuple[TopicPlan, HarvestError | None]:
    """The plan costed from arXiv's count, or with the failure as its error."""
    if topic.whole_archive:  # no search counts all of arXiv: estimated, nothing asked
        return _archive(plan, delay_seconds), None
    try:
        found = client.search(plan.query, max_results=NEWEST)  # sorted by submittedDate
    except FeedError as exc:  # QueryRejected among them: arXiv's own reason, without the URL
        return replace(plan, error=exc.detail), exc
    except HarvestError as exc:
        return replace(plan, error=str(exc)), exc
    total = found.total_results
    newest = [Newest(p.published.isoformat(), p.arxiv_id, p.title) for p in found.papers]
    kept = total if topic.max_results is None else min(total, topic.max_results)
    cost = first_harvest_cost(kept, page_size=client.page_size, delay_seconds=delay_seconds)
    if topic.set_spec is not None:  # listed whole through OAI-PMH: no cap, no windows
        kept, cost = total, set_harvest_cost(total, delay_seconds=delay_seconds)
    daily = Cost(requests=DAILY_REQUESTS, windows=1, seconds=0.0)
    planned = replace(plan, results=total, kept=kept, first_harvest=cost, daily_run=daily)
    source = "query" if topic.set_spec is None else "oai"
    return replace(planned, newest=newest, source=source), None


def _with_verify(
    plan: TopicPlan, topic: Topic, data_dir: Path, *, delay_seconds: float, now: datetime
) -> TopicPlan:
    """The plan with the cost of verifying the topic as it is stored: a set's from its
    size alone; a query's from its files' stamps (a file changed since the last run is
    read).

    Raises:
        StoreError: a topic file is invalid.
    """
    if plan.results is None:
        return plan
    stored = shards.TopicFiles(data_dir, topic.name, remember=False)
    if topic.set_spec is None:  # a set's cost is its size's: all of arXiv's files unread
        stored.verify(verify.recorded_stamps(topic, stored))
    requests = verify.requests_needed(topic, stored, set_size=plan.results, now=now)
    cost = Cost(requests=requests, windows=1, seconds=max(0, requests - 1) * delay_seconds)
    return replace(plan, verify=cost)


def _unplanned(topic: Topic, data_dir: Path, *, now: datetime) -> TopicPlan:
    """The plan of `topic` before arXiv is asked: its query and data file."""
    # A sharded topic's files are its folder (data/NAME/); see `shards`.
    path = store.path_for(data_dir, topic.name)
    try:
        stored = shards.TopicFiles(data_dir, topic.name)
        if stored.sharded:
            path = data_dir / topic.name
        exists = bool(stored.names())
    except OSError as exc:  # a directory we may not search, a name too long
        raise StoreError(path, f"cannot look for it: {exc.strerror}") from None
    return TopicPlan(
        topic=topic.name,
        query=first_harvest_query(topic, now=now),
        results=None,
        kept=None,
        first_harvest=None,
        daily_run=None,
        data_file=str(path),
        data_file_exists=exists,
    )


def set_harvest_cost(records: int, *, delay_seconds: float) -> Cost:
    """The cost of listing a set of `records` in full through OAI-PMH: a request per page
    (an empty set is one `noRecordsMatch`), no windows."""
    requests = max(1, math.ceil(records / RECORDS_PER_PAGE))
    return Cost(requests=requests, windows=1, seconds=(requests - 1) * delay_seconds)


def _archive(plan: TopicPlan, delay_seconds: float) -> TopicPlan:
    """The plan of a whole-archive topic, made without a request: its size is estimated
    (`ARCHIVE_RECORDS`), its first harvest is a list of that many records, its daily run
    one list of all of arXiv's changes (`ARCHIVE_DAILY_RECORDS`)."""
    daily = set_harvest_cost(ARCHIVE_DAILY_RECORDS, delay_seconds=delay_seconds)
    return replace(
        plan,
        results=ARCHIVE_RECORDS,
        kept=ARCHIVE_RECORDS,
        first_harvest=set_harvest_cost(ARCHIVE_RECORDS, delay_seconds=delay_seconds),
        daily_run=daily,
        source="oai",
        estimated=True,
    )
