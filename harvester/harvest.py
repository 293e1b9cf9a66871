"""One topic, end to end: fetch its query, merge into its file, report the counts.

The CLI runs this per topic; everything that prints or exits stays in the CLI.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harvester import store
from harvester.client import ArxivClient
from harvester.config import Topic

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicResult:
    """What a harvest did to one topic.

    Attributes:
        topic: the topic's name.
        new: papers not stored before.
        updated: stored papers replaced by a newer version.
        revised: stored papers whose metadata changed at the same version.
        total: papers in the topic afterwards.
        requests: HTTP requests sent for it, retries included.
        written: whether its file was (re)written.
        seconds: how long it took.
    """

    topic: str
    new: int
    updated: int
    revised: int
    total: int
    requests: int
    written: bool
    seconds: float


def build_query(topic: Topic, *, now: datetime) -> str:
    """The `search_query` for a topic: its query, limited to its `since` date if set."""
    if topic.since is None:
        return topic.query
    # The upper bound is a day ahead so papers announced "today" in any time zone match.
    until = now.astimezone(UTC) + timedelta(days=1)
    return f"({topic.query}) AND submittedDate:[{topic.since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"


def harvest_topic(
    topic: Topic,
    *,
    client: ArxivClient,
    data_dir: Path,
    dry_run: bool = False,
    now: datetime | None = None,
) -> TopicResult:
    """Fetch a topic and merge the records into `data_dir/<topic>.json`.

    The stored file is read (and validated) before anything is fetched, so a
    corrupt file costs no request and is left exactly as it was.

    Raises:
        HarvestError: the file is invalid, or the fetch failed; nothing was written.
    """
    started = time.monotonic()
    path = data_dir / f"{topic.name}.json"
    stored = store.load(path)
    result = client.search(
        build_query(topic, now=now or datetime.now(UTC)), max_results=topic.max_results
    )
    # arXiv applies the date range too; this keeps the promise if a server does not.
    fetched = [
        paper for paper in result.papers if topic.since is None or paper.published >= topic.since
    ]
    merged = store.merge(stored, fetched)
    written = False
    if not dry_run:
        written = store.write(path, store.dumps(merged.papers.values()))
    logger.info("%s: %s", topic.name, "written" if written else "no change to write")
    return TopicResult(
        topic=topic.name,
        new=merged.new,
        updated=merged.updated,
        revised=merged.changed,
        total=len(merged.papers),
        requests=result.requests,
        written=written,
        seconds=time.monotonic() - started,
    )
