"""`harvest plan`: what harvesting each topic will cost, asked of arXiv in one request.

Per topic, one request with `max_results=1` (never 0: arXiv's backend divides by it
and answers HTTP 500) for the query a first harvest sends: the topic's query within
its `submittedDate` range. Its `totalResults` is all the costs below rest on.

The facts they use, from arXiv's new backend (DESIGN.md, "arXiv API facts"):

- it pages only `client.MAX_RESULTS` rows deep, so a range matching more is split into
  `submittedDate` windows, each filled to at most `windows.FILL` of that (papers are not
  spread evenly in time); the split costs one extra request (the first page of the
  whole range, which tells the count);
- a daily (incremental) run walks a topic newest update first and stops at its
  cutoff: one request per topic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harvester.arxiv import windows
from harvester.arxiv.client import ArxivClient
from harvester.arxiv.paging import reach
from harvester.config import Topic
from harvester.db import shards
from harvester.errors import FeedError, HarvestError

DAILY_REQUESTS = 1
"""Requests of a daily run per topic: its updates fit one page."""


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
    """How many `submittedDate` windows a first harvest of `results` results takes."""
    rows = reach(page_size)
    return 1 if results <= rows else windows.parts_needed(results, rows)


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
        error: arXiv's reason for rejecting the query, or another failure; None if planned.
    """

    topic: str
    query: str
    results: int | None
    kept: int | None
    first_harvest: Cost | None
    daily_run: Cost | None
    data_file: str
    data_file_exists: bool
    error: str | None = None


def plan_topic(
    topic: Topic, client: ArxivClient, data_dir: Path, *, delay_seconds: float, now: datetime
) -> TopicPlan:
    """Ask arXiv how many results `topic` has (one request) and cost its harvests.

    A rejected query or a failed request is the plan's `error`, not an exception,
    so that the other topics are still planned.
    """
    query = first_harvest_query(topic, now=now)
    stored = shards.TopicFiles(data_dir, topic.name)
    # A sharded topic's files are its folder (data/NAME/); see `shards`.
    path = data_dir / topic.name if stored.sharded else stored.path(stored.single)
    plan = TopicPlan(
        topic=topic.name,
        query=query,
        results=None,
        kept=None,
        first_harvest=None,
        daily_run=None,
        data_file=str(path),
        data_file_exists=bool(stored.names()),
    )
    try:
        total = client.search(query, max_results=1).total_results
    except FeedError as exc:  # QueryRejected among them: arXiv's own reason, without the URL
        return replace(plan, error=exc.detail)
    except HarvestError as exc:
        return replace(plan, error=str(exc))
    kept = total if topic.max_results is None else min(total, topic.max_results)
    return replace(
        plan,
        results=total,
        kept=kept,
        first_harvest=first_harvest_cost(
            kept, page_size=client.page_size, delay_seconds=delay_seconds
        ),
        daily_run=Cost(requests=DAILY_REQUESTS, windows=1, seconds=0.0),
    )
