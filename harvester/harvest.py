"""One topic, end to end: decide what to fetch, fetch it, merge it, report the counts.

A topic's first harvest (or `--full`) fetches its whole `submittedDate` range, in
windows when it matches more than arXiv serves, committing each finished window.
Once that is complete, each run fetches only what was updated since the topic's
watermark (kept in its state), less a lookback for arXiv's indexing lag.
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
from harvester.errors import HarvestError
from harvester.models import Paper

logger = logging.getLogger(__name__)

# A first harvest writes its finished windows once this many papers have gathered
# (and at the end): a 100,000-paper topic is rewritten about ten times, not once per
# window, and a killed run fetches at most this many again.
COMMIT_EVERY = 10_000


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
        changes: the new, updated and revised papers, by name.
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
    changes: tuple[store.Change, ...] = ()


class TopicFailed(HarvestError):
    """A topic's harvest failed; `result` says what it did before (finished windows stay).

    Attributes:
        cause: the error that stopped it.
        result: the counts of what was merged and written before it stopped.
    """

    def __init__(self, cause: HarvestError, result: TopicResult) -> None:
        self.cause = cause
        self.result = result
        super().__init__(str(cause))


@dataclass
class _Run:
    """A topic's harvest in progress: what is stored now and what changed so far."""

    topic: str
    started: float
    requests_before: int
    path: Path
    papers: dict[str, Paper]
    since: date | None
    dry_run: bool
    counts: dict[str, int] = field(
        default_factory=lambda: {"new": 0, "updated": 0, "revised": 0, "unchanged": 0}
    )
    written: bool = False
    changes: list[store.Change] = field(default_factory=list)

    def result(self, mode: str, requests: int) -> TopicResult:
        """What the harvest did so far, given the client's request count now."""
        return TopicResult(
            topic=self.topic,
            mode=mode,
            total=len(self.papers),
            requests=requests - self.requests_before,
            written=self.written,
            seconds=time.monotonic() - self.started,
            changes=tuple(self.changes),
            **self.counts,
        )

    def merge(self, fetched: list[Paper]) -> bool:
        """Merge fetched records and write the file if they changed it; returns whether."""
        # arXiv applies the date range too; this keeps the promise if a server does not.
        kept = [p for p in fetched if self.since is None or p.published >= self.since]
        merged = store.merge(self.papers, kept)
        for name in self.counts:
            self.counts[name] += getattr(merged, name)
        self.changes.extend(merged.changes)
        self.papers = merged.papers
        changed = merged.new or merged.updated or merged.revised
        # Nothing changed: the file already holds these bytes, so skip making them again.
        if not self.dry_run and (changed or not self.path.exists()):
            self.written |= store.save(self.path, self.papers.values())
        return bool(changed)


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
        HarvestError: the topic or state file is invalid (nothing was fetched).
        TopicFailed: the fetch failed; windows finished before the failure stay
            written, nothing else is.
    """
    started = time.monotonic()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    state_path = state.path_for(data_dir, topic.name)
    run = _Run(
        topic=topic.name,
        started=started,
        requests_before=client.requests,
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
    mode = "full"
    try:
        if saved is not None and saved.complete and not full:
            mode = "incremental"
            _incremental(topic, run, client, saved=saved, state_path=state_path, now=now)
        else:
            mode = _first_harvest(
                topic, run, client, saved=None if full else saved, tracked=tracked,
                state_path=state_path, now=now,
            )  # fmt: skip
    except HarvestError as exc:
        raise TopicFailed(exc, run.result(mode, client.requests)) from exc
    return run.result(mode, client.requests)


def _incremental(
    topic: Topic,
    run: _Run,
    client: ArxivClient,
    *,
    saved: state.TopicState,
    state_path: Path,
    now: datetime,
) -> None:
    """Fetch what was updated since the watermark (less the lookback), merge it at once.

    Merged only when every window is in, and the watermark moves to this run's start
    only then (and only if something changed): a failed run leaves both as they were,
    so the next one asks for the same range. The topic's cap does not apply: it bounds
    a first harvest, and an update left out here would never be fetched again.
    """
    watermark = saved.watermark or saved.until - timedelta(days=1)  # states before watermarks
    horizon = windows.floor_minute(now) + timedelta(days=1)  # generous: clocks differ
    start = windows.floor_minute(watermark - timedelta(days=topic.lookback_days))
    query = topic.query
    if run.since is not None:
        query = f"({query}) AND submittedDate:[{run.since:%Y%m%d}0000 TO {horizon:%Y%m%d%H%M}]"
    window = windows.Window("lastUpdatedDate", start, horizon)
    logger.info("%s: incremental from %s", topic.name, window)
    fetched: list[Paper] = []
    windows.fetch(client, query, window, commit=lambda _, papers: fetched.extend(papers))
    if run.merge(fetched) and not run.dry_run:
        state.save(state_path, saved.model_copy(update={"watermark": windows.floor_minute(now)}))


def _first_harvest(
    topic: Topic,
    run: _Run,
    client: ArxivClient,
    *,
    saved: state.TopicState | None,
    tracked: bool,
    state_path: Path,
    now: datetime,
) -> str:
    """Fetch the topic's whole range window by window, committing finished ones; returns
    the mode.

    With `max_results`, the topic is its newest that many papers: reaching the cap
    (counted across resumed runs) completes the harvest.
    """
    if saved is not None and not saved.complete:
        mode, progress = "resumed", saved
    else:
        mode = "full"
        # Updates from the first attempt on are left to the incremental runs that follow.
        progress = state.TopicState(
            query=topic.query,
            since=topic.since,
            until=windows.floor_minute(now) + timedelta(days=1),  # generous: clocks differ
            watermark=windows.floor_minute(now),
        )
    lower = windows.FIRST_DAY
    if run.since is not None:
        lower = datetime(run.since.year, run.since.month, run.since.day, tzinfo=UTC)
    whole = windows.Window("submittedDate", lower, progress.until)

    pending: list[Paper] = []  # fetched in finished windows, not yet written
    finished: list[tuple[datetime, datetime]] = []

    def flush() -> None:
        nonlocal progress
        if not finished:
            return
        run.merge(pending)
        progress = progress.model_copy(
            update={
                "done": [*progress.done, *finished],
                "fetched": progress.fetched + len(pending),
            }
        )
        pending.clear()
        finished.clear()
        if tracked and not run.dry_run:
            state.save(state_path, progress)  # after the data: a window is done once written

    def commit(window: windows.Window, papers: list[Paper]) -> None:
        pending.extend(papers)
        finished.append((window.start, window.end))
        if len(pending) >= COMMIT_EVERY:
            flush()

    cap = topic.max_results
    try:
        for gap in windows.gaps(whole, list(progress.done)):
            remaining = None if cap is None else cap - progress.fetched - len(pending)
            if remaining is not None and remaining <= 0:
                logger.info("%s: reached max_results (%d)", topic.name, cap)
                break
            logger.info("%s: %s harvest of %s", topic.name, mode, gap)
            windows.fetch(client, topic.query, gap, commit=commit, max_results=remaining)
    finally:
        flush()  # windows finished before a failure stay written
    if tracked and not run.dry_run:
        state.save(
            state_path, progress.model_copy(update={"complete": True, "done": [], "fetched": 0})
        )
    return mode
