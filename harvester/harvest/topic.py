"""One topic, end to end: decide what to fetch, fetch it, merge it, report the counts.

A topic's first harvest fetches its whole `submittedDate` range (`backfill`),
committing as it goes, so an interrupted one resumes. Once that is complete, each run
walks the topic by last update down to its watermark less a lookback (`walk`); a walk
that cannot be trusted falls back to the whole range, and every `refresh_days` the
whole range is harvested again for what no walk sees. The CLI runs this per topic;
everything that prints or exits stays in the CLI.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harvester.arxiv.client import ArxivClient
from harvester.arxiv.windows import FIRST_DAY, Window, floor_minute, gaps
from harvester.config import Topic
from harvester.db import shards, state
from harvester.db.shards import TopicFiles
from harvester.errors import HarvestError, Interrupted
from harvester.harvest import walk
from harvester.harvest.backfill import Backfill, Span
from harvester.harvest.result import Mode, TopicFailed, TopicRecords, TopicResult
from harvester.models import Paper

logger = logging.getLogger(__name__)

COMMIT_MIN = 2_000
"""The fewest papers a first harvest commits at once (but at the end, on failure, or
when it leaves a file)."""


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
        TopicFailed: the fetch failed; papers committed before the failure stay
            written, nothing else is.
    """
    started, requests_before = time.monotonic(), client.requests
    now = (now or datetime.now(UTC)).astimezone(UTC)
    # A one-off --since narrows the topic's range; it never widens it past `since`.
    lower = max((d for d in (since, topic.since) if d is not None), default=None)
    stored = TopicFiles(data_dir, topic.name, dry_run=dry_run, remember=since is None)
    state_path = state.path_for(data_dir, topic.name)
    recorded = state.load(state_path)
    # Files as the last run left them are trusted unread; any other is read (and
    # validated) now, so a corrupt one costs no request.
    remade = stored.verify(recorded.files if recorded is not None else {})
    file = TopicRecords(stored, lower, dry_run, total=stored.total())
    run = _Run(topic, client, file, state_path, now=now)
    saved = run.saved_state() if since is None else None
    if stored.oversized() and not dry_run:
        stored.relayout()  # written before files were cut: cut them now
        remade = True
    run.mode = Mode.SINCE if since is not None else _mode(topic, saved, full=full, now=now)
    try:
        if run.mode is Mode.INCREMENTAL and saved is not None:
            run.incremental(saved, remade=remade)
        else:
            run.backfill(saved, tracked=since is None)
    except (HarvestError, Interrupted) as exc:  # Ctrl-C too: what it wrote is counted
        result = file.result(
            topic, run.mode, requests=client.requests - requests_before, now=now, started=started
        )
        raise TopicFailed(exc, result) from exc
    return file.result(
        topic, run.mode, requests=client.requests - requests_before, now=now, started=started
    )


def _mode(topic: Topic, saved: state.TopicState | None, *, full: bool, now: datetime) -> Mode:
    if saved is None or full:
        return Mode.FULL
    if not saved.complete:
        return Mode.RESUMED
    if topic.refresh_days and now - saved.last_full() >= timedelta(days=topic.refresh_days):
        return Mode.REFRESH
    return Mode.INCREMENTAL


@dataclass
class _Run:
    """One topic's run: the harvests it may do and the state they keep."""

    topic: Topic
    client: ArxivClient
    file: TopicRecords
    state_path: Path
    now: datetime
    mode: Mode = Mode.FULL
    """What the run is doing; a walk that cannot be trusted turns into a fallback."""

    def saved_state(self) -> state.TopicState | None:
        """The topic's state, or None when there is none for its query and `since`."""
        saved = state.load(self.state_path)
        if saved is not None and not saved.matches(self.topic.query, self.topic.since):
            logger.info("%s: query or since changed: harvesting it in full", self.topic.name)
            return None
        return saved

    def save(self, progress: state.TopicState) -> None:
        """Save the state with the stamps of the files as they are now."""
        state.save(self.state_path, progress.with_files(self.file.files.stamps))

    def incremental(self, saved: state.TopicState, *, remade: bool = False) -> None:
        """Walk down to the watermark less the lookback, and merge what came.

        The watermark moves to this run's start only after a complete walk that changed
        something, so a failed run is asked again and a run that finds nothing changes
        no byte. A walk that cannot be trusted is redone as a harvest of the whole range.
        """
        watermark = saved.watermark or saved.until - timedelta(days=1)  # states before watermarks
        # A watermark ahead of now (a clock that ran fast) would skip what comes till then.
        watermark = min(watermark, self._minute())
        cutoff = watermark - timedelta(days=self.topic.lookback_days)
        size = walk.size_for(
            self.file.files.updated_since,
            cutoff=cutoff,
            now=self.now,
            largest=self.client.page_size,
        )
        logger.info("%s: walking updates down to %s", self.topic.name, f"{cutoff:%Y-%m-%d %H:%M}")
        found = walk.walk(self.client, self.topic.query, cutoff=cutoff, size=size)
        if found.untrusted is not None:
            logger.warning(
                "%s: %s: harvesting it in full instead", self.topic.name, found.untrusted
            )
            self.mode = Mode.FALLBACK
            self.backfill(saved)
            return
        if self.file.dry_run:
            self.file.commit(found.papers)
        elif self.file.commit(found.papers):
            self.save(saved.model_copy(update={"watermark": self._minute()}))
        elif remade or self.file.files.written:
            self.save(saved)  # files read or cut anew: keep their stamps, not the watermark

    def backfill(self, saved: state.TopicState | None, *, tracked: bool = True) -> None:
        """Harvest the whole range (or what an interrupted harvest left), committing the
        papers and then the spans they complete, so a span is done once written.

        A complete topic's state ends as it began when nothing changed, but a refresh
        records when it began (without that, the next run could not tell it is not due).
        """
        progress = self._begun(saved)
        lower = FIRST_DAY
        if self.file.since is not None:
            lower = datetime.combine(self.file.since, datetime.min.time(), UTC)
        whole = Window(lower, progress.until)
        logger.info("%s: %s harvest of %s", self.topic.name, self.mode, whole)
        todo = gaps(whole, list(progress.done))
        fetched_before = progress.fetched
        cap = None if self.topic.max_results is None else self.topic.max_results - fetched_before
        # A resumed harvest fetches again where it stopped: those papers are no news.
        known = self.file.files.keys() if self.mode is Mode.RESUMED else set()
        commits = _Commits(
            file=self.file,
            save=self.save,
            progress=progress,
            fetched_before=fetched_before,
            write=tracked and not self.file.dry_run,
            # A complete topic in which nothing changed keeps its state as it is.
            keep_complete=saved is not None and saved.complete,
            resumed=saved is not None,
        )
        # Every page is merged as it comes; `commits` decides when the files are written.
        backfill = Backfill(
            self.client, self.topic.query, commit=commits, cap=cap, known=known, due=lambda _: True
        )
        try:
            backfill.run(todo)
        finally:
            commits.flush()  # stopped or failed too: what was merged is written, then its spans
        if commits.write:
            capped = self.topic.max_results is not None
            self.save(
                _finished(
                    commits.progress, saved, self.mode, changed=commits.changed, capped=capped
                )
            )

    def _begun(self, saved: state.TopicState | None) -> state.TopicState:
        """The state a harvest of the whole range starts from: what an interrupted one
        left, or a new one."""
        if self.mode is Mode.RESUMED and saved is not None:
            return saved
        start = self._minute()
        return state.TopicState(
            query=self.topic.query,
            since=self.topic.since,
            until=start + timedelta(days=1),  # generous: clocks differ
            watermark=start,
            refreshed=start,
        )

    def _minute(self) -> datetime:
        return floor_minute(self.now)


@dataclass
class _Commits:
    """A backfill's commit step: merges each page of papers, and writes them (then the
    state with the spans they complete, so a span is done once written) when `due`."""

    file: TopicRecords
    save: Callable[[state.TopicState], None]
    progress: state.TopicState
    """The state so far: the spans done (written) and the papers fetched."""
    fetched_before: int
    """Papers an interrupted harvest had fetched before this run resumed it."""
    write: bool
    """False for a dry run or an untracked harvest: nothing is saved."""
    keep_complete: bool
    """The topic was complete: its state is saved only once a commit changed the data
    (a resumed refresh is not needed)."""
    resumed: bool = False
    """A state was saved before (a harvest in progress): it is kept up to date."""
    changed: bool = False
    """Whether any commit changed the topic's data."""
    spans: list[Span] = field(default_factory=list)
    """Spans whose papers are merged and not written yet."""
    fetched: int = 0

    def __call__(self, papers: list[Paper], spans: list[Span], fetched: int) -> None:
        """Merge `papers`; when due, write them and the state with `spans` done and
        `fetched` papers counted."""
        self.changed |= self.file.commit(papers, write=False)
        self.spans += spans
        self.fetched = fetched
        if self.due():
            self.flush()

    def due(self) -> bool:
        """Whether what is merged is worth writing now: when the harvest has left a file
        merged into (newest first, it will not come back: each file is then written about
        once), when a file is to be cut (memory: a run holds about one file), or when the
        papers merged are as many as the topic holds, and at least `COMMIT_MIN` (so a
        topic in one file is written at sizes that double, at most about twice its final
        size in all, and an interruption costs at most the requests since)."""
        files = self.file.files
        pending = files.pending()
        if pending.files > 1 or pending.largest >= shards.LIMIT_BYTES:
            return True
        return pending.papers >= max(COMMIT_MIN, files.total())

    def flush(self) -> None:
        """Write what is merged, then save the state with the spans it completes."""
        spans, self.spans = self.spans, []  # a write that fails completes none of them
        self.file.flush()
        self.progress = self.progress.with_done(spans, self.fetched_before + self.fetched)
        # After the data: a span is done once written. A new harvest that has neither
        # done a span nor changed the data (arXiv unreachable at its first page) leaves no
        # state: there is nothing to resume, and the file would be news in `git status`.
        recorded = self.changed or bool(self.progress.done) or self.resumed
        if self.write and (self.changed or not self.keep_complete) and recorded:
            self.save(self.progress)


def _finished(
    progress: state.TopicState,
    saved: state.TopicState | None,
    mode: Mode,
    *,
    changed: bool,
    capped: bool,
) -> state.TopicState:
    """The state after a complete harvest of the whole range."""
    if saved is not None and saved.complete and mode is Mode.FALLBACK and capped:
        # A capped fallback fetched only the newest papers: updates of older ones it did
        # not see, so the watermark stays for the next walk that can be trusted.
        return saved
    if saved is None or not saved.complete or changed:
        return progress.model_copy(update={"complete": True, "done": [], "fetched": 0})
    if mode is Mode.REFRESH:
        return saved.model_copy(update={"refreshed": progress.refreshed})
    return saved
