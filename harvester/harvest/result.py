"""What a topic's harvest did, and the topic's records as a harvest merges into them: its
mode, its result, its failure, and the files commits go to (the harvests of queries
(`topic`) and of sets (`sets`) share these)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from harvester.config import Topic
from harvester.db.counts import Counts
from harvester.db.shards import TopicFiles
from harvester.errors import HarvestError, Interrupted
from harvester.harvest import stale
from harvester.harvest.stale import Silence
from harvester.models import Paper


class Mode(StrEnum):
    """What a run did to a topic."""

    FULL = "full"  # a first harvest, or --full: the whole range
    RESUMED = "resumed"  # an interrupted harvest of the whole range, continued
    INCREMENTAL = "incremental"  # a walk down to the watermark
    REFRESH = "refresh"  # the whole range again, refresh_days after the last time
    FALLBACK = "fallback"  # a walk that could not be trusted, done as the whole range
    SINCE = "since"  # a one-off --since DATE: the range from that date, state untouched


@dataclass(frozen=True)
class TopicResult:
    """What a harvest did to one topic.

    Attributes:
        topic: the topic's name.
        mode: what kind of harvest it was.
        counts: what merging the fetched papers did.
        total: papers in the topic afterwards.
        requests: HTTP requests sent for it, retries included.
        written: whether its file was (re)written.
        seconds: how long it took.
        silence: how long the topic has been without a new paper, against its rate.
    """

    topic: str
    mode: Mode
    counts: Counts
    total: int
    requests: int
    written: bool
    seconds: float
    silence: Silence


class TopicFailed(HarvestError):
    """A topic's harvest failed; `result` says what it did before (committed papers stay).

    Attributes:
        cause: the error that stopped it.
        result: the counts of what was merged and written before it stopped.
    """

    def __init__(self, cause: HarvestError | Interrupted, result: TopicResult) -> None:
        self.cause = cause
        self.result = result
        super().__init__(str(cause))


@dataclass
class TopicRecords:
    """A topic's records: merged into and written, a file at a time, as fetches arrive."""

    files: TopicFiles
    since: date | None
    dry_run: bool
    counts: Counts = field(default_factory=Counts)
    """What the merges written so far did."""
    total: int = 0
    _staged: Counts = field(default_factory=Counts)
    """What the merges not yet written did."""

    def commit(self, fetched: list[Paper], *, write: bool = True) -> bool:
        """Merge fetched records into the files they land in and (unless not `write`:
        then `flush` does) write those that changed; returns whether the records
        changed anything."""
        # arXiv applies the range too; this keeps `since` where the query has none.
        kept = [p for p in fetched if self.since is None or p.published >= self.since]
        merged = self.files.stage(kept)
        self._staged += merged.counts
        if write:
            self.flush()
        return merged.counts.changed > 0

    def flush(self) -> None:
        """Write what was merged; its counts count from then on."""
        staged, self._staged = self._staged, Counts()  # a write that fails counts none
        self.files.flush()
        self.counts += staged
        # A dry run writes no file, so its stamps count only what was stored.
        self.total = self.files.total() + self.files.staged_new

    def result(
        self, topic: Topic, mode: Mode, *, requests: int, now: datetime, started: float
    ) -> TopicResult:
        """What the harvest did so far, judged from the files' stamps (none is read)."""
        silence = stale.assess_days(
            self.files.published(), now=now, stale_after_days=topic.stale_after_days
        )
        return TopicResult(
            topic=topic.name,
            mode=mode,
            counts=self.counts,
            total=self.total,
            requests=requests,
            written=self.files.written,
            seconds=time.monotonic() - started,
            silence=silence,
        )
