"""One topic, end to end: decide what to fetch, fetch it, merge it, report the counts.

A topic's first harvest (or `--full`) fetches its whole `submittedDate` range, in
windows when it matches more than arXiv serves, committing each finished window.
Once that is complete, each run fetches only what was updated since the newest
`updated` in the topic's file, less a lookback for arXiv's indexing lag.
The CLI runs this per topic; everything that prints or exits stays in the CLI.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harvester import state, store, windows
from harvester.client import ArxivClient
from harvester.config import Topic
from harvester.models import Paper

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicResult:
    """What a harvest did to one topic.

    Attributes:
        topic: the topic's name.
        mode: "full", "resumed" (an interrupted full harvest) or "incremental".
        new: papers not stored before.
        updated: stored papers replaced by a newer version.
        revised: stored papers whose metadata changed at the same version.
        unchanged: fetched papers already stored as they are.
        total: papers in the topic afterwards.
        requests: HTTP requests sent for it, retries included.
        written: whether its file was (re)written.
        seconds: how long it took.
    """

    topic: str
    mode: str
    new: int
    updated: int
    revised: int
    unchanged: int
    total: int
    requests: int
    written: bool
    seconds: float


@dataclass
class _Run:
    """A topic's harvest in progress: what is stored now and what changed so far."""

    path: Path
    papers: dict[str, Paper]
    since: date | None
    dry_run: bool
    counts: dict[str, int] = field(
        default_factory=lambda: {"new": 0, "updated": 0, "revised": 0, "unchanged": 0}
    )
    written: bool = False

    def merge(self, fetched: list[Paper]) -> None:
        # arXiv applies the date range too; this keeps the promise if a server does not.
        kept = [p for p in fetched if self.since is None or p.published >= self.since]
        merged = store.merge(self.papers, kept)
        for name in self.counts:
            self.counts[name] += getattr(merged, name)
        self.papers = merged.papers
        changed = merged.new or merged.updated or merged.revised
        # Nothing changed: the file already holds these bytes, so skip making them again.
        if not self.dry_run and (changed or not self.path.exists()):
            self.written |= store.write(self.path, store.dumps(self.papers.values()))


def harvest_topic(
    topic: Topic,
    *,
    client: ArxivClient,
    data_dir: Path,
    dry_run: bool = False,
    full: bool = False,
    since: date | None = None,
    now: datetime | None = None,
) -> TopicResult:
    """Fetch a topic and merge the records into `data_dir/<topic>.json`.

    The stored file is read (and validated) before anything is fetched, so a
    corrupt file costs no request and is left exactly as it was.

    Args:
        topic: the topic.
        client: the arXiv client (shared by every topic of a run).
        data_dir: where topic files live.
        dry_run: fetch and count, write nothing.
        full: harvest the whole range again, ignoring what was harvested.
        since: a one-off lower date bound instead of the topic's; such a run
            neither reads nor moves the topic's harvest state.
        now: the current time (tests pin it).

    Raises:
        HarvestError: the file is invalid, or the fetch failed; windows finished
            before the failure stay written, nothing else is.
    """
    started = time.monotonic()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    horizon = windows.floor_minute(now) + timedelta(days=1)  # generous: clocks differ
    state_path = state.path_for(data_dir, topic.name)
    run = _Run(
        path=data_dir / f"{topic.name}.json",
        papers=store.load(data_dir / f"{topic.name}.json"),
        since=since or topic.since,
        dry_run=dry_run,
    )
    tracked = since is None
    saved = state.load(state_path) if tracked else None
    if saved is not None and not saved.matches(topic.query, topic.since):
        logger.info("%s: query or since changed: harvesting it in full", topic.name)
        saved = None
    newest = max((p.updated for p in run.papers.values() if p.updated), default=None)
    requests_before = client.requests

    if saved is not None and saved.complete and not full and newest is not None:
        mode = "incremental"
        start = windows.floor_minute(newest - timedelta(days=topic.lookback_days))
        query = topic.query
        if run.since is not None:
            query = f"({query}) AND submittedDate:[{run.since:%Y%m%d}0000 TO {horizon:%Y%m%d%H%M}]"
        window = windows.Window("lastUpdatedDate", start, horizon)
        logger.info("%s: incremental from %s", topic.name, window)
        windows.fetch(
            client, query, window, commit=lambda _, papers: run.merge(papers),
            max_results=topic.max_results,
        )  # fmt: skip
    else:
        resume = saved is not None and not saved.complete and not full
        mode = "resumed" if resume else "full"
        until = saved.until if resume and saved is not None else horizon
        done = list(saved.done) if resume and saved is not None else []
        lower = windows.FIRST_DAY
        if run.since is not None:
            lower = datetime(run.since.year, run.since.month, run.since.day, tzinfo=UTC)
        whole = windows.Window("submittedDate", lower, until)

        def commit(window: windows.Window, papers: list[Paper]) -> None:
            run.merge(papers)
            if tracked and not dry_run:
                done.append((window.start, window.end))
                state.save(
                    state_path,
                    state.TopicState(query=topic.query, since=topic.since, until=until, done=done),
                )

        remaining = topic.max_results
        for gap in windows.gaps(whole, done):
            logger.info("%s: %s harvest of %s", topic.name, mode, gap)
            fetched = windows.fetch(client, topic.query, gap, commit=commit, max_results=remaining)
            if remaining is not None:
                remaining -= fetched
                if remaining <= 0:
                    break
        if tracked and not dry_run:
            state.save(
                state_path,
                state.TopicState(query=topic.query, since=topic.since, until=until, complete=True),
            )
    return TopicResult(
        topic=topic.name,
        mode=mode,
        total=len(run.papers),
        requests=client.requests - requests_before,
        written=run.written,
        seconds=time.monotonic() - started,
        **run.counts,
    )
